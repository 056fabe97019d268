"""Who may do what in moderation. One predicate per action, used by views, the API and tests.

Moderating a consultation is managing it (civic.permissions.can_manage_consultation): its
planners and administrators act; councillors see the queue but cannot act; residents report and
appeal, nothing more.
"""

from civic.blocks import is_blocked
from civic.models import User
from civic.permissions import (
    can_manage_consultation,
    can_participate,
    is_administrator,
    is_councillor,
    is_planner,
)
from consultations.models import Consultation


def can_report(user: User, consultation: Consultation) -> bool:
    return can_participate(user) and not is_blocked(user, consultation)


def can_view_queue(user: User, consultation: Consultation) -> bool:
    """Councillors read the queue to follow how the debate is kept; they cannot act on it."""
    return can_manage_consultation(user, consultation) or is_councillor(user)


def can_view_any_queue(user: User) -> bool:
    return is_administrator(user) or is_planner(user) or is_councillor(user)


def can_keep(user: User, consultation: Consultation) -> bool:
    """Dismiss the reports and leave the content as it is."""
    return can_manage_consultation(user, consultation)


def can_hide(user: User, consultation: Consultation) -> bool:
    return can_manage_consultation(user, consultation)


def can_restore(user: User, consultation: Consultation) -> bool:
    return can_manage_consultation(user, consultation)


def can_edit_content(user: User, consultation: Consultation) -> bool:
    """Edit personal data out of a contribution; the original stays in a revision."""
    return can_manage_consultation(user, consultation)


def can_redact_photo(user: User, consultation: Consultation) -> bool:
    return can_manage_consultation(user, consultation)


def can_approve(user: User, consultation: Consultation) -> bool:
    return can_manage_consultation(user, consultation)


def can_reject(user: User, consultation: Consultation) -> bool:
    return can_manage_consultation(user, consultation)


def can_block_in_consultation(user: User, consultation: Consultation) -> bool:
    return can_manage_consultation(user, consultation)


def can_block_site_wide(user: User) -> bool:
    """A block everywhere reaches beyond one consultation: administrators and planners who are
    not limited to their assigned consultations."""
    return is_administrator(user) or (is_planner(user) and not user.limited_to_assigned)


def can_message_author(user: User, consultation: Consultation) -> bool:
    return can_manage_consultation(user, consultation)


def can_decide_appeal(user: User, consultation: Consultation) -> bool:
    return can_manage_consultation(user, consultation)


def can_appeal(user: User, author_id: int | None) -> bool:
    """Only the author appeals a decision about their own contribution."""
    return can_participate(user) and author_id is not None and author_id == user.pk


# The permission each queue action needs; the services and the bulk form look it up here.
ACTION_PERMISSIONS = {
    "keep": can_keep,
    "hide": can_hide,
    "restore": can_restore,
    "edit": can_edit_content,
    "redact": can_redact_photo,
    "approve": can_approve,
    "reject": can_reject,
    "block": can_block_in_consultation,
    "message": can_message_author,
    "appeal_accept": can_decide_appeal,
    "appeal_reject": can_decide_appeal,
}


def can_act(user: User, action: str, consultation: Consultation) -> bool:
    predicate = ACTION_PERMISSIONS.get(action)
    return bool(predicate and predicate(user, consultation))
