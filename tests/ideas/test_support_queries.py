"""The support write path stays lean: a support storm is the busiest write on the site.

Counted in a transactional test, so the numbers are the statements a request sends in
production (no savepoints of the test's own transaction). The rows and counters are checked too:
being lean must not lose or double a support.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ideas.models import Idea, Support
from tests.factories import ConsultationFactory, IdeaFactory, UserFactory, api_key_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _warm_content_types():
    """The audit log's content type is looked up once per process and then kept in memory."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_model(Idea)


def _api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")


def _html(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def _count(call):
    """The request's response and how many statements it sent, leaving out transaction
    control, which SQLite's backend logs and PostgreSQL's does not."""
    with CaptureQueriesContext(connection) as queries:
        response = call()
    statements = [
        q["sql"] for q in queries.captured_queries if not q["sql"].startswith(TRANSACTION_CONTROL)
    ]
    return response, len(statements)


def _row_and_counter(idea) -> tuple[int, int]:
    idea.refresh_from_db()
    return Support.objects.filter(idea=idea).count(), idea.support_count


ONE_STATEMENT = connection.vendor == "postgresql"


@pytest.mark.parametrize(
    ("support_limit", "rules_kept", "post_queries", "delete_queries"),
    [
        # token, idea, consultation, its phases, then on PostgreSQL one statement (block, row,
        # counter, audit entry), elsewhere the viewer's block, insert, counter, audit entry
        # (taking a support back asks for the block too: a block covers it since it exists)
        (None, False, 5 if ONE_STATEMENT else 8, 8),
        # + the lock on the person's row (and, step by step, the count of their supports)
        (5, False, 6 if ONE_STATEMENT else 10, 9),
        # As a running site answers a storm: the worker kept the consultation and its phases
        # (consultations.selectors.consultation_for_rules), so two statements fewer.
        (None, True, 3 if ONE_STATEMENT else 6, 6),
        (5, True, 4 if ONE_STATEMENT else 8, 7),
    ],
)
def test_api_support_and_unsupport_query_counts(
    settings, support_limit, rules_kept, post_queries, delete_queries
):
    settings.CONSULTATION_RULES_SECONDS = 5 if rules_kept else 0
    idea = IdeaFactory(consultation=ConsultationFactory(support_limit=support_limit))
    api = _api(UserFactory())
    if rules_kept:
        from consultations.selectors import consultation_for_rules

        consultation_for_rules(idea.consultation_id)  # an earlier support read it
    url = f"/api/v1/ideas/{idea.pk}/support/"

    response, queries = _count(lambda: api.post(url))
    assert response.status_code == 201
    assert queries == post_queries
    left = None if support_limit is None else support_limit - 1
    assert response.json() == {"support_count": 1, "viewer_supports": True, "supports_left": left}
    assert _row_and_counter(idea) == (1, 1)

    response, queries = _count(lambda: api.delete(url))
    assert response.status_code == 200
    assert queries == delete_queries
    assert response.json() == {
        "support_count": 0,
        "viewer_supports": False,
        "supports_left": support_limit,
    }
    assert _row_and_counter(idea) == (0, 0)


def test_api_second_support_is_refused_without_touching_the_counter():
    idea = IdeaFactory(consultation=ConsultationFactory())
    api = _api(UserFactory())
    url = f"/api/v1/ideas/{idea.pk}/support/"
    assert api.post(url).status_code == 201
    response = api.post(url)
    assert response.status_code == 403
    assert response.json()["detail"] == "You already support this idea."
    assert api.delete(url).status_code == 200
    response = api.delete(url)
    assert response.status_code == 403
    assert response.json()["detail"] == "You do not support this idea."
    assert _row_and_counter(idea) == (0, 0)


@pytest.mark.parametrize("htmx", [False, True])
def test_html_support_and_unsupport_query_counts(htmx):
    idea = IdeaFactory(consultation=ConsultationFactory())
    client = _html(UserFactory())
    url = f"/ideas/{idea.reference}/support/"
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    # session, user, idea (with the viewer's support and block), phases, then insert, counter,
    # audit entry (on PostgreSQL one statement, which asks for the block again, and the phases
    # come with the idea)
    response, queries = _count(lambda: client.post(url, **headers))
    assert response.status_code == (200 if htmx else 302)
    assert queries == (4 if ONE_STATEMENT else 7)
    if htmx:
        assert "1 support" in response.content.decode()
        assert "Withdraw my support" in response.content.decode()
    assert _row_and_counter(idea) == (1, 1)

    response, queries = _count(lambda: client.post(url, {"action": "unsupport"}, **headers))
    assert response.status_code == (200 if htmx else 302)
    assert queries == (6 if ONE_STATEMENT else 7)
    if htmx:
        assert "0 supports" in response.content.decode()
        assert "Support this idea" in response.content.decode()
    assert _row_and_counter(idea) == (0, 0)


def test_blocked_person_is_refused_with_the_reason():
    from moderation.models import Block

    idea = IdeaFactory(consultation=ConsultationFactory())
    person = UserFactory()
    Block.objects.create(user=person, consultation=idea.consultation, reason="Spam")
    response = _api(person).post(f"/api/v1/ideas/{idea.pk}/support/")
    assert response.status_code == 403
    assert "blocked" in response.json()["detail"]
    assert "Spam" in response.json()["detail"]
    assert _row_and_counter(idea) == (0, 0)
