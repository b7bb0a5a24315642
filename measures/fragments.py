"""Rendered read-only parts of a page kept in this process, keyed on what they are made of.

A follow-up round's cards (20 measures: 218 form fields, their labels and the evidence
links) cost about 40 % of the page through the template engine, and they are the same
bytes until someone writes. The key is a SHA-256 of *every* input a fragment is drawn
from: each concrete field of each row it shows (``row_values``: the measure, its units,
the entry, its evidence, the organisation, the year), plus the language, the script prefix
and the day (what is overdue). Any write that changes what would be shown changes a value
in the key, so a kept fragment can never be stale; nothing is invalidated, an entry just
stops being asked for and falls out of the bounded store (least recently used first).

The store lives in the process, not in the shared cache: code and templates cannot change
under it (a deploy starts new processes), and nothing leaves the process. With DEBUG on
(templates reloaded as they are edited) nothing is kept. Only what is the same for every
reader goes in: no CSRF token, no CSP nonce, no user-specific or typed text.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import models
from django.middleware.csrf import get_token
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

# What a kept fragment holds where ``{% csrf_token %}`` writes the token: each request puts its
# own in (``with_csrf``). Letters and digits only, so escaping leaves it as it is.
CSRF_PLACEHOLDER = f"csrf{secrets.token_hex(16)}"
MAX_FRAGMENTS = 64  # about 80 KiB each: a few MiB per process at most

_store: OrderedDict[str, str] = OrderedDict()
_lock = threading.Lock()
stats = {"hits": 0, "misses": 0}  # read by tests


def row_values(row: models.Model | None) -> tuple | None:
    """Every concrete field of a row (foreign keys as ids), with its model's label."""
    if row is None:
        return None
    meta = row._meta
    return (meta.label, *(getattr(row, field.attname) for field in meta.concrete_fields))


def key_of(kind: str, *parts: object) -> str:
    """A fragment's key: its kind, the request's language and script prefix, and ``parts``
    (plain values and ``row_values`` tuples; ``repr`` of dates, decimals and JSON lists
    is exact)."""
    material = repr((kind, translation.get_language(), get_script_prefix(), parts))
    return hashlib.sha256(material.encode()).hexdigest()


def rows_values(rows: Iterable[models.Model]) -> tuple:
    return tuple(row_values(r) for r in rows)


def kept(key: str, render: Callable[[], str]) -> SafeString:
    """The fragment under ``key``, rendered (and kept) on a miss."""
    if settings.DEBUG:
        return mark_safe(render())  # noqa: S308 - render() returns the template engine's output
    with _lock:
        html = _store.get(key)
        if html is not None:
            _store.move_to_end(key)
            stats["hits"] += 1
    if html is None:
        html = render()
        with _lock:
            stats["misses"] += 1
            _store[key] = html
            while len(_store) > MAX_FRAGMENTS:
                _store.popitem(last=False)
    return mark_safe(html)  # noqa: S308 - kept output of the template engine, escaped when rendered


def with_csrf(html: SafeString, request) -> SafeString:
    """A kept fragment with this request's CSRF token where it was rendered with the placeholder."""
    if CSRF_PLACEHOLDER not in html:
        return html
    return mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308 - the token is [A-Za-z0-9]


def clear() -> None:
    with _lock:
        _store.clear()
