"""Social channels, posts and crisis stops are each municipality's own: Harstad's staff neither
see nor touch København's, by page, API or guessed id."""

import pytest
from django.test import Client

from civic import tenancy
from tests import factories
from tests.social.factories import channel_for, draft
from tests.tenancy_helpers import FIRST_HOST, SECOND_HOST, first_municipality, inside


@pytest.fixture
def copenhagen_channel_and_post(mastodon_fake, harstad):
    with inside(first_municipality()):
        channel = channel_for(mastodon_fake, name="København på Mastodon")
        consultation = factories.ConsultationFactory(title="Christiansholm", open_phase=True)
        post = draft(channel, consultation=consultation, text="Christiansholm: skriv din idé")
    return channel, post


@pytest.fixture
def harstad_staff(harstad):
    with inside(harstad):
        return {
            "administrator": factories.AdministratorFactory(),
            "planner": factories.PlannerFactory(),
        }


def _client(user, host):
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["administrator", "planner"])
def test_another_municipalitys_channels_and_posts_are_not_found(
    copenhagen_channel_and_post, harstad_staff, who
):
    channel, post = copenhagen_channel_and_post
    client = _client(harstad_staff[who], SECOND_HOST)
    for path in ("/social/channels/", "/api/v1/social/channels/", "/social/approvals/"):
        body = client.get(path).content.decode()
        assert "København på Mastodon" not in body and "Christiansholm" not in body, path
    assert client.post(f"/social/channels/{channel.pk}/remove/").status_code in (403, 404)
    for action in ("approve", "send-back", "reschedule"):
        response = client.post(
            f"/api/v1/social-posts/{post.pk}/{action}/", {}, content_type="application/json"
        )
        assert response.status_code in (403, 404), (action, response.status_code)
    channel.refresh_from_db()
    post.refresh_from_db()
    assert not channel.is_removed and post.approved_by_id is None


def test_the_municipalitys_own_staff_still_see_them(copenhagen_channel_and_post):
    channel, _post = copenhagen_channel_and_post
    with inside(first_municipality()):
        administrator = factories.AdministratorFactory()
    body = _client(administrator, FIRST_HOST).get("/social/channels/").content.decode()
    assert "København på Mastodon" in body


def test_a_new_channel_belongs_to_the_municipality_served(mastodon_fake, harstad):
    with tenancy.activate(harstad.pk):
        channel = channel_for(mastodon_fake, name="Harstad kommune")
    assert channel.municipality_id == harstad.pk
