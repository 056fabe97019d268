"""What the current phase allows. Ideas, supports, comments and polls all ask here."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from civic.permissions import is_eid_verified

from .models import Consultation, Phase

ACTIONS = {
    # action -> the Phase flag that allows it
    "submit_idea": "allows_ideas",
    "support": "allows_support",
    "comment": "allows_comments",
    "answer_poll": "allows_poll",
}


# What each kind of phase lets residents do unless the planner decides otherwise: picking the
# kind ticks these boxes in the form (consultation_form.js), and the API takes them for a new
# phase that names only its kind.
PRESETS = {
    Phase.Kind.INFORMATION: (),
    Phase.Kind.IDEAS: ("allows_ideas", "allows_support"),
    Phase.Kind.SUPPORT: ("allows_support", "allows_comments"),
    Phase.Kind.DEBATE: ("allows_comments", "allows_poll"),
    Phase.Kind.EVALUATION: (),
    Phase.Kind.RESULTS: (),
}
FLAGS = tuple(ACTIONS.values())


def idle_phases(consultation: Consultation) -> list[Phase]:
    """Phases of a kind meant for taking part in which residents may do nothing: almost always
    boxes the planner forgot to tick. Shown as a warning before publishing."""
    return [
        phase
        for phase in consultation.phases.all()
        if PRESETS.get(phase.kind) and not any(getattr(phase, flag) for flag in FLAGS)
    ]


def nobody_can_take_part(consultation: Consultation) -> bool:
    """No phase of the timeline lets residents do anything."""
    return not any(getattr(phase, flag) for phase in consultation.phases.all() for flag in FLAGS)


def phase_allows(consultation: Consultation, action: str, now=None) -> bool:
    """True when the consultation is published and its running phase allows the action."""
    if consultation.status != Consultation.Status.PUBLISHED:
        return False
    phase = consultation.current_phase(now or timezone.now())
    return bool(phase and getattr(phase, ACTIONS[action]))


def phase_refusal(consultation: Consultation, action: str, now=None) -> str | None:
    """Why the phase does not allow the action, in words a person can read; None when it does."""
    if phase_allows(consultation, action, now):
        return None
    return _closed_reason(consultation, action, now or timezone.now())


def require_phase(consultation: Consultation, action: str, now=None) -> None:
    """Raise PermissionDenied with a reason a person can read when the phase does not allow it."""
    refusal = phase_refusal(consultation, action, now)
    if refusal is not None:
        raise PermissionDenied(refusal)


def _closed_reason(consultation, action, now) -> str:
    if consultation.status == Consultation.Status.CLOSED:
        return _("This consultation is closed.")
    if consultation.status == Consultation.Status.DRAFT:
        return _("This consultation is not published yet.")
    flag = ACTIONS[action]
    phases = list(consultation.phases.all())
    started = [p for p in phases if getattr(p, flag) and p.starts_at <= now]
    upcoming = [p for p in phases if getattr(p, flag) and p.starts_at > now]
    messages = {
        "submit_idea": (
            _("The idea phase has ended."),
            _("The idea phase has not started yet."),
            _("This consultation does not collect ideas."),
        ),
        "support": (
            _("The support phase has ended."),
            _("The support phase has not started yet."),
            _("Ideas in this consultation cannot be supported."),
        ),
        "comment": (
            _("The comment phase has ended."),
            _("Commenting has not opened yet."),
            _("This consultation does not take comments."),
        ),
        "answer_poll": (
            _("The poll has closed."),
            _("The poll has not opened yet."),
            _("This consultation has no poll."),
        ),
    }[action]
    if upcoming:
        return messages[1]
    if started:
        return messages[0]
    return messages[2]


def verification_refusal(consultation: Consultation, user) -> str | None:
    """Why this person's support or vote does not count here: the consultation takes them only
    from residents verified with the national eID. None when it does."""
    if not consultation.verified_only or is_eid_verified(user):
        return None
    return _(
        "Only residents who have signed in with the national eID may support ideas and answer "
        "polls in this consultation. Sign in with the eID from the log-in page to take part."
    )
