"""What must hold against the real platforms: forgotten idempotency keys, fenced claims,
and the moment of the first send. Over real HTTP against the fakes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from social.models import OutboxState, PostState
from social.outbox import RunReport, claim_next, process, run_due
from tests.social.conftest import TIMEOUT, stored_texts
from tests.social.factories import approved, channel_for, entry_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _quick(quick_outbox):
    """Every test here runs with the short timeouts (conftest.quick_outbox)."""


def _lose_the_first_answer(fake, channel, text):
    post = approved(channel, text=text)
    fake.script("drop_after_commit", method="POST", path="/api/v1/statuses")
    report = run_due()
    assert report.retrying == [post.pk]
    assert entry_of(post).maybe_sent
    assert stored_texts(fake) == [text]
    return post


def test_the_fake_forgets_an_idempotency_key_after_one_hour(mastodon, mastodon_fake):
    from tests.social.conftest import make_post

    post = make_post("Samme nøgle", images=())
    first = mastodon.publish(post, "key-1")
    assert mastodon.publish(post, "key-1").remote_id == first.remote_id
    mastodon_fake.advance(3601)
    assert mastodon.publish(post, "key-1").remote_id != first.remote_id
    assert stored_texts(mastodon_fake) == ["Samme nøgle", "Samme nøgle"]


def test_mastodon_resend_after_the_key_expired_reconciles_instead_of_posting_twice(
    mastodon_fake, mastodon_channel
):
    post = _lose_the_first_answer(mastodon_fake, mastodon_channel, "Borgermøde i aften")
    mastodon_fake.advance(61 * 60)
    report = run_due(now=timezone.now() + timedelta(minutes=61))
    post.refresh_from_db()
    assert report.published == [post.pk]
    assert stored_texts(mastodon_fake) == ["Borgermøde i aften"]
    assert post.remote_id == mastodon_fake.own_statuses()[0].id
    # The account was read: the key alone would have made a second status.
    assert mastodon_fake.requests_to("GET", "/statuses")


def test_mastodon_resend_released_after_a_long_pause_reconciles(mastodon_fake, mastodon_channel):
    post = _lose_the_first_answer(mastodon_fake, mastodon_channel, "Efter krisestop")
    mastodon_fake.advance(55 * 60)
    # Still within the hour, but past the 50 minutes the outbox trusts the key for.
    report = run_due(now=timezone.now() + timedelta(minutes=55))
    assert report.published == [post.pk]
    assert stored_texts(mastodon_fake) == ["Efter krisestop"]
    assert mastodon_fake.requests_to("GET", "/statuses")


def test_mastodon_resend_within_the_hour_repeats_the_key_without_reading_the_account(
    mastodon_fake, mastodon_channel
):
    post = _lose_the_first_answer(mastodon_fake, mastodon_channel, "Hurtigt igen")
    mastodon_fake.advance(10 * 60)
    report = run_due(now=timezone.now() + timedelta(minutes=10))
    assert report.published == [post.pk]
    assert stored_texts(mastodon_fake) == ["Hurtigt igen"]
    assert not mastodon_fake.requests_to("GET", "/accounts/")


def test_mastodon_resend_after_the_key_expired_sends_when_nothing_arrived(
    mastodon_fake, mastodon_channel
):
    post = approved(mastodon_channel, text="Aldrig nået frem")
    mastodon_fake.script("drop", method="POST", path="/api/v1/statuses")
    assert run_due().retrying == [post.pk]
    assert stored_texts(mastodon_fake) == []
    mastodon_fake.advance(61 * 60)
    assert run_due(now=timezone.now() + timedelta(minutes=61)).published == [post.pk]
    assert stored_texts(mastodon_fake) == ["Aldrig nået frem"]


def test_first_send_moment_is_stored_once_and_kept_on_retries(mastodon_fake, mastodon_channel):
    post = approved(mastodon_channel, text="Første gang")
    mastodon_fake.script("server_error", method="POST", path="/api/v1/statuses")
    run_due()
    post.refresh_from_db()
    first = post.first_sent_at
    assert first is not None and first >= post.created_at
    run_due(now=timezone.now() + timedelta(minutes=5))
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    assert post.first_sent_at == first


def test_a_claim_that_outlived_its_lease_cannot_fail_a_published_post(
    mastodon_fake, mastodon_channel, settings
):
    post = approved(mastodon_channel, text="Indhegnet")
    late = claim_next()
    # The first worker stalls past its lease; a second worker claims and publishes.
    later = timezone.now() + timedelta(seconds=settings.SOCIAL_OUTBOX_CLAIM_SECONDS + 1)
    current = claim_next(later)
    assert current is not None and current.claim_token != late.claim_token
    report = RunReport()
    process(current, report, now=later)
    assert report.published == [post.pk]
    # The stalled worker wakes up, sends, and the platform refuses its request for good.
    mastodon_fake.script("validation_error", method="POST", path="/api/v1/statuses")
    stale_report = RunReport()
    process(late, stale_report)
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    assert entry_of(post).state == OutboxState.DONE
    assert stale_report.failed == []


def test_a_claim_that_outlived_its_lease_cannot_reschedule_a_claimed_entry(
    mastodon_fake, mastodon_channel, settings
):
    post = approved(mastodon_channel, text="Stadig i gang")
    late = claim_next()
    later = timezone.now() + timedelta(seconds=settings.SOCIAL_OUTBOX_CLAIM_SECONDS + 1)
    current = claim_next(later)
    mastodon_fake.script("server_error", method="POST", path="/api/v1/statuses")
    process(late, RunReport())
    entry = entry_of(post)
    assert entry.state == OutboxState.IN_FLIGHT
    assert entry.claim_token == current.claim_token


def _tid_moment(rkey: str):
    from datetime import UTC, datetime

    from social.adapters.bluesky import _TID_ALPHABET

    value = 0
    for char in rkey:
        value = value * 32 + _TID_ALPHABET.index(char)
    return datetime.fromtimestamp((value >> 10) / 1_000_000, UTC)


def test_bluesky_created_at_and_record_key_come_from_the_first_send_not_the_draft(
    bluesky_fake,
):
    from social.models import SocialPost

    channel = channel_for(bluesky_fake)
    post = approved(channel, text="Godkendt i dag")
    # The draft was written three days before anyone approved it.
    SocialPost.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(days=3))
    bluesky_fake.script("server_error", method="POST", path="createRecord")
    assert run_due().retrying == [post.pk]
    run_due(now=timezone.now() + timedelta(minutes=5))
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    (record,) = bluesky_fake.posts()
    created = datetime.fromisoformat(record.value["createdAt"].replace("Z", "+00:00"))
    assert abs(created - post.first_sent_at) < timedelta(seconds=1)
    assert abs(_tid_moment(record.uri.rsplit("/", 1)[1]) - post.first_sent_at) < timedelta(
        seconds=1
    )
    # Both attempts asked for the same record key.
    sent = [r.json["rkey"] for r in bluesky_fake.requests_to("POST", "createRecord")]
    assert len(sent) == 2 and sent[0] == sent[1]


# --- X: escaped text, the media link, "duplicate content" -----------------------------------------
X_TEXT = "Cykelsti & gangsti <1 km> fra Christiansholm? Sig din mening: https://kk.example/c"


def _with_image(post):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 630), "#336699").save(buffer, "PNG")
    post.image.save("kort.png", ContentFile(buffer.getvalue()), save=False)
    post.alt_text = "Kort over stien"
    post.save(update_fields=["image", "alt_text"])
    return post


def test_x_answers_like_x_escaped_and_with_the_media_link(x, x_fake):
    from tests.social.conftest import make_post

    result = x.publish(make_post(X_TEXT), "k")
    shown = result.raw["data"]["text"]
    assert "&amp; gangsti &lt;1 km&gt;" in shown
    assert shown.endswith(f" https://t.co/media{result.remote_id}")


def test_x_post_with_media_whose_answer_was_lost_is_recognised_not_sent_again(x_fake):
    post = _with_image(approved(channel_for(x_fake), text=X_TEXT))
    x_fake.script("drop_after_commit", method="POST", path="/2/tweets")
    assert run_due().retrying == [post.pk]
    report = run_due(now=timezone.now() + timedelta(minutes=5))
    post.refresh_from_db()
    assert report.published == [post.pk]
    assert post.state == PostState.PUBLISHED
    assert stored_texts(x_fake) == [X_TEXT]
    assert post.remote_id == x_fake.published()[0]["id"]


def test_x_duplicate_refusal_of_our_own_post_is_looked_up_not_failed(x_fake):
    post = _with_image(approved(channel_for(x_fake), text=X_TEXT))
    x_fake.script("drop_after_commit", method="POST", path="/2/tweets")
    run_due()
    # As if the lost answer had been an error reply: the outbox does not know it went out.
    entry = entry_of(post)
    entry.maybe_sent = False
    entry.save(update_fields=["maybe_sent"])
    report = run_due(now=timezone.now() + timedelta(minutes=5))
    post.refresh_from_db()
    assert report.published == [post.pk]
    assert post.state == PostState.PUBLISHED
    assert len(x_fake.requests_to("POST", "/2/tweets")) == 2  # the second was refused
    assert stored_texts(x_fake) == [X_TEXT]


def test_x_duplicate_of_an_older_post_is_a_clear_refusal(x_fake):
    from devsite.fakes.x import FakeTweet

    with x_fake.lock:
        old = FakeTweet(
            id=x_fake.new_id(),
            text="Godmorgen",
            author_id=x_fake.user_id,
            created_at=timezone.now() - timedelta(days=2),
        )
        x_fake.tweets[old.id] = old
    post = approved(channel_for(x_fake), text="Godmorgen")
    report = run_due()
    post.refresh_from_db()
    assert report.failed == [post.pk]
    assert post.state == PostState.FAILED
    assert "duplicate" in post.error
    assert post.problem == "duplicate"


# --- Waits the platforms ask for, and refusals with their reason ----------------------------------
def _wait_of(post) -> float:
    return (entry_of(post).not_before - timezone.now()).total_seconds()


@pytest.mark.parametrize("kind", ["unavailable", "unavailable_seconds"])
def test_a_503_with_retry_after_is_honoured_as_date_or_seconds(
    mastodon_fake, mastodon_channel, kind
):
    post = approved(mastodon_channel, text="Vent lidt")
    mastodon_fake.script(kind, method="POST", path="/api/v1/statuses", seconds=7200)
    report = run_due()
    post.refresh_from_db()
    assert report.retrying == [post.pk]
    assert post.state == PostState.SCHEDULED
    # Longer than any backoff the outbox would choose itself (base 30 s in these tests).
    assert 7100 < _wait_of(post) <= 7201
    assert "503" in post.error
    assert post.problem == "rate_limited"
    assert stored_texts(mastodon_fake) == []


def test_a_graph_503_with_retry_after_is_honoured(facebook_fake):
    post = approved(channel_for(facebook_fake), text="Vent på Facebook")
    facebook_fake.script("unavailable", method="POST", path="/feed", seconds=5400)
    assert run_due().retrying == [post.pk]
    assert 5300 < _wait_of(post) <= 5401


def test_instagram_daily_publishing_limit_is_a_wait_with_its_reason(instagram, instagram_fake):
    from social.adapters import RateLimited
    from tests.social.conftest import make_post

    instagram_fake.publishing_limit = 1
    instagram.publish(make_post("Første opslag i dag"), "k1")
    with pytest.raises(RateLimited) as raised:
        instagram.publish(make_post("Andet opslag i dag"), "k2")
    assert raised.value.retry_after_seconds >= 3600
    assert raised.value.problem == "daily_limit"
    assert "24 hours" in str(raised.value)
    # A day later a slot is free again.
    instagram_fake.advance(24 * 3600 + 1)
    assert instagram.publish(make_post("Andet opslag i dag"), "k3").remote_id


def test_facebook_page_blocked_from_posting_is_a_clear_refusal(facebook_fake):
    facebook_fake.blocked = True
    post = approved(channel_for(facebook_fake), text="Blokeret side")
    report = run_due()
    post.refresh_from_db()
    assert report.failed == [post.pk]
    assert post.state == PostState.FAILED
    assert "temporarily blocked" in post.error and "368" in post.error
    assert post.problem == "page_blocked"
    from django.utils import translation

    with translation.override("da"):
        assert "midlertidigt blokeret" in str(post.get_problem_display())
    with translation.override("nb"):
        assert "midlertidig blokkert" in str(post.get_problem_display())


def test_x_without_credits_is_a_clear_refusal(x_fake):
    x_fake.credits = 0
    post = approved(channel_for(x_fake), text="Ingen kreditter")
    report = run_due()
    post.refresh_from_db()
    assert report.failed == [post.pk]
    assert "no API credits left" in post.error and "402" in post.error
    assert post.problem == "no_credits"
    assert stored_texts(x_fake) == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120),
        ("Fri, 04 Dec 2026 01:02:00 GMT", 120),
        ("Fri, 04 Dec 2026 00:59:00 GMT", 1),  # already past: retry at once
        ("soon", None),
        ("", None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(header, expected):
    from datetime import UTC

    import httpx

    from social.adapters.base import retry_after_of

    now = datetime(2026, 12, 4, 1, 0, 0, tzinfo=UTC)
    assert retry_after_of(httpx.Headers({"Retry-After": header}), now=now) == expected


def test_the_clock_of_a_fake_in_another_process_can_be_moved(mastodon, mastodon_fake):
    import httpx

    from tests.social.conftest import make_post

    post = make_post("Over kontrolkanalen", images=())
    first = mastodon.publish(post, "key-clock")
    answer = httpx.post(
        f"{mastodon_fake.base_url}/_fake/clock", json={"advance_seconds": 3601}, timeout=TIMEOUT
    )
    assert answer.json() == {"offset_seconds": 3601.0}
    assert mastodon.publish(post, "key-clock").remote_id != first.remote_id


def test_an_entry_sent_before_the_first_send_was_stored_counts_from_its_progress_note(
    mastodon_fake, mastodon_channel
):
    from social.models import OutboxEntry, SocialPost

    post = _lose_the_first_answer(mastodon_fake, mastodon_channel, "Fra før opgraderingen")
    first = entry_of(post).progress["first_sent_at"]
    # As stored before the post kept the moment itself.
    SocialPost.objects.filter(pk=post.pk).update(first_sent_at=None)
    OutboxEntry.objects.filter(post=post).update(progress={"first_sent_at": first})
    mastodon_fake.advance(61 * 60)
    assert run_due(now=timezone.now() + timedelta(minutes=61)).published == [post.pk]
    assert stored_texts(mastodon_fake) == ["Fra før opgraderingen"]
    post.refresh_from_db()
    assert post.first_sent_at == datetime.fromisoformat(first)


# --- Released after a long pause: the key may be forgotten, the account is read first -----------
def test_mastodon_post_released_from_a_crisis_stop_after_an_hour_is_not_posted_twice(
    mastodon_fake, mastodon_channel
):
    from social import services
    from tests import factories

    post = _lose_the_first_answer(mastodon_fake, mastodon_channel, "Stoppet i en time")
    planner = factories.PlannerFactory()
    services.crisis_stop_start(actor=planner, reason="Storm over the harbour")
    later = timezone.now() + timedelta(minutes=70)
    mastodon_fake.advance(70 * 60)
    assert run_due(now=later).paused_by_crisis_stop
    services.crisis_stop_lift(actor=planner)
    report = run_due(now=later + timedelta(minutes=1))
    assert report.published == [post.pk]
    assert stored_texts(mastodon_fake) == ["Stoppet i en time"]
    assert mastodon_fake.requests_to("GET", "/statuses")


def test_mastodon_post_released_after_re_authorisation_hours_later_is_not_posted_twice(
    mastodon_fake, mastodon_channel
):
    from social import services
    from social.models import ChannelState
    from tests import factories

    post = _lose_the_first_answer(mastodon_fake, mastodon_channel, "Login udløbet")
    # The retry (same key, within the hour) meets an expired token: the channel pauses.
    mastodon_fake.script("expired_token", method="POST", path="/api/v1/statuses")
    run_due(now=entry_of(post).not_before + timedelta(seconds=1))
    mastodon_channel.refresh_from_db()
    assert mastodon_channel.state == ChannelState.NEEDS_REAUTH
    assert entry_of(post).state == OutboxState.PENDING and entry_of(post).maybe_sent
    # Two hours later an administrator connects the account again; the key is long forgotten.
    mastodon_fake.advance(2 * 3600)
    services.channel_reauthorise(
        actor=factories.AdministratorFactory(),
        channel=mastodon_channel,
        credentials=mastodon_fake.credentials(),
    )
    report = run_due(now=timezone.now() + timedelta(hours=2))
    assert report.published == [post.pk]
    assert stored_texts(mastodon_fake) == ["Login udløbet"]
    post.refresh_from_db()
    assert post.remote_id == mastodon_fake.own_statuses()[0].id


def test_mastodon_post_a_person_sends_again_after_the_stale_deadline_is_not_posted_twice(
    mastodon_fake, mastodon_channel, settings
):
    from social import services
    from social.models import OutboxEntry, SocialPost
    from tests import factories

    post = _lose_the_first_answer(mastodon_fake, mastodon_channel, "Sendt igen af en person")
    # Seven hours pass (for the fake, and for what the database remembers of the first send).
    hours = settings.SOCIAL_OUTBOX_STALE_HOURS + 1
    mastodon_fake.advance(hours * 3600)
    earlier = timezone.now() - timedelta(hours=hours)
    SocialPost.objects.filter(pk=post.pk).update(first_sent_at=earlier, approved_at=earlier)
    OutboxEntry.objects.filter(post=post).update(created_at=earlier, not_before=earlier)
    run_due()
    assert entry_of(post).state == OutboxState.NEEDS_CONFIRMATION
    services.post_confirm(actor=factories.PlannerFactory(), post=post, resend=True)
    report = run_due()
    assert report.published == [post.pk]
    assert stored_texts(mastodon_fake) == ["Sendt igen af en person"]
    assert mastodon_fake.requests_to("GET", "/statuses")
