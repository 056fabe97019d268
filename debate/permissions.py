"""Who may do what in a debate. Phase rules are asked separately, in consultations.rules."""

from civic.models import User
from civic.permissions import (
    can_manage_consultation,
    can_participate,
    can_view_consultation,
    is_staff_role,
)
from consultations.models import Consultation, Topic

from .models import Comment


def can_manage_topics(user: User, consultation: Consultation) -> bool:
    """Open, edit and reorder the discussion topics of a consultation."""
    return can_manage_consultation(user, consultation)


def can_comment(user: User, consultation: Consultation) -> bool:
    return can_participate(user) and can_view_consultation(user, consultation)


def can_edit_comment(user: User, comment: Comment) -> bool:
    """Only the author edits, and only while the text is there to edit."""
    return (
        can_participate(user)
        and comment.author_id == user.pk
        and not comment.is_deleted
        and not comment.is_hidden
    )


def can_delete_comment(user: User, comment: Comment) -> bool:
    return can_participate(user) and comment.author_id == user.pk and not comment.is_deleted


def can_vote_comment(user: User, comment: Comment) -> bool:
    """Anyone signed in, on anyone's visible comment but their own."""
    return can_participate(user) and comment.author_id != user.pk and comment.is_visible


def can_mark_official(user: User, comment: Comment, *, manages: bool | None = None) -> bool:
    """A planner of the consultation marks a staff member's comment as the municipality's answer.

    `manages` lets a page that already knows whether the viewer runs the consultation ask for
    many comments without a query each.
    """
    if manages is None:
        manages = can_manage_consultation(user, comment.consultation)
    return (
        manages
        and comment.author is not None
        and is_staff_role(comment.author)
        and comment.is_visible
    )


def can_answer_poll(user: User, topic: Topic) -> bool:
    return (
        can_participate(user) and topic.has_poll and can_view_consultation(user, topic.consultation)
    )


def annotate_comment_actions(user: User, comments, *, manages: bool) -> None:
    """Set may_edit, may_delete, may_vote and may_mark_official on comments shown on a page."""
    for comment in comments:
        comment.may_edit = can_edit_comment(user, comment)
        comment.may_delete = can_delete_comment(user, comment)
        comment.may_vote = can_vote_comment(user, comment)
        comment.may_mark_official = can_mark_official(user, comment, manages=manages)
