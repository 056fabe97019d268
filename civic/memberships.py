"""Roles per municipality: the one place a Membership row is written.

Django Administration's flags follow the roles: a person who administers some municipality has
is_staff and is_superuser, and the admin site still asks for the administrator role in the
municipality being served (civic.admin_site), so those flags open nothing elsewhere.
"""

from __future__ import annotations

from . import tenancy
from .models import Membership, Role, User


def membership_set(
    user: User, *, role: str, limited_to_assigned: bool = False, municipality_id: int | None = None
) -> None:
    """Give `user` `role` in the municipality (the current one by default). A resident holds no
    row: being nobody special is what having no role means."""
    municipality_id = municipality_id or tenancy.current_id()
    if municipality_id is None and role == Role.RESIDENT:
        return
    if municipality_id is None:
        raise ValueError("No municipality to give the role in; activate one (civic.tenancy).")
    limited_to_assigned = bool(limited_to_assigned) and role == Role.PLANNER
    if role == Role.RESIDENT:
        Membership.objects.filter(user_id=user.pk, municipality_id=municipality_id).delete()
    else:
        Membership.objects.update_or_create(
            user_id=user.pk,
            municipality_id=municipality_id,
            defaults={"role": role, "limited_to_assigned": limited_to_assigned},
        )
    user.forget_held()
    user.__dict__.setdefault("_held", {})[municipality_id] = (role, limited_to_assigned)
    admin_flags_sync(user)


def admin_flags_sync(user: User) -> None:
    powers = (
        not user.is_deleted
        and Membership.objects.filter(user_id=user.pk, role=Role.ADMINISTRATOR).exists()
    )
    if (user.is_staff, user.is_superuser) != (powers, powers):
        User.objects.filter(pk=user.pk).update(is_staff=powers, is_superuser=powers)
        user.is_staff = user.is_superuser = powers


def roles_of(user: User) -> dict[int, str]:
    """The person's roles, by municipality id (for their own data page and the operator)."""
    return dict(Membership.objects.filter(user_id=user.pk).values_list("municipality_id", "role"))
