"""Who may do what: the role predicates every app's own permission module builds on.

One predicate per action, each taking the user first. Views, the API, templates and tests all
ask these functions; none of them re-implements a role check. The object-level predicates take
a consultation (any object with `status`, `planners` and `results_published`) so that this
module imports nothing from the apps above it.
"""

from .models import Role


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and not user.is_deleted)


def is_administrator(user) -> bool:
    """The role alone decides; User.save keeps is_staff and is_superuser in step with it."""
    return is_signed_in(user) and user.role == Role.ADMINISTRATOR


def is_planner(user) -> bool:
    return is_signed_in(user) and user.role == Role.PLANNER


def is_councillor(user) -> bool:
    return is_signed_in(user) and user.role == Role.COUNCILLOR


def is_staff_role(user) -> bool:
    """Planners and administrators: the roles that must use two-factor authentication."""
    return is_administrator(user) or is_planner(user)


def can_participate(user) -> bool:
    """Submit, support, comment, answer polls: every signed-in person."""
    return is_signed_in(user)


def is_eid_verified(user) -> bool:
    """Whether the person has signed in with the national eID at least once (a linked account)."""
    from allauth.socialaccount.models import SocialAccount
    from django.conf import settings

    if not is_signed_in(user):
        return False
    # Asked by the support rule and by the page that explains it: one query per request's user.
    if not hasattr(user, "_eid_verified"):
        user._eid_verified = SocialAccount.objects.filter(
            user=user, provider=settings.OIDC_PROVIDER_ID
        ).exists()
    return user._eid_verified


def can_create_consultation(user) -> bool:
    return is_administrator(user) or (is_planner(user) and not user.limited_to_assigned)


def can_manage_consultation(user, consultation) -> bool:
    """Edit, moderate and answer officially in this consultation."""
    if is_administrator(user):
        return True
    if not is_planner(user):
        return False
    if not user.limited_to_assigned:
        return True
    return consultation.planners.filter(pk=user.pk).exists()


def can_view_consultation(user, consultation) -> bool:
    if consultation.status != "draft":
        return True
    return can_manage_consultation(user, consultation) or is_councillor(user)


def can_read_reports(user, consultation) -> bool:
    """The live summary: staff always, the public once results are published."""
    if is_administrator(user) or is_councillor(user) or can_manage_consultation(user, consultation):
        return True
    return bool(consultation.results_published)


def can_export_full(user, consultation) -> bool:
    """Exports with the data a moderator sees (hidden items, not personal contact data)."""
    return (
        is_administrator(user) or is_councillor(user) or can_manage_consultation(user, consultation)
    )


def can_manage_users(user) -> bool:
    return is_administrator(user)


def can_manage_social_channels(user) -> bool:
    return is_administrator(user)


def can_read_audit_log(user) -> bool:
    return is_administrator(user) or is_councillor(user)


def can_manage_settings(user) -> bool:
    """The municipality's name, logo, colour and map defaults."""
    return is_administrator(user)


def can_use_api_tokens(user) -> bool:
    """Make and revoke one's own API tokens: the staff roles (councillors fetch exports)."""
    return is_administrator(user) or is_planner(user) or is_councillor(user)


def can_see_all_api_tokens(user) -> bool:
    return is_administrator(user)


def can_revoke_api_token(user, token) -> bool:
    if can_see_all_api_tokens(user):
        return True
    return is_signed_in(user) and token.owner_id == user.pk


def can_use_back_office(user) -> bool:
    """Whether any section of the back office (civic.backoffice) is open to the person."""
    return is_administrator(user) or is_planner(user) or is_councillor(user)


def can_run_consultations(user) -> bool:
    """Planners and administrators: the back office's answer templates (each consultation's
    own rule in ideas.permissions.can_manage_answer_templates)."""
    return is_administrator(user) or is_planner(user)
