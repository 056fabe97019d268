"""E-mail notifications: sent after the transaction commits, or gathered into a daily digest.

Every app calls `notify()`; nothing else sends notification mail. Each mail carries a one-click
unsubscribe link for its kind (a signed token, no log-in needed) and the `List-Unsubscribe` /
`List-Unsubscribe-Post` headers (RFC 8058) so mail programs can offer their own button.
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import branding, tenancy
from .models import Notification, NotificationFrequency, User

logger = logging.getLogger(__name__)

KINDS = {
    "idea_answer": _("Official answers to ideas"),
    "idea_status": _("Status changes of ideas"),
    "phase_change": _("New phases in consultations I follow"),
    "comment_reply": _("Replies to my comments"),
    "official_reply": _("Official replies from the municipality"),
    "new_topic": _("New debate topics in consultations I follow"),
    # Moderation decisions reach their author like every other notice, and can be opted out of.
    "moderation": _("Moderation decisions about my contributions"),
    # Channel owners hear when a platform stops accepting a channel's login.
    "social_channel": _("Social media channels that need re-authorisation"),
    # The four-eyes rule: a draft waits for a second planner, who may send it back with a note.
    "social_approval": _("Social media posts waiting for my approval or sent back to me"),
    # A post that failed or needs a decision reaches the channel owners and its author at once.
    "social_failure": _("Social media posts that failed or need a decision"),
    "social_inbox": _("Comments on social media given to me to answer"),
}
# Unsubscribing with this kind opts out of every kind (used in the digest's header).
ALL_KINDS = "all"
UNSUBSCRIBE_SALT = "civic.notifications.unsubscribe"


def notify(*, recipient, kind: str, subject: str, body: str, url: str) -> None:
    """Tell `recipient` about something by e-mail, now or in tomorrow's digest.

    `subject` and `body` may be lazy translations; they are rendered in the recipient's
    language. `url` is a path or a full address of the page the notice is about; a path is
    made absolute at the active municipality's address, and the e-mail carries that
    municipality's sender (a job about a consultation activates its municipality first,
    `tenancy.activate_for`). Nothing is sent if the surrounding transaction rolls back.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not recipient or not recipient.is_active or getattr(recipient, "is_deleted", False):
        return
    language = recipient_language(recipient)
    with translation.override(language):
        subject_text, body_text = str(subject), str(body)
    full_url = absolute_url(url)
    by_mail = _reachable(recipient) and not is_opted_out(recipient, kind)
    daily = recipient.notification_frequency == NotificationFrequency.DAILY
    # Always on the person's notifications page; e-mailed at once, in the next digest (left
    # unsent), or not at all (opted out of that kind, or no address).
    Notification.objects.create(
        recipient=recipient,
        kind=kind,
        subject=subject_text,
        body=body_text,
        url=full_url,
        sent_at=None if (by_mail and daily) else timezone.now(),
    )
    if not by_mail or daily:
        return
    recipient_id = recipient.pk
    municipality_id = tenancy.current_id()
    transaction.on_commit(
        lambda: _send_single(
            recipient_id, kind, subject_text, body_text, full_url, language, municipality_id
        )
    )


def recipient_language(recipient) -> str:
    """The language to write to this person in: the one stored on their account (chosen at
    sign-up, in the language switch or on the profile), else the one active where the notice
    arises."""
    return (
        getattr(recipient, "language", "") or translation.get_language() or settings.LANGUAGE_CODE
    )


def is_opted_out(recipient, kind: str) -> bool:
    return Notification.objects.filter(
        recipient=recipient, opted_out=True, kind__in=[kind, ALL_KINDS]
    ).exists()


def opted_out_kinds(recipient) -> set[str]:
    kinds = set(
        Notification.objects.filter(recipient=recipient, opted_out=True).values_list(
            "kind", flat=True
        )
    )
    return set(KINDS) if ALL_KINDS in kinds else kinds


@transaction.atomic
def set_subscriptions(*, recipient, kinds: set[str]) -> None:
    """Receive exactly these kinds; opt out of the others."""
    Notification.objects.filter(recipient=recipient, opted_out=True).exclude(
        kind__in=set(KINDS) - set(kinds)
    ).delete()
    for kind in set(KINDS) - set(kinds):
        Notification.objects.get_or_create(recipient=recipient, kind=kind, opted_out=True)


def unsubscribe_token(recipient, kind: str) -> str:
    return signing.dumps({"u": recipient.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(recipient, kind: str) -> str:
    return absolute_url(
        reverse("civic:unsubscribe", kwargs={"token": unsubscribe_token(recipient, kind)})
    )


def read_unsubscribe_token(token: str) -> tuple[User, str] | None:
    """The person and kind a token is for, or None when it is forged or the account is gone.

    Tokens do not expire: an unsubscribe link in an old mail must keep working.
    """
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    kind = data.get("k")
    if kind not in KINDS and kind != ALL_KINDS:
        return None
    user = User.objects.filter(pk=data.get("u")).first()
    return (user, kind) if user else None


@transaction.atomic
def unsubscribe(*, recipient, kind: str) -> None:
    kinds = list(KINDS) if kind == ALL_KINDS else [kind]
    for each in kinds:
        Notification.objects.get_or_create(recipient=recipient, kind=each, opted_out=True)
    # Queued notices of a kind the person no longer wants are not sent in the digest either.
    Notification.objects.filter(
        recipient=recipient, opted_out=False, sent_at__isnull=True, kind__in=kinds
    ).delete()


def send_digests(now=None) -> int:
    """Send each person one e-mail with their queued notices; return the number of e-mails.

    Each person's queue is locked while it is sent (skipping queues another run holds), so
    two overlapping runs never send the same digest twice.
    """
    now = now or timezone.now()
    recipient_ids = (
        Notification.objects.filter(opted_out=False, sent_at__isnull=True)
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )
    sent = 0
    for recipient_id in list(recipient_ids):
        with transaction.atomic():
            items = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(recipient_id=recipient_id, opted_out=False, sent_at__isnull=True)
                .select_related("recipient")
                .order_by("created_at", "id")
            )
            if not items:
                continue
            recipient = items[0].recipient
            unwanted = opted_out_kinds(recipient)
            wanted = [item for item in items if item.kind not in unwanted]
            if wanted and _reachable(recipient):
                # One e-mail per municipality the notices are about, each with its sender,
                # name and links.
                for municipality_id, theirs in _by_municipality(wanted):
                    with tenancy.activate(municipality_id):
                        _send_digest(recipient, theirs)
                    sent += 1
            # Marked even when nothing went out, so an unreachable person's queue does not grow.
            Notification.objects.filter(pk__in=[item.pk for item in items]).update(sent_at=now)
    return sent


def absolute_url(url: str) -> str:
    """`url` as a full address: a path at the current municipality's address
    (civic.tenancy.site_url)."""
    if url.startswith(("http://", "https://")):
        return url
    return tenancy.site_url() + (url if url.startswith("/") else "/" + url)


def _municipality_of_url(url: str) -> int | None:
    """The municipality served at a notice's address (stored absolute, at its host)."""
    host = urlsplit(url).hostname or ""
    if not host:
        return tenancy.current_id()
    served = tenancy.for_host(host)
    return served.id if served else tenancy.current_id()


def _by_municipality(items: list[Notification]) -> list[tuple[int | None, list]]:
    """Queued notices grouped by the municipality they are about, in order of the first."""
    groups: dict[int | None, list[Notification]] = {}
    for item in items:
        groups.setdefault(_municipality_of_url(item.url), []).append(item)
    return list(groups.items())


def _reachable(recipient) -> bool:
    return bool(
        recipient
        and recipient.email
        and recipient.is_active
        and not getattr(recipient, "is_deleted", False)
    )


def _send_single(recipient_id, kind, subject, body, url, language, municipality_id=None) -> None:
    recipient = User.objects.filter(pk=recipient_id).first()
    if not _reachable(recipient):
        return
    with tenancy.activate(municipality_id), translation.override(language):
        context = {
            "recipient": recipient,
            "items": [{"subject": subject, "body": body, "url": url, "kind": kind}],
            "unsubscribe_url": unsubscribe_url(recipient, kind),
            "kind_label": KINDS[kind],
            "digest": False,
        }
        _send(recipient, subject, context)


def _send_digest(recipient, items: list[Notification]) -> None:
    with translation.override(recipient_language(recipient)):
        kinds = sorted({item.kind for item in items})
        context = {
            "recipient": recipient,
            "items": [
                {"subject": i.subject, "body": i.body, "url": i.url, "kind": i.kind} for i in items
            ],
            "unsubscribe_url": unsubscribe_url(recipient, ALL_KINDS),
            "kind_links": [(KINDS[k], unsubscribe_url(recipient, k)) for k in kinds],
            "digest": True,
        }
        subject = gettext("%(count)s new notices from %(site)s") % {
            "count": len(items),
            "site": branding.effective().name,
        }
        _send(recipient, subject, context)


def _send(recipient, subject: str, context: dict) -> None:
    """Send from the current municipality, with its name and address in the footer."""
    brand = branding.effective()
    context = {
        **context,
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": tenancy.site_url(),
        "MUNICIPALITY_NAME": brand.name,
    }
    message = EmailMultiAlternatives(
        subject=branding.mail_subject(subject, brand),
        from_email=brand.email_sender or settings.DEFAULT_FROM_EMAIL,
        body=render_to_string("civic/email/notification.txt", context),
        to=[recipient.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string("civic/email/notification.html", context), "text/html"
    )
    try:
        message.send()
    except OSError:
        # A mail server outage must not break the request that caused the notice.
        logger.exception("could not send notification to user %s", recipient.pk)


# --- On the site ---------------------------------------------------------------------------

PAGE_SIZE = 50


def unread_count(recipient) -> int:
    return Notification.objects.filter(
        recipient=recipient, opted_out=False, read_at__isnull=True
    ).count()


def notices_read(recipient) -> list[Notification]:
    """The newest notices, each marked read now that the person sees it (the ones that were
    unread keep `was_unread` for the page to mark)."""
    notices = list(
        Notification.objects.filter(recipient=recipient, opted_out=False).order_by(
            "-created_at", "-id"
        )[:PAGE_SIZE]
    )
    now = timezone.now()
    unread = [notice.pk for notice in notices if notice.read_at is None]
    for notice in notices:
        notice.was_unread = notice.read_at is None
        notice.kind_label = KINDS.get(notice.kind, "")
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=now)
    return notices
