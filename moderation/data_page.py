"""How a person's copy of their data reads on the "My data" page.

The JSON download keeps field names and stored codes: it is for machines and for taking the data
elsewhere, and it must read the same in every language. The page is for the person: each field
shows its label and each code the label of its choice, in the reader's language, and times
read as dates. Both come from `privacy.export_user_data`, so the page never shows less.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civic.models import Notification, Role, User
from civic.notifications import KINDS
from debate.models import Comment, CommentVote, PollAnswer
from ideas.models import Follow, Idea, Support

from .models import Appeal, Block, Report

# The named sections of the export, the model whose fields they show, and their headings.
SECTIONS = {
    "ideas": (Idea, _("Ideas")),
    "comments": (Comment, _("Comments")),
    "supports": (Support, _("Supports")),
    "comment_votes": (CommentVote, _("Votes on comments")),
    "poll_answers": (PollAnswer, _("Poll answers")),
    "reports": (Report, _("Reports you made")),
    "appeals": (Appeal, _("Appeals")),
    "blocks": (Block, _("Blocks")),
    "follows": (Follow, _("What you follow")),
    "notifications": (Notification, _("Notifications")),
}

# Every key the named sections use. A key missing here fails a test rather than reaching the
# page as a field name.
FIELD_LABELS = {
    "email": _("E-mail address"),
    "display_name": _("Name"),
    "public_name": _("Name shown to others"),
    "show_name_publicly": _("Name shown publicly"),
    "phone": _("Phone"),
    "role": _("Role"),
    "notification_frequency": _("E-mail notices"),
    "language": _("Language of e-mails"),
    "date_joined": _("Joined"),
    "last_login": _("Last signed in"),
    "reference": _("Reference"),
    "consultation": _("Consultation"),
    "title": _("Title"),
    "description": _("Description"),
    "latitude": _("Latitude"),
    "longitude": _("Longitude"),
    "address": _("Address"),
    "status": _("Status"),
    "publication": _("Publication"),
    "hidden": _("Hidden by a moderator"),
    "hidden_reason": _("Reason given"),
    "created_at": _("Date"),
    "photos": _("Photos"),
    "id": _("Number"),
    "on": _("On"),
    "body": _("Text"),
    "stance": _("Stance"),
    "deleted": _("Deleted"),
    "idea": _("Idea"),
    "comment": _("Comment"),
    "value": _("Vote"),
    "topic": _("Topic"),
    "option": _("Answer"),
    "item": _("About"),
    "reason": _("Reason"),
    "text": _("Text"),
    "until": _("Until"),
    "kind": _("Kind"),
    "opted_out": _("Unsubscribed"),
    "subject": _("Subject"),
}

# Export keys whose values are codes of a field under another name.
CODE_FIELDS = {"value": "value", "status": "status", "publication": "publication", "role": "role"}

TARGET_KINDS = {"idea": _("Idea"), "image": _("Photo"), "comment": _("Comment")}


@dataclass(frozen=True)
class Row:
    """One record: (label, shown value) pairs in the export's order."""

    fields: list[tuple[str, str]]


@dataclass(frozen=True)
class Section:
    heading: str
    rows: list[Row]


def readable(data: dict) -> tuple[list[tuple[str, str]], list[Section]]:
    """The profile's (label, value) pairs and the sections, ready for the page."""
    profile = [
        (str(FIELD_LABELS[key]), _shown(User, key, value)) for key, value in data["profile"].items()
    ]
    sections = [
        Section(str(heading), [_row(model, record) for record in data[key]])
        for key, (model, heading) in SECTIONS.items()
    ]
    sections += [_other_section(label, rows) for label, rows in data["other"].items()]
    return profile, sections


def _row(model, record: dict) -> Row:
    return Row(
        [(str(FIELD_LABELS[key]), _shown(model, key, value)) for key, value in record.items()]
    )


def _other_section(label: str, rows: list[dict]) -> Section:
    """A table the named sections do not cover, read through its model's own labels."""
    model_label, _field = label.rsplit(".", 1)
    model = apps.get_model(model_label)
    heading = capfirst(str(model._meta.verbose_name_plural))
    shown = []
    for record in rows:
        fields = []
        for key, value in record.items():
            field = model._meta.get_field(key)
            fields.append((capfirst(str(field.verbose_name)), _shown(model, key, value)))
        shown.append(Row(fields))
    return Section(heading, shown)


def _shown(model, key: str, value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if key == "kind" and model is Notification:
        return str(KINDS.get(value, value))
    if key == "item" and isinstance(value, str) and ":" in value:
        kind, number = value.split(":", 1)
        return f"{TARGET_KINDS.get(kind, kind)} {number}"
    if key == "photos":
        return ", ".join(photo["description"] or photo["file"] for photo in value) or "–"
    if key == "role" and model is User:
        # Roles are held per municipality (civic.models.Membership); the profile says the one
        # held where the page is read.
        return str(Role(value).label) if value in Role.values else str(value)
    choices = _choices(model, CODE_FIELDS.get(key, key))
    if choices is not None:
        return str(choices.get(value, value))
    if isinstance(value, str) and (
        key.endswith("_at") or key in ("date_joined", "last_login", "until")
    ):
        return _when(value)
    return str(value)


def _choices(model, name: str) -> dict | None:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # an export key of its own ("on", "photos")
        return None
    if not getattr(field, "choices", None):
        return None
    return dict(field.flatchoices)


def _when(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")
