"""Names for the few hand-written SQL statements on hot paths (a support, an arrival count).

Table and column names come from the models' own metadata, never from input, which is why the
statements that format them in carry `noqa: S608`; every value stays a query parameter.
"""

from django.db import connection


def quoted(model, *fields: str) -> list[str]:
    """The model's quoted table name, then the quoted column of each field (name or attname)."""
    quote = connection.ops.quote_name
    return [quote(model._meta.db_table)] + [quote(model._meta.get_field(f).column) for f in fields]
