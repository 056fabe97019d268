"""The publishing worker: sends approved posts from the durable outbox exactly once.

One run claims due entries one at a time. A claim is committed (entry "in flight", a deadline
after which the worker is presumed dead) before the platform is called, so a crash never leaves
a post that two workers think is theirs. Whatever the adapter learns along the way (Instagram's
container, Bluesky's record key, the time of the first send) is written to the entry before the
next request. An entry whose outcome is unknown (a lost answer, a dead worker) is reconciled
with the platform before it is sent again: by repeating the idempotency key where the platform
honours one, otherwise by looking for the post on the account.
"""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from civic import tenancy
from civic.audit import audit_record
from civic.changes import Change, changed
from civic.external_urls import safe_url
from social import services, tokens
from social.adapters import (
    AdapterError,
    Ambiguous,
    AuthExpired,
    Duplicate,
    PublishResult,
    RateLimited,
    Rejected,
    TransientError,
)
from social.adapters.base import parse_datetime
from social.alerts import post_trouble_notify
from social.models import (
    ChannelState,
    CrisisStop,
    OutboxEntry,
    OutboxState,
    PostState,
    SocialPost,
)

logger = logging.getLogger(__name__)


@dataclass
class RunReport:
    published: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    needs_confirmation: list[int] = field(default_factory=list)
    paused_by_crisis_stop: bool = False

    @property
    def handled(self) -> int:
        return len(self.published) + len(self.retrying) + len(self.failed)


def backoff_seconds(attempts: int, retry_after: int | None = None) -> int:
    """Exponential backoff with jitter, never shorter than what the platform asked for."""
    base = settings.SOCIAL_OUTBOX_RETRY_BASE_SECONDS
    delay = min(settings.SOCIAL_OUTBOX_RETRY_MAX_SECONDS, base * 2 ** max(attempts - 1, 0))
    delay = int(delay * random.uniform(0.8, 1.2))  # noqa: S311 (jitter, not security)
    return max(delay, retry_after or 0, 1)


def _due_at(entry: OutboxEntry) -> datetime:
    """When the post was meant to go out (or when a person last confirmed it)."""
    confirmed = entry.progress.get("confirmed_at") if entry.progress else None
    if confirmed:
        return datetime.fromisoformat(confirmed)
    scheduled = entry.post.scheduled_at
    return max(scheduled, entry.created_at) if scheduled else entry.created_at


def _is_stale(entry: OutboxEntry, now: datetime) -> bool:
    return now > _due_at(entry) + timedelta(hours=settings.SOCIAL_OUTBOX_STALE_HOURS)


def _claimable(now: datetime):
    busy_channels = OutboxEntry.objects.filter(
        state=OutboxState.IN_FLIGHT, stale_after__gt=now
    ).values("post__channel_id")
    return (
        OutboxEntry.objects.filter(
            Q(state=OutboxState.PENDING, not_before__lte=now)
            | Q(state=OutboxState.IN_FLIGHT, stale_after__lte=now)
        )
        .filter(post__channel__state=ChannelState.OK, post__channel__is_removed=False)
        # One post in flight per channel keeps the platform's order and rate limits sane.
        .exclude(post__channel_id__in=busy_channels)
        .order_by("not_before", "pk")
    )


def claim_next(now: datetime | None = None) -> OutboxEntry | None:
    """Take one due entry for this worker and commit the claim before anything is sent."""
    now = now or timezone.now()
    with transaction.atomic():
        stopped = CrisisStop._base_manager.filter(active=True).values("municipality_id")
        candidates = _claimable(now).exclude(post__channel__municipality_id__in=stopped)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        entry = candidates.select_related("post", "post__channel").first()
        if entry is None:
            return None
        # SQLite has no row locks: the conditional update makes the claim atomic there too.
        previous_state = entry.state
        claimed = OutboxEntry.objects.filter(pk=entry.pk, state=previous_state)
        if previous_state == OutboxState.IN_FLIGHT:
            claimed = claimed.filter(stale_after__lte=now)
        else:
            claimed = claimed.filter(not_before__lte=now)
        stale_after = now + timedelta(seconds=settings.SOCIAL_OUTBOX_CLAIM_SECONDS)
        # A worker that died mid-send may have reached the platform.
        maybe_sent = entry.maybe_sent or previous_state == OutboxState.IN_FLIGHT
        if not claimed.update(
            state=OutboxState.IN_FLIGHT,
            stale_after=stale_after,
            claim_token=uuid.uuid4(),
            attempts=entry.attempts + 1,
            maybe_sent=maybe_sent,
            updated_at=now,
        ):
            return None
        SocialPost.objects.filter(pk=entry.post_id).update(
            state=PostState.PUBLISHING, attempts=entry.attempts + 1
        )
        entry.refresh_from_db()
        return entry


def run_due(*, now: datetime | None = None, limit: int = 50) -> RunReport:
    """Send what is due, one entry at a time, at most `limit` entries."""
    report = RunReport()
    # Tokens close to expiry are renewed first, even during a crisis stop: a token that runs
    # out while publishing is paused would otherwise need a person to log in again.
    tokens.refresh_due(now)
    # A crisis stop pauses its own municipality's posts; the others' still go out.
    if CrisisStop._base_manager.filter(active=True).exists():
        report.paused_by_crisis_stop = True
    expire_stale(now)
    for _ in range(limit):
        entry = claim_next(now)
        if entry is None:
            break
        # The post's links, image and notices are its channel's municipality's.
        with tenancy.activate_for(entry.post.channel):
            process(entry, report, now=now)
    return report


class ClaimLapsed(Exception):
    """This worker's claim on an entry lapsed and another claim holds it now."""


def _held(entry: OutboxEntry):
    """The entry, as long as this claim still holds it (fenced by the claim token)."""
    return OutboxEntry.objects.filter(
        pk=entry.pk, state=OutboxState.IN_FLIGHT, claim_token=entry.claim_token
    )


def _save_progress(entry: OutboxEntry):
    def save(progress) -> None:
        # Its own write, committed at once: it must survive a crash in the next request.
        # Progress from a claim that lost its lease is kept too: it names what may exist.
        OutboxEntry.objects.filter(pk=entry.pk).update(progress=dict(progress))

    return save


def _key_outlived(adapter, post: SocialPost, now: datetime) -> bool:
    """Whether the platform may have forgotten the idempotency key of the first send."""
    window = adapter.idempotency_window
    if window is None or post.first_sent_at is None:
        return False
    return now - post.first_sent_at > window


def _mark_first_send(post: SocialPost, progress: dict, now: datetime) -> None:
    """Remember the moment of the first send, once, before the first request goes out.

    An entry sent before this was stored on the post still has the adapter's note of it.
    """
    if post.first_sent_at is None:
        earlier = parse_datetime(progress.get("first_sent_at"))
        SocialPost.objects.filter(pk=post.pk, first_sent_at__isnull=True).update(
            first_sent_at=earlier or now
        )
        post.first_sent_at = SocialPost.objects.values_list("first_sent_at", flat=True).get(
            pk=post.pk
        )


def process(entry: OutboxEntry, report: RunReport, *, now: datetime | None = None) -> None:
    post = entry.post
    channel = post.channel
    key = str(entry.idempotency_key)
    progress = dict(entry.progress or {})
    on_progress = _save_progress(entry)
    now = now or timezone.now()
    _mark_first_send(post, progress, now)

    def send(adapter) -> PublishResult:
        # A worker that stalled after claiming (a pause, a slow disk) may wake after its lease
        # lapsed and another worker took the entry over: it must not send anything then.
        if not _held(entry).exists():
            raise ClaimLapsed
        outgoing = services.outgoing(post)
        result: PublishResult | None = None
        # A repeated key is only safe while the platform still remembers it (Mastodon: one
        # hour); past that, a lost first answer is looked for on the account first.
        if entry.maybe_sent and (
            not adapter.idempotent_publish or _key_outlived(adapter, post, now)
        ):
            result = adapter.find_published(outgoing, key, progress=progress)
        if result is None:
            try:
                result = adapter.publish(outgoing, key, progress=progress, on_progress=on_progress)
            except Duplicate:
                # "Duplicate content" may mean an earlier attempt of this very post went
                # through unnoticed: look before calling it a refusal.
                result = adapter.find_published(outgoing, key, progress=progress)
                if result is None:
                    raise
        return result

    try:
        # An expired token is renewed once and the send repeated: a refused request sent nothing.
        result = tokens.call_with_refresh(channel, send)
    except ClaimLapsed:
        logger.warning("social outbox: claim on post %s lapsed before sending", post.pk)
    except RateLimited as exc:
        _retry(entry, exc, report, now=now, retry_after=exc.retry_after_seconds)
    except Ambiguous as exc:
        _retry(entry, exc, report, now=now, maybe_sent=True)
    except TransientError as exc:
        _retry(entry, exc, report, now=now)
    except AuthExpired as exc:
        _paused_for_reauth(entry, exc)
        services.channel_mark_needs_reauth(channel=channel, reason=str(exc))
        report.retrying.append(post.pk)
    except Rejected as exc:
        _fail(entry, exc.reason or str(exc), report, problem=exc.problem)
    except AdapterError as exc:
        _fail(entry, str(exc), report, problem=exc.problem)
    except Exception as exc:
        # A bug or an unexpected answer: the request may have gone out, so reconcile next time.
        logger.exception("social outbox: publishing post %s failed", post.pk)
        _retry(entry, exc, report, now=now, maybe_sent=True)
    else:
        _succeed(entry, result, report)


@transaction.atomic
def _succeed(entry: OutboxEntry, result: PublishResult, report: RunReport) -> None:
    now = timezone.now()
    # A live post is recorded even by a claim that outlived its lease (the post exists, and a
    # later claim reconciles to it), unless a later claim has already recorded it.
    if (
        not OutboxEntry.objects.filter(pk=entry.pk)
        .exclude(state=OutboxState.DONE)
        .update(state=OutboxState.DONE, last_error="", stale_after=None, updated_at=now)
    ):
        return
    post = SocialPost.objects.select_for_update().get(pk=entry.post_id)
    post.state = PostState.PUBLISHED
    post.remote_id = result.remote_id
    # Checked again here: whatever an adapter returns, only an http(s) address is stored.
    post.remote_url = safe_url(result.url, max_length=600)
    post.remote_answer = result.raw or {}
    post.published_at = now
    post.error = ""
    post.problem = ""
    post.save()
    if post.consultation_id:
        changed(post.consultation_id, Change.SOCIAL_POST)  # the hub links published posts
    audit_record(
        actor=None,
        action="social.post_published",
        target=post,
        changes={"remote_id": result.remote_id, "url": post.remote_url, "text": post.text},
    )
    report.published.append(post.pk)


def _retry(
    entry: OutboxEntry,
    exc: Exception,
    report: RunReport,
    *,
    now: datetime | None,
    retry_after: int | None = None,
    maybe_sent: bool = False,
) -> None:
    now = now or timezone.now()
    message = str(exc)[:2000] or exc.__class__.__name__
    with transaction.atomic():
        fresh = _held(entry).select_for_update().select_related("post").first()
        if fresh is None:
            logger.warning("social outbox: claim on post %s lapsed; outcome dropped", entry.post_id)
            return
        if _is_stale(fresh, now):
            fresh.state = OutboxState.NEEDS_CONFIRMATION
            post_state = PostState.NEEDS_CONFIRMATION
            report.needs_confirmation.append(fresh.post_id)
        else:
            fresh.state = OutboxState.PENDING
            fresh.not_before = now + timedelta(seconds=backoff_seconds(fresh.attempts, retry_after))
            post_state = PostState.SCHEDULED
            report.retrying.append(fresh.post_id)
        fresh.maybe_sent = fresh.maybe_sent or maybe_sent
        fresh.last_error = message
        fresh.stale_after = None
        fresh.save()
        SocialPost.objects.filter(pk=fresh.post_id).update(
            state=post_state, error=message, problem=getattr(exc, "problem", "")
        )
        if post_state == PostState.NEEDS_CONFIRMATION:
            post_trouble_notify(fresh.post, post_state, message)


@transaction.atomic
def _paused_for_reauth(entry: OutboxEntry, exc: Exception) -> None:
    # Nothing went out; the entry waits (unclaimable) until the channel is connected again.
    if not _held(entry).update(
        state=OutboxState.PENDING, last_error=str(exc)[:2000], stale_after=None
    ):
        return
    SocialPost.objects.filter(pk=entry.post_id).update(
        state=PostState.SCHEDULED, error=str(exc)[:2000]
    )


@transaction.atomic
def _fail(entry: OutboxEntry, reason: str, report: RunReport, *, problem: str = "") -> None:
    # Only the claim that still holds the entry may fail it: one that outlived its lease must
    # not turn a post that a later claim published into "failed".
    if not _held(entry).update(
        state=OutboxState.FAILED, last_error=reason[:2000], stale_after=None
    ):
        logger.warning("social outbox: claim on post %s lapsed; failure dropped", entry.post_id)
        return
    post = SocialPost.objects.get(pk=entry.post_id)
    post.state = PostState.FAILED
    post.error = reason[:2000]
    post.problem = problem
    post.save(update_fields=["state", "error", "problem", "updated_at"])
    audit_record(actor=None, action="social.post_failed", target=post, reason=reason[:500])
    post_trouble_notify(post, PostState.FAILED, reason)
    report.failed.append(post.pk)


def expire_stale(now: datetime | None = None) -> int:
    """Pending entries long past their time wait for a person instead of going out late."""
    now = now or timezone.now()
    count = 0
    horizon = now - timedelta(hours=settings.SOCIAL_OUTBOX_STALE_HOURS)
    candidates = OutboxEntry.objects.filter(state=OutboxState.PENDING, created_at__lt=horizon)
    # What a crisis stop holds back is not late: it waits for the stop to be lifted.
    stopped = CrisisStop._base_manager.filter(active=True).values("municipality_id")
    candidates = candidates.exclude(post__channel__municipality_id__in=stopped)
    for entry in candidates.select_related("post", "post__channel"):
        if _is_stale(entry, now):
            with transaction.atomic():
                if OutboxEntry.objects.filter(pk=entry.pk, state=OutboxState.PENDING).update(
                    state=OutboxState.NEEDS_CONFIRMATION
                ):
                    SocialPost.objects.filter(pk=entry.post_id).update(
                        state=PostState.NEEDS_CONFIRMATION
                    )
                    with tenancy.activate_for(entry.post.channel):
                        post_trouble_notify(entry.post, PostState.NEEDS_CONFIRMATION)
                    count += 1
    return count
