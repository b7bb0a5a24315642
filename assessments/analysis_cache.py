"""The analysis page's content, rendered once per version of everything it shows.

The page's body (``_analysis_content.html``: the figures, chart, tables, peers, narratives,
item changes, the agency's words and recommendations, the forms of an editor) is derived from
rows that change rarely, while its template takes most of the page's time. It is kept in
Django's cache under a key made of what the body shows, as read by this request:

- the organisation's, the year's, the assessment's and its edition's rows (all loaded by
  ``access_assessment`` already: a rename, the digits or status tiers, a summary refresh);
- one query (``fingerprint``): for this year's and last year's scores, the narratives, the
  agency's item analyses and the recommendations, their count, newest ``updated_at`` and
  highest id (an edit, an addition, a deletion, a bulk load or a reordering gives a new key,
  whether or not it sent a signal); last year's assessment and its ``updated_at``; the
  framework token of every edition up to the year (a framework's writers renew it:
  ``renew_framework``; this and last year's analyses, both years' items);
- the peer groups' figures, as supervision.cache keeps them (any write of a result bumps its
  generation; the figures are then aggregated again): another agency's write changes the key
  only when it moves the figures this page shows;
- what differs between viewers: whether the user may edit (the only per-user part of the
  content) and the active language;
- the sources of the templates and modules that write it, so a deploy that changes them never
  serves an older rendering.

Nothing in the key comes from a counter bumped inside a writer's transaction, so a page read
before a write commits keeps its body under the rows it read, never under the new ones.
CSRF tokens are never stored: the content is rendered with a random slot in place of the
token, kept with the entry, and each response puts its own token there (the request's lazy
``csrf_token``, which the view also gives the rest of the page: one token per page, as
before). Entries expire after CACHE_SECONDS.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from functools import cache as once

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from .models import Assessment, Edition, FiscalYear, IndicatorNarrative, ItemAnalysis, Recommendation, Score

CACHE_SECONDS = 600
CONTENT_TEMPLATE = "assessments/_analysis_content.html"
# Every template the content renders: their sources are part of the key.
TEMPLATES = (
    CONTENT_TEMPLATE,
    "assessments/_peers.html",
    "assessments/_narrative.html",
    "assessments/_item_changes.html",
)
WORDS = {"narratives": IndicatorNarrative, "item_words": ItemAnalysis, "recommendations": Recommendation}

log = logging.getLogger(__name__)


# The code that writes the content (with the templates above): its source is part of the key.
MODULES = (
    "assessments.analysis.compute", "assessments.analysis.model", "assessments.analysis.narrative",
    "assessments.analysis.rules", "assessments.views", "assessments.item_meta", "assessments.peers",
    "assessments.agency_words", "assessments.charts", "assessments.thai", "assessments.forms",
    "assessments.templatetags.ita", "assessments.analysis_cache",
)  # fmt: skip


@once
def _code_digest() -> str:
    """The templates' and modules' sources, once per process: a deploy that changes what the
    content looks like never serves a body an earlier version kept in a shared cache."""
    import importlib

    from django.template import engines

    digest = hashlib.sha256()
    engine = engines["django"].engine
    for name in TEMPLATES:
        digest.update(engine.get_template(name).source.encode())
    for name in MODULES:
        with open(importlib.import_module(name).__file__, "rb") as source:
            digest.update(source.read())
    return digest.hexdigest()[:16]


@once
def _fingerprint_sql() -> str:
    """One statement, written once per process (the ORM's subqueries took longer to build than
    to run): a row per table of the assessment's words, one for both years' scores, one for the
    previous year's assessment, one per edition. Plain SQL that SQLite and PostgreSQL both read."""

    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    words = " UNION ALL ".join(
        f"SELECT '{name}', COUNT(*), MAX(id), CAST(MAX(updated_at) AS TEXT) FROM {table(model)} WHERE assessment_id = %s"
        for name, model in WORDS.items()
    )
    previous_id = (
        f"SELECT a.id FROM {table(Assessment)} a JOIN {table(FiscalYear)} y ON y.id = a.fiscal_year_id"
        " WHERE a.organisation_id = %s AND y.year < %s ORDER BY y.year DESC LIMIT 1"
    )
    previous = (
        f"SELECT 'previous', a.id, 0, CAST(a.updated_at AS TEXT) FROM {table(Assessment)} a"
        f" WHERE a.id = ({previous_id})"
    )
    # this year's and last year's scores (the bulk load sets updated_at too)
    words += (
        f" UNION ALL SELECT 'scores', COUNT(*), MAX(id), CAST(MAX(updated_at) AS TEXT) FROM {table(Score)}"
        f" WHERE assessment_id = %s OR assessment_id = ({previous_id})"
    )
    # every edition up to this year: the item changes read the items of both years' editions
    editions = (
        f"SELECT 'edition', e.id, 0, CAST(e.framework_token AS TEXT) FROM {table(Edition)} e"
        f" JOIN {table(FiscalYear)} y ON y.id = e.fiscal_year_id WHERE y.year <= %s"
    )
    return f"{words} UNION ALL {previous} UNION ALL {editions}"


def fingerprint(assessment: Assessment) -> tuple:
    """What the content's rows look like now, in one query: (count, highest id, newest
    change) of the assessment's narratives, item analyses and recommendations and of this and
    last year's scores, the previous year's assessment and its last change, and the framework
    token of every edition up to the year."""
    year, organisation_id = assessment.fiscal_year.year, assessment.organisation_id
    params = [assessment.pk] * len(WORDS) + [assessment.pk, organisation_id, year, organisation_id, year, year]
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql(), params)
        return tuple(sorted(tuple(map(str, row)) for row in cursor.fetchall()))


def _key(assessment: Assessment, *, can_edit: bool) -> str:
    """Everything the body shows, as read in this request: the organisation's, year's,
    assessment's and edition's rows (loaded already), the fingerprint (one query), and the
    peer groups' figures (supervision.cache's copy, as the body's peers partial shows them).
    Writes of other agencies change the key only through the peer figures they move."""
    from measures.fragments import row_values

    from .frameworks import framework_for
    from .peers import peer_groups

    numbers = [i.number for i in framework_for(assessment.edition).indicators]
    parts = (
        _code_digest(), translation.get_language(), settings.ROOT_URLCONF, can_edit,
        row_values(assessment.organisation), row_values(assessment.fiscal_year), row_values(assessment),
        row_values(assessment.edition),
        *fingerprint(assessment), repr(peer_groups(assessment, numbers)),
    )  # fmt: skip
    return "analysis-content:" + hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:40]


def _cache_errors() -> tuple[type[BaseException], ...]:
    from .peers import _cache_errors as errors

    return errors()


def content(
    assessment: Assessment, *, csrf_token, can_edit: bool, build: Callable[[], dict], cacheable: bool = True
) -> SafeString:
    """The page's body for this request: from the cache when nothing it shows has changed,
    else rendered from ``build()``'s context (and kept, when ``cacheable``: not a page that
    shows a form's errors). ``csrf_token`` is the request's lazy token (the ``csrf`` context
    processor's): the page gives the same one to the rest of the template."""
    key = _key(assessment, can_edit=can_edit) if cacheable else None
    entry = None
    if key is not None:
        try:
            entry = cache.get(key)
        except _cache_errors() as exc:  # the cache (Redis) away: render, as without it
            log.warning("analysis cache unavailable: %s", exc)
    if entry is None:
        slot = f"csrf-slot-{secrets.token_hex(16)}"
        html = render_to_string(CONTENT_TEMPLATE, {**build(), "csrf_token": slot})
        entry = (slot, html)
        if key is not None:
            try:
                cache.set(key, entry, CACHE_SECONDS)
            except _cache_errors() as exc:
                log.warning("analysis cache unavailable: %s", exc)
    slot, html = entry
    if slot in html:
        html = html.replace(slot, str(csrf_token))
    return mark_safe(html)  # noqa: S308 - the template's own output, escaped when rendered
