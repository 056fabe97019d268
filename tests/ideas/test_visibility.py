"""`ideas_visible_to` (a query, for lists and for the comments of ideas) answers as
`can_view_idea` (one idea) does, for every kind of person and every state of an idea."""

import pytest

from ideas.models import Publication
from ideas.permissions import can_view_idea
from ideas.selectors import ideas_visible_to
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_query_and_the_predicate_agree(consultation, planner, councillor, administrator):
    author = factories.UserFactory()
    draft = factories.ConsultationFactory(status="draft")
    ideas = []
    for where in (consultation, draft):
        for state in (
            {},
            {"is_hidden": True},
            {"publication": Publication.WITHDRAWN},
            {"publication": Publication.PENDING_MODERATION},
            {"publication": Publication.PENDING_CONFIRMATION},
        ):
            ideas.append(factories.IdeaFactory(consultation=where, author=author, **state))
    limited = factories.PlannerFactory(limited_to_assigned=True)
    from django.contrib.auth.models import AnonymousUser

    people = [AnonymousUser(), author, factories.UserFactory(), planner, limited, councillor]
    people.append(administrator)
    for person in people:
        visible = set(ideas_visible_to(person).values_list("pk", flat=True))
        expected = {idea.pk for idea in ideas if can_view_idea(person, idea)}
        assert visible == expected, person
