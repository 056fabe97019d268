"""The role x action matrix of the predicates in civic.permissions."""

import pytest
from django.contrib.auth.models import AnonymousUser

from civic import permissions
from tests import factories

ROLES = [
    "anonymous",
    "resident",
    "planner",
    "limited_planner",
    "assigned_planner",
    "councillor",
    "administrator",
]

# action -> roles allowed, for a published consultation (results not yet published).
MATRIX = {
    "can_participate": {
        "resident",
        "planner",
        "limited_planner",
        "assigned_planner",
        "councillor",
        "administrator",
    },
    "can_create_consultation": {"planner", "administrator"},
    "can_manage_consultation": {"planner", "assigned_planner", "administrator"},
    "can_view_consultation": set(ROLES),
    "can_read_reports": {"planner", "assigned_planner", "councillor", "administrator"},
    "can_export_full": {"planner", "assigned_planner", "councillor", "administrator"},
    "can_manage_users": {"administrator"},
    "can_manage_social_channels": {"administrator"},
    "can_read_audit_log": {"councillor", "administrator"},
}
OBJECT_ACTIONS = {
    "can_manage_consultation",
    "can_view_consultation",
    "can_read_reports",
    "can_export_full",
}


@pytest.fixture
def people(db):
    consultation = factories.ConsultationFactory()
    assigned = factories.PlannerFactory(limited_to_assigned=True)
    consultation.planners.add(assigned)
    return consultation, {
        "anonymous": AnonymousUser(),
        "resident": factories.UserFactory(),
        "planner": factories.PlannerFactory(),
        "limited_planner": factories.PlannerFactory(limited_to_assigned=True),
        "assigned_planner": assigned,
        "councillor": factories.CouncillorFactory(),
        "administrator": factories.AdministratorFactory(),
    }


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_role_action_matrix(people, action, role):
    consultation, users = people
    predicate = getattr(permissions, action)
    args = (users[role], consultation) if action in OBJECT_ACTIONS else (users[role],)
    assert predicate(*args) is (role in MATRIX[action])


@pytest.mark.parametrize("role", ROLES)
def test_drafts_visible_only_to_staff(people, role):
    consultation, users = people
    consultation.status = "draft"
    allowed = {"planner", "assigned_planner", "councillor", "administrator"}
    assert permissions.can_view_consultation(users[role], consultation) is (role in allowed)


def test_reports_public_once_results_published(people):
    from django.utils import timezone

    consultation, users = people
    consultation.results_published_at = timezone.now()
    assert permissions.can_read_reports(users["anonymous"], consultation)
    assert not permissions.can_export_full(users["resident"], consultation)


def test_deleted_or_inactive_accounts_cannot_participate(db):
    gone = factories.UserFactory(is_deleted=True)
    inactive = factories.UserFactory(is_active=False)
    assert not permissions.can_participate(gone)
    assert not permissions.can_participate(inactive)
