"""Comments on an idea are read only by those who may see the idea: a hidden, withdrawn,
unconfirmed or pending idea takes its comments with it, on every route (the single comment,
the idea's threads, the reply page, the actions on a comment), in the API and on the pages.
Planners who may see the idea still read them."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from debate import services
from debate.selectors import comments_visible_to
from ideas.models import Publication
from tests import factories

from .factories import CommentFactory

pytestmark = pytest.mark.django_db

STATES = {
    "hidden": {"is_hidden": True, "hidden_reason": "Personal data"},
    "withdrawn": {"publication": Publication.WITHDRAWN},
    "unconfirmed": {"publication": Publication.PENDING_CONFIRMATION, "author": None},
    "pending": {"publication": Publication.PENDING_MODERATION},
}


@pytest.fixture
def idea_author(db):
    return factories.UserFactory()


@pytest.fixture
def public_idea(consultation, idea_author):
    return factories.IdeaFactory(consultation=consultation, author=idea_author)


def comment_on(idea):
    """A comment written while the idea was public; then the idea leaves the public pages."""
    return services.comment_create(
        author=factories.UserFactory(), target=idea, body="Reply while it was public"
    )


def make_state(idea, state):
    for field, value in STATES[state].items():
        setattr(idea, field, value)
    idea.save()


def api_reads(user, comment) -> list[int]:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return [
        client.get(f"/api/v1/comments/{comment.pk}/").status_code,
        client.get(f"/api/v1/ideas/{comment.idea_id}/comments/").status_code,
    ]


def page_reads(client, user, comment) -> list[int]:
    if user is not None:
        client.force_login(user)
    return [
        client.get(reverse("debate:comment_reply", args=[comment.pk])).status_code,
        client.get(reverse("debate:idea_threads", args=[comment.idea_id])).status_code,
    ]


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("who", ["anonymous", "resident", "councillor", "commenter"])
def test_those_who_cannot_see_the_idea_cannot_read_its_comments(client, public_idea, state, who):
    comment = comment_on(public_idea)
    make_state(public_idea, state)
    user = {
        "anonymous": None,
        "resident": factories.UserFactory(),
        "councillor": factories.CouncillorFactory(),
        "commenter": comment.author,
    }[who]
    assert api_reads(user, comment) == [404, 404]
    # The reply page asks anonymous visitors to log in first, whatever the comment.
    assert page_reads(client, user, comment) == [302 if user is None else 404, 404]
    assert not comments_visible_to(user).filter(pk=comment.pk).exists()


@pytest.mark.parametrize("state", ["hidden", "withdrawn", "pending"])
def test_planners_of_the_consultation_still_read_them(public_idea, planner, state):
    comment = comment_on(public_idea)
    make_state(public_idea, state)
    assert api_reads(planner, comment) == [200, 200]
    assert comments_visible_to(planner).filter(pk=comment.pk).exists()


def test_a_planner_limited_to_other_consultations_does_not(public_idea, other_planner):
    comment = comment_on(public_idea)
    make_state(public_idea, "hidden")
    assert api_reads(other_planner, comment) == [404, 404]


def test_the_idea_author_still_reads_comments_on_their_hidden_idea(public_idea, idea_author):
    comment = comment_on(public_idea)
    make_state(public_idea, "hidden")
    assert api_reads(idea_author, comment) == [200, 200]


def test_actions_on_such_a_comment_answer_404(client, public_idea):
    comment = comment_on(public_idea)
    make_state(public_idea, "hidden")
    resident = factories.UserFactory()
    api = APIClient()
    api.force_authenticate(resident)
    assert api.post(f"/api/v1/comments/{comment.pk}/vote/", {"value": 1}).status_code == 404
    client.force_login(resident)
    response = client.post(reverse("debate:comment_vote", args=[comment.pk]), {"value": "1"})
    assert response.status_code == 404


def test_public_ideas_and_topics_keep_their_comments_readable(public_idea, topic):
    on_idea = comment_on(public_idea)
    on_topic = CommentFactory(topic=topic)
    assert api_reads(None, on_idea) == [200, 200]
    response = APIClient().get(f"/api/v1/comments/{on_topic.pk}/")
    assert response.status_code == 200
    assert set(comments_visible_to(None).values_list("pk", flat=True)) == {on_idea.pk, on_topic.pk}


def test_comments_of_a_draft_consultation_stay_with_the_draft(consultation, topic):
    on_topic = CommentFactory(topic=topic)
    consultation.status = "draft"
    consultation.save()
    assert APIClient().get(f"/api/v1/comments/{on_topic.pk}/").status_code == 404
    assert not comments_visible_to(factories.UserFactory()).exists()


def test_a_reply_to_a_comment_one_cannot_read_answers_as_for_no_comment(public_idea, topic):
    """Naming a hidden idea's comment as the parent of a reply elsewhere reveals nothing."""
    comment = comment_on(public_idea)
    make_state(public_idea, "hidden")
    api = APIClient()
    api.force_authenticate(factories.UserFactory())
    answers = [
        api.post(
            f"/api/v1/topics/{topic.pk}/comments/", {"body": "Me too", "parent": pk}, format="json"
        )
        for pk in (comment.pk, 987654)
    ]
    assert answers[0].status_code == answers[1].status_code == 400
    assert answers[0].json() == answers[1].json()
