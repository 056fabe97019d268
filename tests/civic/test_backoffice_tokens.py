"""Back office: API tokens. Only a digest and a short prefix are stored; the key is shown once,
in the answer to the form that made it, and nowhere afterwards."""

import hashlib
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from civic import services
from civic.models import ApiToken, AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

TOKENS = reverse("backoffice:tokens")
QUEUE = "/api/v1/moderation/queue/"


def _api(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def _refused(response, reason: str) -> bool:
    # 403 rather than 401: the session scheme, first in the list, sends no WWW-Authenticate.
    return response.status_code in (401, 403) and response.json()["detail"] == reason


def _everything_stored() -> str:
    """Every row that could hold a key: tokens, the audit log and the sessions."""
    rows = [
        *ApiToken.objects.values_list(),
        *AuditEntry.objects.values_list(),
        *Session.objects.values_list(),
    ]
    decoded = [s.get_decoded() for s in Session.objects.all()]
    return repr(rows) + repr(decoded)


def test_the_key_is_shown_once_and_stored_nowhere(client, planner):
    client.force_login(planner)
    response = client.post(TOKENS, {"name": "Data warehouse"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(owner=planner)
    page = response.content.decode()
    key = page.split('id="new-key-value"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    assert len(key) == 40 and key.startswith(token.prefix)
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    # Afterwards: not on the page, not in the database (tokens, audit log, sessions).
    later = client.get(TOKENS).content.decode()
    assert key not in later and "Data warehouse" in later and f"{token.prefix}…" in later
    assert key not in _everything_stored()
    # And it works.
    assert _api(key).get(QUEUE).status_code == 200


def test_a_token_needs_a_name(client, planner):
    client.force_login(planner)
    response = client.post(TOKENS, {"name": "  "})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_creation_and_revocation_are_audited(planner):
    token, _key = services.api_token_create(actor=planner, name="Export")
    services.api_token_revoke(actor=planner, token=token)
    actions = list(
        AuditEntry.objects.filter(object_id=str(token.pk)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["account.api_token_create", "account.api_token_revoke"]


def test_a_revoked_token_opens_nothing(client, planner):
    token, key = services.api_token_create(actor=planner, name="Export")
    assert _api(key).get(QUEUE).status_code == 200
    client.force_login(planner)
    response = client.post(reverse("backoffice:token_revoke", args=[token.pk]), follow=True)
    assert "is revoked" in response.content.decode()
    assert _refused(_api(key).get(QUEUE), "Invalid token.")
    assert _refused(_api("not-a-key").get(QUEUE), "Invalid token.")


def test_last_use_is_written_at_most_once_a_minute(planner, monkeypatch):
    from civic import api_tokens

    token, key = services.api_token_create(actor=planner, name="Export")
    assert token.last_used_at is None
    _api(key).get(QUEUE)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    for _ in range(3):  # the worker keeps the token from its second request on
        _api(key).get(QUEUE)
        token.refresh_from_db()
        assert token.last_used_at == first  # within the minute: not written again
    later = first + timedelta(minutes=2)
    monkeypatch.setattr(api_tokens.timezone, "now", lambda: later)
    _api(key).get(QUEUE)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_the_two_factor_rule_holds_for_new_tokens(settings, planner):
    settings.REQUIRE_STAFF_2FA = True
    _token, key = services.api_token_create(actor=planner, name="Export")
    response = _api(key).get(QUEUE)
    assert response.status_code == 403 and "authenticator app" in response.json()["detail"]


def test_a_token_of_an_erased_account_opens_nothing(planner):
    _token, key = services.api_token_create(actor=planner, name="Export")
    planner.is_active = False
    planner.save()
    assert _refused(_api(key).get(QUEUE), "User inactive or deleted.")


def test_people_see_their_own_tokens_and_administrators_everyones(client, planner, administrator):
    services.api_token_create(actor=planner, name="Planner export")
    services.api_token_create(actor=administrator, name="Admin sync")
    client.force_login(planner)
    page = client.get(TOKENS).content.decode()
    assert "Planner export" in page and "Admin sync" not in page
    client.force_login(administrator)
    page = client.get(TOKENS).content.decode()
    assert "Planner export" in page and "Admin sync" in page


def test_only_administrators_revoke_other_peoples_tokens(client, planner, administrator):
    token, _key = services.api_token_create(actor=administrator, name="Sync")
    client.force_login(planner)
    assert client.post(reverse("backoffice:token_revoke", args=[token.pk])).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
    mine, _key = services.api_token_create(actor=planner, name="Mine")
    client.force_login(administrator)
    assert client.post(reverse("backoffice:token_revoke", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None


def test_residents_make_no_tokens(client, resident):
    client.force_login(resident)
    assert client.get(TOKENS).status_code == 403
    assert client.post(TOKENS, {"name": "Mine"}).status_code == 403
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("role", ["planner", "councillor", "administrator"])
def test_staff_roles_make_tokens(client, role):
    client.force_login(factories.UserFactory(role=role))
    assert client.post(TOKENS, {"name": "Mine"}).status_code == 200
    assert ApiToken.objects.count() == 1


def test_the_list_costs_the_same_queries_for_2_and_20_tokens(
    client, administrator, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(administrator)
    client.get(TOKENS)

    def count():
        with CaptureQueriesContext(connection) as queries:
            client.get(TOKENS)
        return len(queries)

    for _ in range(2):
        services.api_token_create(actor=factories.PlannerFactory(), name="T")
    few = count()
    for _ in range(18):
        services.api_token_create(actor=factories.PlannerFactory(), name="T")
    assert count() == few


def test_existing_keys_become_hashed_tokens_and_keep_working(db, resident):
    """The upgrade's data migration: rest_framework.authtoken's plain keys become digests."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("civic.migrations.0010_hash_existing_api_tokens")
    key = "0123456789abcdef0123456789abcdef01234567"
    created = timezone.now() - timedelta(days=30)
    with connection_cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint, "
            "created timestamp with time zone)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, user_id, created) VALUES (%s, %s, %s)",
            [key, resident.pk, created],
        )
    try:
        from types import SimpleNamespace

        from django.db import connection

        migration.hash_old_keys(apps, SimpleNamespace(connection=connection))
        with connection_cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM authtoken_token")
            assert cursor.fetchone()[0] == 0  # the plain keys are gone
    finally:
        with connection_cursor() as cursor:
            cursor.execute("DROP TABLE authtoken_token")
    token = ApiToken.objects.get(owner=resident)
    assert token.prefix == key[:8] and key not in repr(ApiToken.objects.values_list())
    assert abs(token.created_at - created) < timedelta(seconds=1)
    response = Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/consultations/")
    assert response.status_code == 200 and response.wsgi_request.user == resident


def connection_cursor():
    from django.db import connection

    return connection.cursor()
