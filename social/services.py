"""Everything that changes social channels and posts. Views, the API, commands and the worker
all call these; each write runs in one transaction with its audit entry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from civic import tenancy
from civic.audit import audit_record
from civic.changes import Change, changed
from civic.external_urls import safe_url
from civic.notifications import absolute_url, notify
from social import charts, images, limits, permissions, selectors
from social.adapters import (
    CREDENTIAL_FIELDS,
    AdapterError,
    AuthExpired,
    MediaImage,
    NotSupported,
    OutgoingPost,
    Rejected,
    TransientError,
    build_adapter,
    config,
)
from social.models import (
    EDITABLE_STATES,
    Channel,
    ChannelState,
    CrisisStop,
    ImportedComment,
    Origin,
    OutboxEntry,
    OutboxState,
    PostState,
    SocialPost,
)

NOTIFY_KIND = "social_channel"

APPROVAL_NOTIFY_KIND = "social_approval"
SEND_BACK_NOTE_MAX_LENGTH = 1000


# --- Channels ------------------------------------------------------------------------------------
def adapter_for(channel: Channel, **options: Any):
    return build_adapter(
        channel.platform,
        credentials=channel.credentials,
        base_url=channel.base_url,
        **options,
    )


def _clean_credentials(platform: str, credentials: Mapping[str, Any]) -> dict[str, str]:
    if platform not in CREDENTIAL_FIELDS:
        raise ValidationError({"platform": gettext("Unknown platform.")})
    wanted = CREDENTIAL_FIELDS[platform]
    unknown = sorted(set(credentials) - set(wanted))
    missing = [name for name in wanted if not str(credentials.get(name, "")).strip()]
    if unknown or missing:
        raise ValidationError(
            {
                "credentials": gettext("%(platform)s needs exactly: %(fields)s.")
                % {"platform": platform, "fields": ", ".join(wanted)}
            }
        )
    return {name: str(credentials[name]).strip() for name in wanted}


def _verify(channel: Channel) -> None:
    """Ask the platform who these credentials belong to; refuse credentials that do not work."""
    try:
        with adapter_for(channel) as adapter:
            account = adapter.verify_credentials()
    except (AuthExpired, Rejected) as exc:
        raise ValidationError(
            {"credentials": gettext("The platform refused these credentials: %s") % exc}
        ) from exc
    except (AdapterError, ValueError) as exc:
        raise ValidationError(
            {"base_url": gettext("The platform could not be reached: %s") % exc}
        ) from exc
    channel.remote_id = account.remote_id[:200]
    channel.remote_url = safe_url(account.url, max_length=500)
    channel.max_characters = account.max_characters
    if not channel.name:
        channel.name = account.name[:120]


@transaction.atomic
def channel_connect(
    *,
    actor,
    platform: str,
    credentials: Mapping[str, Any],
    name: str = "",
    base_url: str = "",
    token_expires_at: datetime | None = None,
    owners: Iterable | None = None,
) -> Channel:
    """Connect an account after the platform has confirmed the credentials."""
    if actor is not None and not permissions.can_manage_channels(actor):
        raise PermissionDenied(gettext("Only administrators connect social channels."))
    channel = Channel(
        platform=platform,
        name=name.strip(),
        base_url=base_url.strip(),
        token_expires_at=token_expires_at,
    )
    if platform == config.MASTODON and not channel.base_url:
        raise ValidationError({"base_url": gettext("A Mastodon channel needs its instance URL.")})
    # Before any request: the address must be http(s), never a script or a local file.
    channel.clean_fields(exclude=[f.name for f in Channel._meta.fields if f.name != "base_url"])
    channel.credentials = _clean_credentials(platform, credentials)
    _verify(channel)
    channel.full_clean()
    channel.save()
    owner_list = list(owners) if owners is not None else ([actor] if actor is not None else [])
    channel.owners.set(owner_list)
    audit_record(
        actor=actor,
        action="social.channel_connected",
        target=channel,
        changes={"platform": platform, "base_url": channel.base_url},
    )
    channel_subscribe_webhooks(channel)
    return channel


def channel_subscribe_webhooks(channel: Channel) -> None:
    """Ask a Facebook page to send its new comments to our webhook at once.

    A refusal (typically the pages_manage_metadata permission missing) does not undo the
    connection: comments are then read on the regular schedule, and the channels page says why.
    """
    if channel.platform != config.FACEBOOK:
        return
    try:
        adapter_for(channel).subscribe_webhooks()
    except AdapterError as exc:
        channel.webhooks_subscribed_at, channel.webhooks_problem = None, str(exc)[:2000]
    else:
        channel.webhooks_subscribed_at, channel.webhooks_problem = timezone.now(), ""
    channel.save(update_fields=["webhooks_subscribed_at", "webhooks_problem"])


@transaction.atomic
def channel_reauthorise(
    *,
    actor,
    channel: Channel,
    credentials: Mapping[str, Any],
    token_expires_at: datetime | None = None,
) -> Channel:
    if actor is not None and not permissions.can_manage_channels(actor):
        raise PermissionDenied(gettext("Only administrators connect social channels."))
    channel.credentials = _clean_credentials(channel.platform, credentials)
    _verify(channel)
    channel.state = ChannelState.OK
    channel.state_reason = ""
    channel.token_expires_at = token_expires_at
    channel.full_clean()
    channel.save()
    audit_record(actor=actor, action="social.channel_reauthorised", target=channel)
    channel_subscribe_webhooks(channel)
    return channel


@transaction.atomic
def channel_remove(*, actor, channel: Channel) -> None:
    """Stop using a channel. Its posts stay in the archive; unsent ones are cancelled."""
    if actor is not None and not permissions.can_manage_channels(actor):
        raise PermissionDenied(gettext("Only administrators remove social channels."))
    unsent = OutboxEntry.objects.filter(
        post__channel=channel, state__in=[OutboxState.PENDING, OutboxState.NEEDS_CONFIRMATION]
    )
    SocialPost.objects.filter(outbox__in=unsent).update(
        state=PostState.FAILED, error=gettext("The channel was removed.")
    )
    unsent.update(state=OutboxState.FAILED, last_error="channel removed")
    channel.is_removed = True
    channel.credentials = {}
    channel.save(update_fields=["is_removed", "credentials_encrypted"])
    audit_record(actor=actor, action="social.channel_removed", target=channel)


@transaction.atomic
def channel_mark_needs_reauth(*, channel: Channel, reason: str) -> None:
    """The token stopped working: pause the channel and tell its owners (once)."""
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    if channel.state == ChannelState.NEEDS_REAUTH:
        return
    channel.state = ChannelState.NEEDS_REAUTH
    channel.state_reason = reason[:2000]
    channel.save(update_fields=["state", "state_reason"])
    audit_record(actor=None, action="social.channel_needs_reauth", target=channel, reason=reason)
    for owner in channel.owners.all():
        notify(
            recipient=owner,
            kind=NOTIFY_KIND,
            subject=_("A social channel needs re-authorisation"),
            body=_(
                "The platform no longer accepts the login of the channel “%(channel)s”. Its posts "
                "wait until an administrator connects it again. The platform said: %(reason)s"
            )
            % {"channel": str(channel), "reason": reason},
            url="/social/channels/",
        )


# --- Composing -----------------------------------------------------------------------------------
def tracked_link(consultation, platform: str) -> str:
    """The consultation's address with UTM parameters naming the channel's platform."""
    query = urlencode(
        {"utm_source": platform, "utm_medium": "social", "utm_campaign": consultation.slug}
    )
    return absolute_url(consultation.get_absolute_url()) + "?" + query


def image_of(post: SocialPost) -> tuple[MediaImage, ...]:
    """The post's image as its platform accepts it.

    Drafts store an image already prepared for their channel; an image stored before (or one
    the platform's rules have since tightened for) is prepared again. The bytes are uploaded
    wherever the API takes them; only a platform that must fetch the image itself (Instagram)
    gets an address, a signed and expiring one (`images.public_image_url`), of the stored
    prepared copy: media files are not public in production.
    """
    if not post.image:
        return ()
    with post.image.open("rb") as handle:
        data = handle.read()
    stored = post.image.name
    name = stored.rsplit("/", 1)[-1]
    try:
        prepared = images.prepare(data, post.channel.platform)
    except ValidationError:
        # Not an image we can read: send it as it is and let the platform say what is wrong.
        mime = "image/png" if name.lower().endswith(".png") else "image/jpeg"
    else:
        mime = prepared.mime_type
        if prepared.data != data:
            name = f"{name.rsplit('.', 1)[0]}-{post.channel.platform}.{prepared.extension}"
            data = prepared.data
            if post.channel.platform in config.FETCHES_IMAGES_BY_URL:
                stored = _stored_copy(post.image.name, name, data)
    url = ""
    if post.channel.platform in config.FETCHES_IMAGES_BY_URL:
        url = images.public_image_url(stored)
    return (MediaImage(data=data, alt_text=post.alt_text, mime_type=mime, url=url, filename=name),)


def _stored_copy(original: str, name: str, data: bytes) -> str:
    """The storage name of a prepared copy beside the original, stored once."""
    path = f"{original.rsplit('/', 1)[0]}/{name}" if "/" in original else name
    if not default_storage.exists(path):
        path = default_storage.save(path, ContentFile(data))
    return path


def prepared_image(image: ContentFile, platform: str) -> ContentFile:
    """An attached image made to fit the platform, named for its (possibly new) format."""
    image.seek(0)
    prepared = images.prepare(image.read(), platform)
    image.seek(0)
    stem = (image.name or "image").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return ContentFile(prepared.data, name=f"{stem}.{prepared.extension}")


def outgoing(post: SocialPost) -> OutgoingPost:
    consultation = post.consultation
    return OutgoingPost(
        text=post.text,
        images=image_of(post),
        link=post.link,
        link_title=consultation.title if consultation else "",
        link_description=consultation.summary[:300] if consultation else "",
        language=consultation.language if consultation else settings.LANGUAGE_CODE,
        # The moment of the first send, stable across retries: Bluesky's createdAt and record
        # key come from it (a draft may wait days for approval).
        created_at=post.first_sent_at,
    )


class _AltTextOnly:
    def __init__(self, alt_text: str):
        self.alt_text = alt_text


def check_text(
    channel: Channel, text: str, *, has_image: bool = False, alt_text: str = ""
) -> limits.LimitResult:
    """The channel's platform rules applied to a text, for the composer and before saving."""
    images = [_AltTextOnly(alt_text)] if has_image else []
    return limits.check_post(
        channel.platform, text, images=images, max_characters=channel.max_characters
    )


def _require_within_limits(post: SocialPost) -> None:
    result = check_text(post.channel, post.text, has_image=bool(post.image), alt_text=post.alt_text)
    if not result.ok:
        raise ValidationError({"text": list(result.errors)})


def _require_composer(actor, consultation) -> None:
    if not permissions.can_use_composer(actor, consultation):
        raise PermissionDenied(gettext("Only planners of this consultation write its posts."))


@transaction.atomic
def post_create(
    *,
    actor,
    channel: Channel,
    text: str,
    consultation=None,
    link: str | None = None,
    scheduled_at: datetime | None = None,
    image: ContentFile | None = None,
    alt_text: str = "",
) -> SocialPost:
    """A draft written by hand (e.g. an urgent notice); it still needs a second planner."""
    _require_composer(actor, consultation)
    if channel.is_removed:
        raise ValidationError({"channel": gettext("This channel has been removed.")})
    if link is None:
        link = tracked_link(consultation, channel.platform) if consultation else ""
    post = SocialPost(
        consultation=consultation,
        channel=channel,
        text=text.strip(),
        link=link,
        alt_text=alt_text.strip(),
        origin=Origin.MANUAL,
        state=PostState.AWAITING_APPROVAL,
        created_by=actor,
        scheduled_at=scheduled_at,
    )
    if image is not None:
        image = prepared_image(image, channel.platform)
        post.image.save(image.name, image, save=False)
    _validate_schedule(scheduled_at)
    post.full_clean()
    _require_within_limits(post)
    post.save()
    audit_record(
        actor=actor,
        action="social.post_drafted",
        target=post,
        changes={"channel": str(channel), "text": post.text},
    )
    approvers_notify(post)
    return post


def _validate_schedule(scheduled_at: datetime | None) -> None:
    if scheduled_at is not None and scheduled_at < timezone.now() - timezone.timedelta(minutes=1):
        raise ValidationError({"scheduled_at": gettext("Choose a time in the future.")})


@transaction.atomic
def post_update(
    *,
    actor,
    post: SocialPost,
    text: str,
    alt_text: str | None = None,
    scheduled_at: datetime | None = None,
) -> SocialPost:
    """Edit a post that has not been approved yet. Editing asks for approval again."""
    post = SocialPost.objects.select_for_update().select_related("channel").get(pk=post.pk)
    _require_composer(actor, post.consultation)
    if not post.is_editable:
        raise ValidationError({"text": gettext("Only drafts can be edited.")})
    before = post.text
    returned_by = post.sent_back_by if post.state == PostState.DRAFT else None
    post.text = text.strip()
    if alt_text is not None:
        post.alt_text = alt_text.strip()
    _validate_schedule(scheduled_at)
    post.scheduled_at = scheduled_at
    post.state = PostState.AWAITING_APPROVAL
    post.full_clean()
    _require_within_limits(post)
    # Whoever edits a text last is its author for the four-eyes rule.
    post.created_by = actor
    post.sent_back_note, post.sent_back_by, post.sent_back_at = "", None, None
    post.save()
    audit_record(
        actor=actor,
        action="social.post_edited",
        target=post,
        changes={"text": [before, post.text]},
    )
    # A post sent back comes again to the planner who sent it back; a new edit to everyone.
    approvers_notify(post, only=returned_by)
    return post


@transaction.atomic
def post_send_back(*, actor, post: SocialPost, note: str) -> SocialPost:
    """A second planner returns a draft to its author with a note, instead of approving it."""
    post = SocialPost.objects.select_for_update().select_related("channel").get(pk=post.pk)
    refusal = permissions.approval_refusal(actor, post)
    if refusal:
        raise PermissionDenied(refusal)
    if post.state != PostState.AWAITING_APPROVAL:
        raise ValidationError({"state": gettext("This post is not waiting for approval.")})
    note = note.strip()
    if not note:
        raise ValidationError({"note": gettext("Tell the author what to change.")})
    if len(note) > SEND_BACK_NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "note": gettext("At most %(n)s characters, please.")
                % {"n": SEND_BACK_NOTE_MAX_LENGTH}
            }
        )
    post.state = PostState.DRAFT
    post.sent_back_note, post.sent_back_by, post.sent_back_at = note, actor, timezone.now()
    post.save(update_fields=["state", "sent_back_note", "sent_back_by", "sent_back_at"])
    audit_record(actor=actor, action="social.post_sent_back", target=post, reason=note)
    if post.created_by_id:
        notify(
            recipient=post.created_by,
            kind=APPROVAL_NOTIFY_KIND,
            subject=_("A post was sent back to you"),
            body=format_lazy(
                _(
                    "{name} sent back your post for {channel} with this note: {note}\n\n"
                    "Edit the post and send it for approval again."
                ),
                name=actor.public_name,
                channel=str(post.channel),
                note=note,
            ),
            url=reverse("social:approvals") + "#sent-back",
        )
    return post


def approvers_notify(post: SocialPost, *, only=None) -> None:
    """Tell the planners who may approve `post` that it waits for them (or only `only`)."""
    people = [only] if only is not None else selectors.possible_approvers(post)
    for person in people:
        if person is None or person.pk == post.created_by_id:
            continue
        if not permissions.can_approve_post(person, post):
            continue
        notify(
            recipient=person,
            kind=APPROVAL_NOTIFY_KIND,
            subject=_("A social media post waits for your approval"),
            body=format_lazy(
                _("A post for {channel} waits for a second planner: {text}"),
                channel=str(post.channel),
                text=post.text[:280],
            ),
            url=reverse("social:approvals"),
        )


def approvers_notify_batch(posts: Iterable[SocialPost]) -> int:
    """Tell each planner who may approve some of `posts` once, naming how many wait.

    Drafts made from consultation events arrive in batches (the weekly digest drafts one post
    per channel at once): one notice per person per batch, not one per post. Returns the number
    of notices.
    """
    waiting: dict[int, tuple[Any, list[SocialPost]]] = {}
    approvers_by_consultation: dict[int | None, list] = {}
    for post in posts:
        if post.state != PostState.AWAITING_APPROVAL:
            continue
        if post.consultation_id not in approvers_by_consultation:
            approvers_by_consultation[post.consultation_id] = selectors.possible_approvers(post)
        for person in approvers_by_consultation[post.consultation_id]:
            if person.pk == post.created_by_id or not permissions.can_approve_post(person, post):
                continue
            waiting.setdefault(person.pk, (person, []))[1].append(post)
    for person, theirs in waiting.values():
        count = len(theirs)
        titles = sorted({post.consultation.title for post in theirs if post.consultation_id})
        channels = sorted({str(post.channel) for post in theirs})
        notify(
            recipient=person,
            kind=APPROVAL_NOTIFY_KIND,
            subject=format_lazy(
                ngettext_lazy(
                    "One social media post waits for your approval",
                    "{count} social media posts wait for your approval",
                    count,
                ),
                count=count,
            ),
            body=format_lazy(
                ngettext_lazy(
                    "A post was drafted from a consultation event ({consultations}) and waits "
                    "for a second planner. Channel: {channels}.",
                    "{count} posts were drafted from consultation events ({consultations}) and "
                    "wait for a second planner. Channels: {channels}.",
                    count,
                ),
                count=count,
                consultations=", ".join(titles),
                channels=", ".join(channels),
            ),
            url=reverse("social:approvals"),
        )
    return len(waiting)


@transaction.atomic
def post_approve(*, actor, post: SocialPost) -> SocialPost:
    """A second planner approves; the outbox entry is written in the same transaction."""
    post = SocialPost.objects.select_for_update().select_related("channel").get(pk=post.pk)
    refusal = permissions.approval_refusal(actor, post)
    if refusal:
        raise PermissionDenied(refusal)
    if post.state not in EDITABLE_STATES:
        raise ValidationError({"state": gettext("This post is not waiting for approval.")})
    _require_within_limits(post)
    now = timezone.now()
    due = post.scheduled_at if post.scheduled_at and post.scheduled_at > now else now
    post.approved_by = actor
    post.approved_at = now
    post.state = PostState.SCHEDULED if due > now else PostState.APPROVED
    post.error = ""
    post.full_clean()
    post.save()
    OutboxEntry.objects.create(post=post, not_before=due)
    audit_record(
        actor=actor,
        action="social.post_approved",
        target=post,
        changes={"scheduled_at": due.isoformat(), "channel": str(post.channel)},
    )
    return post


@transaction.atomic
def post_schedule(*, actor, post: SocialPost, scheduled_at: datetime | None) -> SocialPost:
    """Set when an approved (or draft) post goes out; None means as soon as possible."""
    post = SocialPost.objects.select_for_update().get(pk=post.pk)
    _require_composer(actor, post.consultation)
    _validate_schedule(scheduled_at)
    now = timezone.now()
    if post.is_editable:
        post.scheduled_at = scheduled_at
        post.save(update_fields=["scheduled_at", "updated_at"])
    else:
        entry = OutboxEntry.objects.select_for_update().filter(post=post).first()
        if entry is None or entry.state != OutboxState.PENDING:
            raise ValidationError({"scheduled_at": gettext("This post can no longer be moved.")})
        entry.not_before = scheduled_at or now
        entry.save(update_fields=["not_before", "updated_at"])
        post.scheduled_at = scheduled_at
        post.state = (
            PostState.SCHEDULED if scheduled_at and scheduled_at > now else PostState.APPROVED
        )
        post.save(update_fields=["scheduled_at", "state", "updated_at"])
    audit_record(
        actor=actor,
        action="social.post_scheduled",
        target=post,
        changes={"scheduled_at": scheduled_at.isoformat() if scheduled_at else None},
    )
    return post


RESCHEDULABLE_STATES = (
    PostState.DRAFT,
    PostState.AWAITING_APPROVAL,
    PostState.APPROVED,
    PostState.SCHEDULED,
)


@transaction.atomic
def post_reschedule(*, actor, post: SocialPost, scheduled_at: datetime) -> SocialPost:
    """Move a post that has not started going out to a new time (the calendar's drag or form).

    Only the time changes, so an approval stands: the approver vouched for the text, the image
    and the channel, and a time is planning. The move is audited with both times, and the
    planner who approved the post is told (unless they moved it themselves), so a text that
    only makes sense at its first time ("tonight") can be stopped. A post the outbox has
    claimed or tried, or that may already be on the platform, cannot be moved.
    """
    post = SocialPost.objects.select_for_update().select_related("channel").get(pk=post.pk)
    if not permissions.can_reschedule_post(actor, post):
        raise PermissionDenied(gettext("Only planners of this consultation move its posts."))
    if scheduled_at is None:
        raise ValidationError({"scheduled_at": gettext("Choose a date and a time.")})
    now = timezone.now()
    if scheduled_at <= now:
        raise ValidationError({"scheduled_at": gettext("Choose a time in the future.")})
    if post.state not in RESCHEDULABLE_STATES:
        raise ValidationError(
            {
                "scheduled_at": gettext(
                    "Only posts that are not being sent or published can be moved."
                )
            }
        )
    before = post.scheduled_at
    if post.state in (PostState.APPROVED, PostState.SCHEDULED):
        # The conditional update fences the outbox: a worker that claimed the entry meanwhile
        # (or an attempt that may have reached the platform) leaves it untouched.
        moved = OutboxEntry.objects.filter(
            post=post, state=OutboxState.PENDING, attempts=0, maybe_sent=False
        ).update(not_before=scheduled_at, updated_at=now)
        if not moved:
            raise ValidationError(
                {
                    "scheduled_at": gettext(
                        "Sending this post has started; it can no longer be moved."
                    )
                }
            )
        post.state = PostState.SCHEDULED
    post.scheduled_at = scheduled_at
    post.save(update_fields=["scheduled_at", "state", "updated_at"])
    audit_record(
        actor=actor,
        action="social.post_rescheduled",
        target=post,
        changes={
            "scheduled_at": [
                timezone.localtime(before).isoformat() if before else None,
                timezone.localtime(scheduled_at).isoformat(),
            ],
            "approved_by": post.approved_by_id,
        },
        consultation_id=post.consultation_id,
    )
    if post.approved_by_id and post.approved_by_id != getattr(actor, "pk", None):
        notify(
            recipient=post.approved_by,
            kind=APPROVAL_NOTIFY_KIND,
            subject=_("A post you approved has a new time"),
            body=format_lazy(
                _(
                    "{name} moved the post you approved for {channel} from {before} to {after}. "
                    "The approval stands; if the text no longer fits the new time, give the post "
                    "another time or talk to {name}.\n\n{text}"
                ),
                name=actor.public_name,
                channel=str(post.channel),
                before=_local_text(before) if before else "—",
                after=_local_text(scheduled_at),
                text=post.text[:280],
            ),
            url=reverse("social:post_reschedule", args=[post.pk]),
        )
    return post


def _local_text(moment: datetime) -> str:
    """A moment as the site's local date and time (the same in every language)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def post_publish_now(*, actor, post: SocialPost) -> SocialPost:
    """Send an approved post at once: the worker is started after the commit."""
    post = post_schedule(actor=actor, post=post, scheduled_at=None)
    from social.tasks import publish_due

    transaction.on_commit(lambda: publish_due.delay())
    return post


@transaction.atomic
def post_confirm(*, actor, post: SocialPost, resend: bool) -> SocialPost:
    """A person decides on a post the worker gave up on: try again (after reconciling) or drop."""
    post = SocialPost.objects.select_for_update().get(pk=post.pk)
    _require_composer(actor, post.consultation)
    entry = OutboxEntry.objects.select_for_update().filter(post=post).first()
    if entry is None or entry.state not in (OutboxState.NEEDS_CONFIRMATION, OutboxState.FAILED):
        raise ValidationError({"state": gettext("This post is not waiting for a decision.")})
    if resend:
        entry.state = OutboxState.PENDING
        entry.not_before = timezone.now()
        # The new attempt counts from now for the staleness deadline.
        entry.progress = {**entry.progress, "confirmed_at": timezone.now().isoformat()}
        post.state = PostState.APPROVED
        post.error = ""
        post.problem = ""
    else:
        entry.state = OutboxState.FAILED
        post.state = PostState.FAILED
        post.error = gettext("Cancelled by %(name)s.") % {"name": actor.public_name}
    entry.save()
    post.save()
    audit_record(
        actor=actor,
        action="social.post_resent" if resend else "social.post_cancelled",
        target=post,
    )
    return post


def post_unpublish(*, actor, post: SocialPost) -> SocialPost:
    """Delete a published post on the platform (where the platform allows it)."""
    post = SocialPost.objects.select_related("channel").get(pk=post.pk)
    _require_composer(actor, post.consultation)
    if post.state != PostState.PUBLISHED:
        raise ValidationError({"state": gettext("Only published posts can be deleted.")})
    try:
        with adapter_for(post.channel) as adapter:
            adapter.delete(post.remote_id)
    except NotSupported as exc:
        raise ValidationError(
            {
                "state": gettext("%(platform)s does not let other programs delete posts.")
                % {"platform": post.channel.platform_name}
            }
        ) from exc
    except AuthExpired as exc:
        channel_mark_needs_reauth(channel=post.channel, reason=str(exc))
        raise ValidationError({"state": gettext("The channel needs re-authorisation.")}) from exc
    except (TransientError, Rejected) as exc:
        raise ValidationError({"state": str(exc)}) from exc
    with transaction.atomic():
        post.state = PostState.DELETED
        post.save(update_fields=["state", "updated_at"])
        changed(post.consultation_id, Change.SOCIAL_POST)
        audit_record(actor=actor, action="social.post_deleted", target=post)
    return post


# --- Crisis stop ---------------------------------------------------------------------------------
@transaction.atomic
def crisis_stop_start(*, actor, reason: str) -> CrisisStop:
    """Pause every channel's outbox at once; nothing is sent until the stop is lifted."""
    if not permissions.can_stop_publishing(actor):
        raise PermissionDenied(gettext("Only planners and administrators can stop publishing."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Say why publishing stops.")})
    existing = CrisisStop.objects.select_for_update().filter(active=True).first()
    if existing is not None:
        raise ValidationError({"reason": gettext("Publishing is already stopped.")})
    try:
        with transaction.atomic():
            stop = CrisisStop.objects.create(reason=reason, started_by=actor)
    except IntegrityError as exc:
        raise ValidationError({"reason": gettext("Publishing is already stopped.")}) from exc
    audit_record(actor=actor, action="social.crisis_stop_started", target=stop, reason=reason)
    return stop


@transaction.atomic
def crisis_stop_lift(*, actor) -> CrisisStop:
    if not permissions.can_stop_publishing(actor):
        raise PermissionDenied(gettext("Only planners and administrators can lift a stop."))
    stop = CrisisStop.objects.select_for_update().filter(active=True).first()
    if stop is None:
        raise ValidationError({"reason": gettext("Publishing is not stopped.")})
    stop.active = False
    stop.ended_by = actor
    stop.ended_at = timezone.now()
    stop.save()
    audit_record(actor=actor, action="social.crisis_stop_lifted", target=stop)
    return stop


# --- Imported comments ---------------------------------------------------------------------------
@transaction.atomic
def imported_comment_hide(
    *, actor, comment: ImportedComment, hidden: bool, reason: str = ""
) -> ImportedComment:
    if not permissions.can_moderate_imported_comment(actor, comment):
        raise PermissionDenied(gettext("Only planners of this consultation moderate comments."))
    if hidden and not reason.strip():
        raise ValidationError({"hidden_reason": gettext("Say why the comment is hidden.")})
    comment.is_hidden = hidden
    comment.hidden_reason = reason.strip() if hidden else ""
    comment.save(update_fields=["is_hidden", "hidden_reason"])
    changed(comment.post.consultation_id, Change.SOCIAL_POST)
    audit_record(
        actor=actor,
        action="social.comment_hidden" if hidden else "social.comment_shown",
        target=comment,
        reason=reason,
        consultation_id=comment.post.consultation_id,
    )
    return comment


# --- The comment inbox ---------------------------------------------------------------------------
INBOX_REPLY_MAX_LENGTH = 2000


def _require_inbox(actor, comment: ImportedComment) -> None:
    if not permissions.can_moderate_imported_comment(actor, comment):
        raise PermissionDenied(gettext("Only planners of this consultation answer its comments."))


@transaction.atomic
def imported_comment_assign(*, actor, comment: ImportedComment, assignee) -> ImportedComment:
    """Give a comment to a colleague (or take it back with None); they are told."""
    _require_inbox(actor, comment)
    if assignee is not None and not permissions.can_moderate_imported_comment(assignee, comment):
        raise ValidationError(
            {"assigned_to": gettext("This person does not run the consultation.")}
        )
    comment.assigned_to = assignee
    comment.save(update_fields=["assigned_to"])
    audit_record(
        actor=actor,
        action="social.comment_assigned",
        target=comment,
        changes={"assigned_to": assignee.public_name if assignee else None},
        consultation_id=comment.post.consultation_id,
    )
    if assignee is not None and assignee.pk != getattr(actor, "pk", None):
        notify(
            recipient=assignee,
            kind="social_inbox",
            subject=_("A comment on social media was given to you"),
            body=format_lazy(
                _("{name} asks you to answer this comment on {channel}: {text}"),
                name=actor.public_name,
                channel=str(comment.post.channel),
                text=comment.text[:280],
            ),
            url=reverse("social:inbox") + f"#comment-{comment.pk}",
        )
    return comment


@transaction.atomic
def imported_comment_mark_answered(*, actor, comment: ImportedComment) -> ImportedComment:
    """Answered elsewhere (on the platform itself, by phone): counts as the first answer."""
    _require_inbox(actor, comment)
    comment = ImportedComment.objects.select_for_update().get(pk=comment.pk)
    if comment.answered_at is None:
        comment.answered_at, comment.answered_by = timezone.now(), actor
        comment.save(update_fields=["answered_at", "answered_by"])
        audit_record(
            actor=actor,
            action="social.comment_answered",
            target=comment,
            consultation_id=comment.post.consultation_id,
        )
    return comment


def _platform_refusal(channel: Channel, exc: AdapterError) -> str:
    """What the officer reads when the platform did not take an answer or a hide."""
    from social.adapters import Ambiguous, LimitExceeded, NotFound, RateLimited

    platform = channel.platform_name
    if isinstance(exc, LimitExceeded):
        return " ".join(str(error) for error in exc.result.errors)
    if isinstance(exc, RateLimited):
        minutes = max(1, -(-exc.retry_after_seconds // 60))
        return ngettext(
            "%(platform)s asks us to wait: try again in about %(n)s minute.",
            "%(platform)s asks us to wait: try again in about %(n)s minutes.",
            minutes,
        ) % {"platform": platform, "n": minutes}
    if isinstance(exc, AuthExpired):
        return gettext(
            "The login to %(channel)s no longer works; an administrator must connect it again."
        ) % {"channel": channel}
    if isinstance(exc, NotFound):
        return gettext("The comment is no longer on %(platform)s.") % {"platform": platform}
    if isinstance(exc, Ambiguous):
        return gettext(
            "%(platform)s did not confirm in time. Look on %(platform)s before trying again: "
            "it may have gone through."
        ) % {"platform": platform}
    if isinstance(exc, TransientError):
        return gettext("%(platform)s is not answering just now; try again in a moment.") % {
            "platform": platform
        }
    return gettext("%(platform)s refused: %(reason)s") % {
        "platform": platform,
        "reason": getattr(exc, "reason", "") or exc.message or exc.__class__.__name__,
    }


def _call_platform(channel: Channel, operation, *, field: str = "text"):
    """Run `operation(adapter)` for the channel (renewing an expired token once); platform
    errors become a ValidationError on `field` that says what happened."""
    from social import tokens

    if channel.is_removed or channel.state != ChannelState.OK:
        raise ValidationError(
            {field: gettext("The channel is not connected; reconnect it before answering.")}
        )
    try:
        return tokens.call_with_refresh(channel, operation)
    except NotSupported:
        raise
    except AuthExpired as exc:
        channel_mark_needs_reauth(channel=channel, reason=str(exc))
        raise ValidationError({field: _platform_refusal(channel, exc)}) from exc
    except AdapterError as exc:
        raise ValidationError({field: _platform_refusal(channel, exc)}) from exc


def _clean_answer(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": gettext("Write the answer first.")})
    if len(text) > INBOX_REPLY_MAX_LENGTH:
        raise ValidationError(
            {"text": gettext("At most %(n)s characters, please.") % {"n": INBOX_REPLY_MAX_LENGTH}}
        )
    return text


def imported_comment_reply(*, actor, comment: ImportedComment, text: str) -> ImportedComment:
    """Answer the comment on its platform, as the municipality's account.

    The platform call happens outside any transaction; the answer is recorded after it (a
    resent reply on Mastodon carries the same idempotency key, so it is not posted twice).
    """
    _require_inbox(actor, comment)
    text = _clean_answer(text)
    channel = comment.post.channel
    if comment.hidden_on_platform_at is not None:
        raise ValidationError(
            {"text": gettext("The comment is hidden on the platform; show it again to answer.")}
        )
    try:
        reply_id = _call_platform(
            channel,
            lambda adapter: adapter.reply(comment.remote_id, text, ref=comment.reply_ref),
        )
    except NotSupported as exc:
        raise ValidationError(
            {
                "text": gettext(
                    "%(platform)s does not let us answer from here. Answer on %(platform)s "
                    "and mark the comment answered."
                )
                % {"platform": channel.platform_name}
            }
        ) from exc
    with transaction.atomic():
        comment = ImportedComment.objects.select_for_update().get(pk=comment.pk)
        comment.answer_text, comment.answer_remote_id = text, reply_id
        fields = ["answer_text", "answer_remote_id"]
        if comment.answered_at is None:
            comment.answered_at, comment.answered_by = timezone.now(), actor
            fields += ["answered_at", "answered_by"]
        comment.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="social.comment_replied",
            target=comment,
            changes={"text": text, "remote_id": reply_id},
            consultation_id=comment.post.consultation_id,
        )
    return comment


def imported_comment_hide_on_platform(
    *, actor, comment: ImportedComment, hidden: bool
) -> ImportedComment:
    """Hide the comment on Facebook or Instagram (its author and the page still see it there),
    or show it again. A hidden comment is not shown beside the debate here either."""
    if not permissions.can_moderate_imported_comment(actor, comment):
        raise PermissionDenied(gettext("Only planners of this consultation moderate comments."))
    if not permissions.can_hide_on_platform(actor, comment):
        raise ValidationError(
            {
                "hide": gettext("%(platform)s does not let us hide comments from here.")
                % {"platform": comment.platform_name}
            }
        )
    if (comment.hidden_on_platform_at is not None) == hidden:
        return comment
    channel = comment.post.channel
    _call_platform(
        channel,
        lambda adapter: adapter.hide_comment(comment.remote_id, hidden),
        field="hide",
    )
    with transaction.atomic():
        comment = ImportedComment.objects.select_for_update().get(pk=comment.pk)
        comment.hidden_on_platform_at = timezone.now() if hidden else None
        comment.hidden_on_platform_by = actor if hidden else None
        comment.save(update_fields=["hidden_on_platform_at", "hidden_on_platform_by"])
        changed(comment.post.consultation_id, Change.SOCIAL_POST)
        audit_record(
            actor=actor,
            action="social.comment_hidden_on_platform"
            if hidden
            else "social.comment_shown_on_platform",
            target=comment,
            changes={"platform": comment.platform},
            consultation_id=comment.post.consultation_id,
        )
    return comment


# --- Comments of the site's own debate in the inbox ---------------------------------------------
def _require_site_inbox(actor, comment) -> None:
    if not permissions.can_answer_site_comment(actor, comment):
        raise PermissionDenied(gettext("Only planners of this consultation answer its comments."))


def _follow_up(comment):
    from social.models import SiteCommentFollowUp

    follow_up, _created = SiteCommentFollowUp.objects.select_for_update().get_or_create(
        comment=comment
    )
    return follow_up


@transaction.atomic
def site_comment_assign(*, actor, comment, assignee):
    """Give a debate comment to a colleague (or take it back with None); they are told."""
    _require_site_inbox(actor, comment)
    if assignee is not None and not permissions.can_answer_site_comment(assignee, comment):
        raise ValidationError(
            {"assigned_to": gettext("This person does not run the consultation.")}
        )
    follow_up = _follow_up(comment)
    follow_up.assigned_to = assignee
    follow_up.save(update_fields=["assigned_to"])
    audit_record(
        actor=actor,
        action="social.site_comment_assigned",
        target=comment,
        changes={"assigned_to": assignee.public_name if assignee else None},
        consultation_id=comment.consultation_id,
    )
    if assignee is not None and assignee.pk != getattr(actor, "pk", None):
        notify(
            recipient=assignee,
            kind="social_inbox",
            subject=_("A comment in the debate was given to you"),
            body=format_lazy(
                _("{name} asks you to answer this comment in the debate: {text}"),
                name=actor.public_name,
                text=comment.body[:280],
            ),
            url=reverse("social:inbox") + f"#site-{comment.pk}",
        )
    return follow_up


@transaction.atomic
def site_comment_mark_answered(*, actor, comment):
    """Answered elsewhere (by phone, at a meeting): counts as the first answer."""
    _require_site_inbox(actor, comment)
    follow_up = _follow_up(comment)
    if follow_up.answered_at is None:
        follow_up.answered_at, follow_up.answered_by = timezone.now(), actor
        follow_up.save(update_fields=["answered_at", "answered_by"])
        audit_record(
            actor=actor,
            action="social.site_comment_answered",
            target=comment,
            consultation_id=comment.consultation_id,
        )
    return follow_up


def site_comment_reply(*, actor, comment, text: str):
    """Answer a debate comment from the inbox: a reply in the debate, written by the debate's
    own service (its phase, block and moderation rules apply)."""
    from debate import services as debate_services

    _require_site_inbox(actor, comment)
    text = _clean_answer(text)
    try:
        return debate_services.comment_create(
            author=actor, target=comment.target, body=text, parent=comment
        )
    except ValidationError as error:
        # The debate names its fields (body, parent); the inbox form has one text field.
        raise ValidationError({"text": _error_messages(error)}) from error
    except PermissionDenied as error:
        raise ValidationError({"text": [str(error)]}) from error


def _error_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


# --- One entry for every inbox action (the page and the API) -----------------------------------
INBOX_ACTIONS = {
    "social": ("assign", "answered", "reply", "hide", "unhide", "official"),
    "site": ("assign", "answered", "reply", "official"),
}


def inbox_act(*, actor, item, action: str, text: str = "", assignee=None):
    """Do `action` on an inbox item: an ImportedComment or a debate Comment. Raises
    ValidationError({"action": ...}) for an action the item's source does not have."""
    social = isinstance(item, ImportedComment)
    if action not in INBOX_ACTIONS["social" if social else "site"]:
        raise ValidationError({"action": gettext("Unknown action.")})
    if action == "official":
        return publish_official_answer(actor=actor, item=item, text=text)
    if social:
        if action == "assign":
            return imported_comment_assign(actor=actor, comment=item, assignee=assignee)
        if action == "answered":
            return imported_comment_mark_answered(actor=actor, comment=item)
        if action == "reply":
            return imported_comment_reply(actor=actor, comment=item, text=text)
        return imported_comment_hide_on_platform(actor=actor, comment=item, hidden=action == "hide")
    if action == "assign":
        return site_comment_assign(actor=actor, comment=item, assignee=assignee)
    if action == "answered":
        return site_comment_mark_answered(actor=actor, comment=item)
    return site_comment_reply(actor=actor, comment=item, text=text)


# --- Official answers from the inbox -----------------------------------------------------------
def official_answer_draft(question: str, answer: str) -> str:
    """The text offered for publishing: the question quoted, then the answer (Markdown).

    Only the question's words are quoted, never who wrote it: the writer's name or handle is
    public on the platform, but repeating it on the municipality's site would move a resident's
    personal data into a new context without need; the question alone lets everyone see what
    was answered. The officer edits the text before publishing (e.g. to remove personal details
    the question itself contains).
    """
    quoted = "\n".join(
        f"> {line}" if line.strip() else ">" for line in question.strip().splitlines()
    )
    return f"{quoted}\n\n{answer.strip()}".strip()


def _main_topic(consultation):
    from consultations.models import Topic

    topic = (
        Topic.objects.filter(consultation=consultation).order_by("position", "created_at").first()
    )
    if topic is None:
        raise ValidationError(
            {
                "official": gettext(
                    "The consultation has no debate topic to publish the answer in; open one first."
                )
            }
        )
    return topic


def publish_official_answer(*, actor, item, text: str):
    """Publish an inbox answer for everyone: an official staff comment on the consultation's
    first debate topic, quoting the question. `item` is an ImportedComment or a debate Comment.

    Publishing again returns the answer published before (one per inbox item), as long as it
    is still there.
    """
    from debate import services as debate_services
    from debate.models import Comment

    if isinstance(item, ImportedComment):
        consultation = item.post.consultation
        answered = item.answered_at is not None
    else:
        consultation = item.consultation
        answered = _site_comment_answered(item)
    if not permissions.can_publish_official_answer(actor, consultation):
        raise PermissionDenied(
            gettext("Only planners of the consultation publish its official answers.")
        )
    if not answered:
        raise ValidationError({"official": gettext("Answer the comment first.")})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"official": gettext("Write the answer to publish.")})
    with transaction.atomic():
        if isinstance(item, ImportedComment):
            holder = ImportedComment.objects.select_for_update().get(pk=item.pk)
        else:
            holder = _follow_up(item)
        existing = holder.official_answer_id and (
            Comment.objects.filter(pk=holder.official_answer_id, is_deleted=False).first()
        )
        if existing:
            return existing
        try:
            answer = debate_services.comment_create(
                author=actor, target=_main_topic(consultation), body=text, official=True
            )
        except ValidationError as error:
            raise ValidationError({"official": _error_messages(error)}) from error
        except PermissionDenied as error:
            raise ValidationError({"official": [str(error)]}) from error
        holder.official_answer = answer
        holder.save(update_fields=["official_answer"])
        audit_record(
            actor=actor,
            action="social.answer_published_official",
            target=answer,
            changes={
                "source": "site" if not isinstance(item, ImportedComment) else item.platform,
                "inbox_item": item.pk,
            },
            consultation_id=consultation.pk,
        )
    return answer


def _site_comment_answered(comment) -> bool:
    from debate.models import Comment
    from social.models import SiteCommentFollowUp

    if SiteCommentFollowUp.objects.filter(comment=comment, answered_at__isnull=False).exists():
        return True
    return Comment.objects.filter(selectors.staff_replies_to(comment.pk)).exists()


# --- Drafts from events --------------------------------------------------------------------------
def _event_text(consultation, origin: str, *, phase=None, ideas=()) -> tuple[str, list[str]]:
    """Headline and optional detail lines, in the active language."""
    title = consultation.title
    if origin == Origin.OPENED:
        return gettext("Have your say: %(title)s") % {"title": title}, [consultation.summary]
    if origin == Origin.PHASE:
        return (
            gettext("%(title)s has a new phase: %(phase)s") % {"title": title, "phase": phase.name},
            [consultation.summary],
        )
    if origin == Origin.RESULTS:
        return gettext("The results of %(title)s are published.") % {"title": title}, []
    lines = [
        gettext("%(title)s (%(count)s supporters)")
        % {"title": idea.title, "count": idea.support_count}
        for idea in ideas
    ]
    return gettext("This week's most supported ideas in %(title)s:") % {"title": title}, lines


def fit_text(channel: Channel, headline: str, lines: list[str], tail: str, *, alt: str) -> str:
    """The longest version of headline + lines + tail that the channel's platform accepts."""
    lines = [line.strip() for line in lines if line and line.strip()]
    while True:
        body = "\n".join(lines)
        text = "\n\n".join(part for part in (headline, body, tail) if part)
        if check_text(channel, text, has_image=True, alt_text=alt).ok:
            return text
        if lines:
            lines = lines[:-1] if len(lines) > 1 else [lines[0][: len(lines[0]) // 2].rstrip()]
            if lines and len(lines[0]) < 20:
                lines = []
            continue
        if len(headline) <= 10:
            return text
        headline = headline[: int(len(headline) * 0.8)].rstrip() + "…"


def _mapped_ideas(consultation) -> list[tuple[float, float]]:
    from ideas.models import Idea

    return list(
        Idea.objects.published()
        .filter(consultation=consultation, latitude__isnull=False, longitude__isnull=False)
        .values_list("longitude", "latitude")[:500]
    )


def map_alt_text(consultation, count: int | None = None) -> str:
    if count is None:
        count = len(_mapped_ideas(consultation))
    return gettext("Map of the area of %(title)s with %(count)s ideas marked.") % {
        "title": consultation.title,
        "count": count,
    }


def _results_chart(consultation) -> tuple[ContentFile, str] | None:
    """The bar chart of the most supported ideas, or None when nobody has supported any."""
    ideas = charts.leading_ideas(consultation)
    if not ideas:
        return None
    png = charts.render(consultation, ideas)
    return (
        ContentFile(png, name=f"{consultation.slug}-results.png"),
        charts.alt_text(consultation, ideas),
    )


def _event_image(consultation, origin: str) -> tuple[ContentFile, str]:
    """Results posts show the supporters per idea; the others the map of the area."""
    if origin == Origin.RESULTS:
        chart = _results_chart(consultation)
        if chart is not None:
            return chart
    return _map_image(consultation)


def _map_image(consultation) -> tuple[ContentFile, str]:
    from maps.static_map import Pin, render_png

    points = _mapped_ideas(consultation)
    png = render_png(consultation.area, [Pin(lon, lat) for lon, lat in points])
    alt = map_alt_text(consultation, len(points))
    return ContentFile(png, name=f"{consultation.slug}-map.png"), alt


@transaction.atomic
def event_post_draft(
    *,
    consultation,
    origin: str,
    origin_key: str,
    phase=None,
    ideas=(),
    notify_approvers: bool = True,
) -> list[SocialPost]:
    """One draft per active channel for an event, each drafted once (by origin and key).

    The planners who may approve them are told once for the whole batch, unless the caller
    drafts several events and tells them itself (`notify_approvers=False`).
    """
    channels = list(Channel.objects.active())
    existing = set(
        SocialPost.objects.filter(
            consultation=consultation, origin=origin, origin_key=origin_key
        ).values_list("channel_id", flat=True)
    )
    channels = [channel for channel in channels if channel.pk not in existing]
    if not channels:
        return []
    created = []
    with translation.override(consultation.language):
        headline, lines = _event_text(consultation, origin, phase=phase, ideas=ideas)
        image, alt = _event_image(consultation, origin)
        for channel in channels:
            link = tracked_link(consultation, channel.platform)
            hashtag = f"#{consultation.hashtag.lstrip('#')}" if consultation.hashtag else ""
            tail = " ".join(part for part in (link, hashtag) if part)
            post = SocialPost(
                consultation=consultation,
                channel=channel,
                text=fit_text(channel, headline, lines, tail, alt=alt),
                link=link,
                alt_text=alt,
                origin=origin,
                origin_key=origin_key,
                state=PostState.AWAITING_APPROVAL,
            )
            fitted = prepared_image(image, channel.platform)
            post.image.save(fitted.name, fitted, save=False)
            post.full_clean()
            post.save()
            audit_record(
                actor=None,
                action="social.post_drafted",
                target=post,
                changes={"origin": origin, "channel": str(channel)},
            )
            created.append(post)
    if notify_approvers:
        approvers_notify_batch(created)
    return created


def event_posts_draft_due(now: datetime | None = None) -> list[SocialPost]:
    """Drafts for what happened since the last run: openings, new phases, results, the week.

    Each planner who may approve some of them gets one notice for the run, naming the count.
    """
    from consultations.models import Consultation

    now = now or timezone.now()
    if not Channel.objects.active().exists():
        return []
    created: list[SocialPost] = []
    week = now.isocalendar()
    published = Consultation.objects.filter(status="published").prefetch_related("phases")
    for consultation in published:
        # Drafts carry the consultation's municipality: its channels, name, links and chart.
        with tenancy.activate_for(consultation):
            created += _event_posts_of(consultation, now, week)
    # Each municipality's planners hear of its drafts, in its name and at its address.
    by_municipality: dict[int, list[SocialPost]] = {}
    for post in created:
        by_municipality.setdefault(post.channel.municipality_id, []).append(post)
    for municipality_id, posts in by_municipality.items():
        with tenancy.activate(municipality_id), transaction.atomic():
            approvers_notify_batch(posts)
    return created


def _event_posts_of(consultation, now: datetime, week) -> list[SocialPost]:
    """The drafts due for one consultation (its municipality active)."""
    created: list[SocialPost] = []
    phase = consultation.current_phase(now)
    if consultation.results_published_at:
        created += event_post_draft(
            consultation=consultation,
            origin=Origin.RESULTS,
            origin_key="results",
            notify_approvers=False,
        )
        return created
    if phase is None:
        return created
    created += event_post_draft(
        consultation=consultation,
        origin=Origin.OPENED,
        origin_key="opened",
        notify_approvers=False,
    )
    first_phase = min(consultation.phases.all(), key=lambda each: each.starts_at)
    if phase.pk != first_phase.pk:
        created += event_post_draft(
            consultation=consultation,
            origin=Origin.PHASE,
            origin_key=f"phase-{phase.pk}",
            phase=phase,
            notify_approvers=False,
        )
    ideas = list(
        consultation.ideas.published().filter(support_count__gt=0).order_by("-support_count")[:3]
    )
    if ideas and now.weekday() == 0:
        created += event_post_draft(
            consultation=consultation,
            origin=Origin.WEEKLY,
            origin_key=f"{week.year}-W{week.week:02d}",
            ideas=ideas,
            notify_approvers=False,
        )
    return created
