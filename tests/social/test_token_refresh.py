"""Expired tokens are renewed once (after a refusal, or ahead of expiry) over real HTTP against the
fakes; a refused renewal pauses the channel for re-authorisation."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from social import tokens
from social.models import Channel, ChannelState, OutboxState, PostState
from social.outbox import run_due
from social.readback import refresh_metrics
from tests import factories
from tests.social.conftest import TIMEOUT, stored_texts
from tests.social.factories import approved, channel_for, entry_of, published_post

pytestmark = pytest.mark.django_db(transaction=True)

TWO_HOURS = 2 * 3600
DAY = 24 * 3600


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.SOCIAL_HTTP_TIMEOUT_SECONDS = TIMEOUT


@pytest.fixture
def x_login(settings, x_fake):
    settings.SOCIAL_X_CLIENT_ID = x_fake.client_id
    settings.SOCIAL_X_CLIENT_SECRET = x_fake.client_secret
    return x_fake


def x_channel(fake, *, expires_in: float = TWO_HOURS, owners=()) -> Channel:
    """A channel holding a token pair the fake issued, as the login leaves it."""
    answer = fake.oauth.issue(fake.client_id, "tweet.read tweet.write offline.access")
    channel = channel_for(
        fake,
        owners=owners,
        token_expires_at=timezone.now() + timedelta(seconds=expires_in),
    )
    channel.credentials = {"access_token": answer["access_token"], "user_id": fake.user_id}
    channel.token_grant = {"refresh_token": answer["refresh_token"]}
    channel.save()
    return channel


def instagram_channel(fake, *, expires_in: float) -> Channel:
    answer = fake.oauth.issue(fake.app_id, "instagram_business_basic", lifetime=60 * DAY)
    channel = channel_for(fake, token_expires_at=timezone.now() + timedelta(seconds=expires_in))
    channel.credentials = {
        "ig_user_id": fake.ig_user_id,
        "access_token": answer["access_token"],
        "app_secret": "",
    }
    channel.token_grant = {"method": "ig_refresh_token"}
    channel.save()
    return channel


# --- After the platform refuses an expired token -------------------------------------------------
def test_an_expired_x_token_is_renewed_once_and_the_post_goes_out(x_login):
    fake = x_login
    # Our record says an hour is left, but the platform counts otherwise (clock, revocation).
    channel = x_channel(fake, expires_in=3600)
    old_access = channel.credentials["access_token"]
    old_refresh = channel.token_grant["refresh_token"]
    post = approved(channel)
    fake.oauth.advance(TWO_HOURS + 1)

    report = run_due()

    post.refresh_from_db()
    channel.refresh_from_db()
    assert report.published == [post.pk]
    assert post.state == PostState.PUBLISHED
    assert stored_texts(fake) == [post.text]
    assert fake.oauth.refresh_requests == 1
    # The rotated pair is stored; the spent refresh token is gone.
    assert channel.credentials["access_token"] != old_access
    assert fake.oauth.state(channel.credentials["access_token"]) == "valid"
    assert channel.token_grant["refresh_token"] in fake.oauth.refresh_tokens
    assert old_refresh in fake.oauth.spent_refresh_tokens
    assert channel.state == ChannelState.OK
    # The first attempt met the expired token, the second the new one.
    tweets = fake.requests_to("POST", "/2/tweets")
    assert [r.bearer for r in tweets] == [old_access, channel.credentials["access_token"]]


def test_a_reused_refresh_token_pauses_the_channel_for_reauthorisation(x_login):
    fake = x_login
    owner = factories.AdministratorFactory(email="owner@kk.example")
    channel = x_channel(fake, expires_in=3600, owners=[owner])
    mail.outbox.clear()
    # Someone else (a restored backup, another installation) spent the refresh token already.
    fake.oauth.refresh(channel.token_grant["refresh_token"], client_id=fake.client_id)
    post = approved(channel)
    fake.oauth.advance(TWO_HOURS + 1)

    report = run_due()

    channel.refresh_from_db()
    post.refresh_from_db()
    assert report.published == []
    assert channel.state == ChannelState.NEEDS_REAUTH
    assert "could not be renewed" in channel.state_reason
    assert "Value passed for the token was invalid" in channel.state_reason
    # Nothing went out; the post waits for the channel to be connected again.
    assert stored_texts(fake) == []
    assert entry_of(post).state == OutboxState.PENDING
    assert post.state == PostState.SCHEDULED
    assert [m.to for m in mail.outbox] == [["owner@kk.example"]]
    [answer] = fake.requests_to("POST", "/2/oauth2/token")
    assert answer.form["grant_type"] == "refresh_token"


def test_the_fake_answers_a_reused_refresh_token_like_x(x_fake):
    import httpx

    answer = x_fake.oauth.issue(x_fake.client_id, "tweet.read")
    url = f"{x_fake.base_url}/2/oauth2/token"
    form = {"grant_type": "refresh_token", "refresh_token": answer["refresh_token"]}
    auth = (x_fake.client_id, x_fake.client_secret)
    first = httpx.post(url, data=form, auth=auth)
    assert first.status_code == 200
    assert first.json()["refresh_token"] != answer["refresh_token"]
    again = httpx.post(url, data=form, auth=auth)
    assert again.status_code == 400
    assert again.json() == {
        "error": "invalid_request",
        "error_description": "Value passed for the token was invalid.",
    }
    # An expired access token meets X's 401 problem answer.
    x_fake.oauth.advance(TWO_HOURS + 1)
    expired = httpx.get(
        f"{x_fake.base_url}/2/users/me",
        headers={"Authorization": f"Bearer {first.json()['access_token']}"},
    )
    assert expired.status_code == 401
    assert expired.json()["title"] == "Unauthorized"


def test_a_channel_without_a_refresh_token_goes_straight_to_reauthorisation(mastodon_fake):
    channel = channel_for(mastodon_fake)
    post = approved(channel)
    mastodon_fake.token_expired = True

    run_due()

    channel.refresh_from_db()
    assert channel.state == ChannelState.NEEDS_REAUTH
    assert entry_of(post).state == OutboxState.PENDING


def test_metrics_read_back_renews_the_token(x_login):
    fake = x_login
    channel = x_channel(fake, expires_in=3600)
    remote_id = fake.new_id()
    from devsite.fakes.x import FakeTweet

    fake.tweets[remote_id] = FakeTweet(id=remote_id, text="Published", author_id=fake.user_id)
    fake.set_metrics(remote_id, like_count=7)
    posts = [published_post(channel, remote_id=remote_id) for _ in range(2)]
    fake.oauth.advance(TWO_HOURS + 1)

    assert refresh_metrics() == 2

    for post in posts:
        post.refresh_from_db()
        assert post.metrics["reactions"] == 7
    # The second post used the token renewed for the first.
    assert fake.oauth.refresh_requests == 1


# --- Ahead of expiry -----------------------------------------------------------------------------
def test_the_outbox_run_renews_an_x_token_that_is_about_to_expire(x_login):
    fake = x_login
    channel = x_channel(fake, expires_in=5 * 60)
    old_access = channel.credentials["access_token"]
    post = approved(channel)

    run_due()

    channel.refresh_from_db()
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    assert fake.oauth.refresh_requests == 1
    # Renewed before publishing: the platform never saw a stale token.
    assert [r.bearer for r in fake.requests_to("POST", "/2/tweets")] == [
        channel.credentials["access_token"]
    ]
    assert channel.credentials["access_token"] != old_access
    assert channel.token_expires_at > timezone.now() + timedelta(minutes=100)


def test_tokens_far_from_expiry_are_left_alone(x_login):
    fake = x_login
    x_channel(fake, expires_in=TWO_HOURS)
    assert tokens.refresh_due() == 0
    assert fake.oauth.refresh_requests == 0


def test_instagram_long_lived_token_is_renewed_ahead_of_expiry(instagram_fake):
    fake = instagram_fake
    fake.oauth.advance(55 * DAY)
    channel = instagram_channel(fake, expires_in=5 * DAY)
    # The fake's token was issued "now"; let it be 55 days old like our record says.
    token = fake.oauth.access_tokens[channel.credentials["access_token"]]
    token.issued_at -= 55 * DAY
    token.expires_at -= 55 * DAY
    old_access = channel.credentials["access_token"]

    assert tokens.refresh_due() == 1

    channel.refresh_from_db()
    assert channel.credentials["access_token"] != old_access
    assert fake.oauth.state(channel.credentials["access_token"]) == "valid"
    expected = timezone.now() + timedelta(days=60)
    assert abs((channel.token_expires_at - expected).total_seconds()) < 60
    refresh = fake.requests_to("GET", "/refresh_access_token")[0]
    assert refresh.query["grant_type"] == "ig_refresh_token"
    assert refresh.query["access_token"] == old_access


def test_an_expired_instagram_token_cannot_be_renewed(instagram_fake):
    fake = instagram_fake
    channel = instagram_channel(fake, expires_in=-DAY)
    fake.oauth.advance(61 * DAY)

    tokens.refresh_due()

    channel.refresh_from_db()
    assert channel.state == ChannelState.NEEDS_REAUTH
    assert "would not renew" in channel.state_reason
    # The platform's own expired-session answer (Graph error 190, subcode 463).
    answer = fake.requests_to("GET", "/refresh_access_token")[0]
    assert answer.query["access_token"] == channel.credentials["access_token"]


def test_an_unreachable_token_endpoint_leaves_the_channel_connected(x_login):
    fake = x_login
    channel = x_channel(fake, expires_in=60)
    fake.script("server_error", path="/2/oauth2/token")

    assert tokens.refresh_due() == 0

    channel.refresh_from_db()
    assert channel.state == ChannelState.OK
    # The next run tries again and succeeds.
    assert tokens.refresh_due() == 1


def test_pasting_new_credentials_forgets_the_refresh_token(client, x_login):
    from django.urls import reverse

    channel = x_channel(x_login)
    client.force_login(factories.AdministratorFactory())
    response = client.post(
        reverse("social:channel_reauthorise", args=[channel.pk]),
        {"credentials": f"access_token={x_login.access_token}\nuser_id={x_login.user_id}"},
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert not channel.renews_token


# --- Two workers at once -------------------------------------------------------------------------
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks (select_for_update) need PostgreSQL"
)
def test_two_workers_renewing_at_once_keep_the_newest_token(x_login):
    fake = x_login
    channel = x_channel(fake, expires_in=3600)
    stale = channel.credentials["access_token"]
    fake.oauth.advance(TWO_HOURS + 1)
    # A slow token endpoint makes the two renewals overlap.
    fake.script("slow", path="/2/oauth2/token", seconds=0.5, times=2)
    barrier = threading.Barrier(2)
    results: list[bool] = []
    errors: list[Exception] = []

    def worker():
        mine = Channel.objects.get(pk=channel.pk)
        barrier.wait()
        try:
            results.append(tokens.refresh_channel(mine, stale_token=stale))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert results == [True, True]
    # One renewal reached the platform; the other worker took the token it stored.
    assert fake.oauth.refresh_requests == 1
    channel.refresh_from_db()
    assert channel.state == ChannelState.OK
    assert fake.oauth.state(channel.credentials["access_token"]) == "valid"
    assert channel.token_grant["refresh_token"] in fake.oauth.refresh_tokens
