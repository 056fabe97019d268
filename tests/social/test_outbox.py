"""The outbox publishes each approved post exactly once, whatever goes wrong on the way."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from civic.models import AuditEntry
from social import services
from social.models import ChannelState, OutboxEntry, OutboxState, PostState
from social.outbox import claim_next, run_due
from tests import factories
from tests.social.conftest import TIMEOUT, stored_texts
from tests.social.factories import approved, channel_for, draft, entry_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _quick(quick_outbox):
    """Every test here runs with the short timeouts (conftest.quick_outbox)."""


@pytest.fixture
def facebook_channel(facebook_fake):
    return channel_for(facebook_fake)


def test_an_approved_post_is_published_once_with_remote_id_and_audit(
    mastodon_fake, mastodon_channel
):
    post = approved(mastodon_channel)
    report = run_due()
    post.refresh_from_db()
    assert report.published == [post.pk]
    assert post.state == PostState.PUBLISHED
    assert post.remote_id == mastodon_fake.own_statuses()[0].id
    assert post.remote_url.startswith("https://social.example/")
    assert entry_of(post).state == OutboxState.DONE
    assert AuditEntry.objects.filter(
        action="social.post_published", object_id=str(post.pk)
    ).exists()
    # A second run sends nothing more.
    assert run_due().published == []
    assert stored_texts(mastodon_fake) == [post.text]


def test_a_draft_is_never_sent(mastodon_fake, mastodon_channel):
    draft(mastodon_channel)
    assert run_due().published == []
    assert stored_texts(mastodon_fake) == []


def test_a_scheduled_post_waits_for_its_time(mastodon_fake, mastodon_channel):
    author, approver = factories.PlannerFactory(), factories.PlannerFactory()
    post = services.post_create(
        actor=author,
        channel=mastodon_channel,
        text="Later",
        scheduled_at=timezone.now() + timedelta(hours=2),
    )
    post = services.post_approve(actor=approver, post=post)
    assert post.state == PostState.SCHEDULED
    assert run_due().published == []
    assert run_due(now=timezone.now() + timedelta(hours=2, minutes=1)).published == [post.pk]
    assert stored_texts(mastodon_fake) == ["Later"]


@pytest.mark.parametrize("found_on_platform", [True, False])
def test_worker_killed_mid_publish_is_reconciled_not_duplicated(
    facebook_fake, facebook_channel, found_on_platform
):
    """A worker died after claiming (entry in flight past its deadline); the post may or may
    not have reached the platform. Facebook has no idempotency key: the account is read."""
    post = approved(facebook_channel, text="Kom til borgermøde om Christiansholm")
    entry = claim_next()
    assert entry.state == OutboxState.IN_FLIGHT
    if found_on_platform:
        # The dead worker's request did arrive.
        from social.services import adapter_for, outgoing

        with adapter_for(facebook_channel) as adapter:
            adapter.publish(
                outgoing(post), str(entry.idempotency_key), progress={}, on_progress=None
            )
    assert len(stored_texts(facebook_fake)) == (1 if found_on_platform else 0)
    # Before the deadline nobody else takes it.
    assert run_due().handled == 0
    later = timezone.now() + timedelta(minutes=10)
    report = run_due(now=later)
    post.refresh_from_db()
    assert report.published == [post.pk]
    assert post.state == PostState.PUBLISHED
    assert stored_texts(facebook_fake) == ["Kom til borgermøde om Christiansholm"]
    assert post.remote_id == facebook_fake.published()[0]["id"]


def test_timeout_after_commit_on_facebook_is_found_not_repeated(facebook_fake, facebook_channel):
    post = approved(facebook_channel, text="Svar tabt undervejs")
    facebook_fake.script("drop_after_commit", method="POST", path="/feed")
    report = run_due()
    assert report.retrying == [post.pk]
    entry = entry_of(post)
    assert entry.state == OutboxState.PENDING and entry.maybe_sent
    assert len(stored_texts(facebook_fake)) == 1
    report = run_due(now=entry.not_before + timedelta(seconds=1))
    assert report.published == [post.pk]
    assert stored_texts(facebook_fake) == ["Svar tabt undervejs"]


def test_platform_slower_than_the_timeout_is_not_published_twice(mastodon_fake, mastodon_channel):
    post = approved(mastodon_channel, text="Langsom platform")
    mastodon_fake.script("slow", method="POST", path="/api/v1/statuses", seconds=TIMEOUT * 2)
    report = run_due()
    assert report.retrying == [post.pk]
    entry = entry_of(post)
    # Mastodon honours the idempotency key: the same key is simply sent again.
    report = run_due(now=entry.not_before + timedelta(seconds=1))
    assert report.published == [post.pk]
    assert len(stored_texts(mastodon_fake)) == 1


def test_rate_limit_reschedules_honouring_retry_after(mastodon_fake, mastodon_channel, settings):
    settings.SOCIAL_OUTBOX_RETRY_BASE_SECONDS = 1
    post = approved(mastodon_channel)
    mastodon_fake.script("rate_limit", method="POST", path="/api/v1/statuses")
    before = timezone.now()
    report = run_due()
    entry = entry_of(post)
    assert report.retrying == [post.pk]
    assert entry.state == OutboxState.PENDING
    # The fake's window resets in 300 s; our own backoff (1 s) must not undercut it.
    assert entry.not_before >= before + timedelta(seconds=250)
    assert "rate" in entry.last_error.lower() or "429" in entry.last_error
    assert stored_texts(mastodon_fake) == []


def test_server_errors_back_off_exponentially(mastodon_fake, mastodon_channel):
    post = approved(mastodon_channel)
    mastodon_fake.script("server_error", method="POST", path="/api/v1/statuses", times=2)
    now = timezone.now()
    run_due(now=now)
    first = entry_of(post).not_before - now
    now = entry_of(post).not_before + timedelta(seconds=1)
    run_due(now=now)
    second = entry_of(post).not_before - now
    assert timedelta(seconds=20) < first < timedelta(seconds=40)
    assert second > first
    run_due(now=entry_of(post).not_before + timedelta(seconds=1))
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    assert len(stored_texts(mastodon_fake)) == 1


def test_past_the_staleness_deadline_a_person_must_confirm(mastodon_fake, mastodon_channel):
    post = approved(mastodon_channel)
    mastodon_fake.script("server_error", method="POST", path="/api/v1/statuses", times=5)
    report = run_due(now=timezone.now() + timedelta(hours=7))
    post.refresh_from_db()
    assert report.needs_confirmation == [post.pk] or post.state == PostState.NEEDS_CONFIRMATION
    assert entry_of(post).state == OutboxState.NEEDS_CONFIRMATION
    assert run_due(now=timezone.now() + timedelta(hours=8)).handled == 0
    # A planner sends it after all; it is reconciled first and goes out once.
    mastodon_fake._scripted.clear()
    services.post_confirm(actor=factories.PlannerFactory(), post=post, resend=True)
    assert run_due().published == [post.pk]
    assert len(stored_texts(mastodon_fake)) == 1


def test_a_rejected_post_fails_with_the_platforms_reason(mastodon_fake, mastodon_channel):
    post = approved(mastodon_channel)
    mastodon_fake.script("validation_error", method="POST", path="/api/v1/statuses")
    report = run_due()
    post.refresh_from_db()
    assert report.failed == [post.pk]
    assert post.state == PostState.FAILED
    assert post.error
    assert entry_of(post).state == OutboxState.FAILED
    assert AuditEntry.objects.filter(action="social.post_failed").exists()


def test_expired_token_pauses_the_channel_and_tells_its_owners(mastodon_fake):
    owner = factories.AdministratorFactory(email="owner@kk.example")
    channel = channel_for(mastodon_fake, owners=[owner])
    post = approved(channel)
    mastodon_fake.script("expired_token", method="POST", path="/api/v1/statuses")
    mail.outbox.clear()
    run_due()
    channel.refresh_from_db()
    assert channel.state == ChannelState.NEEDS_REAUTH
    assert [m.to for m in mail.outbox] == [["owner@kk.example"]]
    assert "re-authorisation" in mail.outbox[0].subject
    # The post waits, neither failed nor sent, until the channel is connected again.
    assert entry_of(post).state == OutboxState.PENDING
    assert run_due(now=timezone.now() + timedelta(hours=1)).handled == 0
    services.channel_reauthorise(
        actor=factories.AdministratorFactory(),
        channel=channel,
        credentials=mastodon_fake.credentials(),
    )
    assert run_due(now=timezone.now() + timedelta(hours=1)).published == [post.pk]
    assert len(stored_texts(mastodon_fake)) == 1


def test_crisis_stop_pauses_everything_and_lifting_resumes(
    mastodon_fake, mastodon_channel, facebook_fake, facebook_channel
):
    first, second = approved(mastodon_channel), approved(facebook_channel)
    planner = factories.PlannerFactory()
    services.crisis_stop_start(actor=planner, reason="Storm warning: no campaign posts today")
    report = run_due()
    assert report.paused_by_crisis_stop and report.handled == 0
    assert stored_texts(mastodon_fake) == [] and stored_texts(facebook_fake) == []
    services.crisis_stop_lift(actor=planner)
    assert sorted(run_due().published) == sorted([first.pk, second.pk])
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"social.crisis_stop_started", "social.crisis_stop_lifted"} <= actions


def test_limits_are_enforced_before_anything_is_sent(x_fake):
    from django.core.exceptions import ValidationError

    channel = channel_for(x_fake)
    with pytest.raises(ValidationError) as error:
        draft(channel, text="a" * 281)
    assert "text" in error.value.message_dict
    assert x_fake.requests == []


def test_over_limit_text_slipped_into_the_outbox_fails_without_a_request(x_fake):
    channel = channel_for(x_fake)
    post = approved(channel, text="ok")
    type(post).objects.filter(pk=post.pk).update(text="å" * 300)
    report = run_due()
    assert report.failed == [post.pk]
    assert x_fake.requests_to("POST", "/2/tweets") == []


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks (skip_locked) need PostgreSQL"
)
def test_racing_workers_publish_each_post_once(mastodon_fake, mastodon_channel, facebook_fake):
    other = channel_for(facebook_fake)
    posts = [approved(mastodon_channel, text=f"Mastodon {i}") for i in range(4)]
    posts += [approved(other, text=f"Facebook {i}") for i in range(4)]
    mastodon_fake.script("slow", method="POST", path="/api/v1/statuses", seconds=0.2, times=4)
    barrier = threading.Barrier(4)
    results = []

    def worker():
        from django.db import connections

        barrier.wait()
        try:
            results.append(run_due())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    published = [pk for report in results for pk in report.published]
    assert sorted(published) == sorted(post.pk for post in posts)
    assert len(stored_texts(mastodon_fake)) == 4
    assert len(stored_texts(facebook_fake)) == 4
    assert OutboxEntry.objects.exclude(state=OutboxState.DONE).count() == 0


def test_claims_are_exclusive_even_without_row_locks(mastodon_fake, mastodon_channel):
    approved(mastodon_channel)
    first = claim_next()
    assert first is not None
    # The same channel has a post in flight: nothing else is claimed.
    approved(mastodon_channel, text="Second")
    assert claim_next() is None


def test_a_crisis_stop_pauses_its_own_municipalitys_posts_only(
    mastodon_fake, facebook_fake, harstad
):
    """A storm in Harstad stops Harstad's campaign posts; Copenhagen's still go out."""
    from tests.tenancy_helpers import first_municipality, inside

    with inside(first_municipality()):
        copenhagen_post = approved(channel_for(mastodon_fake, name="København på Mastodon"))
    with inside(harstad):
        harstad_post = approved(channel_for(facebook_fake, name="Harstad kommune"))
        planner = factories.PlannerFactory()
        services.crisis_stop_start(actor=planner, reason="Uvær: ingen kampanjeposter i dag")
    report = run_due()
    assert report.published == [copenhagen_post.pk]
    assert stored_texts(facebook_fake) == []
    with inside(harstad):
        services.crisis_stop_lift(actor=planner)
    assert run_due().published == [harstad_post.pk]
