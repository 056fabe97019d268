"""Moderation seen from the rest of the site: hidden content is gone from every public page,
feed and API but visible to moderators; pre-moderation and the word list hold content back;
blocked people get a 403 with the reason; floods get a 429."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from debate.models import Comment, CommentPublication
from debate.services import comment_create
from ideas.models import Idea, Publication
from ideas.services import idea_submit
from moderation import services
from tests.factories import INSIDE, IdeaFactory, TopicFactory, UserFactory
from tests.moderation.factories import IdeaImageFactory

pytestmark = pytest.mark.django_db

SECRET = "Ring Hansen 20304050"


@pytest.fixture
def hidden_idea(consultation, planner):
    idea = IdeaFactory(consultation=consultation, title=SECRET, description=SECRET)
    services.item_hide(actor=planner, target=idea, public_reason="personal_data")
    return idea


def _public_pages(idea):
    slug = idea.consultation.slug
    return [
        idea.consultation.get_absolute_url(),
        reverse("ideas:list", kwargs={"slug": slug}),
        f"/api/v1/consultations/{slug}/ideas/",
        f"/api/v1/consultations/{slug}/ideas.geojson",
        f"/api/v1/consultations/{slug}/ideas/nearby/?lon={INSIDE[0]}&lat={INSIDE[1]}",
    ]


def test_hidden_idea_is_absent_from_every_public_page_feed_and_api(client, hidden_idea):
    IdeaFactory(consultation=hidden_idea.consultation, title="A visible idea")
    for url in _public_pages(hidden_idea):
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url
    assert client.get(hidden_idea.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/ideas/{hidden_idea.pk}/").status_code == 404


def test_hidden_idea_is_visible_to_its_moderators(client, hidden_idea, planner):
    client.force_login(planner)
    assert SECRET in client.get(hidden_idea.get_absolute_url()).content.decode()
    item = reverse("moderation:item", kwargs={"kind": "idea", "pk": hidden_idea.pk})
    assert SECRET in client.get(item).content.decode()


def test_hidden_comment_shows_the_placeholder_with_the_reason(client, consultation, planner):
    topic = TopicFactory(consultation=consultation)
    comment = comment_create(author=UserFactory(), target=topic, body=SECRET)
    services.item_hide(actor=planner, target=comment, public_reason="personal_data")
    page = client.get(topic.get_absolute_url()).content.decode()
    assert SECRET not in page and "personal data" in page
    rows = APIClient().get(f"/api/v1/topics/{topic.pk}/comments/").json()["results"]
    assert rows[0]["body"] == "" and rows[0]["hidden_reason"] == "personal data"
    assert SECRET not in json.dumps(rows)
    client.force_login(planner)
    item = reverse("moderation:item", kwargs={"kind": "comment", "pk": comment.pk})
    assert SECRET in client.get(item).content.decode()


def test_redacted_photo_is_gone_from_page_and_api(client, consultation, planner):
    idea = IdeaFactory(consultation=consultation)
    photo = IdeaImageFactory(idea=idea, alt_text="Neighbour's face in the window")
    services.photo_redact(actor=planner, target=photo)
    assert "Neighbour" not in client.get(idea.get_absolute_url()).content.decode()
    body = APIClient().get(f"/api/v1/ideas/{idea.pk}/").json()
    assert body["images"] == []
    client.force_login(planner)
    item = reverse("moderation:item", kwargs={"kind": "photo", "pk": photo.pk})
    assert "Neighbour" in client.get(item).content.decode()


def test_report_links_on_idea_and_comment(client, resident, consultation):
    idea = IdeaFactory(consultation=consultation)
    comment = comment_create(author=UserFactory(), target=idea, body="Fine words.")
    client.force_login(resident)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert reverse("moderation:report", kwargs={"kind": "idea", "pk": idea.pk}) in page
    assert reverse("moderation:report", kwargs={"kind": "comment", "pk": comment.pk}) in page


class TestHoldingBack:
    def test_word_list_sends_ideas_and_comments_to_the_queue(self, settings, consultation, planner):
        settings.MODERATION_WORD_LIST = ["idiot*", "spam"]
        author = UserFactory()
        idea = idea_submit(
            author=author,
            consultation=consultation,
            title="Harbour bath",
            description="Only idiots would say no.",
            latitude=INSIDE[1],
            longitude=INSIDE[0],
        )
        assert idea.publication == Publication.PENDING_MODERATION
        clean = idea_submit(
            author=author,
            consultation=consultation,
            title="Benches",
            description="More benches.",
            latitude=INSIDE[1],
            longitude=INSIDE[0],
        )
        assert clean.publication == Publication.PUBLISHED
        topic = TopicFactory(consultation=consultation)
        comment = comment_create(author=author, target=topic, body="This is SPAM.")
        assert comment.publication == CommentPublication.PENDING_MODERATION
        from moderation.selectors import moderation_queue

        queue = {item.key: item for item in moderation_queue(viewer=planner)}
        assert queue[f"idea:{idea.pk}"].words == ["idiots"]
        assert queue[f"comment:{comment.pk}"].words == ["spam"]

    def test_pre_moderated_comment_waits_and_is_absent_until_approved(
        self, client, consultation, planner
    ):
        consultation.pre_moderation = True
        consultation.save()
        topic = TopicFactory(consultation=consultation)
        comment = comment_create(author=UserFactory(), target=topic, body=SECRET)
        assert comment.publication == CommentPublication.PENDING_MODERATION
        assert SECRET not in client.get(topic.get_absolute_url()).content.decode()
        services.item_approve(actor=planner, target=comment)
        assert SECRET in client.get(topic.get_absolute_url()).content.decode()


class TestBlockedPeople:
    @pytest.fixture
    def blocked(self, consultation, planner):
        person = UserFactory()
        services.user_block(
            actor=planner, user=person, consultation=consultation, days=5, reason="Flooding"
        )
        return person

    def test_cannot_submit_support_or_comment(self, blocked, consultation):
        api = APIClient()
        api.force_authenticate(blocked)
        submit = api.post(
            f"/api/v1/consultations/{consultation.slug}/ideas/",
            {
                "title": "Hi",
                "description": "There",
                "location": {"type": "Point", "coordinates": list(INSIDE)},
            },
            format="json",
        )
        assert submit.status_code == 403 and "Flooding" in submit.json()["detail"]
        idea = IdeaFactory(consultation=consultation)
        support = api.post(f"/api/v1/ideas/{idea.pk}/support/")
        assert support.status_code == 403 and "blocked" in support.json()["detail"]
        topic = TopicFactory(consultation=consultation)
        comment = api.post(f"/api/v1/topics/{topic.pk}/comments/", {"body": "Hi"}, format="json")
        assert comment.status_code == 403 and "blocked" in comment.json()["detail"]
        assert not Comment.objects.exists()
        assert Idea.objects.filter(author=blocked).count() == 0

    def test_html_pages_say_why(self, client, blocked, consultation):
        client.force_login(blocked)
        topic = TopicFactory(consultation=consultation)
        response = client.post(
            reverse("debate:topic_comment", kwargs={"pk": topic.pk}), {"body": "Hi"}
        )
        assert response.status_code == 403
        assert "Flooding" in response.content.decode()


class TestRateLimits:
    def test_comments_over_the_limit_get_429(self, settings, consultation):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment": "2/h"}
        api = APIClient()
        api.force_authenticate(UserFactory())
        topic = TopicFactory(consultation=consultation)
        codes = [
            api.post(f"/api/v1/topics/{topic.pk}/comments/", {"body": f"Point {n}"}, format="json")
            for n in range(3)
        ]
        assert [c.status_code for c in codes] == [201, 201, 429]
        assert "Try again in" in codes[2].json()["detail"]

    def test_comment_form_over_the_limit_gets_429_page(self, client, settings, consultation):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment": "1/h"}
        client.force_login(UserFactory())
        topic = TopicFactory(consultation=consultation)
        url = reverse("debate:topic_comment", kwargs={"pk": topic.pk})
        assert client.post(url, {"body": "One"}).status_code == 302
        response = client.post(url, {"body": "Two"})
        assert response.status_code == 429 and "Try again in" in response.content.decode()

    def test_supports_over_the_limit_get_429(self, settings, consultation):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "support": "1/h"}
        api = APIClient()
        api.force_authenticate(UserFactory())
        ideas = IdeaFactory.create_batch(2, consultation=consultation)
        codes = [api.post(f"/api/v1/ideas/{idea.pk}/support/").status_code for idea in ideas]
        assert codes == [201, 429]


def test_idea_submissions_over_the_limit_get_429_with_a_reason(settings, consultation):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "idea_submit": "1/h"}
    api = APIClient()
    api.force_authenticate(UserFactory())
    body = {
        "title": "Benches",
        "description": "More benches.",
        "location": {"type": "Point", "coordinates": list(INSIDE)},
    }
    url = f"/api/v1/consultations/{consultation.slug}/ideas/"
    assert api.post(url, body, format="json").status_code == 201
    second = api.post(url, body, format="json")
    assert second.status_code == 429 and "Try again in" in second.json()["detail"]


def test_author_of_a_hidden_idea_sees_the_reason_and_can_appeal(client, hidden_idea):
    client.force_login(hidden_idea.author)
    page = client.get(hidden_idea.get_absolute_url()).content.decode()
    assert "personal data" in page
    assert reverse("moderation:appeal", kwargs={"kind": "idea", "pk": hidden_idea.pk}) in page
