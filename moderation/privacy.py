"""A resident's rights over their data (GDPR): a copy of everything, and erasure.

Moderation is the highest app that knows every kind of contribution, so the export and the
erasure live here. Beyond the named sections, the export walks every model with a foreign key to
the account, so a table added later is not silently left out.
"""

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Value
from django.utils.translation import gettext as _

from civic import api_tokens
from civic.audit import audit_record
from civic.changes import Change, changed
from civic.models import AuditEntry, Notification, User
from civic.reasons import public_reason_label
from debate.models import Comment, CommentVote, PollAnswer
from ideas.models import Follow, Idea, IdeaImage, Support

from .models import Appeal, Block, Report

# Columns never exported: secrets that would let someone take over the account.
SECRET_FIELDS = {"password", "key", "secret", "token", "token_secret", "data", "digest"}
# Relations from staff work (who approved, answered, exported): records of the municipality's
# work about other people's content, not data about the person.
STAFF_RELATIONS = {
    ("admin", "logentry", "user"),
    ("civic", "auditentry", "actor"),
    ("consultations", "consultation", "created_by"),
    ("consultations", "consultation", "planners"),
}


def _iso(value):
    return value.isoformat() if value else None


def export_user_data(user: User) -> dict:
    """Everything the platform holds about this person, as JSON-ready data."""
    data = {
        "profile": {
            "email": user.email,
            "display_name": user.display_name,
            "public_name": user.public_name,
            "show_name_publicly": user.show_name_publicly,
            "phone": user.phone,
            "role": user.role,
            "notification_frequency": user.notification_frequency,
            "language": user.language,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "ideas": [
            {
                "reference": idea.reference,
                "consultation": idea.consultation.title,
                "title": idea.title,
                "description": idea.description,
                "latitude": idea.latitude,
                "longitude": idea.longitude,
                "address": idea.address_label,
                "status": idea.status,
                "publication": idea.publication,
                "hidden": idea.is_hidden,
                "hidden_reason": public_reason_label(idea.hidden_reason),
                "created_at": _iso(idea.created_at),
                "photos": [
                    {"file": image.image.name, "description": image.alt_text}
                    for image in idea.images.all()
                ],
            }
            for idea in Idea.objects.filter(author=user)
            .select_related("consultation")
            .prefetch_related("images")
        ],
        "comments": [
            {
                "id": comment.pk,
                "consultation": comment.consultation.title,
                "on": str(comment.topic or comment.idea),
                "body": comment.body,
                "stance": comment.stance,
                "deleted": comment.is_deleted,
                "hidden": comment.is_hidden,
                "created_at": _iso(comment.created_at),
            }
            for comment in Comment.objects.filter(author=user).select_related(
                "consultation", "topic", "idea"
            )
        ],
        "supports": [
            {"idea": support.idea.reference, "created_at": _iso(support.created_at)}
            for support in Support.objects.filter(user=user).select_related("idea")
        ],
        "comment_votes": [
            {"comment": vote.comment_id, "value": vote.value, "created_at": _iso(vote.created_at)}
            for vote in CommentVote.objects.filter(user=user)
        ],
        "poll_answers": [
            {
                "topic": answer.topic.title,
                "option": answer.option.label,
                "created_at": _iso(answer.created_at),
            }
            for answer in PollAnswer.objects.filter(user=user).select_related("topic", "option")
        ],
        "reports": [
            {
                "item": report.target_key,
                "reason": report.reason,
                "text": report.text,
                "status": report.status,
                "created_at": _iso(report.created_at),
            }
            for report in Report.objects.filter(reporter=user)
        ],
        "appeals": [
            {
                "item": appeal.target_key,
                "text": appeal.text,
                "status": appeal.status,
                "created_at": _iso(appeal.created_at),
            }
            for appeal in Appeal.objects.filter(author=user)
        ],
        "blocks": [
            {
                "consultation": block.consultation.title if block.consultation else None,
                "until": _iso(block.until),
                "reason": block.reason,
            }
            for block in Block.objects.filter(user=user).select_related("consultation")
        ],
        "follows": [
            {
                "consultation": follow.consultation.title if follow.consultation else None,
                "idea": follow.idea.reference if follow.idea else None,
            }
            for follow in Follow.objects.filter(user=user).select_related("consultation", "idea")
        ],
        "notifications": [
            {
                "kind": note.kind,
                "opted_out": note.opted_out,
                "subject": note.subject,
                "created_at": _iso(note.created_at),
            }
            for note in Notification.objects.filter(recipient=user)
        ],
    }
    data["other"] = _other_rows(user)
    return data


NAMED_SECTIONS = {
    ("ideas", "idea", "author"),
    ("debate", "comment", "author"),
    ("ideas", "support", "user"),
    ("debate", "commentvote", "user"),
    ("debate", "pollanswer", "user"),
    ("moderation", "report", "reporter"),
    ("moderation", "appeal", "author"),
    ("moderation", "block", "user"),
    ("ideas", "follow", "user"),
    ("civic", "notification", "recipient"),
}


def user_relations():
    """(model, field) for every relation from a model to the user model."""
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model is User:
                yield model, field


def _other_rows(user: User) -> dict[str, list[dict]]:
    """Rows of every other table linked to the person, secrets left out."""
    other: dict[str, list[dict]] = {}
    for model, field in user_relations():
        label = (model._meta.app_label, model._meta.model_name, field.name)
        if label in NAMED_SECTIONS or label in STAFF_RELATIONS:
            continue
        rows = model.objects.filter(**{field.name: user})
        exported = [_row(row) for row in rows[:1000]]
        if exported:
            other[f"{model._meta.label}.{field.name}"] = exported
    return other


def _row(row: models.Model) -> dict:
    values = {}
    for field in row._meta.concrete_fields:
        if field.name in SECRET_FIELDS:
            continue
        value = getattr(row, field.attname)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, models.fields.files.FieldFile):
            value = value.name
        elif not isinstance(value, (str, int, float, bool, type(None), list, dict)):
            value = str(value)
        values[field.name] = value
    return values


# --- Erasure -----------------------------------------------------------------------------------

CONTRIBUTION_CHOICES = ("anonymise", "remove")


def check_password_for_deletion(user: User, password: str) -> None:
    if user.has_usable_password() and not user.check_password(password or ""):
        raise ValidationError({"password": _("The password is not correct.")})


@transaction.atomic
def delete_account(*, user: User, password: str, contributions: str) -> None:
    """Erase the person's data; their public contributions stay as "Deleted user" or go.

    Supports, votes and poll answers stay attached to the emptied account: they carry nothing
    about the person any more, and removing them would change results others relied on.
    """
    if contributions not in CONTRIBUTION_CHOICES:
        raise ValidationError({"contributions": _("Choose what happens to your contributions.")})
    check_password_for_deletion(user, password)
    if contributions == "remove":
        _remove_contributions(user)
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    email = user.email
    if email:
        Idea.objects.filter(author__isnull=True, pending_email__iexact=email).delete()
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.api_tokens.all().delete()
    api_tokens.forget_owner(user.pk)
    Notification.objects.filter(recipient=user).delete()
    _scrub_name_from_others_notices(user)
    Follow.objects.filter(user=user).delete()
    _end_sessions(user)
    role = user.role
    user.email = ""
    user.username = f"deleted-{user.pk}"
    user.first_name = user.last_name = user.display_name = user.phone = ""
    user.show_name_publicly = False
    user.is_active = user.is_staff = user.is_superuser = False
    user.is_deleted = True
    user.last_login = None
    user.set_unusable_password()
    user.save()
    changed(None, Change.PUBLIC_NAME)  # the name left every page they took part in
    # The log keeps what was done, but no longer by whom in words that name the person.
    user_type = ContentType.objects.get_for_model(User)
    AuditEntry.objects.filter(actor=user).update(actor_label=f"deleted user #{user.pk} ({role})")
    AuditEntry.objects.filter(content_type=user_type, object_id=str(user.pk)).update(
        object_repr=str(_("Deleted user"))
    )
    LogEntry.objects.filter(content_type=user_type, object_id=str(user.pk)).update(
        object_repr=str(_("Deleted user")), change_message=""
    )
    audit_record(
        actor=None,
        action="account.delete",
        target=user,
        changes={"contributions": contributions},
    )


def _scrub_name_from_others_notices(user: User) -> None:
    """Notices kept on other people's pages ("Anna replied to your comment") lose the name."""
    from django.db.models import Q
    from django.db.models.functions import Replace

    deleted = str(_("Deleted user"))
    for name in {user.display_name.strip(), user.get_full_name().strip()} - {""}:
        Notification.objects.filter(Q(subject__contains=name) | Q(body__contains=name)).update(
            subject=Replace("subject", Value(name), Value(deleted)),
            body=Replace("body", Value(name), Value(deleted)),
        )


def _remove_contributions(user: User) -> None:
    from debate.services import comment_delete

    for comment in Comment.objects.filter(author=user, is_deleted=False).select_related(
        "consultation"
    ):
        comment_delete(actor=user, comment=comment, erasing_account=True)
    ideas = Idea.objects.filter(author=user)
    for image in IdeaImage.objects.filter(idea__in=ideas):
        image.image.delete(save=False)
    for consultation_id in set(ideas.values_list("consultation_id", flat=True)):
        changed(consultation_id, Change.IDEA)
    ideas.delete()


def _end_sessions(user: User) -> None:
    """Sign the person out everywhere (database sessions; cache sessions expire on their own)."""
    for session in Session.objects.all().iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
