"""The built framework of a year, kept in Django's cache.

A framework is built from the database once (a fixed number of queries) and kept in
Django's cache under ``ita:framework:<year pk>:<framework token>``. The token is renewed
by the two paths that write a framework: ``install`` (a new FiscalYear row, a new token)
and the admin's saves and deletes (``renew_framework``). A kept framework is thus never
used once stale, in this process or another; an orphaned entry expires on its own.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.cache import cache

from .. import analysis

if TYPE_CHECKING:
    from ..models import FiscalYear

CACHE_PREFIX = "ita:framework"
CACHE_SECONDS = 24 * 60 * 60


def cache_key(fiscal_year: FiscalYear) -> str:
    """Where the year's framework is kept: the year and its current token."""
    return f"{CACHE_PREFIX}:{fiscal_year.pk}:{fiscal_year.framework_token}"


def framework_for(fiscal_year: FiscalYear) -> analysis.Framework:
    """The fiscal year's framework as plain, immutable data (built once per token, then cached)."""
    key = cache_key(fiscal_year)
    framework = cache.get(key)
    if framework is None:
        framework = build_framework(fiscal_year)
        cache.set(key, framework, CACHE_SECONDS)
    return framework


def renew_framework(fiscal_year_id: int | None = None) -> None:
    """Give one year (or, with None, every year) a new token: the next read rebuilds it.

    Called by the framework's writers (install, the admin); a framework changed any other
    way (a shell, ``QuerySet.update``) is seen after a call to this."""
    from ..models import FiscalYear

    years = FiscalYear.objects.all() if fiscal_year_id is None else FiscalYear.objects.filter(pk=fiscal_year_id)
    years.update(framework_token=uuid.uuid4())


def forget_built_frameworks() -> None:
    """Drop every kept framework (tests that count a cold request's queries)."""
    renew_framework()


def fiscal_year_subindicators(fiscal_year: FiscalYear):
    """The year's sub-indicators in indicator and code order."""
    from ..models import SubIndicator

    return (
        SubIndicator.objects.filter(indicator__fiscal_year=fiscal_year)
        .select_related("indicator")
        .order_by("indicator__number", "code")
    )


def build_framework(fiscal_year: FiscalYear) -> analysis.Framework:
    """The fiscal year's framework read from the database (a fixed number of queries)."""
    from ..models import IssueArea

    tools = list(fiscal_year.tools.prefetch_related("parts"))
    indicators = list(fiscal_year.indicators.select_related("tool").prefetch_related("issue_areas"))
    subindicators = list(fiscal_year_subindicators(fiscal_year))
    items = list(fiscal_year.items.select_related("indicator", "subindicator").prefetch_related("issue_areas"))
    bands = list(fiscal_year.grade_bands.order_by("-min_score"))
    areas = list(IssueArea.objects.order_by("number"))
    return analysis.Framework(
        year=fiscal_year.year,
        tools=tuple(
            analysis.ToolDef(
                code=t.code,
                name=t.name_th,
                weight=t.weight,
                parts=tuple((p.code, p.name_th) for p in t.parts.all()),
            )
            for t in tools
        ),
        indicators=tuple(
            analysis.IndicatorDef(
                number=i.number,
                name=i.name_th,
                tool=i.tool.code,
                description=i.description_th,
                issue_areas=tuple(sorted(a.number for a in i.issue_areas.all())),
            )
            for i in indicators
        ),
        subindicators=tuple(
            analysis.SubIndicatorDef(code=s.code, name=s.name_th, indicator=s.indicator.number) for s in subindicators
        ),
        items=tuple(
            analysis.ItemDef(
                code=i.code,
                label=i.label,
                title=i.title_th,
                indicator=i.indicator.number,
                subindicator=i.subindicator.code if i.subindicator_id else None,
                issue_areas=tuple(sorted(a.number for a in i.issue_areas.all())),
                uncertain=i.uncertain,
            )
            for i in items
        ),
        pass_score=fiscal_year.pass_score,
        excellent_score=fiscal_year.excellent_score,
        strength_threshold=fiscal_year.strength_threshold,
        eit_gap_threshold=fiscal_year.eit_gap_threshold,
        result_mode=fiscal_year.result_mode,
        eit_combination=fiscal_year.eit_combination,
        grade_bands=tuple((b.grade, b.min_score) for b in bands),
        issue_areas=tuple((a.number, a.name_th) for a in areas),
    )
