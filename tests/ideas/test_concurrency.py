"""Many people supporting at the same moment: the count must equal the rows exactly.

Real threads, each with its own database connection, against PostgreSQL (SQLite serialises
writers, so the race this guards against cannot happen there).
"""

import threading

import pytest
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

THREADS = 24


def _run_at_once(targets):
    barrier = threading.Barrier(len(targets))
    errors = []

    def run(target):
        try:
            barrier.wait()
            target()
        except Exception as error:  # collected and asserted in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_simultaneous_supports_count_exactly():
    idea = IdeaFactory(consultation=ConsultationFactory())
    users = UserFactory.create_batch(THREADS)
    errors = _run_at_once(
        [
            lambda u=u: services.idea_support(user=User.objects.get(pk=u.pk), idea=idea)
            for u in users
        ]
    )
    assert errors == []
    idea.refresh_from_db()
    assert idea.support_count == THREADS == Support.objects.filter(idea=idea).count()


def test_same_person_twice_at_once_counts_once():
    idea = IdeaFactory(consultation=ConsultationFactory())
    user = UserFactory()
    errors = _run_at_once(
        [lambda: services.idea_support(user=User.objects.get(pk=user.pk), idea=idea)] * 8
    )
    assert len(errors) == 7
    idea.refresh_from_db()
    assert idea.support_count == 1 == Support.objects.filter(idea=idea).count()


def test_support_limit_holds_under_concurrency():
    consultation = ConsultationFactory(support_limit=3)
    ideas = IdeaFactory.create_batch(10, consultation=consultation)
    user = UserFactory()
    errors = _run_at_once(
        [
            lambda i=i: services.idea_support(user=User.objects.get(pk=user.pk), idea=i)
            for i in ideas
        ]
    )
    assert len(errors) == 7
    assert Support.objects.filter(user=user, consultation=consultation).count() == 3
    assert (
        sum(Idea.objects.filter(consultation=consultation).values_list("support_count", flat=True))
        == 3
    )


def test_simultaneous_submissions_get_distinct_references():
    from tests.factories import INSIDE

    consultation = ConsultationFactory()
    users = UserFactory.create_batch(12)
    errors = _run_at_once(
        [
            lambda u=u: services.idea_submit(
                author=User.objects.get(pk=u.pk),
                consultation=consultation,
                title="Samtidig",
                description="x",
                longitude=INSIDE[0],
                latitude=INSIDE[1],
            )
            for u in users
        ]
    )
    assert errors == []
    numbers = sorted(
        Idea.objects.filter(consultation=consultation).values_list("number", flat=True)
    )
    assert numbers == list(range(1, 13))
