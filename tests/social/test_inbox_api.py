"""The comment inbox over the REST API: the same list, filters, actions and permissions as the
page, answers going out over real HTTP to the stand-ins."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from debate import services as debate_services
from debate.models import Comment
from social.models import ImportedComment
from social.readback import import_comments
from tests import factories
from tests.social.factories import channel_for, published_post

pytestmark = pytest.mark.django_db
INBOX = "/api/v1/social/inbox/"


@pytest.fixture
def harbour():
    consultation = factories.ConsultationFactory(slug="harbour", title="Harbour baths")
    factories.TopicFactory(consultation=consultation, title="The harbour bath")
    return consultation


@pytest.fixture
def planner(harbour):
    person = factories.PlannerFactory(display_name="Line", show_name_publicly=True)
    harbour.planners.add(person)
    return person


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _on_mastodon(fake, harbour):
    from social import services
    from social.adapters import OutgoingPost

    channel = channel_for(fake)
    with services.adapter_for(channel) as adapter:
        result = adapter.publish(OutgoingPost(text="Harbour baths: have your say"), "k")
    post = published_post(channel, consultation=harbour, remote_id=result.remote_id)
    fake.reply(result.remote_id, "When does the bath open?", author="mette")
    import_comments([post.pk])
    return ImportedComment.objects.get(post=post)


def test_the_inbox_lists_both_sources_and_filters(mastodon_fake, harbour, planner):
    imported = _on_mastodon(mastodon_fake, harbour)
    topic = harbour.topics.get()
    site = debate_services.comment_create(
        author=factories.UserFactory(), target=topic, body="Dogs allowed?"
    )
    api = _api(planner)
    answer = api.get(INBOX).json()
    assert answer["count"] == 2
    rows = {(row["source"], row["id"]): row for row in answer["results"]}
    assert rows[("social", imported.pk)]["platform"] == "mastodon"
    assert rows[("site", site.pk)]["channel"] == "This site"
    assert rows[("site", site.pk)]["consultation"] == "harbour"
    only_site = api.get(INBOX, {"channel": "site"}).json()
    assert [row["id"] for row in only_site["results"]] == [site.pk]
    bad = api.get(INBOX, {"channel": "nonsense"})
    assert bad.status_code == 400 and "channel" in bad.json()


def test_answer_through_the_api_on_mastodon_and_in_the_debate(mastodon_fake, harbour, planner):
    imported = _on_mastodon(mastodon_fake, harbour)
    api = _api(planner)
    response = api.post(
        f"{INBOX}social/{imported.pk}/reply/", {"text": "On 1 June."}, format="json"
    )
    assert response.status_code == 200 and response.json()["answered_at"]
    imported.refresh_from_db()
    assert mastodon_fake.statuses[imported.answer_remote_id].in_reply_to_id == imported.remote_id
    empty = api.post(f"{INBOX}social/{imported.pk}/reply/", {"text": " "}, format="json")
    assert empty.status_code == 400 and "text" in empty.json()
    site = debate_services.comment_create(
        author=factories.UserFactory(), target=harbour.topics.get(), body="Dogs allowed?"
    )
    response = api.post(f"{INBOX}site/{site.pk}/reply/", {"text": "No."}, format="json")
    assert response.status_code == 200
    assert Comment.objects.get(parent=site).author == planner
    official = api.post(
        f"{INBOX}site/{site.pk}/official/", {"text": "> Dogs allowed?\n\nNo."}, format="json"
    )
    assert official.status_code == 200 and official.json()["official_answer_url"]
    assert api.post(f"{INBOX}site/{site.pk}/hide/", {}, format="json").status_code == 400
    assert api.post(f"{INBOX}elsewhere/{site.pk}/reply/", {}, format="json").status_code == 400


def test_residents_and_outsiders_are_refused(mastodon_fake, harbour, planner):
    imported = _on_mastodon(mastodon_fake, harbour)
    resident = factories.UserFactory()
    assert _api(resident).get(INBOX).status_code == 403
    assert (
        _api(resident).post(f"{INBOX}social/{imported.pk}/answered/", {}, format="json").status_code
        == 403
    )
    outsider = factories.PlannerFactory(limited_to_assigned=True)
    assert _api(outsider).get(INBOX).json()["count"] == 0
    refused = _api(outsider).post(f"{INBOX}social/{imported.pk}/answered/", {}, format="json")
    assert refused.status_code == 404
    imported.refresh_from_db()
    assert imported.answered_at is None
    assert APIClient().get(INBOX).status_code in (401, 403)
