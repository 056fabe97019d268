"""Who may do what with ideas. One predicate per action, used by views, the API and templates.

The predicates answer "may this person try"; the services also check the phase and the limits
and raise the reason a person can read.
"""

from django.utils.translation import gettext as _

from civic.permissions import can_manage_consultation, can_participate, can_view_consultation
from consultations.rules import phase_allows, phase_refusal, verification_refusal

from .models import Idea, Publication


def can_view_idea(user, idea: Idea) -> bool:
    """The public sees published, unhidden ideas; authors and planners see the rest too."""
    if not can_view_consultation(user, idea.consultation):
        return False
    if idea.is_public:
        return True
    if can_manage_consultation(user, idea.consultation):
        return idea.publication != Publication.PENDING_CONFIRMATION
    return bool(
        user.is_authenticated
        and idea.author_id == user.pk
        and idea.publication != Publication.WITHDRAWN
    )


def can_submit_idea(user, consultation) -> bool:
    return can_participate(user) and phase_allows(consultation, "submit_idea")


def can_submit_anonymously(user, consultation) -> bool:
    """A visitor who is not signed in may write an idea and confirm it by e-mail."""
    return not user.is_authenticated and phase_allows(consultation, "submit_idea")


def can_submit_on_behalf(user, consultation) -> bool:
    """Planners enter paper and phone submissions, in any phase."""
    return can_manage_consultation(user, consultation)


def can_edit_idea(user, idea: Idea) -> bool:
    """The author, until the idea has supports or the idea phase ends."""
    return (
        can_participate(user)
        and idea.author_id == user.pk
        and idea.entered_by_id is None
        and idea.publication in (Publication.PUBLISHED, Publication.PENDING_MODERATION)
        and idea.support_count == 0
        and phase_allows(idea.consultation, "submit_idea")
    )


def can_see_pending_edit(user, idea: Idea) -> bool:
    """The author's edit waiting for a planner is shown to the author and to the planners of
    the consultation; everyone else reads the approved text only."""
    if user is None or not user.is_authenticated:
        return False
    return idea.author_id == user.pk or can_manage_consultation(user, idea.consultation)


def can_withdraw_idea(user, idea: Idea) -> bool:
    return can_edit_idea(user, idea)


def support_refusal(user, idea: Idea) -> str | None:
    """Why this person may not support this idea now, in words they can read; None when they
    may. Anyone signed in but the author (supporting your own idea would only inflate the
    count), on published ideas, while the support phase runs. The services raise the reason;
    pages and the API ask `can_support_idea`."""
    if not can_participate(user):
        return _("Sign in to support ideas.")
    if not idea.is_public:
        return _("Only published ideas can be supported.")
    if idea.author_id == user.pk:
        return _("You cannot support your own idea.")
    return phase_refusal(idea.consultation, "support") or verification_refusal(
        idea.consultation, user
    )


def can_support_idea(user, idea: Idea) -> bool:
    return support_refusal(user, idea) is None


def can_answer_idea(user, idea: Idea) -> bool:
    return can_manage_consultation(user, idea.consultation)


def can_manage_answer_templates(user, consultation) -> bool:
    return can_manage_consultation(user, consultation)


def can_follow(user) -> bool:
    return can_participate(user)
