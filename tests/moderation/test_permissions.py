"""The role x action matrix: every moderation action, tried by every role, through the service."""

import pytest
from django.core.exceptions import PermissionDenied

from debate.models import CommentPublication
from ideas.models import Publication
from moderation import permissions, services
from moderation.models import Appeal
from tests.debate.factories import CommentFactory
from tests.factories import (
    AdministratorFactory,
    CouncillorFactory,
    IdeaFactory,
    PlannerFactory,
    UserFactory,
)
from tests.moderation.factories import IdeaImageFactory

pytestmark = pytest.mark.django_db

ROLES = ["resident", "councillor", "other_planner", "assigned_planner", "planner", "administrator"]
MAY_ACT = {"assigned_planner", "planner", "administrator"}


@pytest.fixture
def people(consultation, other_consultation):
    assigned = PlannerFactory(limited_to_assigned=True)
    consultation.planners.add(assigned)
    other = PlannerFactory(limited_to_assigned=True)
    other_consultation.planners.add(other)
    return {
        "resident": UserFactory(),
        "councillor": CouncillorFactory(),
        "other_planner": other,
        "assigned_planner": assigned,
        "planner": PlannerFactory(),
        "administrator": AdministratorFactory(),
    }


def _hidden(consultation, author, admin):
    idea = IdeaFactory(consultation=consultation, author=author)
    services.item_hide(actor=admin, target=idea, public_reason="spam")
    return idea


ACTIONS = {
    "keep": lambda actor, c, a, admin: services.item_keep(
        actor=actor, target=IdeaFactory(consultation=c)
    ),
    "hide": lambda actor, c, a, admin: services.item_hide(
        actor=actor, target=IdeaFactory(consultation=c), public_reason="spam"
    ),
    "restore": lambda actor, c, a, admin: services.item_restore(
        actor=actor, target=_hidden(c, a, admin)
    ),
    "edit": lambda actor, c, a, admin: services.item_edit(
        actor=actor, target=IdeaFactory(consultation=c), text="Edited"
    ),
    "redact": lambda actor, c, a, admin: services.photo_redact(
        actor=actor, target=IdeaImageFactory(idea=IdeaFactory(consultation=c))
    ),
    "approve": lambda actor, c, a, admin: services.item_approve(
        actor=actor,
        target=IdeaFactory(consultation=c, publication=Publication.PENDING_MODERATION),
    ),
    "reject": lambda actor, c, a, admin: services.item_reject(
        actor=actor,
        target=CommentFactory(
            topic=None,
            idea=IdeaFactory(consultation=c),
            consultation=c,
            publication=CommentPublication.PENDING_MODERATION,
        ),
        public_reason="off_topic",
    ),
    "block": lambda actor, c, a, admin: services.user_block(
        actor=actor, user=UserFactory(), consultation=c, days=3, reason="Flooding"
    ),
    "message": lambda actor, c, a, admin: services.author_message(
        actor=actor, target=IdeaFactory(consultation=c), subject="Hi", body="Please"
    ),
    "appeal_decide": lambda actor, c, a, admin: services.appeal_decide(
        actor=actor,
        appeal=services.appeal_create(author=a, target=_hidden(c, a, admin), text="Why?"),
        accept=True,
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_matrix(role, action, people, consultation):
    actor = people[role]
    author = UserFactory()
    admin = people["administrator"]
    if role in MAY_ACT:
        ACTIONS[action](actor, consultation, author, admin)
    else:
        with pytest.raises(PermissionDenied):
            ACTIONS[action](actor, consultation, author, admin)


@pytest.mark.parametrize("role", ROLES)
def test_predicates_agree_with_the_matrix(role, people, consultation):
    actor = people[role]
    for action in permissions.ACTION_PERMISSIONS:
        assert permissions.can_act(actor, action, consultation) == (role in MAY_ACT), action


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("resident", False),
        ("councillor", True),
        ("other_planner", False),
        ("assigned_planner", True),
        ("planner", True),
        ("administrator", True),
    ],
)
def test_who_sees_the_queue(role, sees, people, consultation):
    assert permissions.can_view_queue(people[role], consultation) is sees


@pytest.mark.parametrize(
    ("role", "may"),
    [
        ("resident", False),
        ("councillor", False),
        ("assigned_planner", False),
        ("planner", True),
        ("administrator", True),
    ],
)
def test_site_wide_block(role, may, people):
    actor = people[role]
    call = lambda: services.user_block(  # noqa: E731
        actor=actor, user=UserFactory(), consultation=None, days=3, reason="Threats"
    )
    if may:
        call()
    else:
        with pytest.raises(PermissionDenied):
            call()


def test_resident_reports_but_only_the_author_appeals(people, consultation):
    resident = people["resident"]
    author = UserFactory()
    idea = IdeaFactory(consultation=consultation, author=author)
    assert permissions.can_report(resident, consultation)
    services.report_create(reporter=resident, target=idea, reason="spam")
    services.item_hide(actor=people["planner"], target=idea, public_reason="spam")
    with pytest.raises(PermissionDenied):
        services.appeal_create(author=resident, target=idea, text="Unfair")
    services.appeal_create(author=author, target=idea, text="Unfair")
    assert Appeal.objects.count() == 1
