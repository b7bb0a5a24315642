"""The built framework of an edition, kept in Django's cache.

A framework is built from the database once (a fixed number of queries) and kept in
Django's cache under ``ita:framework:<edition pk>:<framework token>``. The token is renewed
by the two paths that write a framework: ``install`` (at the end of its transaction) and
the admin's saves and deletes (``renew_framework``). A kept framework is thus never used
once stale, in this process or another; an orphaned entry expires on its own.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.cache import cache

from .. import analysis

if TYPE_CHECKING:
    from ..models import Edition, FiscalYear

CACHE_PREFIX = "ita:framework"
CACHE_SECONDS = 24 * 60 * 60


class NoEdition(LookupError):
    """The year has no edition for the scheme (its framework is not loaded)."""


def edition_of(target: FiscalYear | Edition, scheme: str | None = None) -> Edition:
    """The edition itself, or the year's edition for the scheme (default NACC general).

    Uses the year's prefetched ``editions`` when there are; raises NoEdition when none."""
    from ..models import Edition, Scheme

    if isinstance(target, Edition):
        return target
    scheme = scheme or Scheme.NACC
    edition = target.edition(scheme)
    if edition is None:
        raise NoEdition(f"ปี {target.year} ไม่มีกรอบการประเมินของชุด {scheme}")
    return edition


def cache_key(target: FiscalYear | Edition, scheme: str | None = None) -> str:
    """Where the edition's framework is kept: the edition and its current token."""
    edition = edition_of(target, scheme)
    return f"{CACHE_PREFIX}:{edition.pk}:{edition.framework_token}"


_read = OrderedDict()  # cache key -> Framework: what this process already read (the key holds the token)
_read_lock = threading.Lock()
_READ_KEPT = 32


def framework_for(target: FiscalYear | Edition, scheme: str | None = None) -> analysis.Framework:
    """The edition's framework as plain, immutable data (built once per token, then cached).

    ``target`` is an Edition, or a FiscalYear with ``scheme`` (default NACC general). The
    shared copy is in Django's cache; this process also keeps what it read under the same
    key, which names the token, so it is never used once the framework changed."""
    edition = edition_of(target, scheme)
    key = cache_key(edition)
    framework = _read.get(key)
    if framework is not None:
        return framework
    framework = cache.get(key)
    if framework is None:
        framework = build_framework(edition)
        cache.set(key, framework, CACHE_SECONDS)
    with _read_lock:
        _read[key] = framework
        while len(_read) > _READ_KEPT:
            _read.popitem(last=False)
    return framework


_kept_editions: dict[tuple[int, str], Edition] = {}  # (fiscal year id, scheme) -> the edition as last read


def kept_edition(fiscal_year: FiscalYear, scheme: str | None = None) -> Edition:
    """The year's edition for the scheme as this process last read it (one query the first
    time, none after). It may be stale: a write that relies on it checks that the edition is
    still there with the same ``framework_token`` (any save of it or its framework renews the
    token), and calls ``forget_kept_edition`` when not. Raises NoEdition as edition_of."""
    from ..models import Scheme

    key = (fiscal_year.pk, scheme or Scheme.NACC)
    edition = _kept_editions.get(key)
    if edition is None:
        edition = edition_of(fiscal_year, key[1])
        with _read_lock:
            _kept_editions[key] = edition
            while len(_kept_editions) > _READ_KEPT:
                _kept_editions.pop(next(iter(_kept_editions)))
    return edition


def forget_kept_edition(fiscal_year: FiscalYear, scheme: str | None = None) -> None:
    """Read the year's edition for the scheme again next time (kept_edition was stale)."""
    from ..models import Scheme

    _kept_editions.pop((fiscal_year.pk, scheme or Scheme.NACC), None)


def renew_framework(edition_id: int | None = None) -> None:
    """Give one edition (or, with None, every edition) a new token: the next read rebuilds it.

    Called by the framework's writers (install, the admin); a framework changed any other
    way (a shell, ``QuerySet.update``) is seen after a call to this."""
    from ..models import Edition

    editions = Edition.objects.all() if edition_id is None else Edition.objects.filter(pk=edition_id)
    editions.update(framework_token=uuid.uuid4())


def forget_built_frameworks() -> None:
    """Drop every kept framework (tests that count a cold request's queries)."""
    renew_framework()


def edition_subindicators(edition: Edition):
    """The edition's sub-indicators in indicator and code order."""
    from ..models import SubIndicator

    return (
        SubIndicator.objects.filter(indicator__edition=edition)
        .select_related("indicator")
        .order_by("indicator__number", "code")
    )


def build_framework(edition: Edition) -> analysis.Framework:
    """The edition's framework read from the database (a fixed number of queries)."""
    from ..models import IssueArea

    fiscal_year = edition.fiscal_year
    tools = list(edition.tools.prefetch_related("parts"))
    indicators = list(edition.indicators.select_related("tool").prefetch_related("issue_areas"))
    subindicators = list(edition_subindicators(edition))
    items = list(edition.items.select_related("indicator", "subindicator").prefetch_related("issue_areas"))
    bands = list(edition.grade_bands.order_by("-min_score"))
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
        pass_score=edition.pass_score,
        excellent_score=edition.excellent_score,
        strength_threshold=edition.strength_threshold,
        eit_gap_threshold=edition.eit_gap_threshold,
        result_mode=edition.result_mode,
        eit_combination=edition.eit_combination,
        grade_bands=tuple((b.grade, b.min_score) for b in bands),
        issue_areas=tuple((a.number, a.name_th) for a in areas),
        scheme=edition.scheme,
        edition_name=edition.label,
        rating_ladder=tuple(
            analysis.RatingRung(
                label=r["label"],
                min_total=Decimal(r["min_total"]),
                below=None if r.get("below") is None else Decimal(r["below"]),
                min_tool=None if r.get("min_tool") is None else Decimal(r["min_tool"]),
            )
            for r in edition.rating_ladder
        ),
        status_tiers=status_tiers(edition.status_tiers),
    )


def status_tiers(data: list[dict] | None) -> tuple[analysis.StatusTier, ...]:
    """Status tiers from their JSON form (an edition's or an organisation's); () when none."""
    return tuple(analysis.StatusTier(t["code"], t["label"], Decimal(str(t["min"]))) for t in data or ())
