"""Writes in moderation: reports, decisions on reported and pre-moderated items, blocks, appeals.

Each service is keyword-only, checks its permission predicate, writes in one transaction with its
audit entry, tells the author what happened and why, and raises Django's ValidationError (400) or
PermissionDenied (403) with a reason a person can read.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civic.audit import audit_record
from civic.blocks import require_not_blocked
from civic.changes import Change, changed
from civic.markdown import render_markdown
from civic.models import User
from civic.notifications import notify
from civic.permissions import can_participate, can_view_consultation
from consultations.models import Consultation
from debate.models import Comment, CommentRevision
from ideas.models import Idea, IdeaImage, IdeaRevision

from . import permissions
from . import targets as t
from .models import (
    Appeal,
    AppealStatus,
    Block,
    PublicReason,
    Report,
    ReportReason,
    ReportStatus,
)

NOTIFY_KIND = "moderation"
APPEAL_MAX_LENGTH = 1000


def checked_public_reason(code: str) -> str:
    """The code of a public reason ("hidden by the moderator: personal data"), as stored; its
    label is rendered in each reader's language."""
    if code not in PublicReason.values:
        raise ValidationError({"public_reason": _("Choose a public reason.")})
    return code


def _require(allowed: bool, reason: str) -> None:
    if not allowed:
        raise PermissionDenied(reason)


def _moderator_check(actor: User, action: str, consultation: Consultation) -> None:
    _require(
        permissions.can_act(actor, action, consultation),
        _("Only the planners of this consultation may moderate it."),
    )


def _load_for_decision(actor: User, action: str, target: t.Target) -> t.Target:
    """The item locked for this decision, once the actor may take it."""
    target = t.load(t.kind_of(target), target.pk, for_update=True)
    _moderator_check(actor, action, t.consultation_of(target))
    return target


def _save_once(row, already: str) -> None:
    """Save a row its unique constraint allows once; a second one is a readable 400."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError({"target_id": already}) from None


# --- Reports ---------------------------------------------------------------------------------


@transaction.atomic
def report_create(*, reporter: User, target: t.Target, reason: str, text: str = "") -> Report:
    """Report a public contribution once; enough independent reports hide it until decided."""
    from .selectors import readable_by

    target = t.load(t.kind_of(target), target.pk)
    consultation = t.consultation_of(target)
    _require(can_participate(reporter), _("Sign in to report content."))
    # An item of a draft, or a comment of an idea the person may not see, answers as an item
    # that does not exist; hidden items, whose place the public sees, are refused with a reason.
    no_such_item = ValidationError({"target_id": _("There is no such item.")})
    if not can_view_consultation(reporter, consultation):
        raise no_such_item
    require_not_blocked(reporter, consultation)
    if not t.is_public(target):
        raise PermissionDenied(_("This content is not public, so it cannot be reported."))
    if not readable_by(reporter, target):
        raise no_such_item
    if t.author_id_of(target) == reporter.pk:
        raise PermissionDenied(_("You cannot report your own contribution."))
    text = (text or "").strip()
    if reason not in ReportReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    if reason == ReportReason.OTHER and not text:
        raise ValidationError({"text": _("Tell us what is wrong.")})
    report = Report(reporter=reporter, reason=reason, text=text, **t.fields_of(target))
    report.full_clean(exclude=["consultation", "idea", "image", "comment", "reporter"])
    _save_once(report, _("You have already reported this. A planner will look at it."))
    _record(reporter, "report", target, reason)
    _hide_when_reported_enough(target)
    return report


def _hide_when_reported_enough(target: t.Target) -> None:
    threshold = settings.AUTO_HIDE_REPORT_THRESHOLD
    if not threshold or t.is_hidden(target):
        return
    reporters = (
        Report.objects.filter(status=ReportStatus.OPEN, **t.filter_of(target))
        .values("reporter")
        .distinct()
        .count()
    )
    if reporters < threshold:
        return
    _set_hidden(target, True, PublicReason.AWAITING_DECISION)
    # The count, not a sentence: the log renders it in its reader's language.
    _record(None, "auto_hide", target, "", reporters=reporters)


# --- Decisions on one item -------------------------------------------------------------------


def _set_hidden(target: t.Target, hidden: bool, reason: str = "") -> None:
    if isinstance(target, IdeaImage):
        target.is_redacted = hidden
        target.save(update_fields=["is_redacted"])
        return
    target.is_hidden = hidden
    target.hidden_reason = reason[:200] if hidden else ""
    fields = ["is_hidden", "hidden_reason"]
    if isinstance(target, Idea):
        fields.append("updated_at")
    target.save(update_fields=fields)


def _resolve_reports(target: t.Target, actor: User, status: str) -> int:
    return Report.objects.filter(status=ReportStatus.OPEN, **t.filter_of(target)).update(
        status=status, resolved_at=timezone.now(), resolved_by=actor
    )


# Actions that leave what the public sees as it was: they clear no cache (civic.changes).
UNSEEN_ACTIONS = frozenset({"report", "appeal", "message"})


def _record(actor, action: str, target: t.Target, note: str, **changes) -> None:
    consultation_id = t.consultation_of(target).pk
    if action not in UNSEEN_ACTIONS:
        changed(consultation_id, Change.MODERATION)
    audit_record(
        actor=actor,
        action=f"moderation.{action}",
        target=target,
        reason=note,
        changes=changes,
        consultation_id=consultation_id,
    )


def _tell_author(target: t.Target, body, *, may_appeal: bool) -> None:
    """Tell the author which decision was taken on their contribution, and why."""
    author = t.author_of(target)
    if author is None:
        return
    url = t.url_of(target)
    if may_appeal:
        url = reverse("moderation:appeal", kwargs={"kind": t.kind_of(target), "pk": target.pk})
        body = format_lazy(
            "{body}\n\n{appeal}",
            body=body,
            appeal=gettext_lazy("If you think this is wrong, you can appeal with a short text."),
        )
    subject = format_lazy(
        gettext_lazy("A moderator has looked at your contribution “{title}”"),
        title=t.title_of(target),
    )
    notify(recipient=author, kind=NOTIFY_KIND, subject=subject, body=body, url=url)


@transaction.atomic
def item_keep(*, actor: User, target: t.Target, note: str = "") -> t.Target:
    """Dismiss the reports: the content stays (and comes back if reports had hidden it)."""
    target = _load_for_decision(actor, "keep", target)
    was_auto_hidden = t.is_hidden(target) and _auto_hidden(target)
    if was_auto_hidden:
        _set_hidden(target, False)
    dismissed = _resolve_reports(target, actor, ReportStatus.DISMISSED)
    _record(actor, "keep", target, note, reports=dismissed, restored=was_auto_hidden)
    return target


def _uphold_reports(actor: User, action: str, target: t.Target, note: str, body, **changes):
    """A decision against the content: its open reports were right, and the author may appeal."""
    upheld = _resolve_reports(target, actor, ReportStatus.UPHELD)
    _record(actor, action, target, note, reports=upheld, **changes)
    _tell_author(target, body, may_appeal=True)


def _auto_hidden(target: t.Target) -> bool:
    """Hidden by the report threshold rather than by a person (so "keep" brings it back)."""
    if isinstance(target, IdeaImage):
        # A photo has no reason field; its log says who took it down last.
        from django.contrib.contenttypes.models import ContentType

        from civic.models import AuditEntry

        last = (
            AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(IdeaImage),
                object_id=str(target.pk),
                action__in=["moderation.auto_hide", "moderation.redact"],
            )
            .order_by("-created_at", "-id")
            .values_list("action", flat=True)
            .first()
        )
        return last == "moderation.auto_hide"
    return target.hidden_reason == PublicReason.AWAITING_DECISION


@transaction.atomic
def item_hide(*, actor: User, target: t.Target, public_reason: str, note: str = "") -> t.Target:
    """Hide with a public reason; the public sees "hidden by the moderator: <reason>"."""
    target = _load_for_decision(actor, "hide", target)
    code = checked_public_reason(public_reason)
    _set_hidden(target, True, code)
    reason = PublicReason(code).label  # lazy: rendered in the author's language
    _uphold_reports(
        actor,
        "hide",
        target,
        note,
        format_lazy(
            gettext_lazy("It has been hidden. Reason: {reason}. {note}"), reason=reason, note=note
        ),
        public_reason=public_reason,
    )
    return target


@transaction.atomic
def item_restore(*, actor: User, target: t.Target, note: str = "") -> t.Target:
    target = _load_for_decision(actor, "restore", target)
    if not t.is_hidden(target):
        raise ValidationError({"target_id": _("This content is not hidden.")})
    _set_hidden(target, False)
    _resolve_reports(target, actor, ReportStatus.DISMISSED)
    _record(actor, "restore", target, note)
    _tell_author(
        target,
        format_lazy(gettext_lazy("It is visible again. {note}"), note=note),
        may_appeal=False,
    )
    return target


@transaction.atomic
def photo_redact(*, actor: User, target: IdeaImage, note: str = "") -> IdeaImage:
    """Take a photo off the public pages; the file stays for the log and a possible appeal."""
    if not isinstance(target, IdeaImage):
        raise ValidationError({"target_type": _("Only photos can be redacted.")})
    target = _load_for_decision(actor, "redact", target)
    _set_hidden(target, True)
    _uphold_reports(
        actor,
        "redact",
        target,
        note,
        format_lazy(gettext_lazy("The photo has been removed from public view. {note}"), note=note),
    )
    return target


@transaction.atomic
def item_edit(
    *, actor: User, target: t.Target, text: str, title: str | None = None, note: str = ""
) -> t.Target:
    """Edit personal data out; the original text is kept as a revision for the log.

    The item is marked as edited by a moderator (shown on the public pages) in the same
    transaction; the author's own "edited" time is left as it was.
    """
    target = _load_for_decision(actor, "edit", target)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("The edited text cannot be empty.")})
    if isinstance(target, Idea):
        original = _edit_idea(target, actor=actor, text=text, title=title)
    elif isinstance(target, Comment):
        original = _edit_comment(target, text=text)
    else:
        raise ValidationError({"target_type": _("Photos are redacted, not edited.")})
    _uphold_reports(
        actor,
        "edit",
        target,
        note,
        format_lazy(gettext_lazy("A moderator has edited it. {note}"), note=note),
        original=original,
        edited_by_moderator=True,
    )
    return target


def _edit_idea(idea: Idea, *, actor: User, text: str, title: str | None) -> dict:
    IdeaRevision.of(idea, edited_by=actor, by_moderator=True).save()
    original = {"title": idea.title, "description": idea.description}
    if title is not None and title.strip():
        idea.title = title.strip()
    idea.description = text
    idea.moderator_edited_at = timezone.now()
    idea.full_clean()
    idea.save()
    return original


def _edit_comment(comment: Comment, *, text: str) -> dict:
    CommentRevision.objects.create(comment=comment, body=comment.body)
    original = {"body": comment.body}
    comment.body = text
    comment.body_html = render_markdown(text)
    # Not edited_at: that is the time the author last edited their own words.
    comment.moderator_edited_at = timezone.now()
    comment.full_clean(exclude=["consultation", "topic", "idea", "parent", "root", "author"])
    comment.save(update_fields=["body", "body_html", "moderator_edited_at"])
    return original


def _is_waiting_edit(target: t.Target) -> bool:
    """The author's edit of an approved idea or comment, as opposed to a new item waiting."""
    return getattr(target, "has_pending_edit", False) and not t.is_pending(target)


def _decide_edit(actor: User, target: t.Target, *, approve: bool) -> t.Target:
    from debate.services import comment_decide_edit
    from ideas.services import idea_decide_edit

    if isinstance(target, Idea):
        return idea_decide_edit(user=actor, idea=target, approve=approve)
    return comment_decide_edit(actor=actor, comment=target, approve=approve)


@transaction.atomic
def item_approve(*, actor: User, target: t.Target, note: str = "") -> t.Target:
    """Publish a pre-moderated idea or comment, or the author's edit of an approved one."""
    from debate.services import comment_publish
    from ideas.services import idea_approve

    target = _load_for_decision(actor, "approve", target)
    if _is_waiting_edit(target):
        target = _decide_edit(actor, target, approve=True)
        _record(actor, "approve_edit", target, note)
        return target
    if not t.is_pending(target):
        raise ValidationError({"target_id": _("This item is not waiting for approval.")})
    if isinstance(target, Idea):
        target = idea_approve(user=actor, idea=target)
    else:
        target = comment_publish(actor=actor, comment=target)
    _record(actor, "approve", target, note)
    return target


@transaction.atomic
def item_reject(*, actor: User, target: t.Target, public_reason: str, note: str = "") -> t.Target:
    """Refuse a pre-moderated item: it stays unpublished and hidden, and the author may appeal.

    Refusing the author's edit of an approved item drops the edit; the approved text stays.
    """
    target = _load_for_decision(actor, "reject", target)
    if _is_waiting_edit(target):
        reason = PublicReason(checked_public_reason(public_reason)).label
        target = _decide_edit(actor, target, approve=False)
        _record(actor, "reject_edit", target, note, public_reason=public_reason)
        _tell_author(
            target,
            format_lazy(
                gettext_lazy(
                    "Your edit will not be published; the earlier version stays. "
                    "Reason: {reason}. {note}"
                ),
                reason=reason,
                note=note,
            ),
            may_appeal=False,
        )
        return target
    if not t.is_pending(target):
        raise ValidationError({"target_id": _("This item is not waiting for approval.")})
    code = checked_public_reason(public_reason)
    _set_hidden(target, True, code)
    reason = PublicReason(code).label  # lazy: rendered in the author's language
    _record(actor, "reject", target, note, public_reason=public_reason)
    _tell_author(
        target,
        format_lazy(
            gettext_lazy("It will not be published. Reason: {reason}. {note}"),
            reason=reason,
            note=note,
        ),
        may_appeal=True,
    )
    return target


@transaction.atomic
def author_message(*, actor: User, target: t.Target, subject: str, body: str) -> None:
    """A private e-mail to the author; the text is in the audit log, the address is never shown."""
    target = t.load(t.kind_of(target), target.pk)
    _moderator_check(actor, "message", t.consultation_of(target))
    subject, body = (subject or "").strip(), (body or "").strip()
    errors = {}
    if not subject:
        errors["subject"] = [_("Write a subject.")]
    if not body:
        errors["body"] = [_("Write a message.")]
    if errors:
        raise ValidationError(errors)
    author = t.author_of(target)
    if author is None:
        raise ValidationError({"target_id": _("This item has no author to write to.")})
    _record(actor, "message", target, "", subject=subject, body=body)
    notify(recipient=author, kind=NOTIFY_KIND, subject=subject, body=body, url=t.url_of(target))


# --- Blocks ----------------------------------------------------------------------------------


def _block_check(actor: User, consultation: Consultation | None, site_wide_refusal: str) -> None:
    """A consultation's moderators block within it; only some staff block site-wide."""
    if consultation is None:
        _require(permissions.can_block_site_wide(actor), site_wide_refusal)
    else:
        _moderator_check(actor, "block", consultation)


@transaction.atomic
def user_block(
    *,
    actor: User,
    user: User,
    consultation: Consultation | None,
    days: int | None,
    reason: str,
    target: t.Target | None = None,
) -> Block:
    """Block a person from one consultation (or the site, when consultation is None)."""
    _block_check(
        actor,
        consultation,
        _("Only administrators and unrestricted planners block people from the whole site."),
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the person is blocked.")})
    if user.pk == actor.pk:
        raise ValidationError({"user": _("You cannot block yourself.")})
    if user.is_administrator or user.role in ("planner", "councillor"):
        raise ValidationError({"user": _("Staff accounts are not blocked; change their role.")})
    max_days = settings.MODERATION_MAX_BLOCK_DAYS
    if days is None and not permissions.is_administrator(actor):
        raise ValidationError({"days": _("Give the number of days.")})
    if days is not None and not 1 <= days <= max_days:
        raise ValidationError({"days": _("Between 1 and %(max)s days.") % {"max": max_days}})
    until = timezone.now() + timedelta(days=days) if days else None
    block = Block.objects.create(
        user=user, consultation=consultation, until=until, reason=reason, created_by=actor
    )
    audit_record(
        actor=actor,
        action="moderation.block",
        target=block,
        reason=reason,
        changes={"user": user.pk, "days": days, "site_wide": consultation is None},
        consultation_id=consultation.pk if consultation else None,
    )
    where = consultation.title if consultation else _("the whole site")
    body = format_lazy(
        gettext_lazy("You cannot take part in {where} for {days} days. Reason: {reason}"),
        where=where,
        days=days if days else "∞",
        reason=reason,
    )
    notify(
        recipient=user,
        kind=NOTIFY_KIND,
        subject=gettext_lazy("Your account has been blocked"),
        body=body,
        url=t.url_of(target) if target is not None else "/",
    )
    return block


@transaction.atomic
def block_lift(*, actor: User, block: Block, note: str = "") -> Block:
    _block_check(actor, block.consultation, _("You may not lift this block."))
    block.lifted_at = timezone.now()
    block.save(update_fields=["lifted_at"])
    audit_record(
        actor=actor,
        action="moderation.unblock",
        target=block,
        reason=note,
        consultation_id=block.consultation_id,
    )
    return block


# --- Appeals ---------------------------------------------------------------------------------


def appealable(target: t.Target) -> bool:
    """Hidden, redacted, rejected or moderator-edited content can be appealed."""
    if t.is_hidden(target):
        return True
    return getattr(target, "moderator_edited_at", None) is not None


@transaction.atomic
def appeal_create(*, author: User, target: t.Target, text: str) -> Appeal:
    target = t.load(t.kind_of(target), target.pk)
    _require(
        permissions.can_appeal(author, t.author_id_of(target)),
        _("Only the author can appeal a decision about this contribution."),
    )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say briefly why the decision should change.")})
    if len(text) > APPEAL_MAX_LENGTH:
        raise ValidationError(
            {"text": _("At most %(n)s characters, please.") % {"n": APPEAL_MAX_LENGTH}}
        )
    if not appealable(target):
        raise ValidationError({"target_id": _("There is no moderation decision to appeal.")})
    appeal = Appeal(author=author, text=text, **t.fields_of(target))
    _save_once(appeal, _("An appeal about this is already waiting for a decision."))
    _record(author, "appeal", target, text)
    return appeal


@transaction.atomic
def appeal_decide(*, actor: User, appeal: Appeal, accept: bool, note: str = "") -> Appeal:
    """Accepting reverses the decision (the content is shown again); rejecting keeps it."""
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    target = t.load(appeal.target_kind, appeal.target.pk, for_update=True)
    _moderator_check(actor, "appeal_accept", t.consultation_of(target))
    if appeal.status != AppealStatus.OPEN:
        raise ValidationError({"appeal": _("This appeal has already been decided.")})
    if accept and t.is_hidden(target):
        _set_hidden(target, False)
    appeal.status = AppealStatus.ACCEPTED if accept else AppealStatus.REJECTED
    appeal.decided_at = timezone.now()
    appeal.decided_by = actor
    appeal.decision_note = (note or "").strip()
    appeal.save()
    _record(actor, "appeal_accept" if accept else "appeal_reject", target, note)
    body = (
        gettext_lazy("Your appeal was accepted and the decision reversed. {note}")
        if accept
        else gettext_lazy("Your appeal was looked at; the decision stands. {note}")
    )
    notify(
        recipient=appeal.author,
        kind=NOTIFY_KIND,
        subject=gettext_lazy("A decision on your appeal"),
        body=format_lazy(body, note=appeal.decision_note),
        url=t.url_of(target),
    )
    return appeal


# --- Many items at once ----------------------------------------------------------------------

BULK_ACTIONS = ("keep", "hide", "restore", "approve", "reject", "redact")


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def item_act(
    *, actor: User, action: str, target: t.Target, public_reason: str = "", note: str = ""
) -> t.Target:
    """One queue action by name; the bulk form and the API call this."""
    if action == "keep":
        return item_keep(actor=actor, target=target, note=note)
    if action == "hide":
        return item_hide(actor=actor, target=target, public_reason=public_reason, note=note)
    if action == "restore":
        return item_restore(actor=actor, target=target, note=note)
    if action == "approve":
        return item_approve(actor=actor, target=target, note=note)
    if action == "reject":
        return item_reject(actor=actor, target=target, public_reason=public_reason, note=note)
    if action == "redact":
        return photo_redact(actor=actor, target=target, note=note)
    raise ValidationError({"action": _("Choose one of the actions.")})


def items_act(
    *, actor: User, action: str, keys: list[str], public_reason: str = "", note: str = ""
) -> BulkResult:
    """Apply one action to many items; each item succeeds or fails on its own, with a reason."""
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": _("Choose one of the actions.")})
    if not keys:
        raise ValidationError({"items": _("Choose at least one item.")})
    if action in ("hide", "reject"):
        checked_public_reason(public_reason)
    result = BulkResult()
    denied: list[str] = []
    unique_keys = list(dict.fromkeys(keys))
    for key in unique_keys:
        try:
            target = t.load_key(key)
            item_act(
                actor=actor, action=action, target=target, public_reason=public_reason, note=note
            )
        except ValidationError as error:
            result.failed[key] = "; ".join(error.messages)
        except PermissionDenied as error:
            result.failed[key] = str(error)
            denied.append(key)
        else:
            result.done.append(key)
    if denied and len(denied) == len(unique_keys):
        # Nothing was allowed: a refusal, not a partial success.
        raise PermissionDenied(result.failed[denied[0]])
    return result
