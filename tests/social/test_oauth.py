"""Connecting channels through the platforms' login, over real HTTP against the fakes.

The test plays the browser: it posts "Connect with <platform>", opens the consent dialog the
fake serves (which consents, or declines when told to) and follows the redirect back to the
callback with Django's test client.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from devsite.fakes import FakeFacebook
from social import oauth
from social.models import Channel, ChannelState
from tests.social.factories import channel_for

SETTING_NAMES = {
    "x": ("SOCIAL_X_CLIENT_ID", "SOCIAL_X_CLIENT_SECRET"),
    "facebook": ("SOCIAL_FACEBOOK_APP_ID", "SOCIAL_FACEBOOK_APP_SECRET"),
    "instagram": ("SOCIAL_INSTAGRAM_APP_ID", "SOCIAL_INSTAGRAM_APP_SECRET"),
}


def configure(settings, fake) -> None:
    """Point the platform's app settings at the fake's registered app."""
    app = fake.oauth_client()
    if fake.platform in SETTING_NAMES:
        id_name, secret_name = SETTING_NAMES[fake.platform]
        setattr(settings, id_name, app["client_id"])
        setattr(settings, secret_name, app["client_secret"])


def open_dialog(client, fake, data):
    """Press the button and open the platform's dialog; return the fake's redirect answer."""
    response = client.post(reverse("social:oauth_start"), data)
    assert response.status_code == 302, response.content.decode()[:500]
    dialog = response["Location"]
    assert dialog.startswith(fake.base_url)
    answer = httpx.get(dialog, follow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return urlsplit(answer.headers["location"])


def follow_back(client, back):
    """The browser arrives at the callback the platform redirected to."""
    assert back.path.startswith("/social/oauth/")
    return client.get(back.path, dict(parse_qsl(back.query)))


def login_connect(client, fake, *, channel=None, **fields):
    if channel is not None:
        data = {"channel": channel.pk}
    else:
        data = {"platform": fake.platform, "base_url": fake.base_url, **fields}
    return follow_back(client, open_dialog(client, fake, data))


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Full flows ----------------------------------------------------------------------------------
def test_x_login_with_pkce_stores_tokens_encrypted(admin_client, administrator, settings, x_fake):
    configure(settings, x_fake)
    response = login_connect(admin_client, x_fake)
    assert response.status_code == 302
    assert response["Location"] == reverse("social:channels")
    channel = Channel.objects.get()
    credentials = channel.credentials
    assert x_fake.oauth.state(credentials["access_token"]) == "valid"
    assert credentials["user_id"] == x_fake.user_id
    assert channel.name == x_fake.name
    assert list(channel.owners.all()) == [administrator]
    refresh_token = channel.token_grant["refresh_token"]
    assert refresh_token in x_fake.oauth.refresh_tokens
    assert channel.renews_token
    # Encrypted at rest, like pasted credentials.
    assert credentials["access_token"] not in channel.credentials_encrypted
    assert refresh_token not in channel.token_grant_encrypted
    # X's access tokens live two hours.
    expected = timezone.now() + timedelta(hours=2)
    assert abs((channel.token_expires_at - expected).total_seconds()) < 60
    # The code went back with its PKCE verifier, the client authenticated with HTTP Basic.
    exchange = x_fake.requests_to("POST", "/2/oauth2/token")[0]
    assert exchange.form["grant_type"] == "authorization_code"
    assert exchange.form["code_verifier"]
    assert exchange.headers["authorization"].startswith("Basic ")
    # The flow is spent: nothing is left in the session.
    assert admin_client.session[oauth.SESSION_KEY] == {}


def test_x_dialog_is_asked_for_the_documented_scopes_and_s256(admin_client, settings, x_fake):
    configure(settings, x_fake)
    response = admin_client.post(
        reverse("social:oauth_start"), {"platform": "x", "base_url": x_fake.base_url}
    )
    dialog = urlsplit(response["Location"])
    params = dict(parse_qsl(dialog.query))
    assert dialog.path == "/i/oauth2/authorize"
    assert params["code_challenge_method"] == "S256"
    assert set(params["scope"].split()) >= {"tweet.write", "offline.access", "users.read"}
    assert params["redirect_uri"].endswith("/social/oauth/x/callback/")
    assert params["state"] in admin_client.session[oauth.SESSION_KEY]


def test_facebook_login_gives_a_page_token_that_does_not_expire(
    admin_client, settings, facebook_fake
):
    configure(settings, facebook_fake)
    response = login_connect(admin_client, facebook_fake)
    assert response.status_code == 302
    channel = Channel.objects.get()
    credentials = channel.credentials
    assert credentials["page_id"] == facebook_fake.page_id
    assert facebook_fake.page_tokens[credentials["access_token"]] == facebook_fake.page_id
    assert credentials["app_secret"] == facebook_fake.app_secret
    assert channel.token_expires_at is None
    assert not channel.renews_token
    # Short-lived user token -> long-lived user token -> page token.
    exchanges = facebook_fake.requests_to("GET", "/oauth/access_token")
    assert [r.query.get("grant_type", "code") for r in exchanges] == ["code", "fb_exchange_token"]
    accounts = facebook_fake.requests_to("GET", "/me/accounts")[0]
    assert accounts.query["appsecret_proof"]


def test_facebook_login_with_several_pages_asks_which_one(admin_client, settings):
    fake = FakeFacebook(other_pages=(("400500600", "Kultur i København"),)).start()
    try:
        configure(settings, fake)
        response = login_connect(admin_client, fake)
        assert response["Location"] == reverse("social:oauth_choose_page")
        assert not Channel.objects.exists()
        page = admin_client.get(response["Location"]).content.decode()
        assert "Kultur i København" in page and "Københavns Kommune" in page
        response = admin_client.post(reverse("social:oauth_choose_page"), {"page": "400500600"})
        assert response.status_code == 302
        channel = Channel.objects.get()
        assert channel.credentials["page_id"] == "400500600"
        assert channel.name == "Kultur i København"
        # The page tokens never sat in the session.
        assert oauth.PAGE_CHOICE_KEY not in admin_client.session
    finally:
        fake.stop()


def test_instagram_login_exchanges_for_a_long_lived_token(admin_client, settings, instagram_fake):
    configure(settings, instagram_fake)
    response = login_connect(admin_client, instagram_fake)
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert channel.credentials["ig_user_id"] == instagram_fake.ig_user_id
    assert instagram_fake.oauth.state(channel.credentials["access_token"]) == "valid"
    assert channel.token_grant == {"method": "ig_refresh_token"}
    expected = timezone.now() + timedelta(days=60)
    assert abs((channel.token_expires_at - expected).total_seconds()) < 60
    assert instagram_fake.requests_to("GET", "/access_token")[0].query["grant_type"] == (
        "ig_exchange_token"
    )


def test_mastodon_login_registers_the_app_on_the_instance(admin_client, mastodon_fake):
    response = login_connect(admin_client, mastodon_fake, name="KK på Mastodon")
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert channel.base_url == mastodon_fake.base_url
    assert channel.name == "KK på Mastodon"
    assert mastodon_fake.oauth.state(channel.credentials["access_token"]) == "valid"
    assert not channel.renews_token  # Mastodon's tokens do not expire
    [app] = mastodon_fake.apps
    assert app["redirect_uri"].endswith("/social/oauth/mastodon/callback/")
    assert "write:statuses" in app["scopes"]
    token_request = mastodon_fake.requests_to("POST", "/oauth/token")[0]
    assert token_request.form["client_id"] == app["client_id"]
    assert token_request.form["code_verifier"]


def test_mastodon_needs_the_instance_address(admin_client, mastodon_fake):
    response = admin_client.post(reverse("social:oauth_start"), {"platform": "mastodon"})
    assert response.status_code == 400
    assert "needs its instance URL" in response.content.decode()
    assert not mastodon_fake.apps


def test_reauthorising_through_the_login(admin_client, settings, x_fake):
    configure(settings, x_fake)
    channel = channel_for(x_fake, remote_id=x_fake.user_id)
    channel.state = ChannelState.NEEDS_REAUTH
    channel.save()
    page = admin_client.get(reverse("social:channel_reauthorise", args=[channel.pk]))
    assert "Connect again with X" in page.content.decode()
    response = login_connect(admin_client, x_fake, channel=channel)
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.state == ChannelState.OK
    assert channel.credentials["access_token"] != x_fake.access_token
    assert channel.renews_token
    assert Channel.objects.count() == 1


def test_reauthorising_as_another_account_is_refused(admin_client, settings, x_fake):
    configure(settings, x_fake)
    channel = channel_for(x_fake, remote_id="999")
    response = login_connect(admin_client, x_fake, channel=channel)
    assert response.status_code == 502
    assert "another account" in response.content.decode()
    channel.refresh_from_db()
    assert channel.credentials["access_token"] == x_fake.access_token


# --- Refusals ------------------------------------------------------------------------------------
def test_a_callback_with_another_state_is_refused(admin_client, settings, x_fake):
    configure(settings, x_fake)
    back = open_dialog(admin_client, x_fake, {"platform": "x", "base_url": x_fake.base_url})
    params = dict(parse_qsl(back.query))
    params["state"] = "forged-" + params["state"]
    response = admin_client.get(back.path, params)
    assert response.status_code == 400
    assert "does not belong to a login started here" in response.content.decode()
    assert not Channel.objects.exists()
    # The code was never exchanged.
    assert not x_fake.requests_to("POST", "/2/oauth2/token")


def test_a_callback_works_once(admin_client, settings, mastodon_fake):
    configure(settings, mastodon_fake)
    back = open_dialog(
        admin_client, mastodon_fake, {"platform": "mastodon", "base_url": mastodon_fake.base_url}
    )
    assert follow_back(admin_client, back).status_code == 302
    again = follow_back(admin_client, back)
    assert again.status_code == 400
    assert Channel.objects.count() == 1


def test_a_callback_from_another_session_is_refused(client, administrator, settings, x_fake):
    configure(settings, x_fake)
    client.force_login(administrator)
    back = open_dialog(client, x_fake, {"platform": "x", "base_url": x_fake.base_url})
    other = type(client)()
    other.force_login(administrator)
    assert follow_back(other, back).status_code == 400
    assert not Channel.objects.exists()


@pytest.mark.parametrize("platform", ["x", "facebook", "instagram", "mastodon"])
def test_declined_consent_changes_nothing(admin_client, settings, platform, request):
    fake = request.getfixturevalue(f"{platform}_fake")
    configure(settings, fake)
    fake.oauth.consent = "deny"
    back = open_dialog(admin_client, fake, {"platform": platform, "base_url": fake.base_url})
    assert dict(parse_qsl(back.query))["error"] == "access_denied"
    response = follow_back(admin_client, back)
    assert response.status_code == 302
    assert response["Location"] == reverse("social:channels")
    assert any("permission was not given" in text for text in flash(response))
    assert not Channel.objects.exists()


def test_a_platform_failure_is_explained(admin_client, settings, x_fake):
    configure(settings, x_fake)
    back = open_dialog(admin_client, x_fake, {"platform": "x", "base_url": x_fake.base_url})
    x_fake.script("server_error", path="/2/oauth2/token")
    response = follow_back(admin_client, back)
    assert response.status_code == 502
    assert "did not give a token" in response.content.decode()
    assert not Channel.objects.exists()


def test_a_wrong_client_secret_is_explained(admin_client, settings, x_fake):
    configure(settings, x_fake)
    settings.SOCIAL_X_CLIENT_SECRET = "not-the-secret"
    response = login_connect(admin_client, x_fake)
    assert response.status_code == 502
    assert "Client authentication failed" in response.content.decode()


def test_a_reused_code_is_refused_by_the_fake(settings, x_fake):
    client = x_fake.oauth.clients[x_fake.client_id]
    back = x_fake.oauth.authorize(
        {
            "client_id": client.client_id,
            "redirect_uri": "http://127.0.0.1/cb",
            "state": "s",
            "code_challenge": "c" * 43,
            "code_challenge_method": "plain",
        },
        require_pkce=True,
        denied={},
    )
    code = dict(parse_qsl(urlsplit(back.headers["Location"]).query))["code"]
    url = f"{x_fake.base_url}/2/oauth2/token"
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://127.0.0.1/cb",
        "code_verifier": "c" * 43,
    }
    auth = (x_fake.client_id, x_fake.client_secret)
    first = httpx.post(url, data={**form, "code_verifier": "wrong" * 9}, auth=auth)
    assert first.status_code == 400
    assert first.json()["error"] == "invalid_request"
    # A refused exchange spends the code too.
    assert httpx.post(url, data=form, auth=auth).status_code == 400


# --- Permissions and settings --------------------------------------------------------------------
@pytest.mark.parametrize("who", ["planner", "resident"])
def test_only_administrators_connect(client, settings, x_fake, who, request):
    configure(settings, x_fake)
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        reverse("social:oauth_start"), {"platform": "x", "base_url": x_fake.base_url}
    )
    assert response.status_code == 403
    callback = client.get(reverse("social:oauth_callback", args=["x"]), {"code": "c", "state": "s"})
    assert callback.status_code == 403
    assert not x_fake.requests


def test_a_planner_cannot_open_the_page_choice(client, planner, settings, x_fake):
    configure(settings, x_fake)
    client.force_login(planner)
    assert client.get(reverse("social:oauth_choose_page")).status_code == 403


def test_buttons_only_for_configured_platforms(admin_client, settings, x_fake):
    settings.SOCIAL_MASTODON_LOGIN = False
    page = admin_client.get(reverse("social:channels")).content.decode()
    assert "Connect with X" not in page
    assert 'name="credentials"' in page  # the pasted-credentials form still works
    configure(settings, x_fake)
    page = admin_client.get(reverse("social:channels")).content.decode()
    assert "Connect with X" in page
    assert "Connect with Facebook" not in page
    assert "Connect with Bluesky" not in page


def test_an_unconfigured_platform_is_not_started(admin_client, settings, x_fake):
    settings.SOCIAL_X_CLIENT_ID = ""
    response = admin_client.post(
        reverse("social:oauth_start"), {"platform": "x", "base_url": x_fake.base_url}
    )
    assert response.status_code == 502
    assert "not set up" in response.content.decode()
    assert not x_fake.requests


def test_bluesky_keeps_the_credentials_form(admin_client):
    assert not oauth.is_offered("bluesky")
    response = admin_client.post(reverse("social:oauth_start"), {"platform": "bluesky"})
    assert "not set up" in response.content.decode()


def test_endpoints_use_the_platforms_own_hosts_by_default():
    assert oauth.endpoint("x", "authorize", "") == "https://x.com/i/oauth2/authorize"
    assert oauth.endpoint("x", "token", "https://api.x.com") == "https://api.x.com/2/oauth2/token"
    assert oauth.endpoint("instagram", "token", "").startswith("https://api.instagram.com/")
    assert oauth.endpoint("facebook", "authorize", "").startswith("https://www.facebook.com/v")
    assert (
        oauth.endpoint("x", "authorize", "http://127.0.0.1:9/")
        == "http://127.0.0.1:9/i/oauth2/authorize"
    )


# --- Hostile platforms ---------------------------------------------------------------------------
def test_a_huge_token_answer_is_refused_unread(admin_client, settings, x_fake):
    from devsite.fakes import hostile

    settings.SOCIAL_MAX_RESPONSE_BYTES = 64 * 1024
    configure(settings, x_fake)
    back = open_dialog(admin_client, x_fake, {"platform": "x", "base_url": x_fake.base_url})
    x_fake.make_hostile(hostile.HUGE_UNSIZED, path="/2/oauth2/token", size=1024 * 1024)
    response = follow_back(admin_client, back)
    assert response.status_code == 502
    assert "larger than 65536 bytes" in response.content.decode()
    assert not Channel.objects.exists()


@pytest.mark.parametrize("base_url", ["javascript:alert(1)", "ftp://mastodon.example"])
def test_the_login_refuses_an_instance_address_that_is_not_http(
    admin_client, mastodon_fake, base_url
):
    data = {"platform": "mastodon", "base_url": base_url}
    response = admin_client.post(reverse("social:oauth_start"), data)
    assert response.status_code == 400
    assert "http:// or https://" in response.content.decode()
    assert not mastodon_fake.apps
