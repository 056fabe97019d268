"""Sentences about a consultation's timeline, shared by the pages and the API."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Consultation, Phase

ACTION_PHRASES = (
    ("allows_ideas", gettext_lazy("submit ideas")),
    ("allows_support", gettext_lazy("support ideas")),
    ("allows_comments", gettext_lazy("comment")),
    ("allows_poll", gettext_lazy("answer the poll")),
)


def allowed_phrases(phase: Phase) -> list[str]:
    return [str(phrase) for flag, phrase in ACTION_PHRASES if getattr(phase, flag)]


def join_phrases(phrases: list[str]) -> str:
    if len(phrases) <= 1:
        return "".join(phrases)
    return _("%(first)s and %(last)s") % {"first": ", ".join(phrases[:-1]), "last": phrases[-1]}


def local_date(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT")


def invitation(consultation: Consultation, now=None) -> str:
    """What residents may do now, e.g. "You can submit ideas and support ideas until 12 December.

    A draft says what residents will read once it is published: its page is the planner's
    preview, and the template says above it that it is a draft.
    """
    now = now or timezone.now()
    if consultation.status == Consultation.Status.CLOSED:
        return _("This consultation is closed.")
    phase = consultation.current_phase(now)
    if phase is None:
        upcoming = consultation.next_phase(now)
        if upcoming:
            return _("The next phase, “%(phase)s”, starts on %(date)s.") % {
                "phase": upcoming.display_name,
                "date": local_date(upcoming.starts_at),
            }
        return _("This consultation has ended.")
    phrases = allowed_phrases(phase)
    if not phrases:
        return _("Until %(date)s you can read about the plans and follow the consultation.") % {
            "date": local_date(phase.ends_at)
        }
    return _("You can %(actions)s until %(date)s.") % {
        "actions": join_phrases(phrases),
        "date": local_date(phase.ends_at),
    }
