"""Where an agency stands among its peers, and group means per indicator.

Peers are agencies of the same type, in the same province or in the whole country, that
have a result for the year in the portal. An agency's users only ever see the group's
statistics (size, rank, percentile, means), never another agency's name or figures, and
nothing at all until a group has at least ``MIN_GROUP`` agencies with results.
Everything comes from Assessment's summary columns, in aggregate queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, FloatField, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from .models import Assessment

MIN_GROUP = 5


def indicator_means(assessments: QuerySet, numbers) -> dict[int, float | None]:
    """{indicator number: mean score} over the assessments, in one aggregate query."""
    means = assessments.aggregate(
        **{f"i{n}": Avg(Cast(KT(f"indicator_scores__ind{n}"), FloatField())) for n in numbers}
    )
    return {n: (round(means[f"i{n}"], 2) if means[f"i{n}"] is not None else None) for n in numbers}


@dataclass(frozen=True)
class PeerGroup:
    """One group's statistics as an agency may see them."""

    scope: str  # "province" | "country"
    label: str
    size: int  # agencies of the group with a total this year
    rank: int | None  # 1 = highest total; ties share the rank
    percentile: int | None  # share of the group at or below this agency's total, 0-100
    mean_total: float | None
    means: dict  # indicator number -> mean
    enough: bool  # at least MIN_GROUP agencies: otherwise nothing else is shown


def peer_groups(assessment: Assessment, numbers) -> list[PeerGroup]:
    """The agency's standing in its type within its province and within the country.

    One aggregate query for both groups (the province's figures filtered inside it),
    whatever the number of agencies; kept in the cache under supervision.cache's generation,
    which any write of a result (or of an organisation, a year, a framework) bumps, so the
    figures are never older than the last write. At 8,300 agencies the aggregate is the
    analysis page's one query whose cost grows with the country."""
    from supervision.cache import cached

    organisation = assessment.organisation
    numbers = list(numbers)
    parts = (
        assessment.fiscal_year_id, organisation.org_type, organisation.province, assessment.total_score, *numbers,
    )  # fmt: skip
    try:
        return cached({"peers": parts}, {"peers": lambda: _peer_groups(assessment, numbers)})["peers"]
    except _cache_errors():  # the cache (Redis) away: the page still answers, with one more query
        return _peer_groups(assessment, numbers)


def _cache_errors() -> tuple[type[BaseException], ...]:
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - redis is in requirements.txt
        return (OSError,)
    return (OSError, RedisError)


def _peer_groups(assessment: Assessment, numbers) -> list[PeerGroup]:
    organisation = assessment.organisation
    mine = assessment.total_score
    base = Assessment.objects.filter(
        fiscal_year_id=assessment.fiscal_year_id,
        organisation__org_type=organisation.org_type,
        total_score__isnull=False,
    )
    type_label = organisation.org_type or "ไม่ระบุประเภท"
    scopes = [("country", f"{type_label} ทั้งประเทศ", Q())]
    if organisation.province:
        scopes.insert(
            0,
            (
                "province",
                f"{type_label} ในจังหวัด{organisation.province}",
                Q(organisation__province=organisation.province),
            ),
        )
    none = Q(pk=None)
    aggregates = {}
    for scope, _label, where in scopes:

        def within(extra=None, where=where):
            condition = where & (extra or Q())
            return condition or None

        aggregates |= {
            f"{scope}_size": Count("pk", filter=within()),
            f"{scope}_above": Count("pk", filter=within(Q(total_score__gt=mine) if mine is not None else none)),
            f"{scope}_at_or_below": Count("pk", filter=within(Q(total_score__lte=mine) if mine is not None else none)),
            f"{scope}_mean_total": Avg("total_score", filter=within()),
            **{
                f"{scope}_i{n}": Avg(Cast(KT(f"indicator_scores__ind{n}"), FloatField()), filter=within())
                for n in numbers
            },
        }
    every = base.aggregate(**aggregates)
    groups = []
    for scope, label, _where in scopes:
        stats = {key.removeprefix(f"{scope}_"): value for key, value in every.items() if key.startswith(f"{scope}_")}
        size = stats["size"]
        enough = size >= MIN_GROUP
        ranked = enough and mine is not None
        groups.append(
            PeerGroup(
                scope=scope,
                label=label,
                size=size,
                rank=stats["above"] + 1 if ranked else None,
                percentile=round(100 * stats["at_or_below"] / size) if ranked else None,
                mean_total=round(float(stats["mean_total"]), 2) if enough and stats["mean_total"] is not None else None,
                means={n: round(stats[f"i{n}"], 2) for n in numbers if stats[f"i{n}"] is not None} if enough else {},
                enough=enough,
            )
        )
    return groups


def context(assessment: Assessment, result) -> dict:
    """What the analysis page's peers partial (assessments/_peers.html) needs."""
    numbers = [i.number for i in result.indicators]
    groups = peer_groups(assessment, numbers)
    shown = [g for g in groups if g.enough]
    rows = [
        {"number": i.number, "name": i.name, "score": i.score, "means": [g.means.get(i.number) for g in shown]}
        for i in result.indicators
    ]
    return {"peers": groups, "peer_rows": rows if shown else [], "min_group": MIN_GROUP}
