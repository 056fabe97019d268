"""Writes for ideas: submit, edit, withdraw, support, answer, follow.

Each service is keyword-only, owns its transaction and its audit entry, and raises Django's
ValidationError (bad input, 400) or PermissionDenied (not allowed now, 403) with a reason a
person can read. HTML views, the API and management commands all call these.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Required, TypedDict, Unpack

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from civic import branding, ratelimit, tenancy
from civic.audit import audit_entry, audit_record, insert_values
from civic.blocks import active_block_sql, require_not_blocked
from civic.changes import Change, changed
from civic.models import AuditEntry, User
from civic.notifications import absolute_url, notify
from civic.permissions import can_manage_consultation, can_participate
from civic.sql import quoted
from civic.wordlist import needs_review
from consultations.models import Category, Consultation
from consultations.rules import require_phase
from maps.geometry import check_point_in_area

from .images import clean_idea_image
from .models import (
    AnswerTemplate,
    Follow,
    Idea,
    IdeaImage,
    IdeaRevision,
    IdeaStatus,
    Publication,
    StatusChange,
    Support,
)
from .permissions import support_refusal

logger = logging.getLogger(__name__)

CONFIRM_SALT = "ideas.confirm-anonymous"


@dataclass(frozen=True)
class Photo:
    """An uploaded photo and the description a person who cannot see it is read."""

    file: object
    alt_text: str


# --- Submitting ------------------------------------------------------------------------------


def _check_category(consultation: Consultation, category: Category | None) -> None:
    if category is not None and category.consultation_id != consultation.pk:
        raise ValidationError({"category": _("Choose a category of this consultation.")})


def idea_check_placement(
    consultation: Consultation, *, category: Category | None, longitude, latitude
) -> None:
    """The rules a new idea's category and pin must meet; submitting checks them, and the
    preview asks the same before anything is sent."""
    _check_category(consultation, category)
    check_point_in_area(consultation.area, longitude, latitude)


def _check_photos(photos: Sequence[Photo], existing: int = 0) -> list[Photo]:
    if len(photos) + existing > settings.IDEA_MAX_IMAGES:
        raise ValidationError(
            {
                "photos": ngettext(
                    "At most %(n)s photo per idea.",
                    "At most %(n)s photos per idea.",
                    settings.IDEA_MAX_IMAGES,
                )
                % {"n": settings.IDEA_MAX_IMAGES}
            }
        )
    cleaned = []
    for photo in photos:
        alt_text = (photo.alt_text or "").strip()
        if not alt_text:
            raise ValidationError(
                {"photos": _("Describe each photo for people who cannot see it.")}
            )
        if len(alt_text) > 250:
            raise ValidationError({"photos": _("A photo description has at most 250 characters.")})
        cleaned.append(Photo(file=clean_idea_image(photo.file), alt_text=alt_text))
    return cleaned


def _allocate_reference(consultation: Consultation) -> tuple[int, str]:
    """The next number, under a row lock so two submissions never get the same one."""
    locked = Consultation.objects.select_for_update().only("idea_counter", "reference_prefix")
    locked = locked.get(pk=consultation.pk)
    number = locked.idea_counter + 1
    Consultation.objects.filter(pk=consultation.pk).update(idea_counter=number)
    consultation.idea_counter = number
    year = timezone.localdate().year
    return number, f"{locked.reference_prefix}-{year}-{number:05d}"


class IdeaFields(TypedDict, total=False):
    """What a person writes and pins when submitting an idea, however it reaches us."""

    title: Required[str]
    description: Required[str]
    latitude: Required[float]
    longitude: Required[float]
    category: Category | None
    address_label: str
    photos: Sequence[Photo]


def _create_idea(
    *,
    consultation: Consultation,
    title: str,
    description: str,
    latitude: float,
    longitude: float,
    category: Category | None = None,
    address_label: str = "",
    photos: Sequence[Photo] = (),
    **fields,
) -> Idea:
    idea_check_placement(consultation, category=category, longitude=longitude, latitude=latitude)
    cleaned_photos = _check_photos(photos)
    idea = Idea(
        consultation=consultation,
        title=(title or "").strip(),
        description=(description or "").strip(),
        category=category,
        latitude=float(latitude),
        longitude=float(longitude),
        address_label=(address_label or "").strip(),
        number=0,
        reference="pending",
        **fields,
    )
    # Validate before taking a number, so bad input does not burn a reference.
    idea.full_clean(exclude=["number", "reference"])
    idea.number, idea.reference = _allocate_reference(consultation)
    idea.save()
    for position, photo in enumerate(cleaned_photos):
        image = IdeaImage(idea=idea, image=photo.file, alt_text=photo.alt_text, position=position)
        image.full_clean(exclude=["idea"])
        image.save()
    changed(consultation.pk, Change.IDEA)
    return idea


def _initial_publication(consultation: Consultation, *texts: str) -> str:
    # Pre-moderated consultations, and text with a word from the word list, wait for a planner.
    if consultation.pre_moderation or needs_review(*texts):
        return Publication.PENDING_MODERATION
    return Publication.PUBLISHED


@transaction.atomic
def idea_submit(*, author: User, consultation: Consultation, **fields: Unpack[IdeaFields]) -> Idea:
    """A signed-in resident submits an idea while the phase allows it."""
    if not can_participate(author):
        raise PermissionDenied(_("Sign in to submit an idea."))
    require_not_blocked(author, consultation)
    require_phase(consultation, "submit_idea")
    idea = _create_idea(
        consultation=consultation,
        **fields,
        author=author,
        publication=_initial_publication(consultation, fields["title"], fields["description"]),
    )
    Follow.objects.get_or_create(user=author, idea=idea)
    audit_record(actor=author, action="idea.submit", target=idea)
    return idea


@transaction.atomic
def idea_submit_on_behalf(
    *,
    entered_by: User,
    on_behalf_of: str,
    consultation: Consultation,
    **fields: Unpack[IdeaFields],
) -> Idea:
    """A planner enters a paper or phone submission; it is marked as such on the idea."""
    if not can_manage_consultation(entered_by, consultation):
        raise PermissionDenied(_("Only the consultation's planners enter ideas for others."))
    on_behalf_of = (on_behalf_of or "").strip()
    if not on_behalf_of:
        raise ValidationError({"on_behalf_of": _("Enter who submitted the idea.")})
    idea = _create_idea(
        consultation=consultation,
        **fields,
        entered_by=entered_by,
        on_behalf_of=on_behalf_of,
        publication=Publication.PUBLISHED,
    )
    audit_record(
        actor=entered_by,
        action="idea.submit_on_behalf",
        target=idea,
        changes={"on_behalf_of": on_behalf_of},
    )
    return idea


@transaction.atomic
def idea_submit_anonymous(
    *, email: str, consultation: Consultation, **fields: Unpack[IdeaFields]
) -> Idea:
    """A visitor without an account submits; the idea waits for the e-mail to be confirmed."""
    require_phase(consultation, "submit_idea")
    email = (email or "").strip()
    if not email:
        raise ValidationError({"email": _("Enter your e-mail address.")})
    try:  # the confirmation goes to an address anyone may type: limit mails per address
        ratelimit.check_key("confirmation_email", email)
    except ratelimit.RateLimited as error:
        raise ValidationError({"email": ratelimit.mail_limit_message(error.wait)}) from None
    idea = _create_idea(
        consultation=consultation,
        **fields,
        publication=Publication.PENDING_CONFIRMATION,
        pending_email=email,
        confirmation_expires_at=timezone.now()
        + timedelta(hours=settings.UNCONFIRMED_IDEA_TTL_HOURS),
    )
    audit_record(actor=None, action="idea.submit_anonymous", target=idea)
    token = confirmation_token(idea)
    language = translation.get_language()
    transaction.on_commit(lambda: _send_confirmation(idea.pk, token, language))
    return idea


def confirmation_token(idea: Idea) -> str:
    return signing.dumps({"i": idea.pk, "e": idea.pending_email.lower()}, salt=CONFIRM_SALT)


def _send_confirmation(idea_id: int, token: str, language: str) -> None:
    idea = Idea.objects.select_related("consultation").get(pk=idea_id)
    with tenancy.activate_for(idea.consultation):
        _send_confirmation_of(idea, token, language)


def _send_confirmation_of(idea: Idea, token: str, language: str) -> None:
    """The confirmation mail, from and with links to the idea's municipality (active)."""
    with translation.override(language):
        context = {
            "idea": idea,
            "url": absolute_url(reverse("ideas:confirm", kwargs={"token": token})),
            "hours": settings.UNCONFIRMED_IDEA_TTL_HOURS,
            "SITE_NAME": settings.SITE_NAME,
        }
        subject = _("Confirm your idea “%(title)s”") % {"title": idea.title}
        body = render_to_string("ideas/email/confirm_idea.txt", context)
    brand = branding.effective()
    try:
        send_mail(
            branding.mail_subject(subject, brand),
            body,
            brand.email_sender or settings.DEFAULT_FROM_EMAIL,
            [idea.pending_email],
        )
    except OSError:
        logger.exception("could not send the confirmation for idea %s", idea.pk)


@transaction.atomic
def idea_confirm(*, token: str) -> tuple[Idea, User, bool]:
    """Publish an anonymous idea from its one-time link; return (idea, account, account_is_new).

    The link works once: afterwards the idea is no longer waiting for confirmation.
    """
    invalid = ValidationError(
        {"token": _("This confirmation link is not valid or has expired. Submit the idea again.")}
    )
    try:
        data = signing.loads(
            token, salt=CONFIRM_SALT, max_age=timedelta(hours=settings.UNCONFIRMED_IDEA_TTL_HOURS)
        )
    except signing.BadSignature:
        raise invalid from None
    idea = (
        Idea.objects.select_for_update(of=("self",))
        .filter(pk=data.get("i"), publication=Publication.PENDING_CONFIRMATION)
        .first()
    )
    if idea is None or idea.pending_email.lower() != data.get("e"):
        raise invalid
    if idea.confirmation_expires_at and idea.confirmation_expires_at <= timezone.now():
        raise invalid
    email = idea.pending_email
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User(email=email, username=email.lower())
        user.set_unusable_password()
        user.save()
    if not can_participate(user):
        raise PermissionDenied(_("This account cannot submit ideas."))
    # Following the link proves the address belongs to the person.
    address, _created = EmailAddress.objects.get_or_create(
        user=user, email__iexact=email, defaults={"email": email, "primary": created}
    )
    if not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    idea.author = user
    idea.publication = _initial_publication(idea.consultation, idea.title, idea.description)
    idea.pending_email = ""
    idea.confirmation_expires_at = None
    idea.save(
        update_fields=[
            "author",
            "publication",
            "pending_email",
            "confirmation_expires_at",
            "updated_at",
        ]
    )
    changed(idea.consultation_id, Change.IDEA)
    Follow.objects.get_or_create(user=user, idea=idea)
    audit_record(actor=user, action="idea.confirm", target=idea, changes={"new_account": created})
    return idea, user, created


@transaction.atomic
def unconfirmed_ideas_purge(*, now=None) -> int:
    """Delete anonymous ideas whose confirmation time ran out; return how many."""
    now = now or timezone.now()
    expired = Idea.objects.filter(
        publication=Publication.PENDING_CONFIRMATION, confirmation_expires_at__lte=now
    )
    ids = list(expired.values_list("pk", flat=True))
    for image in IdeaImage.objects.filter(idea_id__in=ids):
        image.image.delete(save=False)
    deleted = Idea.objects.filter(pk__in=ids).delete()[1].get("ideas.Idea", 0)
    if deleted:
        audit_record(
            actor=None, action="idea.purge_unconfirmed", changes={"count": deleted, "ids": ids}
        )
    return deleted


@transaction.atomic
def idea_approve(*, user: User, idea: Idea) -> Idea:
    """A planner publishes an idea that waited for approval (pre-moderated consultations)."""
    idea = (
        Idea.objects.select_for_update(of=("self",)).select_related("consultation").get(pk=idea.pk)
    )
    if not can_manage_consultation(user, idea.consultation):
        raise PermissionDenied(_("Only the consultation's planners approve ideas."))
    if idea.publication != Publication.PENDING_MODERATION:
        raise PermissionDenied(_("This idea is not waiting for approval."))
    idea.publication = Publication.PUBLISHED
    idea.save(update_fields=["publication", "updated_at"])
    changed(idea.consultation_id, Change.IDEA)
    audit_record(actor=user, action="idea.approve", target=idea)
    return idea


# --- Editing and withdrawing -----------------------------------------------------------------


def _require_author_window(user: User, idea: Idea, supported_reason: str) -> None:
    if not can_participate(user) or idea.author_id != user.pk:
        raise PermissionDenied(_("Only the author may change this idea."))
    # A block covers changing and withdrawing one's own ideas, not only writing new ones.
    require_not_blocked(user, idea.consultation)
    if idea.publication not in (Publication.PUBLISHED, Publication.PENDING_MODERATION):
        raise PermissionDenied(_("This idea can no longer be changed."))
    if idea.support_count > 0:
        raise PermissionDenied(supported_reason)
    require_phase(idea.consultation, "submit_idea")


@transaction.atomic
def idea_update(
    *,
    user: User,
    idea: Idea,
    title: str | None = None,
    description: str | None = None,
    category: Category | None | object = ...,
    latitude: float | None = None,
    longitude: float | None = None,
    address_label: str | None = None,
    photos: Sequence[Photo] = (),
    remove_photo_ids: Sequence[int] = (),
) -> Idea:
    """The author edits the idea; the previous version is kept as a revision.

    A new title or description of an approved idea waits for a planner when the consultation is
    pre-moderated or the text has a word from the word list: it is kept as the pending edit and
    the public keeps reading the approved text until a planner approves it
    (`idea_decide_edit`); new photos wait with it. Category, place, address and removing photos
    change at once.
    """
    idea = (
        Idea.objects.select_for_update(of=("self",))
        .select_related("consultation", "category")
        .get(pk=idea.pk)
    )
    _require_author_window(user, idea, _("The idea has supports, so it can no longer be edited."))
    previous = IdeaRevision.of(idea, edited_by=user)
    changes = {}
    approved_text = (idea.title, idea.description)
    # What the author sees as their text is their pending edit, if one waits; a field left out
    # of the request keeps that.
    written = written_text(idea)
    wanted_text = (
        written[0] if title is None else title.strip(),
        written[1] if description is None else description.strip(),
    )
    idea.title, idea.description = wanted_text
    if address_label is not None and address_label.strip() != idea.address_label:
        changes["address_label"] = [idea.address_label, address_label.strip()]
        idea.address_label = address_label.strip()
    if category is not ...:
        _check_category(idea.consultation, category)
        if (category.pk if category else None) != idea.category_id:
            changes["category"] = [idea.category_id, category.pk if category else None]
            idea.category = category
    if latitude is not None or longitude is not None:
        lat = idea.latitude if latitude is None else latitude
        lon = idea.longitude if longitude is None else longitude
        check_point_in_area(idea.consultation.area, lon, lat)
        if (float(lat), float(lon)) != (idea.latitude, idea.longitude):
            changes["location"] = [[idea.longitude, idea.latitude], [float(lon), float(lat)]]
            idea.latitude, idea.longitude = float(lat), float(lon)
    remove_ids = list(remove_photo_ids)
    removed = list(idea.images.filter(pk__in=remove_ids))
    kept = idea.images.count() - len(removed)
    cleaned_photos = _check_photos(photos, existing=kept)
    idea.full_clean()
    held = _hold_or_apply_text(idea, approved_text, wanted_text, changes)
    photos_held = bool(cleaned_photos) and (
        idea.publication == Publication.PUBLISHED
        and edit_needs_review(idea.consultation, *(photo.alt_text for photo in cleaned_photos))
    )
    if not idea.has_pending_edit and (
        photos_held or idea.images.filter(is_pending=True).exclude(pk__in=remove_ids).exists()
    ):
        # New photos wait like new text: the edit is then the approved text with the photos.
        idea.pending_title, idea.pending_description = idea.title, idea.description
        idea.pending_edit_at = timezone.now()
        changes["pending_edit"] = {"photos": len(cleaned_photos)}
    held = held or photos_held
    if not changes and not cleaned_photos and not removed:
        return idea
    if set(changes) - {"pending_edit"} or cleaned_photos or removed:
        previous.save()
    idea.save()
    for image in removed:
        image.image.delete(save=False)
        image.delete()
    start = (idea.images.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    for offset, photo in enumerate(cleaned_photos):
        IdeaImage.objects.create(
            idea=idea,
            image=photo.file,
            alt_text=photo.alt_text,
            position=start + offset,
            is_pending=photos_held,
        )
    changed(idea.consultation_id, Change.IDEA)
    if removed or cleaned_photos:
        changes["photos"] = {"removed": [i.pk for i in removed], "added": len(cleaned_photos)}
    audit_record(actor=user, action="idea.update", target=idea, changes=changes)
    idea.edit_held = held
    return idea


def written_text(idea: Idea) -> tuple[str, str]:
    """The title and description as the author last wrote them: the pending edit, if any."""
    if idea.has_pending_edit:
        return idea.pending_title, idea.pending_description
    return idea.title, idea.description


def edit_needs_review(consultation: Consultation, *texts: str) -> bool:
    """Whether a changed text of an approved contribution waits for a planner: always in a
    pre-moderated consultation, elsewhere when it has a word from the word list."""
    return consultation.pre_moderation or needs_review(*texts)


def _hold_or_apply_text(
    idea: Idea, approved: tuple[str, str], wanted: tuple[str, str], changes: dict
) -> bool:
    """Keep the new text as the pending edit, or make it the idea's text; True when held.

    `idea` carries the wanted text on entry (so that it was validated); on a hold the approved
    text is put back, so nothing the public reads changes.
    """
    had_pending = idea.has_pending_edit
    if wanted == approved:
        # Back to the approved text: an edit that waited is no longer wanted.
        idea.pending_title, idea.pending_description, idea.pending_edit_at = "", "", None
        if had_pending:
            changes["pending_edit"] = "withdrawn"
        return False
    hold = idea.publication == Publication.PUBLISHED and edit_needs_review(
        idea.consultation, *wanted
    )
    if hold:
        if had_pending and wanted == (idea.pending_title, idea.pending_description):
            idea.title, idea.description = approved
            return True  # unchanged, and still waiting
        idea.title, idea.description = approved
        idea.pending_title, idea.pending_description = wanted
        idea.pending_edit_at = timezone.now()
        changes["pending_edit"] = {"title": wanted[0], "description": wanted[1]}
        return True
    for field, old, new in zip(("title", "description"), approved, wanted, strict=True):
        if old != new:
            changes[field] = [old, new]
    if had_pending:
        changes["pending_edit"] = "replaced"
    idea.pending_title, idea.pending_description, idea.pending_edit_at = "", "", None
    return False


@transaction.atomic
def idea_decide_edit(*, user: User, idea: Idea, approve: bool) -> Idea:
    """A planner publishes the author's pending edit (the approved text is kept as a revision)
    or refuses it (the approved text stays, the edit is dropped)."""
    idea = (
        Idea.objects.select_for_update(of=("self",))
        .select_related("consultation", "category")
        .get(pk=idea.pk)
    )
    if not can_manage_consultation(user, idea.consultation):
        raise PermissionDenied(_("Only the consultation's planners approve ideas."))
    if not idea.has_pending_edit:
        raise PermissionDenied(_("This idea has no edit waiting for approval."))
    edited = {"title": idea.pending_title, "description": idea.pending_description}
    changes: dict = {}
    if approve:
        IdeaRevision.of(idea, edited_by=idea.author).save()
        changes = {f: [getattr(idea, f), v] for f, v in edited.items() if getattr(idea, f) != v}
        idea.title, idea.description = edited["title"], edited["description"]
        idea.images.filter(is_pending=True).update(is_pending=False)
    else:
        for image in idea.images.filter(is_pending=True):
            image.image.delete(save=False)
            image.delete()
    idea.pending_title, idea.pending_description, idea.pending_edit_at = "", "", None
    idea.save()
    changed(idea.consultation_id, Change.IDEA)
    audit_record(
        actor=user,
        action="idea.edit_approve" if approve else "idea.edit_reject",
        target=idea,
        changes=changes,
    )
    return idea


@transaction.atomic
def idea_withdraw(*, user: User, idea: Idea) -> Idea:
    idea = (
        Idea.objects.select_for_update(of=("self",)).select_related("consultation").get(pk=idea.pk)
    )
    _require_author_window(
        user, idea, _("The idea has supports, so it can no longer be withdrawn.")
    )
    idea.publication = Publication.WITHDRAWN
    idea.save(update_fields=["publication", "updated_at"])
    changed(idea.consultation_id, Change.IDEA)
    audit_record(actor=user, action="idea.withdraw", target=idea)
    return idea


# --- Supports --------------------------------------------------------------------------------
# A support storm (a consultation shared on social media) is the busiest write on the site, so
# these two services issue only the statements they need: the unique constraint decides about a
# second support through INSERT ... ON CONFLICT DO NOTHING (no savepoint to roll back to), and
# the counter update returns the new count, so nothing is read again afterwards.


@dataclass(frozen=True)
class SupportState:
    """What a support box shows after a change: the idea's count and the person's own state."""

    support_count: int
    viewer_supports: bool
    supports_left: int | None


def supports_left(user: User, consultation: Consultation) -> int | None:
    """How many more ideas this person may support here; None when there is no limit."""
    if consultation.support_limit is None:
        return None
    used = Support.objects.filter(consultation=consultation, user=user).count()
    return max(consultation.support_limit - used, 0)


def _require_supporter(user: User) -> None:
    if not can_participate(user):
        raise PermissionDenied(_("Sign in to support ideas."))


def _require_not_blocked_from(user: User, idea: Idea) -> None:
    # Ideas read for this person carry `viewer_blocked` (selectors.with_viewer_blocked), which
    # saves asking again; without it the block is looked up here.
    if getattr(idea, "viewer_blocked", True):
        require_not_blocked(user, idea.consultation)


def _insert_support(user: User, idea: Idea) -> bool:
    """Store the support unless the person already supports the idea; True when stored."""
    table, idea_col, user_col, consultation_col, created_col, id_col = quoted(
        Support, "idea", "user", "consultation", "created_at", "id"
    )
    created_at = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({idea_col}, {user_col}, {consultation_col}, {created_col}) "  # noqa: S608
            f"VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING {id_col}",
            [
                idea.pk,
                user.pk,
                idea.consultation_id,
                connection.ops.adapt_datetimefield_value(created_at),
            ],
        )
        row = cursor.fetchone()
    return row is not None


def _delete_support(user: User, idea: Idea) -> bool:
    """Remove the person's support of the idea; True when there was one."""
    table, idea_col, user_col, id_col = quoted(Support, "idea", "user", "id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE {idea_col} = %s AND {user_col} = %s "  # noqa: S608
            f"RETURNING {id_col}",
            [idea.pk, user.pk],
        )
        row = cursor.fetchone()
    return row is not None


def _count_support_change(user: User, idea: Idea, delta: int, action: str) -> int:
    """Move the idea's counter in the same transaction as the row it counts, audit the change,
    and return the new count."""
    table, count_col, id_col = quoted(Idea, "support_count", "id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {count_col} = {count_col} + %s WHERE {id_col} = %s "  # noqa: S608
            f"RETURNING {count_col}",
            [delta, idea.pk],
        )
        (count,) = cursor.fetchone()
    idea.support_count = count
    changed(idea.consultation_id, Change.SUPPORT)
    audit_record(actor=user, action=action, target=idea)
    return count


def _limit_refusal(consultation: Consultation) -> str:
    return ngettext(
        "You have used your %(n)s support in this consultation.",
        "You have used all %(n)s supports in this consultation.",
        consultation.support_limit,
    ) % {"n": consultation.support_limit}


def _already_supports() -> str:
    return _("You already support this idea.")


def _lock_supporter(user: User) -> None:
    # One person's supports are counted under a lock on their own row, so two requests at the
    # same moment cannot both take the last support. NO KEY UPDATE, not UPDATE: the foreign
    # keys to the person (the support, the audit entry) take KEY SHARE on the row, and a plain
    # FOR UPDATE would make a concurrent take-back that holds the support row wait for us while
    # we wait for it (a deadlock).
    User.objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk").first()


def idea_support(*, user: User, idea: Idea) -> SupportState:
    """Support an idea once. The unique constraint makes a second support impossible.

    The rules are asked in this order, and the first that refuses gives the reason: who may
    support what and when (`support_refusal`), a moderator's block, the consultation's support
    limit, a support already given. On PostgreSQL the last three, the row, the counter and the
    audit entry are one statement (`_support_in_one_statement`); elsewhere one step at a time.
    """
    refusal = support_refusal(user, idea)
    if refusal is not None:
        raise PermissionDenied(refusal)
    if connection.vendor == "postgresql":
        state = _support_in_one_statement(user, idea)
        if state is not None:
            return state
    return _support_step_by_step(user, idea)


@transaction.atomic
def _support_step_by_step(user: User, idea: Idea) -> SupportState:
    _require_not_blocked_from(user, idea)
    consultation = idea.consultation
    left = None
    if consultation.support_limit is not None:
        _lock_supporter(user)
        left = supports_left(user, consultation)
        if left == 0:
            raise PermissionDenied(_limit_refusal(consultation))
    if not _insert_support(user, idea):
        raise PermissionDenied(_already_supports())
    count = _count_support_change(user, idea, +1, "idea.support")
    idea.viewer_supports = True
    return SupportState(count, True, None if left is None else left - 1)


def _support_in_one_statement(user: User, idea: Idea) -> SupportState | None:
    """The support in one statement: it checks the block and the support limit, stores the
    row unless the person already supports the idea, counts it on the idea and writes the audit
    entry, all or nothing, and answers which rule refused, if one did. The reason a person reads
    then comes from the same rule functions as on the step-by-step path.

    Without a support limit the statement is the whole transaction (one round trip to the
    database). With one, the person's row is locked first, in a transaction, so that the
    statement, which reads the database as it was when it started, counts supports that
    requests of the same person committed while it waited. None when the block the statement
    saw is lifted by the time its reason is read: the step-by-step path then decides.
    """
    consultation = idea.consultation
    limit = consultation.support_limit
    entry = audit_entry(actor=user, action="idea.support", target=idea)
    columns, values = insert_values(entry, connection)
    params = {
        "idea": idea.pk,
        "user": user.pk,
        "consultation": idea.consultation_id,
        "municipality": consultation.municipality_id,
        "now": entry.created_at,
        "limit": limit,
        **{f"audit_{i}": value for i, value in enumerate(values)},
    }
    sql = _one_statement_sql(columns, limited=limit is not None)
    if limit is None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            blocked, used, count = cursor.fetchone()
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            _lock_supporter(user)
            cursor.execute(sql, params)
            blocked, used, count = cursor.fetchone()
    if blocked:
        require_not_blocked(user, consultation)
        return None
    if limit is not None and used >= limit:
        raise PermissionDenied(_limit_refusal(consultation))
    if count is None:
        raise PermissionDenied(_already_supports())
    idea.support_count = count
    idea.viewer_supports = True
    changed(idea.consultation_id, Change.SUPPORT)
    return SupportState(count, True, None if limit is None else limit - used - 1)


_one_statement: dict[tuple, str] = {}


def _one_statement_sql(audit_columns: list[str], *, limited: bool) -> str:
    """The statement of `_support_in_one_statement`, built once per worker from the models'
    names. It answers (blocked, supports the person has in the consultation, the idea's new
    count or NULL when nothing was stored)."""
    key = (tuple(audit_columns), limited)
    sql = _one_statement.get(key)
    if sql is not None:
        return sql
    support, s_idea, s_user, s_consultation, s_created, s_id = quoted(
        Support, "idea", "user", "consultation", "created_at", "id"
    )
    idea, count, idea_id = quoted(Idea, "support_count", "id")
    (audit,) = quoted(AuditEntry)
    block = active_block_sql(connection) or "FALSE"
    used = (
        f"(SELECT count(*) FROM {support} WHERE {s_consultation} = %(consultation)s "  # noqa: S608
        f"AND {s_user} = %(user)s)"
        if limited
        else "0"
    )
    allowed = "NOT (SELECT yes FROM blocked)"
    if limited:
        allowed += " AND (SELECT n FROM used) < %(limit)s"
    audit_values = ", ".join(f"%(audit_{i})s" for i in range(len(audit_columns)))
    sql = (
        f"WITH blocked AS (SELECT {block} AS yes), "  # noqa: S608
        f"used AS (SELECT {used} AS n), "
        f"inserted AS (INSERT INTO {support} ({s_idea}, {s_user}, {s_consultation}, {s_created}) "
        f"SELECT %(idea)s, %(user)s, %(consultation)s, %(now)s WHERE {allowed} "
        f"ON CONFLICT DO NOTHING RETURNING {s_id}), "
        f"counted AS (UPDATE {idea} SET {count} = {count} + 1 "
        f"WHERE {idea_id} = %(idea)s AND EXISTS (SELECT 1 FROM inserted) RETURNING {count}), "
        f"audited AS (INSERT INTO {audit} ({', '.join(audit_columns)}) "
        f"SELECT {audit_values} FROM inserted) "
        "SELECT (SELECT yes FROM blocked), (SELECT n FROM used), (SELECT * FROM counted)"
    )
    _one_statement[key] = sql
    return sql


@transaction.atomic
def idea_unsupport(*, user: User, idea: Idea) -> SupportState:
    """Take a support back, while the support phase runs."""
    _require_supporter(user)
    _require_not_blocked_from(user, idea)
    consultation = idea.consultation
    require_phase(consultation, "support")
    if not _delete_support(user, idea):
        raise PermissionDenied(_("You do not support this idea."))
    count = _count_support_change(user, idea, -1, "idea.unsupport")
    idea.viewer_supports = False
    return SupportState(count, False, supports_left(user, consultation))


# --- Official answers ------------------------------------------------------------------------


@transaction.atomic
def idea_answer(
    *,
    user: User,
    idea: Idea,
    status: str,
    answer: str,
    duplicate_of: Idea | None = None,
) -> StatusChange:
    """A planner sets the status and the public answer; author and followers are told."""
    idea = (
        Idea.objects.select_for_update(of=("self",)).select_related("consultation").get(pk=idea.pk)
    )
    if not can_manage_consultation(user, idea.consultation):
        raise PermissionDenied(_("Only the consultation's planners answer ideas."))
    if status not in IdeaStatus.values:
        raise ValidationError({"status": _("Choose one of the statuses.")})
    answer = (answer or "").strip()
    if status == IdeaStatus.DUPLICATE:
        if duplicate_of is None:
            raise ValidationError({"duplicate_of": _("Choose the idea this one duplicates.")})
        if duplicate_of.consultation_id != idea.consultation_id or duplicate_of.pk == idea.pk:
            raise ValidationError(
                {"duplicate_of": _("Choose another idea of the same consultation.")}
            )
    else:
        duplicate_of = None
    if not answer and status == idea.status:
        raise ValidationError({"answer": _("Write an answer or change the status.")})
    old_status = idea.status
    idea.status = status
    idea.duplicate_of = duplicate_of
    if answer:
        idea.answer = answer
        idea.answered_at = timezone.now()
        idea.answered_by = user
    idea.full_clean()
    idea.save()
    change = StatusChange.objects.create(
        idea=idea, old_status=old_status, new_status=status, answer=answer, changed_by=user
    )
    changed(idea.consultation_id, Change.IDEA_STATUS)
    audit_record(
        actor=user,
        action="idea.answer" if answer else "idea.status",
        target=idea,
        changes={"status": [old_status, status], "answer": answer},
    )
    _notify_answer(idea, answered=bool(answer), status_changed=old_status != status)
    return change


def _notify_answer(idea: Idea, *, answered: bool, status_changed: bool) -> None:
    kind = "idea_answer" if answered else "idea_status"
    recipients = {
        follow.user_id: follow.user
        for follow in Follow.objects.filter(idea=idea).select_related("user")
    }
    if idea.author_id:
        recipients.setdefault(idea.author_id, idea.author)
    status_label = idea.get_status_display()
    if answered:
        subject = format_lazy(
            gettext_lazy("Official answer to “{title}” ({reference})"),
            title=idea.title,
            reference=idea.reference,
        )
        body = format_lazy(
            gettext_lazy("Status: {status}\n\n{answer}"), status=status_label, answer=idea.answer
        )
    else:
        subject = format_lazy(
            gettext_lazy("New status for “{title}” ({reference})"),
            title=idea.title,
            reference=idea.reference,
        )
        body = format_lazy(gettext_lazy("The status is now: {status}"), status=status_label)
    # The idea's consultation sets the language; its participants write in it.
    with translation.override(idea.consultation.language):
        for recipient in recipients.values():
            notify(
                recipient=recipient,
                kind=kind,
                subject=subject,
                body=body,
                url=idea.get_absolute_url(),
            )


# --- Answer templates --------------------------------------------------------------------------


def _require_manager(user: User, consultation: Consultation) -> None:
    if not can_manage_consultation(user, consultation):
        raise PermissionDenied(_("Only the consultation's planners manage answer templates."))


@transaction.atomic
def answer_template_save(
    *,
    user: User,
    consultation: Consultation,
    title: str,
    body: str,
    status: str = "",
    template: AnswerTemplate | None = None,
) -> AnswerTemplate:
    _require_manager(user, consultation)
    if template is not None and template.consultation_id != consultation.pk:
        raise PermissionDenied(_("This template belongs to another consultation."))
    template = template or AnswerTemplate(consultation=consultation)
    template.title, template.body, template.status = title.strip(), body.strip(), status
    template.full_clean()
    template.save()
    audit_record(actor=user, action="idea.answer_template.save", target=template)
    return template


@transaction.atomic
def answer_template_delete(*, user: User, template: AnswerTemplate) -> None:
    _require_manager(user, template.consultation)
    audit_record(actor=user, action="idea.answer_template.delete", target=template)
    template.delete()


# --- Following ---------------------------------------------------------------------------------


def _follow_target(consultation: Consultation | None, idea: Idea | None) -> dict:
    if (consultation is None) == (idea is None):
        raise ValueError("follow exactly one consultation or idea")
    return {"consultation": consultation} if consultation else {"idea": idea}


@transaction.atomic
def follow(*, user: User, consultation: Consultation | None = None, idea: Idea | None = None):
    if not can_participate(user):
        raise PermissionDenied(_("Sign in to follow."))
    try:
        with transaction.atomic():
            return Follow.objects.get_or_create(user=user, **_follow_target(consultation, idea))[0]
    except IntegrityError:
        # A second request won the race; the person follows either way.
        return Follow.objects.get(user=user, **_follow_target(consultation, idea))


@transaction.atomic
def unfollow(*, user: User, consultation: Consultation | None = None, idea: Idea | None = None):
    Follow.objects.filter(user=user, **_follow_target(consultation, idea)).delete()


# --- Phase changes -----------------------------------------------------------------------------


def phase_changes_announce(*, now=None) -> int:
    """E-mail a consultation's followers once when a new phase starts; return phases announced.

    Each phase is claimed by creating its PhaseAnnouncement row in the same transaction as the
    notices, so two runs at once (cron overlap) cannot announce a phase twice. Phases that
    started more than a day ago are skipped: a newly deployed site does not announce history.
    """
    from consultations.models import Phase

    from .models import PhaseAnnouncement

    now = now or timezone.now()
    started = (
        Phase.objects.filter(
            starts_at__lte=now,
            ends_at__gt=now,
            starts_at__gt=now - timedelta(days=1),
            consultation__status=Consultation.Status.PUBLISHED,
            announcement__isnull=True,
        )
        .select_related("consultation")
        .order_by("starts_at")
    )
    announced = 0
    for phase in started:
        with tenancy.activate_for(phase.consultation), transaction.atomic():
            try:
                with transaction.atomic():
                    announcement = PhaseAnnouncement.objects.create(phase=phase)
            except IntegrityError:
                continue
            consultation = phase.consultation
            followers = Follow.objects.filter(consultation=consultation).select_related("user")
            with translation.override(consultation.language):
                subject = format_lazy(
                    gettext_lazy("New phase in “{title}”: {phase}"),
                    title=consultation.title,
                    phase=phase.display_name,
                )
                body = format_lazy(
                    gettext_lazy("The phase “{phase}” has started and runs until {end}."),
                    phase=phase.display_name,
                    end=timezone.localtime(phase.ends_at).strftime("%d.%m.%Y"),
                )
                count = 0
                for follow_row in followers:
                    notify(
                        recipient=follow_row.user,
                        kind="phase_change",
                        subject=subject,
                        body=body,
                        url=consultation.get_absolute_url(),
                    )
                    count += 1
            announcement.recipients = count
            announcement.save(update_fields=["recipients"])
            audit_record(
                actor=None,
                action="consultation.phase_announced",
                target=consultation,
                changes={"phase": phase.pk, "recipients": count},
            )
            announced += 1
    return announced
