"""Benchmark scripts that give or read roles do so where roles live: a membership in the
consultation's municipality (civic.models.Membership), not a column of the account."""

import random

import pytest

from bench import changes, multinode
from civic import tenancy
from civic.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_two_node_run_answers_as_a_planner_of_the_consultation(consultation):
    from civic.api_tokens import digest_of
    from civic.models import ApiToken, Membership

    token = multinode.planner_token(consultation)
    owner = ApiToken.objects.get(digest=digest_of(token)).owner
    membership = Membership.objects.get(user=owner)
    assert (membership.municipality_id, membership.role) == (
        consultation.municipality_id,
        Role.PLANNER,
    )
    assert consultation.planners.filter(pk=owner.pk).exists()


def test_the_change_run_writes_as_residents_only(consultation):
    resident = factories.UserFactory()
    with tenancy.activate(consultation.municipality_id):
        planner = factories.UserFactory(role=Role.PLANNER)
    _ideas, _comments, people, _topic = changes._actors(consultation, random.Random(1))
    assert resident in people and planner not in people
