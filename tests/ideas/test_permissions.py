"""The permission predicates per role, as views, the API and templates ask them."""

import pytest
from django.contrib.auth.models import AnonymousUser

from ideas import permissions
from ideas.models import Publication
from tests.factories import (
    AdministratorFactory,
    ConsultationFactory,
    CouncillorFactory,
    IdeaFactory,
    PlannerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(consultation):
    assigned = PlannerFactory(limited_to_assigned=True)
    consultation.planners.add(assigned)
    return {
        "visitor": AnonymousUser(),
        "resident": UserFactory(),
        "councillor": CouncillorFactory(),
        "planner": PlannerFactory(),
        "assigned planner": assigned,
        "unassigned planner": PlannerFactory(limited_to_assigned=True),
        "administrator": AdministratorFactory(),
    }


def _who(people, predicate, *args):
    return {name for name, user in people.items() if predicate(user, *args)}


def test_public_idea_is_visible_to_all(people, consultation):
    idea = IdeaFactory(consultation=consultation)
    assert _who(people, permissions.can_view_idea, idea) == set(people)


@pytest.mark.parametrize(
    "fields",
    [
        {"is_hidden": True},
        {"publication": Publication.PENDING_MODERATION},
        {"publication": Publication.WITHDRAWN},
    ],
)
def test_unpublished_idea_is_visible_to_managers_and_author(people, consultation, fields):
    idea = IdeaFactory(consultation=consultation, **fields)
    seen = _who(people, permissions.can_view_idea, idea)
    assert seen == {"planner", "assigned planner", "administrator"}
    withdrawn = fields.get("publication") == Publication.WITHDRAWN
    assert permissions.can_view_idea(idea.author, idea) is not withdrawn


def test_unconfirmed_idea_is_visible_to_nobody(people, consultation):
    idea = IdeaFactory(
        consultation=consultation, author=None, publication=Publication.PENDING_CONFIRMATION
    )
    assert _who(people, permissions.can_view_idea, idea) == set()


def test_draft_consultation_hides_its_ideas(people):
    draft = ConsultationFactory(status="draft")
    idea = IdeaFactory(consultation=draft)
    assert "resident" not in _who(people, permissions.can_view_idea, idea)
    assert "visitor" not in _who(people, permissions.can_view_idea, idea)


def test_answering_is_for_the_consultations_planners(people, consultation):
    idea = IdeaFactory(consultation=consultation)
    assert _who(people, permissions.can_answer_idea, idea) == {
        "planner",
        "assigned planner",
        "administrator",
    }
    assert _who(people, permissions.can_submit_on_behalf, consultation) == {
        "planner",
        "assigned planner",
        "administrator",
    }


def test_submitting_and_supporting_need_an_account(people, consultation):
    idea = IdeaFactory(consultation=consultation)
    signed_in = set(people) - {"visitor"}
    assert _who(people, permissions.can_submit_idea, consultation) == signed_in
    assert _who(people, permissions.can_submit_anonymously, consultation) == {"visitor"}
    assert _who(people, permissions.can_support_idea, idea) == signed_in
    assert not permissions.can_support_idea(idea.author, idea)


def test_phase_closes_submitting_and_supporting(people, consultation):
    idea = IdeaFactory(consultation=consultation)
    consultation.phases.update(allows_ideas=False, allows_support=False)
    consultation = type(consultation).objects.get(pk=consultation.pk)
    idea.consultation = consultation
    assert _who(people, permissions.can_submit_idea, consultation) == set()
    assert _who(people, permissions.can_submit_anonymously, consultation) == set()
    assert _who(people, permissions.can_support_idea, idea) == set()
    # Paper submissions are entered whatever the phase.
    assert "planner" in _who(people, permissions.can_submit_on_behalf, consultation)


def test_only_the_author_edits_until_supported(people, consultation):
    idea = IdeaFactory(consultation=consultation)
    assert _who(people, permissions.can_edit_idea, idea) == set()
    assert permissions.can_edit_idea(idea.author, idea)
    idea.support_count = 1
    assert not permissions.can_edit_idea(idea.author, idea)
    assert not permissions.can_withdraw_idea(idea.author, idea)
