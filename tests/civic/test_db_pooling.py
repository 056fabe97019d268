"""Settings for PostgreSQL behind a pooler in transaction mode (PgBouncer): no prepared
statements and no server-side cursors, proved on a real connection with those settings, beside
the direct connection's settings doing both (so each check can fail)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper

from civic.db_pooling import postgres_connection_settings
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements and cursors of PostgreSQL"
)


def _connection(*, server_side_binding: bool, transaction_pooling: bool) -> DatabaseWrapper:
    settings_dict = postgres_connection_settings(
        connection.settings_dict,
        server_side_binding=server_side_binding,
        transaction_pooling=transaction_pooling,
    )
    return DatabaseWrapper(settings_dict, alias="pooled")


def _prepared_after_repeating(wrapper: DatabaseWrapper) -> int:
    with wrapper.cursor() as cursor:
        for _ in range(8):
            cursor.execute("SELECT count(*) FROM civic_user WHERE id > %s", [0])
            cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        return cursor.fetchone()[0]


def _open_cursors_while_iterating(wrapper: DatabaseWrapper) -> int:
    """Server-side cursors seen from the same session in the middle of `QuerySet.iterator()`."""
    from civic.models import User

    connections["pooled"] = wrapper
    try:
        rows = User.objects.using("pooled").order_by("pk").values_list("pk").iterator(chunk_size=1)
        next(rows)  # the first chunk is read: a server-side cursor is open now, if one is used
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_cursors")
            open_cursors = cursor.fetchone()[0]
        rows.close()
    finally:
        del connections["pooled"]
    return open_cursors


@pytest.fixture
def three_people():
    return factories.UserFactory.create_batch(3)


@needs_postgresql
def test_transaction_pooling_prepares_no_statement(three_people):
    direct = _connection(server_side_binding=True, transaction_pooling=False)
    pooled = _connection(server_side_binding=False, transaction_pooling=True)
    try:
        assert _prepared_after_repeating(direct) >= 1
        assert _prepared_after_repeating(pooled) == 0
    finally:
        direct.close()
        pooled.close()


@needs_postgresql
def test_transaction_pooling_declares_no_server_side_cursor(three_people):
    direct = _connection(server_side_binding=False, transaction_pooling=False)
    pooled = _connection(server_side_binding=False, transaction_pooling=True)
    try:
        assert _open_cursors_while_iterating(direct) == 1
        assert _open_cursors_while_iterating(pooled) == 0
    finally:
        direct.close()
        pooled.close()


def test_server_side_binding_and_transaction_pooling_are_refused_together():
    with pytest.raises(ImproperlyConfigured, match="DB_TRANSACTION_POOLING"):
        postgres_connection_settings(
            {"ENGINE": "django.db.backends.postgresql"},
            server_side_binding=True,
            transaction_pooling=True,
        )


def test_pooling_settings_keep_persistent_connections_to_the_pooler():
    settings_dict = postgres_connection_settings(
        {"ENGINE": "django.db.backends.postgresql", "CONN_MAX_AGE": 60, "OPTIONS": {}},
        server_side_binding=False,
        transaction_pooling=True,
    )
    assert settings_dict["CONN_MAX_AGE"] == 60
    assert settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert settings_dict["OPTIONS"] == {"prepare_threshold": None}
