"""Names for the few hand-written SQL statements on hot paths (a support, an arrival count).

Table and column names come from the models' own metadata, never from input, which is why the
statements that format them in carry `noqa: S608`; every value stays a query parameter.
"""

from django.db import connection


def quoted(model, *fields: str) -> list[str]:
    """The model's quoted table name, then the quoted column of each field (name or attname)."""
    quote = connection.ops.quote_name
    return [quote(model._meta.db_table)] + [quote(model._meta.get_field(f).column) for f in fields]


def json_rows(
    model, link: str, outer: str, order: tuple[str, ...], *, descending: bool = False
) -> str:
    """PostgreSQL: a scalar subquery giving, as JSON text, every row of `model` whose `link`
    field equals the outer query's column `outer` (already quoted), in `order` (field names,
    all ascending or all `descending`).

    A page that shows one row with a few lists of related rows (an idea with its photos and
    history) reads them in the row's own statement this way instead of one statement each.
    """
    quote = connection.ops.quote_name
    table, link_column = quoted(model, link)
    columns = ", ".join(quote(f.column) for f in model._meta.concrete_fields)
    direction = " DESC" if descending else ""
    ordering = ", ".join(
        f"t.{quote(model._meta.get_field(name).column)}{direction}" for name in order
    )
    return (
        f"(SELECT COALESCE(json_agg(t ORDER BY {ordering}), '[]')::text "  # noqa: S608
        f"FROM (SELECT {columns} FROM {table} WHERE {link_column} = {outer}) AS t)"
    )


def rows_from_json(model, text: str) -> list:
    """Model instances from the JSON text of `json_rows`, as if loaded by a query."""
    import json

    fields = model._meta.concrete_fields
    names = [f.attname for f in fields]
    return [
        model.from_db(connection.alias, names, [f.to_python(row[f.column]) for f in fields])
        for row in json.loads(text)
    ]


def keep_prefetched(instance, name: str, rows: list) -> None:
    """Give `instance.<name>.all()` these rows, as prefetch_related would, with no query."""
    manager = getattr(instance, name)
    cache_name = manager.field.remote_field.cache_name
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache.pop(cache_name, None)
    queryset = manager.get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    field_name = manager.field.name
    for row in rows:
        setattr(row, field_name, instance)
    instance._prefetched_objects_cache[cache_name] = queryset


class KeptQuery:
    """A queryset composed into SQL once per process and run again with another value.

    Composing a statement with several joins and annotations costs Python more than
    PostgreSQL takes to answer it (about a millisecond against a fifth of one for the idea
    page); a read made on every visit keeps the composed statement, with its columns' order
    and converters, and swaps in the one value that changes (`placeholder` when it was
    composed).
    """

    def __init__(self, queryset, placeholder: str):
        self._queryset = queryset
        compiler = queryset.query.get_compiler(using=queryset.db)
        self._sql, params = compiler.as_sql()
        self._params = list(params)
        positions = [i for i, value in enumerate(self._params) if value == placeholder]
        if len(positions) != 1:
            raise ValueError("the placeholder must stand for exactly one parameter")
        self._position = positions[0]
        self._compiler = compiler

    def __iter__(self):
        raise TypeError("use rows(value)")

    def rows(self, value) -> list:
        from copy import copy

        from django.db import connections

        params = list(self._params)
        params[self._position] = value
        statement = (self._sql, tuple(params))
        compiler = copy(self._compiler)
        # This thread's connection: a connection belongs to the thread that opened it.
        compiler.connection = connections[self._queryset.db]
        compiler.as_sql = lambda *args, **kwargs: statement
        query = self._queryset.query.clone()
        query.get_compiler = lambda *args, **kwargs: compiler
        queryset = self._queryset._chain()
        queryset.query = query
        return list(queryset)
