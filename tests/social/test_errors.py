"""Every platform's failure answers become the same typed errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from social.adapters import (
    Ambiguous,
    AuthExpired,
    Duplicate,
    RateLimited,
    Rejected,
    TransientError,
)
from social.adapters.bluesky import retry_after_from_reset as bluesky_retry_after
from social.adapters.graph import retry_after_from_usage
from social.adapters.mastodon import retry_after_from_reset as mastodon_retry_after
from social.adapters.x import retry_after_from_reset as x_retry_after
from tests.social.conftest import SLOW, adapter_for, make_post, stored_texts

# The request that publishes, per platform (the final step where there are several).
PUBLISH_PATH = {
    "facebook": "/photos",
    "instagram": "/media_publish",
    "x": "/2/tweets",
    "mastodon": "/api/v1/statuses",
    "bluesky": "createRecord",
}
# What each fake announces when it rate-limits, in seconds.
RATE_LIMIT_WAIT = {
    "facebook": 5 * 60,  # estimated_time_to_regain_access is in minutes
    "instagram": 5 * 60,
    "x": 120,
    "mastodon": 300,
    "bluesky": 90,
}


def test_rate_limit_gives_the_platforms_own_wait(platform_pair):
    fake, adapter = platform_pair
    fake.script("rate_limit", method="POST", path=PUBLISH_PATH[fake.platform])

    with pytest.raises(RateLimited) as caught:
        adapter.publish(make_post(), "k")

    expected = RATE_LIMIT_WAIT[fake.platform]
    assert expected - 2 <= caught.value.retry_after_seconds <= expected
    assert isinstance(caught.value, TransientError)
    assert not isinstance(caught.value, Ambiguous)


def test_server_error_is_transient_and_not_ambiguous(platform_pair):
    fake, adapter = platform_pair
    fake.script("server_error", method="POST", path=PUBLISH_PATH[fake.platform])

    with pytest.raises(TransientError) as caught:
        adapter.publish(make_post(), "k")

    assert not isinstance(caught.value, Ambiguous | RateLimited)
    assert stored_texts(fake) == []


def test_timeout_while_publishing_is_ambiguous(platform_pair):
    fake, adapter = platform_pair
    fake.script("slow", method="POST", path=PUBLISH_PATH[fake.platform], seconds=SLOW)

    with pytest.raises(Ambiguous):
        adapter.publish(make_post(), "k")


def test_timeout_while_reading_is_plainly_transient(mastodon, mastodon_fake):
    result = mastodon.publish(make_post(), "k")
    mastodon_fake.script("slow", method="GET", seconds=SLOW)

    with pytest.raises(TransientError) as caught:
        mastodon.fetch_metrics(result.remote_id)
    assert not isinstance(caught.value, Ambiguous)


def test_connection_refused_is_transient_not_ambiguous(mastodon_fake):
    with adapter_for(mastodon_fake, max_characters=500) as adapter:
        mastodon_fake.stop()
        with pytest.raises(TransientError) as caught:
            adapter.publish(make_post(), "k")
    assert not isinstance(caught.value, Ambiguous)


def test_connection_dropped_before_processing_is_still_ambiguous(x, x_fake):
    """The client cannot tell a drop before from a drop after the platform stored the post."""
    x_fake.script("drop", method="POST", path="/2/tweets")

    with pytest.raises(Ambiguous):
        x.publish(make_post(), "k")
    assert stored_texts(x_fake) == []


@pytest.mark.parametrize("platform", ["facebook", "instagram", "x", "mastodon"])
def test_expired_token_is_auth_expired(platform, request):
    fake = request.getfixturevalue(f"{platform}_fake")
    adapter = request.getfixturevalue(platform)
    fake.token_expired = True

    with pytest.raises(AuthExpired):
        adapter.verify_credentials()
    with pytest.raises(AuthExpired):
        adapter.publish(make_post(), "k")
    assert stored_texts(fake) == []


def test_facebook_expired_token_names_the_subcode(facebook, facebook_fake):
    facebook_fake.script("expired_token")
    with pytest.raises(AuthExpired) as caught:
        facebook.publish(make_post(), "k")
    assert caught.value.raw["error"]["code"] == 190
    assert caught.value.raw["error"]["error_subcode"] == 463


def test_facebook_wrong_app_secret_is_refused(facebook_fake):
    credentials = {**facebook_fake.credentials(), "app_secret": "not-the-secret"}
    from social.adapters import build_adapter

    adapter = build_adapter("facebook", base_url=facebook_fake.base_url, credentials=credentials)
    with adapter, pytest.raises(Rejected, match="appsecret_proof"):
        adapter.publish(make_post(), "k")
    assert facebook_fake.posts == {}


def test_bluesky_renews_an_expired_session_once_and_publishes(bluesky, bluesky_fake):
    bluesky.verify_credentials()
    bluesky_fake.expire_access_tokens()

    bluesky.publish(make_post(), "k")

    assert len(bluesky_fake.posts()) == 1
    assert len(bluesky_fake.requests_to("POST", "refreshSession")) == 1
    assert bluesky_fake.create_session_calls == 1


def test_bluesky_expired_token_answer_on_create_is_retried_with_a_new_session(
    bluesky, bluesky_fake
):
    bluesky_fake.script("expired_token", method="POST", path="createRecord")

    bluesky.publish(make_post(), "k")

    assert len(bluesky_fake.posts()) == 1


def test_bluesky_wrong_app_password_is_auth_expired(bluesky_fake):
    from social.adapters import build_adapter

    credentials = {"identifier": bluesky_fake.handle, "app_password": "wrong-password"}
    adapter = build_adapter("bluesky", base_url=bluesky_fake.base_url, credentials=credentials)
    with adapter, pytest.raises(AuthExpired):
        adapter.publish(make_post(), "k")
    assert bluesky_fake.posts() == []


def test_bluesky_token_that_cannot_be_renewed_is_auth_expired(bluesky, bluesky_fake):
    bluesky.verify_credentials()
    bluesky_fake.expire_access_tokens()
    bluesky_fake.refresh_tokens.clear()
    bluesky_fake.app_password = "revoked"

    with pytest.raises(AuthExpired):
        bluesky.publish(make_post(), "k")


@pytest.mark.parametrize("platform", ["facebook", "x"])
def test_the_same_text_twice_is_a_duplicate(platform, request):
    fake = request.getfixturevalue(f"{platform}_fake")
    adapter = request.getfixturevalue(platform)
    adapter.publish(make_post(), "first")

    with pytest.raises(Duplicate):
        adapter.publish(make_post(), "second")
    assert len(stored_texts(fake)) == 1


def test_x_duplicate_answer_is_403_with_its_detail(x, x_fake):
    x_fake.script("duplicate", method="POST", path="/2/tweets")
    with pytest.raises(Duplicate) as caught:
        x.publish(make_post(), "k")
    assert caught.value.status == 403


def test_scripted_validation_error_is_rejected_not_retried(platform_pair):
    fake, adapter = platform_pair
    fake.script("validation_error", method="POST", path=PUBLISH_PATH[fake.platform])

    with pytest.raises(Rejected) as caught:
        adapter.publish(make_post(), "k")
    assert not isinstance(caught.value, Duplicate)
    assert not isinstance(caught.value, TransientError)


# --- Reset headers, unit by unit ---------------------------------------------------------------
def test_x_reset_header_is_epoch_seconds():
    headers = httpx.Headers({"x-rate-limit-reset": "1000090"})
    assert x_retry_after(headers, now=1_000_000) == 90
    assert x_retry_after(httpx.Headers({}), now=0) == 60


def test_mastodon_reset_header_is_iso_8601():
    now = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
    reset = (now + timedelta(seconds=42)).isoformat().replace("+00:00", "Z")
    assert mastodon_retry_after(httpx.Headers({"X-RateLimit-Reset": reset}), now=now) == 42
    assert mastodon_retry_after(httpx.Headers({}), now=now) == 60


def test_bluesky_reset_header_falls_back_to_retry_after():
    assert bluesky_retry_after(httpx.Headers({"ratelimit-reset": "130"}), now=100) == 30
    assert bluesky_retry_after(httpx.Headers({"retry-after": "7"}), now=100) == 7


def test_graph_usage_header_takes_the_longest_wait_in_minutes():
    usage = (
        '{"1": [{"type": "pages", "estimated_time_to_regain_access": 2}],'
        ' "2": [{"type": "instagram", "estimated_time_to_regain_access": 11}]}'
    )
    assert retry_after_from_usage(httpx.Headers({"X-Business-Use-Case-Usage": usage})) == 660
    assert retry_after_from_usage(httpx.Headers({"X-Business-Use-Case-Usage": "garbage"})) == 60
