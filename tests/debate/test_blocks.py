"""A moderator's block covers every participation action in a debate, not only writing:
voting on comments, answering and withdrawing poll answers, editing and deleting one's own
comments. The refusal says why, in the API (403 with the reason) and on the pages."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from debate import services
from debate.models import Comment, CommentVote, PollAnswer
from moderation import services as moderation
from tests import factories
from tests.clients import api_for

pytestmark = pytest.mark.django_db

REASON = "Threats against other residents"


@pytest.fixture
def author(db):
    return factories.UserFactory()


@pytest.fixture
def comment(author, poll_topic):
    return services.comment_create(author=author, target=poll_topic, body="First words")


def block(person, planner, consultation=None):
    return moderation.user_block(
        actor=planner, user=person, consultation=consultation, days=3, reason=REASON
    )


@pytest.mark.parametrize("site_wide", [True, False])
def test_services_refuse_every_action_of_a_blocked_person(
    comment, author, poll_topic, planner, site_wide
):
    voter = factories.UserFactory()
    option = poll_topic.poll_options.first()
    services.poll_answer(user=voter, topic=poll_topic, option_ids=[option.pk])
    scope = None if site_wide else poll_topic.consultation
    block(author, planner, scope)
    block(voter, planner, scope)
    with pytest.raises(PermissionDenied, match=REASON):
        services.comment_edit(actor=author, comment=comment, body="Changed")
    with pytest.raises(PermissionDenied, match=REASON):
        services.comment_delete(actor=author, comment=comment)
    with pytest.raises(PermissionDenied, match=REASON):
        services.comment_vote(user=voter, comment=comment, value=1)
    with pytest.raises(PermissionDenied, match=REASON):
        services.poll_answer(user=voter, topic=poll_topic, option_ids=[option.pk])
    comment.refresh_from_db()
    assert comment.body == "First words" and not comment.is_deleted
    assert not CommentVote.objects.exists()
    assert PollAnswer.objects.filter(user=voter).count() == 1


def test_a_block_elsewhere_changes_nothing_here(comment, author, planner):
    block(author, planner, factories.ConsultationFactory())
    services.comment_edit(actor=author, comment=comment, body="Changed")
    services.comment_vote(user=factories.UserFactory(), comment=comment, value=1)


def test_api_answers_403_with_the_reason(comment, author, poll_topic, planner):
    voter = factories.UserFactory()
    block(author, planner)
    block(voter, planner, poll_topic.consultation)
    option = poll_topic.poll_options.first()
    for response in (
        api_for(author).patch(f"/api/v1/comments/{comment.pk}/", {"body": "X"}, format="json"),
        api_for(author).delete(f"/api/v1/comments/{comment.pk}/"),
        api_for(voter).post(f"/api/v1/comments/{comment.pk}/vote/", {"value": 1}, format="json"),
        api_for(voter).post(
            f"/api/v1/topics/{poll_topic.pk}/poll/", {"options": [option.pk]}, format="json"
        ),
    ):
        assert response.status_code == 403, response.content
        assert REASON in response.json()["detail"]
    assert Comment.objects.get(pk=comment.pk).body == "First words"
    assert not CommentVote.objects.exists() and not PollAnswer.objects.exists()


def test_pages_answer_403_with_the_reason(client, comment, author, poll_topic, planner):
    voter = factories.UserFactory()
    block(author, planner, poll_topic.consultation)
    block(voter, planner)
    client.force_login(author)
    for response in (
        client.post(reverse("debate:comment_edit", args=[comment.pk]), {"body": "X"}),
        client.post(reverse("debate:comment_delete", args=[comment.pk])),
    ):
        assert response.status_code == 403 and REASON in response.content.decode()
    client.force_login(voter)
    option = poll_topic.poll_options.first()
    for response in (
        client.post(reverse("debate:comment_vote", args=[comment.pk]), {"value": "1"}),
        client.post(reverse("debate:poll_answer", args=[poll_topic.pk]), {"options": option.pk}),
    ):
        assert response.status_code == 403 and REASON in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).body == "First words"
    assert not CommentVote.objects.exists() and not PollAnswer.objects.exists()
