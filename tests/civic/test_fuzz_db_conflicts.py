"""A transaction that lost a race (deadlock, serialisation failure) is answered 409 with a short
Retry-After, so the client repeats it; it is not reported as "database unavailable" (503)."""

import threading

import psycopg.errors
import pytest
from django.db import OperationalError, connection, connections, transaction

from civic.middleware_db import is_database_unavailable, is_transaction_conflict
from civic.models import User
from tests import factories
from tests.factories import api_key_for


def _lost_race(cause: Exception) -> OperationalError:
    """What Django raises when psycopg reports `cause`: an OperationalError chained to it."""
    try:
        raise OperationalError(str(cause)) from cause
    except OperationalError as error:
        return error


@pytest.fixture
def supportable(db):
    idea = factories.IdeaFactory()
    resident = factories.UserFactory()
    return idea, resident


@pytest.mark.parametrize(
    "cause",
    [
        psycopg.errors.DeadlockDetected("deadlock detected"),
        psycopg.errors.SerializationFailure("could not serialize access"),
    ],
)
def test_api_answers_a_lost_race_with_409_and_retry_after(client, supportable, monkeypatch, cause):
    idea, resident = supportable

    def collide(**kwargs):
        raise _lost_race(cause)

    monkeypatch.setattr("ideas.services.idea_support", collide)
    token = api_key_for(resident)
    response = client.post(f"/api/v1/ideas/{idea.pk}/support/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 409
    assert response["Retry-After"] == "1"
    assert "try again" in response.json()["detail"]


def test_html_page_answers_a_lost_race_with_409(client, supportable, monkeypatch):
    idea, resident = supportable

    def collide(**kwargs):
        raise _lost_race(psycopg.errors.DeadlockDetected("deadlock detected"))

    monkeypatch.setattr("ideas.services.idea_support", collide)
    client.force_login(resident)
    response = client.post(f"/ideas/{idea.reference}/support/")
    assert response.status_code == 409
    assert response["Retry-After"] == "1"


def test_an_unreachable_database_is_still_503():
    refused = _lost_race(psycopg.errors.ConnectionFailure("connection refused"))
    assert is_database_unavailable(refused)
    assert not is_transaction_conflict(refused)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's lock manager")
def test_a_real_deadlock_is_recognised_as_a_conflict():
    """Two transactions lock two rows in opposite orders; PostgreSQL aborts one of them."""
    first, second = factories.UserFactory(), factories.UserFactory()
    barrier = threading.Barrier(2)
    errors = []

    def lock(one: int, other: int):
        try:
            with transaction.atomic():
                User.objects.select_for_update().filter(pk=one).first()
                barrier.wait()
                User.objects.select_for_update().filter(pk=other).first()
        except OperationalError as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=lock, args=(first.pk, second.pk)),
        threading.Thread(target=lock, args=(second.pk, first.pk)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 1
    assert is_transaction_conflict(errors[0])
    assert not is_database_unavailable(errors[0])
