"""Why a contribution is hidden, as the public reads it in its placeholder.

Stored as a code on the idea or comment, shown as the label in the reader's language: a label
stored in the moderator's language would show Danish to an English reader, and could not be
compared with the label in another language (a hidden item would stay hidden when a planner
working in English keeps it).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicReason(models.TextChoices):
    PERSONAL_DATA = "personal_data", _("personal data")
    OFFENSIVE = "offensive", _("offensive language")
    SPAM = "spam", _("spam or advertising")
    OFF_TOPIC = "off_topic", _("off-topic")
    RULES = "rules", _("breaks the debate rules")
    AWAITING_DECISION = "awaiting_decision", _("reported several times, awaiting a decision")


def public_reason_label(code: str) -> str:
    """The reason in the active language ("" for none)."""
    if code in PublicReason.values:
        return str(PublicReason(code).label)
    return code
