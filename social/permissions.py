"""Who may do what with social channels and posts, built on civic.permissions."""

from __future__ import annotations

from django.utils.translation import gettext as _

from civic import permissions as civic


def can_manage_channels(user) -> bool:
    return civic.can_manage_social_channels(user)


def can_use_composer(user, consultation=None) -> bool:
    """Write, edit and schedule posts (about this consultation, when one is given)."""
    if consultation is not None:
        return civic.is_staff_role(user) and civic.can_manage_consultation(user, consultation)
    return civic.is_staff_role(user)


def approval_refusal(user, post) -> str | None:
    """Why `user` may not approve `post`, or None when they may."""
    if not can_use_composer(user, post.consultation):
        return _("Only planners of this consultation may approve its posts.")
    if post.created_by_id is not None and post.created_by_id == user.pk:
        return _("Nobody approves their own post: a second planner must approve it.")
    return None


def can_approve_post(user, post) -> bool:
    return approval_refusal(user, post) is None


def can_reschedule_post(user, post) -> bool:
    """Give a post a new time: whoever may edit or approve it (a planner of its consultation).

    The author may move their own approved post too: a time is planning, not content.
    """
    return can_use_composer(user, post.consultation)


def can_stop_publishing(user) -> bool:
    """Start or lift a crisis stop: any planner, so the first person to notice can act."""
    return civic.is_staff_role(user)


def can_moderate_imported_comment(user, comment) -> bool:
    consultation = comment.post.consultation
    if consultation is None:
        return civic.is_staff_role(user)
    return civic.is_staff_role(user) and civic.can_manage_consultation(user, consultation)


# The platforms whose API lets the page hide a comment from everyone but its author.
HIDE_ON_PLATFORM = ("facebook", "instagram")


def can_hide_on_platform(user, comment) -> bool:
    """Hide (or show again) an imported comment on the platform itself."""
    return comment.platform in HIDE_ON_PLATFORM and can_moderate_imported_comment(user, comment)


def can_answer_site_comment(user, comment, *, manages: bool | None = None) -> bool:
    """Answer, assign or mark answered a comment of the site's own debate from the inbox: a
    planner of its consultation. `manages` spares a query when the caller knows already."""
    if manages is None:
        manages = civic.can_manage_consultation(user, comment.consultation)
    return civic.is_staff_role(user) and manages


def can_publish_official_answer(user, consultation) -> bool:
    """Publish an inbox answer in the consultation's debate as the municipality's answer."""
    return (
        consultation is not None
        and civic.is_staff_role(user)
        and civic.can_manage_consultation(user, consultation)
    )


def can_see_post_list(user, consultation) -> bool:
    return can_use_composer(user, consultation) or civic.is_councillor(user)
