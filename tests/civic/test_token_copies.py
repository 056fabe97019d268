"""Each web worker keeps the API tokens it checked (civic.api_tokens), so a client's requests
after the first ones cost no token query; a revoked token, a new role, a deactivated or erased
account hold from the very next request on every worker.

Two workers are played by swapping the module's per-worker copies; the shared cache (Redis or
Django's local memory in tests) is what they share, as in production.
"""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from civic import api_tokens, services
from civic.models import Role, User
from tests import factories

pytestmark = pytest.mark.django_db

QUEUE = "/api/v1/moderation/queue/"


class Worker:
    def __init__(self):
        self.kept, self.owners = {}, {}

    @contextmanager
    def serving(self, monkeypatch):
        with monkeypatch.context() as patched:
            patched.setattr(api_tokens, "_kept", self.kept)
            patched.setattr(api_tokens, "_owners", self.owners)
            yield


def _check(key):
    """The token and the number of queries its lookup sent."""
    with CaptureQueriesContext(connection) as queries:
        token = api_tokens.token_for_key(key)
    return token, len(queries)


@pytest.fixture
def planner_key():
    planner = factories.UserFactory(role=Role.PLANNER)
    return planner, factories.api_key_for(planner)


def test_a_kept_token_costs_no_query(planner_key):
    planner, key = planner_key
    first, first_queries = _check(key)
    second, second_queries = _check(key)
    third, third_queries = _check(key)
    assert (first_queries, second_queries, third_queries) == (1, 1, 0)
    assert first.owner == second.owner == third.owner == planner
    # Each request gets its own objects: what one request notes on its user stays there.
    third.owner._eid_verified = True
    again, _ = _check(key)
    assert not hasattr(again.owner, "_eid_verified")
    assert again.owner is not third.owner


def test_an_unknown_key_is_never_kept():
    assert _check("0" * 40) == (None, 1)
    assert _check("0" * 40) == (None, 1)


def test_revoking_on_one_worker_refuses_on_the_other_at_once(planner_key, monkeypatch):
    planner, key = planner_key
    a, b = Worker(), Worker()
    with a.serving(monkeypatch):
        _check(key), _check(key)
        assert _check(key)[1] == 0  # worker a answers from its copy
    with b.serving(monkeypatch):
        services.api_token_revoke(actor=planner, token=planner.api_tokens.get())
    with a.serving(monkeypatch):
        assert _check(key) == (None, 1)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert api.get(QUEUE).status_code in (401, 403)


def test_a_new_role_reaches_the_other_worker_at_once(planner_key, monkeypatch):
    planner, key = planner_key
    administrator = factories.UserFactory(role=Role.ADMINISTRATOR)
    a, b = Worker(), Worker()
    with a.serving(monkeypatch):
        _check(key), _check(key)
        assert _check(key)[0].owner.role == Role.PLANNER
    with b.serving(monkeypatch):
        services.user_role_change(
            actor=administrator,
            user=User.objects.get(pk=planner.pk),
            role=Role.COUNCILLOR,
            limited_to_assigned=False,
        )
    with a.serving(monkeypatch):
        token, queries = _check(key)
        assert queries == 1
        assert token.owner.role == Role.COUNCILLOR


def test_an_erased_account_token_is_refused_at_once(monkeypatch):
    from moderation.privacy import delete_account

    resident = factories.UserFactory()
    key = factories.api_key_for(resident)
    a, b = Worker(), Worker()
    with a.serving(monkeypatch):
        _check(key), _check(key)
        assert _check(key)[1] == 0
    with b.serving(monkeypatch):
        delete_account(
            user=User.objects.get(pk=resident.pk),
            password="pass-word-123",
            contributions="anonymise",
        )
    with a.serving(monkeypatch):
        assert _check(key) == (None, 1)


def test_a_lost_version_is_never_trusted(planner_key):
    """Redis restarted or evicted the version: the copy is read again, not trusted."""
    from django.core.cache import cache

    _planner, key = planner_key
    _check(key), _check(key)
    assert _check(key)[1] == 0
    cache.clear()
    assert _check(key)[1] == 1


def test_without_a_cache_that_answers_every_request_reads_the_token(planner_key, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    _planner, key = planner_key
    assert [_check(key)[1] for _ in range(4)] == [1, 1, 1, 1]


def test_copies_are_read_again_after_their_time(planner_key, settings, monkeypatch):
    import time

    _planner, key = planner_key
    _check(key), _check(key)
    assert _check(key)[1] == 0
    later = time.monotonic() + settings.API_TOKEN_LOCAL_SECONDS + 1
    monkeypatch.setattr(api_tokens.time, "monotonic", lambda: later)
    assert _check(key)[1] == 1


def test_setting_zero_reads_every_time(planner_key, settings):
    settings.API_TOKEN_LOCAL_SECONDS = 0
    _planner, key = planner_key
    assert [_check(key)[1] for _ in range(3)] == [1, 1, 1]
