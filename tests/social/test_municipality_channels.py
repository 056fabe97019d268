"""Social channels, posts and crisis stops are each municipality's own: Harstad's staff neither
see nor touch København's, by page, API or guessed id."""

from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from django.test import Client

from civic import tenancy
from social.models import Channel
from tests import factories
from tests.social.factories import channel_for, draft
from tests.social.test_oauth import follow_back
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


# --- Each municipality's own platform apps ("Connect with <platform>") ------------------------


def _start_x_login(client, x_fake) -> dict[str, str]:
    response = client.post("/social/oauth/start/", {"platform": "x", "base_url": x_fake.base_url})
    assert response.status_code == 302, response.content.decode()[:300]
    return dict(parse_qsl(urlsplit(response["Location"]).query))


def test_a_municipality_with_its_own_app_logs_in_with_it(harstad, harstad_staff, settings, x_fake):
    harstads_app = x_fake.oauth_client()
    settings.SOCIAL_X_CLIENT_ID, settings.SOCIAL_X_CLIENT_SECRET = "installation-app", "other"
    settings.SOCIAL_MUNICIPALITY_APPS = {
        "harstad": {
            "x": {"client_id": harstads_app["client_id"], "secret": harstads_app["client_secret"]}
        }
    }
    client = _client(harstad_staff["administrator"], SECOND_HOST)
    params = _start_x_login(client, x_fake)
    assert params["client_id"] == harstads_app["client_id"]
    with tenancy.activate(harstad.pk):
        assert params["redirect_uri"] == tenancy.site_url() + "/social/oauth/x/callback/"
    assert urlsplit(params["redirect_uri"]).hostname == SECOND_HOST
    # The whole login goes through with Harstad's app (the fake knows only that one).
    dialog = httpx.get(
        x_fake.base_url + "/i/oauth2/authorize",
        params=params,
        follow_redirects=False,
        timeout=5,
    )
    answer = follow_back(client, urlsplit(dialog.headers["location"]))
    assert answer.status_code == 302, answer.content.decode()[:300]
    with tenancy.activate(harstad.pk):
        (channel,) = Channel.objects.all()
    assert channel.municipality_id == harstad.pk


def test_a_municipality_without_its_own_app_uses_the_installations(harstad, settings, x_fake):
    with inside(first_municipality()):
        administrator = factories.AdministratorFactory()
    settings.SOCIAL_X_CLIENT_ID, settings.SOCIAL_X_CLIENT_SECRET = "installation-app", "secret"
    settings.SOCIAL_MUNICIPALITY_APPS = {
        "harstad": {"x": {"client_id": "harstad-app", "secret": "s"}}
    }
    params = _start_x_login(_client(administrator, FIRST_HOST), x_fake)
    assert params["client_id"] == "installation-app"


def test_an_incomplete_own_app_falls_back_to_the_installations(harstad, settings, harstad_staff):
    from social import oauth

    settings.SOCIAL_X_CLIENT_ID, settings.SOCIAL_X_CLIENT_SECRET = "installation-app", "secret"
    settings.SOCIAL_MUNICIPALITY_APPS = {"harstad": {"x": {"client_id": "harstad-app"}}}
    with tenancy.activate(harstad.pk):
        assert oauth.app_credentials("x") == ("installation-app", "secret")
    settings.SOCIAL_X_CLIENT_ID = ""
    with tenancy.activate(harstad.pk):
        assert oauth.app_credentials("x") is None
        assert not oauth.is_offered("x")


def test_a_mastodon_instance_is_told_the_municipalitys_name(harstad, harstad_staff, mastodon_fake):
    client = _client(harstad_staff["administrator"], SECOND_HOST)
    response = client.post(
        "/social/oauth/start/", {"platform": "mastodon", "base_url": mastodon_fake.base_url}
    )
    assert response.status_code == 302
    (registration,) = mastodon_fake.requests_to("POST", "/api/v1/apps")
    assert registration.form["client_name"] == "Harstad kommune"
    assert urlsplit(registration.form["website"]).hostname == SECOND_HOST
