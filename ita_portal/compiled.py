"""A page's fixed queries compiled to SQL once per thread and database, then run with fresh
values.

The ORM can take longer to turn a small query into SQL (resolving joins, annotations,
ordering: 0.5–3.5 ms measured on the plan page and access_organisation) than PostgreSQL
takes to answer it (0.1–1 ms). The SQL of such a query depends only on the code and the
models, never on the data: what varies (a plan's or organisation's id, a user's id, a code)
reaches the database as parameters. So the queryset is built once with markers in place of
those values, compiled, and each request runs the same SQL with its own values in the
markers' places. ``rows`` gives a ``values_list`` queryset's rows through the same
converters (dates on SQLite, for example) as the ORM's; ``objects`` gives a model
queryset's instances as the ORM's ModelIterable makes them (select_related rows, deferred
fields and annotations included); ``sql`` gives the SQL and parameters for
``Model.objects.raw``.

Kept in a ``threading.local``: a connection belongs to its thread, and a thread's entries
go with it. A marker the SQL writes inline instead of as a parameter would be reused for
every value: such a query is refused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

MARKER = -7_219_004_113  # stands for the varying value while compiling: no row has this id


YEAR_MARKER = 32_111  # a year (a small integer field: MARKER is out of its range, Django would drop it)


def first_of(queryset: QuerySet) -> QuerySet:
    """What ``queryset.first()`` runs: its order (the primary key when it has none), one row."""
    return (queryset if queryset.ordered else queryset.order_by("pk"))[:1]


class Compiled:
    """``build(*markers)`` gives a queryset whose only varying parameters are its arguments.

    ``Compiled(build)`` takes one integer value (``MARKER`` stands for it); give ``markers``
    for several values or other types: stand-ins no real value equals."""

    def __init__(self, build: Callable[..., QuerySet], markers: Sequence[Any] = (MARKER,)):
        self._build = build
        self._markers = tuple(markers)
        self._local = threading.local()

    def _entry(self, using: str):
        connection = connections[using]
        entries = self._local.__dict__.setdefault("entries", {})
        entry = entries.get(using)
        if entry is None or entry[0] is not connection:
            compiler = self._build(*self._markers).query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            slots = []
            for marker in self._markers:
                # psycopg's Int2 for a small integer field: an int, wrapped the same way again below
                where = [n for n, p in enumerate(params) if p == marker and isinstance(p, type(marker))]
                if not where or str(marker) in sql:
                    raise ValueError("the queryset does not use the value it was built with as a parameter")
                slots.append(where)
            converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
            entry = entries[using] = (connection, sql, tuple(params), slots, converters, compiler)
        return entry

    def sql(self, *values: Any, using: str = "default") -> tuple[str, list]:
        """The SQL and its parameters with ``values`` in the markers' places."""
        _connection, sql, params, slots, _converters, _compiler = self._entry(using)
        params = list(params)
        for where, value in zip(slots, values, strict=True):
            for n in where:
                kind = type(params[n])
                params[n] = value if kind is type(value) or value is None else kind(value)
        return sql, params

    def rows(self, *values: Any, using: str = "default") -> list[tuple]:
        """A ``values_list`` queryset's rows for ``values``, converted as the ORM converts them."""
        connection, _sql, _params, _slots, converters, _compiler = self._entry(using)
        rows = self._fetch(connection, *self.sql(*values, using=using))
        if not converters:
            return [tuple(r) for r in rows]
        out = []
        for row in rows:
            row = list(row)
            for n, (functions, expression) in converters.items():
                for convert in functions:
                    row[n] = convert(row[n], expression, connection)
            out.append(tuple(row))
        return out

    @staticmethod
    def _fetch(connection, sql: str, params: list) -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def objects(self, *values: Any, using: str = "default") -> list:
        """A model queryset's instances for ``values``, made as ModelIterable makes them: the
        model's selected (not deferred) fields, the select_related rows, the annotations.
        Related objects a related manager would set (``plan.rounds``' plan) are not: the
        caller sets them."""
        connection, _sql, _params, _slots, _converters, compiler = self._entry(using)
        shape = self._local.__dict__.setdefault("shapes", {}).get(using)
        if shape is None or shape[0] is not compiler:
            select, klass_info = compiler.select, compiler.klass_info
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            init_list = [f[0].target.attname for f in select[start:end]]
            populators = get_related_populators(klass_info, select, using)
            shape = (compiler, klass_info["model"], start, end, init_list, populators, compiler.annotation_col_map)
            self._local.shapes[using] = shape
        _compiler, model, start, end, init_list, populators, annotations = shape
        rows = self._fetch(connection, *self.sql(*values, using=using))
        if compiler.has_extra_select:  # as execute_sql trims them
            rows = [row[: compiler.col_count] for row in rows]
        out = []
        for row in compiler.results_iter([rows]):
            obj = model.from_db(using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            if annotations:
                for name, position in annotations.items():
                    setattr(obj, name, row[position])
            out.append(obj)
        return out
