"""A page's fixed queries compiled to SQL once per thread and database, then run with a
fresh value.

On the plan page the ORM spent longer turning each small query into SQL (some 0.5–0.7 ms:
resolving joins, annotations, ordering) than PostgreSQL took to answer it (0.1–0.2 ms).
The SQL of such a query depends only on the code and the models, never on the data: what
varies is one value (the plan's or the organisation's id), which the database receives as
a parameter. So the queryset is built once with a marker in place of that value, compiled,
and each request runs the same SQL with its own value in the marker's place, and the
values go through the same converters (dates on SQLite, for example) as the ORM's would.

Only ``values_list`` querysets (rows of plain values), so no model is built here. Kept in a
``threading.local``: a connection belongs to its thread, and a thread's entries go with it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet

MARKER = -7_219_004_113  # stands for the varying value while compiling: no row has this id


class Compiled:
    """``build(value)`` gives a ``values_list`` queryset whose only varying parameter is ``value``."""

    def __init__(self, build: Callable[[int], QuerySet]):
        self._build = build
        self._local = threading.local()

    def _entry(self, using: str):
        connection = connections[using]
        entries = self._local.__dict__.setdefault("entries", {})
        entry = entries.get(using)
        if entry is None or entry[0] is not connection:
            compiler = self._build(MARKER).query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            slots = [n for n, p in enumerate(params) if p == MARKER]
            if not slots:
                raise ValueError("the queryset does not use the value it was built with")
            converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
            entry = entries[using] = (connection, sql, tuple(params), slots, converters)
        return entry

    def rows(self, value: int, *, using: str = "default") -> list[tuple]:
        connection, sql, params, slots, converters = self._entry(using)
        params = list(params)
        for n in slots:
            params[n] = value
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
