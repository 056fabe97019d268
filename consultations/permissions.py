"""Who may do what with a consultation. Views, the API and templates all ask here."""

from civic import permissions as civic

from .models import Consultation
from .rules import phase_allows

# What the API reports in `allowed_actions`, in a stable order.
STAFF_ACTIONS = ("edit", "publish", "close", "publish_results", "assign_planners")
RESIDENT_ACTIONS = ("submit_idea", "support", "comment", "answer_poll")


def can_create_consultation(user) -> bool:
    return civic.can_create_consultation(user)


def can_view_consultation(user, consultation: Consultation) -> bool:
    return civic.can_view_consultation(user, consultation)


def can_edit_consultation(user, consultation: Consultation) -> bool:
    return civic.can_manage_consultation(user, consultation)


def can_publish_consultation(user, consultation: Consultation) -> bool:
    return consultation.status == Consultation.Status.DRAFT and can_edit_consultation(
        user, consultation
    )


def can_close_consultation(user, consultation: Consultation) -> bool:
    return consultation.status == Consultation.Status.PUBLISHED and can_edit_consultation(
        user, consultation
    )


def can_publish_results(user, consultation: Consultation) -> bool:
    return consultation.status != Consultation.Status.DRAFT and can_edit_consultation(
        user, consultation
    )


def can_assign_planners(user, consultation: Consultation) -> bool:
    """Only those who may create consultations decide who runs them; an assigned planner
    must not be able to hand the consultation on."""
    return civic.can_create_consultation(user)


def allowed_actions(user, consultation: Consultation, now=None) -> list[str]:
    """The actions this person may take now, for the API and for templates."""
    actions: list[str] = []
    if can_edit_consultation(user, consultation):
        actions.append("edit")
        if can_publish_consultation(user, consultation):
            actions.append("publish")
        if can_close_consultation(user, consultation):
            actions.append("close")
        if can_publish_results(user, consultation):
            actions.append("publish_results")
    if can_assign_planners(user, consultation):
        actions.append("assign_planners")
    for action in RESIDENT_ACTIONS:
        # Visitors without an account may still send an idea (confirmed by e-mail), so only
        # the phase decides submit_idea; everything else needs a signed-in person.
        if phase_allows(consultation, action, now) and (
            action == "submit_idea" or civic.can_participate(user)
        ):
            actions.append(action)
    return actions


def can_manage_plan_layers(user, consultation: Consultation) -> bool:
    """Plan layers and official map services belong to running the consultation."""
    return can_edit_consultation(user, consultation)


def can_manage_map_questions(user, consultation: Consultation) -> bool:
    """The questions of a map survey belong to running the consultation, as its map does."""
    return consultation.kind == Consultation.Kind.MAP_SURVEY and can_manage_plan_layers(
        user, consultation
    )


def can_answer_map_questions(user, consultation: Consultation, now=None) -> bool:
    """A signed-in person may draw while the phase takes contributions (the rule for pins).
    Blocks are checked by the service, which says why and until when."""
    return (
        consultation.kind == Consultation.Kind.MAP_SURVEY
        and civic.can_participate(user)
        and phase_allows(consultation, "submit_idea", now)
    )


def can_see_drawn_answers_individually(user, consultation: Consultation) -> bool:
    """Planners read each drawing (without who drew it beyond the public name); the public
    reads them aggregated."""
    return can_edit_consultation(user, consultation)
