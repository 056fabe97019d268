"""PostgreSQL connection settings for a direct connection or one through a pooler.

A pooler in transaction mode (PgBouncer with pool_mode=transaction) hands each transaction the
next free server connection, so anything that outlives a transaction on the server is lost or,
worse, found by another client:

- prepared statements (psycopg prepares a statement the fifth time a connection runs it when
  server-side binding is on): the next transaction may run on a server connection that never
  saw the PREPARE ("prepared statement does not exist") or one where another client prepared a
  different statement under the same name;
- server-side cursors (Django declares one for `QuerySet.iterator()` outside a transaction,
  WITH HOLD): the next FETCH may reach a server connection without the cursor.

Persistent client connections (CONN_MAX_AGE) stay useful behind the pooler: they save the
connect to PgBouncer, and PgBouncer keeps the few server connections. The session settings
Django sends (the time zone) are ones PgBouncer tracks and sets again on whichever server
connection serves the client.
"""

from __future__ import annotations


def postgres_connection_settings(
    database: dict, *, server_side_binding: bool, transaction_pooling: bool
) -> dict:
    """`database` (a DATABASES entry for PostgreSQL) with the options for binding and pooling.
    Server-side binding is refused with transaction pooling: the two cannot work together."""
    if server_side_binding and transaction_pooling:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "DB_SERVER_SIDE_BINDING prepares statements, which a pooler in transaction mode "
            "cannot keep: leave it unset (or 0) with DB_TRANSACTION_POOLING=1."
        )
    database = {**database, "OPTIONS": dict(database.get("OPTIONS") or {})}
    options = database["OPTIONS"]
    if server_side_binding:
        options.setdefault("server_side_binding", True)
        # Django turns psycopg's prepared statements off unless told a threshold.
        options.setdefault("prepare_threshold", 5)
    else:
        # Client-side binding, and no statement is ever prepared on the server.
        options.pop("server_side_binding", None)
        options["prepare_threshold"] = None
    if transaction_pooling:
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
    return database
