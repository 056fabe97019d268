import pytest

from consultations import permissions
from consultations.models import Consultation
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(resident, planner, councillor, administrator):
    return {
        "anonymous": None,
        "resident": resident,
        "planner": planner,
        "limited": factories.PlannerFactory(limited_to_assigned=True),
        "councillor": councillor,
        "administrator": administrator,
    }


def _user(people, role):
    from django.contrib.auth.models import AnonymousUser

    return people[role] or AnonymousUser()


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", False),
        ("resident", False),
        ("planner", True),
        ("limited", False),
        ("councillor", False),
        ("administrator", True),
    ],
)
def test_can_create(people, role, expected):
    assert permissions.can_create_consultation(_user(people, role)) is expected


@pytest.mark.parametrize(
    "role, view_draft, edit",
    [
        ("anonymous", False, False),
        ("resident", False, False),
        ("planner", True, True),
        ("limited", False, False),
        ("councillor", True, False),
        ("administrator", True, True),
    ],
)
def test_view_and_edit_a_draft(people, role, view_draft, edit):
    draft = factories.ConsultationFactory(status=Consultation.Status.DRAFT)
    user = _user(people, role)
    assert permissions.can_view_consultation(user, draft) is view_draft
    assert permissions.can_edit_consultation(user, draft) is edit
    assert permissions.can_publish_consultation(user, draft) is edit
    assert permissions.can_close_consultation(user, draft) is False
    assert permissions.can_publish_results(user, draft) is False


def test_limited_planner_manages_assigned_consultations(people):
    consultation = factories.ConsultationFactory(status=Consultation.Status.DRAFT)
    limited = people["limited"]
    consultation.planners.add(limited)
    assert permissions.can_view_consultation(limited, consultation)
    assert permissions.can_edit_consultation(limited, consultation)
    assert not permissions.can_assign_planners(limited, consultation)


def test_everyone_sees_published(people):
    consultation = factories.ConsultationFactory()
    for role in people:
        assert permissions.can_view_consultation(_user(people, role), consultation)


def test_status_predicates_follow_the_status(planner):
    published = factories.ConsultationFactory()
    closed = factories.ConsultationFactory(status=Consultation.Status.CLOSED)
    assert not permissions.can_publish_consultation(planner, published)
    assert permissions.can_close_consultation(planner, published)
    assert not permissions.can_close_consultation(planner, closed)
    assert permissions.can_publish_results(planner, closed)


def test_allowed_actions_follow_the_phase(people):
    consultation = factories.ConsultationFactory(open_phase=False)
    assert permissions.allowed_actions(people["resident"], consultation) == []
    factories.PhaseFactory(consultation=consultation, allows_support=True)
    consultation = Consultation.objects.get(pk=consultation.pk)
    assert permissions.allowed_actions(people["resident"], consultation) == ["support"]
    assert permissions.allowed_actions(_user(people, "anonymous"), consultation) == []
    assert permissions.allowed_actions(people["administrator"], consultation) == [
        "edit",
        "close",
        "publish_results",
        "assign_planners",
        "support",
    ]
