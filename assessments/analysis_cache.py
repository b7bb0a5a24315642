"""The analysis page's content, rendered once per version of everything it shows.

The page's body (``_analysis_content.html``: the figures, chart, tables, peers, narratives,
item changes, the agency's words and recommendations, the forms of an editor) is derived from
rows that change rarely, while its template takes most of the page's time. It is kept in
Django's cache under a key made of:

- supervision.cache's generation, which any ORM write of a score, an assessment, an
  organisation, an edition, a grade band, a year or an indicator bumps (the previous year's
  scores, the peer groups over every agency and the organisation's settings are covered by it),
  and a bulk load of scores bumps on commit;
- a generation of this module's own, bumped *after the commit* of any ORM write of those rows
  or of the words below: supervision's is bumped inside the writer's transaction, so a page read
  between that bump and the commit could keep the old rows under the new generation; this one
  changes once the new rows are visible to every reader;
- the framework tokens of every edition up to the year (a framework's writers renew its
  token, ``renew_framework``: this and last year's analyses, both years' items), and the
  previous year's assessment;
- for the narratives, the agency's item analyses and the recommendations of the assessment:
  their count, newest ``updated_at`` and highest id, read in one query on every request, so
  an edit, an addition, a deletion or a reordering (which sets ``updated_at``) gives a new key
  whether or not it sent a signal;
- what differs between viewers: whether the user may edit (the only per-user part of the
  content) and the active language; the organisation's code and the year (the addresses);
- the sources of the templates and modules that write it, so a deploy that changes them never
  serves an older rendering.

CSRF tokens are never stored: the content is rendered with a random slot in place of the
token, kept with the entry, and each response puts its own token there (the request's lazy
``csrf_token``, which the view also gives the rest of the page: one token per page, as before). Entries also expire after CACHE_SECONDS.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from functools import cache as once

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from .models import Assessment, Edition, FiscalYear, IndicatorNarrative, ItemAnalysis, Recommendation

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

GENERATION_KEY = "analysis-content:generation"

log = logging.getLogger(__name__)


def _bump_after_commit(**_kwargs) -> None:
    from supervision.cache import _fresh, _quietly

    transaction.on_commit(lambda: _quietly(lambda: cache.set(GENERATION_KEY, _fresh(), None), None))


def connect() -> None:
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    from supervision.cache import WATCHED

    labels = [*WATCHED, *(model._meta.label for model in WORDS.values())]
    for label in labels:
        model = apps.get_model(label)
        post_save.connect(_bump_after_commit, sender=model, dispatch_uid=f"analysis-content-{label}-save")
        post_delete.connect(_bump_after_commit, sender=model, dispatch_uid=f"analysis-content-{label}-delete")


def _generations() -> tuple[str, str]:
    """(supervision's generation, this module's) in one cache read."""
    from supervision.cache import GENERATION_KEY as RESULTS_KEY
    from supervision.cache import _fresh, _quietly, generation

    found = _quietly(lambda: cache.get_many([RESULTS_KEY, GENERATION_KEY]), {})
    mine = found.get(GENERATION_KEY) or _quietly(lambda: cache.get_or_set(GENERATION_KEY, _fresh, None), _fresh())
    return found.get(RESULTS_KEY) or generation(), mine


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
    """One statement, written once per process (the ORM's eleven subqueries took longer to
    build than to run): a row per table of the assessment's words, and the previous year's
    assessment with its framework token. Plain SQL that SQLite and PostgreSQL both read."""

    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    words = " UNION ALL ".join(
        f"SELECT '{name}', COUNT(*), MAX(id), CAST(MAX(updated_at) AS TEXT) FROM {table(model)} WHERE assessment_id = %s"
        for name, model in WORDS.items()
    )
    previous = (
        f"SELECT 'previous', a.id, 0, '' FROM {table(Assessment)} a"
        f" JOIN {table(FiscalYear)} y ON y.id = a.fiscal_year_id"
        " WHERE a.organisation_id = %s AND y.year < %s ORDER BY y.year DESC LIMIT 1"
    )
    # every edition up to this year: the item changes read the items of both years' editions
    editions = (
        f"SELECT 'edition', e.id, 0, CAST(e.framework_token AS TEXT) FROM {table(Edition)} e"
        f" JOIN {table(FiscalYear)} y ON y.id = e.fiscal_year_id WHERE y.year <= %s"
    )
    return f"{words} UNION ALL SELECT * FROM ({previous}) previous UNION ALL {editions}"


def fingerprint(assessment: Assessment) -> tuple:
    """What the content's rows look like now, in one query: (count, highest id, newest
    change) of the assessment's narratives, item analyses and recommendations, the previous
    year's assessment, and the framework token of every edition up to the year."""
    year = assessment.fiscal_year.year
    params = [assessment.pk] * len(WORDS) + [assessment.organisation_id, year, year]
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql(), params)
        return tuple(sorted(tuple(map(str, row)) for row in cursor.fetchall()))


def _key(assessment: Assessment, *, can_edit: bool) -> str:
    parts = (
        *_generations(), _code_digest(), translation.get_language(), settings.ROOT_URLCONF,
        assessment.pk, assessment.organisation.code, assessment.fiscal_year.year,
        assessment.edition.framework_token, can_edit, *fingerprint(assessment),
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
