"""Support and take back at the same moment, by one person and by several: no deadlock, and the
counter equals the rows afterwards.

Real threads, each with its own connection, against PostgreSQL (SQLite serialises writers, so
these races cannot happen there). A deadlock is detected by PostgreSQL after deadlock_timeout and
reaches the service as an OperationalError, which the test collects.
"""

import contextlib
import random
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections

from civic.models import User
from ideas import services
from ideas.models import Idea, Support
from tests.factories import ConsultationFactory, IdeaFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent writers"
    ),
]

ROUNDS = 40


def _toggle_many_times(user_pk: int, idea_pks: list[int], seed: int, errors: list, barrier):
    """Support or take back a support, at random, many times; refusals ("already supported",
    "no supports left") are expected, anything else is an error."""
    chooser = random.Random(seed)
    try:
        user = User.objects.get(pk=user_pk)
        ideas = list(Idea.objects.select_related("consultation").filter(pk__in=idea_pks))
        barrier.wait()
        for _round in range(ROUNDS):
            idea = chooser.choice(ideas)
            action = chooser.choice([services.idea_support, services.idea_unsupport])
            with contextlib.suppress(PermissionDenied):
                action(user=user, idea=idea)
    except Exception as error:  # collected and asserted in the test's thread
        errors.append(error)
    finally:
        connections.close_all()


def _run(jobs: list[tuple[int, list[int]]]) -> list:
    errors: list = []
    barrier = threading.Barrier(len(jobs))
    threads = [
        threading.Thread(target=_toggle_many_times, args=(user_pk, idea_pks, n, errors, barrier))
        for n, (user_pk, idea_pks) in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _assert_counts_match(ideas):
    for idea in ideas:
        idea.refresh_from_db()
        assert idea.support_count == Support.objects.filter(idea=idea).count()


@pytest.mark.parametrize("support_limit", [None, 2])
def test_one_person_supporting_and_taking_back_at_once_never_deadlocks(support_limit):
    consultation = ConsultationFactory(support_limit=support_limit)
    ideas = IdeaFactory.create_batch(3, consultation=consultation)
    person = UserFactory()
    errors = _run([(person.pk, [i.pk for i in ideas])] * 6)
    assert errors == []
    _assert_counts_match(ideas)
    if support_limit is not None:
        assert Support.objects.filter(user=person).count() <= support_limit


@pytest.mark.parametrize("support_limit", [None, 2])
def test_several_people_supporting_and_taking_back_at_once_never_deadlock(support_limit):
    consultation = ConsultationFactory(support_limit=support_limit)
    ideas = IdeaFactory.create_batch(3, consultation=consultation)
    people = UserFactory.create_batch(3)
    # Each person in two threads at once, all on the same few ideas.
    errors = _run([(p.pk, [i.pk for i in ideas]) for p in people] * 2)
    assert errors == []
    _assert_counts_match(ideas)
