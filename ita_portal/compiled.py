"""A page's fixed queries compiled to SQL once per thread and database, then run with fresh
values.

The ORM can take longer to turn a small query into SQL (resolving joins, annotations,
ordering: 0.5–3.5 ms measured on the plan page and access_organisation) than PostgreSQL
takes to answer it (0.1–1 ms). The SQL of such a query depends only on the code and the
models, never on the data: what varies (a plan's or organisation's id, a user's id, a code)
reaches the database as parameters. So the queryset is built once with markers in place of
those values, compiled, and each request runs the same SQL with its own values in the
markers' places. ``rows`` gives a ``values_list`` queryset's rows through the same
converters (dates on SQLite, for example) as the ORM's; ``sql`` gives the SQL and
parameters for ``Model.objects.raw`` (model instances, as access_organisation needs).

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

MARKER = -7_219_004_113  # stands for the varying value while compiling: no row has this id


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
                where = [n for n, p in enumerate(params) if p == marker and type(p) is type(marker)]
                if not where or str(marker) in sql:
                    raise ValueError("the queryset does not use the value it was built with as a parameter")
                slots.append(where)
            converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
            entry = entries[using] = (connection, sql, tuple(params), slots, converters)
        return entry

    def sql(self, *values: Any, using: str = "default") -> tuple[str, list]:
        """The SQL and its parameters with ``values`` in the markers' places."""
        _connection, sql, params, slots, _converters = self._entry(using)
        params = list(params)
        for where, value in zip(slots, values, strict=True):
            for n in where:
                params[n] = value
        return sql, params

    def rows(self, *values: Any, using: str = "default") -> list[tuple]:
        """A ``values_list`` queryset's rows for ``values``, converted as the ORM converts them."""
        connection, _sql, _params, _slots, converters = self._entry(using)
        sql, params = self.sql(*values, using=using)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
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
