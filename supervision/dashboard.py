"""The supervisor's dashboard: every agency below a supervising body, for one assessment year.

Year Y's row of an agency shows its result of Y (from Assessment's summary columns) and
the cycle that follows it: the plan of year Y+1 drafted / submitted / approved / published,
and each follow-up round of that plan reported or overdue. The list is one SQL query
(joins and EXISTS subqueries, never a query per agency); counts and means are aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from assessments.models import Assessment, FiscalYear, Organisation
from measures.models import FollowUpRound

STAGES = [
    ("none", "ยังไม่มีคะแนน"),
    ("scores", "บันทึกคะแนนแล้ว"),
    ("drafted", "ร่างมาตรการ"),
    ("submitted", "เสนอพิจารณา"),
    ("approved", "อนุมัติแล้ว"),
    ("published", "เผยแพร่แล้ว"),
]
STAGE_LABELS = dict(STAGES)
STAGE_FILTERS = [("unpublished", "ยังไม่เผยแพร่มาตรการ"), *STAGES, ("late", "มีรอบติดตามเลยกำหนด")]
TOOLS = ("iit", "eit", "oit")
INDICATOR_KEYS = [f"ind{n}" for n in range(1, 21)]
SORTS = {
    "code": "code",
    "name": "name",
    "type": "org_type",
    "province": "province",
    "district": "district",
    "total": "total",
    "iit": "iit",
    "eit": "eit",
    "oit": "oit",
    "stage": "stage_order",
    "rating": "rating_rank",
}
PAGE_SIZE = 100


@dataclass(frozen=True)
class Filters:
    """What the supervisor chose in the dashboard's form (all optional)."""

    org_type: str = ""
    province: str = ""
    district: str = ""
    stage: str = ""
    q: str = ""
    sort: str = "code"
    rating: str = ""  # a label of the year's ratings (Ratings.labels), or "none": no total

    @classmethod
    def from_query(cls, params, ratings: Ratings | None = None) -> Filters:
        sort = params.get("sort", "code")
        stage = params.get("stage", "")
        rating = params.get("rating", "").strip()[:100]
        known = set(ratings.labels) | {NO_RATING} if ratings is not None else {NO_RATING}
        return cls(
            org_type=params.get("type", "").strip()[:100],
            province=params.get("province", "").strip()[:100],
            district=params.get("district", "").strip()[:100],
            stage=stage if stage in dict(STAGE_FILTERS) else "",
            q=params.get("q", "").strip()[:100],
            sort=sort if sort.lstrip("-") in SORTS else "code",
            rating=rating if rating in known else "",
        )

    def cache_key(self) -> str:
        """What the counts and the group's means depend on (not the stage, rating, sort or page)."""
        import hashlib

        text = "\x1f".join((self.org_type, self.province, self.district, self.q))
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def query(self, **changes) -> str:
        """The filters as a query string, with some changed (for sort and count links)."""
        from urllib.parse import urlencode

        values = {
            "type": self.org_type,
            "province": self.province,
            "district": self.district,
            "stage": self.stage,
            "q": self.q,
            "rating": self.rating,
            "sort": self.sort,
        }
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v and not (k == "sort" and v == "code")})


NO_RATING = "none"


@dataclass(frozen=True)
class Ratings:
    """How the year reads a total, as SQL: the rung of the edition's rating ladder (NACC, 2567
    on), else its grade band (up to 2565), else ผ่าน/ไม่ผ่าน (2566). Per row's edition; the
    labels in order, best first, each with its badge class. Pass a fiscal year with its
    editions and their grade bands prefetched: no query."""

    labels: tuple[str, ...]
    badges: dict
    label: Case | Value
    rank: Case | Value
    ladder: bool  # the year has a rating ladder (else the rating is its result or grade)

    @classmethod
    def of(cls, fiscal_year: FiscalYear) -> Ratings:
        labels: list[str] = []
        badges: dict[str, str] = {}
        label_whens, rank_whens = [], []
        editions = list(fiscal_year.editions.all())
        ladder = any(e.rating_ladder for e in editions)
        for edition in editions:
            # On the row's annotations (agencies()), not on the joined relation: each reference
            # to "a__…" would be resolved through the FilteredRelation again.
            mine = Q(edition_of_row=edition.pk, total__isnull=False)
            if edition.rating_ladder:
                rungs = [
                    (
                        r["label"],
                        Q(total__gte=Decimal(r["min_total"]))
                        & (Q(total__lt=Decimal(r["below"])) if r.get("below") is not None else Q())
                        & (
                            Q(**{f"{t}__gte": float(r["min_tool"]) for t in TOOLS})
                            if r.get("min_tool") is not None
                            else Q()
                        ),
                        "pass" if Decimal(r["min_total"]) >= edition.pass_score else "warn",
                    )
                    for r in edition.rating_ladder
                ]
                rungs[-1] = (*rungs[-1][:2], "fail")
            elif edition.result_mode == edition.ResultMode.GRADE:
                bands = sorted(edition.grade_bands.all(), key=lambda b: -b.min_score)
                rungs = [
                    (b.grade, Q(total__gte=b.min_score), "pass" if b.min_score >= edition.pass_score else "warn")
                    for b in bands
                ]
            else:
                rungs = [("ผ่าน", Q(total__gte=edition.pass_score), "pass"), ("ไม่ผ่าน", Q(), "fail")]
            for rank, (text, condition, badge) in enumerate(rungs):
                if text not in badges:
                    labels.append(text)
                    badges[text] = badge
                label_whens.append(When(mine & condition, then=Value(text)))
                rank_whens.append(When(mine & condition, then=Value(rank)))
        return cls(
            labels=tuple(labels),
            badges=badges,
            label=Case(*label_whens, default=Value(NO_RATING), output_field=CharField())
            if label_whens
            else Value(NO_RATING, output_field=CharField()),
            rank=Case(*rank_whens, default=Value(None), output_field=IntegerField())
            if rank_whens
            else Value(None, output_field=IntegerField()),
            ladder=ladder,
        )


def plan_year_of(fiscal_year: FiscalYear) -> FiscalYear | None:
    return FiscalYear.objects.filter(year=fiscal_year.year + 1).first()


def agencies(
    root: Organisation,
    fiscal_year: FiscalYear,
    plan_year: FiscalYear | None,
    *,
    today: date,
    ratings: Ratings | None = None,
):
    """Every organisation below ``root`` with its year's summary, rating and cycle stage annotated:
    read from its CycleStatus row (supervision.status keeps it; no row is stage "none"), so
    the counts, means and order over every agency below read one narrow table, not the year's
    assessments, plans and rounds. ``plan_year`` is what the rows were computed with (kept in
    the signature: the callers key their caches on it)."""
    ratings = ratings or Ratings.of(fiscal_year)
    stage = Coalesce(F("c__stage"), Value("none"), output_field=CharField())
    return (
        Organisation.objects.below(root)
        .annotate(c=FilteredRelation("cycle_statuses", condition=rows_below(root, fiscal_year, "cycle_statuses__")))
        .annotate(
            # Late: a round of the plan not reported by its due date, today's (never stored).
            late=Case(When(c__unreported_due__lt=today, then=Value(True)), default=Value(False)),
            stage=stage,
            total=F("c__total"),
            edition_of_row=F("c__edition_id"),
            tool_scores=F("c__tool_scores"),
            plan_id=F("c__plan_id"),
            **{code: F(f"c__{code}") for code in TOOLS},
        )
        .annotate(
            stage_order=Case(*[When(stage=code, then=Value(n)) for n, (code, _) in enumerate(STAGES)]),
            rating=ratings.label,
            rating_rank=ratings.rank,
        )
    )


def rows_below(root: Organisation, fiscal_year: FiscalYear, prefix: str = "") -> Q:
    """The CycleStatus rows of ``fiscal_year`` below ``root`` (``prefix``: the relation's path
    to them), on the rows' copy of the path when the root has one: PostgreSQL reads them on
    the (fiscal_year, path) index, not every row of the year joined to the organisations."""
    condition = Q(**{f"{prefix}fiscal_year": fiscal_year})
    if root.path:
        condition &= Q(**{f"{prefix}path__startswith": root.path})
    return condition


def filtered(qs, filters: Filters, *, with_stage: bool = True):
    """The agencies matching the filters (the stage and rating filters left out for the counts)."""
    if filters.org_type:
        qs = qs.filter(org_type=filters.org_type)
    if filters.province:
        qs = qs.filter(province=filters.province)
    if filters.district:
        qs = qs.filter(district=filters.district)
    if filters.q:
        qs = qs.filter(Q(code__icontains=filters.q) | Q(name__icontains=filters.q))
    return qs.filter(selection(filters)) if with_stage else qs


def selection(filters: Filters) -> Q:
    """The stage and rating filters as one condition (also counted beside the counts)."""
    condition = Q()
    if filters.stage == "unpublished":
        condition &= ~Q(stage="published")
    elif filters.stage == "late":
        condition &= Q(late=True)
    elif filters.stage:
        condition &= Q(stage=filters.stage)
    if filters.rating:
        condition &= Q(rating=filters.rating)
    return condition


def ordered(qs, sort: str):
    key = SORTS[sort.lstrip("-")]
    expression = F(key).desc(nulls_last=True) if sort.startswith("-") else F(key).asc(nulls_last=True)
    return qs.order_by(expression, "code")


ROW_FIELDS = [
    "pk",
    "code",
    "name",
    "scheme",
    "org_type",
    "province",
    "district",
    "total",
    "tool_scores",
    "stage",
    "plan_id",
    "rating",
]  # not "late": the page's rounds tell it (late_of), and the EXISTS would run for every row sorted


def rows_by_id(qs, ids: list[int]) -> list[dict]:
    """The rows (ROW_FIELDS) of the agencies ``ids`` of the dashboard queryset ``qs``
    (agencies()), in the order of ``ids``: one query over the primary keys, whatever the sort
    or filter."""
    found = {r["pk"]: r for r in qs.filter(pk__in=ids).order_by().values(*ROW_FIELDS)}
    return [found[pk] for pk in ids if pk in found]


def page_of(qs, sort: str, start: int, stop: int) -> list[dict]:
    """The rows (ROW_FIELDS) ``start``..``stop`` of ``qs`` (agencies(), filtered) in the order
    ``sort``: ORDER BY … LIMIT/OFFSET (a top-N sort in SQL, no id list sent)."""
    return list(ordered(qs, sort).values(*ROW_FIELDS)[start:stop])


_KEPT: dict[tuple, object] = {}


def kept_agencies(key: tuple, build):
    """agencies() as built under ``key`` in this process (built again for a new key): Django
    takes longer to build the annotated queryset than PostgreSQL to answer a page of it. The
    key must hold the cache generation and every argument (the root's path, the years, today):
    the ratings' CASE is read from the editions, whose writes bump the generation. The kept
    queryset is never evaluated, only cloned (filter, values)."""
    qs = _KEPT.get(key)
    if qs is None:
        if len(_KEPT) >= 64:
            _KEPT.clear()
        qs = _KEPT[key] = build()
    return qs


def counts(qs, ratings: Ratings | None = None, filters: Filters | None = None) -> dict:
    """{stage: number of agencies} plus "late" and "all", {"ratings": {label: number}}
    (NO_RATING: no total) and "selected" (the stage and rating filters of ``filters``).

    One query grouped by (stage, rating, late): each row's CASE expressions are evaluated
    once, not once per counted value as COUNT(...) FILTER (WHERE stage = …) would."""
    return counts_and_means(qs, ratings, filters)[0]


def status_rows(root: Organisation, fiscal_year: FiscalYear, *, today: date, ratings: Ratings):
    """The CycleStatus rows of ``fiscal_year`` below ``root`` alone (the (fiscal_year, path)
    index, no join), annotated as agencies() (stage, rating, late), with ``below``: the number
    of organisations below, for counts_and_means(rows=root) (an agency without a row: "none")."""
    from supervision.models import CycleStatus

    below = Organisation.objects.below(root).order_by().annotate(k=Func(F("pk"), function="COUNT")).values("k")
    return (
        CycleStatus.objects.filter(rows_below(root, fiscal_year))
        .exclude(organisation_id=root.pk)
        .annotate(
            edition_of_row=F("edition_id"),
            late=Case(When(unreported_due__lt=today, then=Value(True)), default=Value(False)),
        )
        .annotate(rating=ratings.label, below=Subquery(below, output_field=IntegerField()))
    )


def _sums(numbers, prefix: str) -> dict:
    """{s<n>: SUM, k<n>: COUNT} of each indicator column (none when one has no column)."""
    from supervision.models import INDICATOR_COLUMNS

    if not all(f"ind{n}" in INDICATOR_COLUMNS for n in numbers):
        return {}
    return {f"{a}{n}": f(F(f"{prefix}ind{n}")) for n in numbers for a, f in (("s", Sum), ("k", Count))}


def status_groups(qs, numbers):
    """status_rows() grouped as counts_and_means reads them: (stage, rating, late, below, n,
    sums…). Unevaluated: the view keeps it per generation (kept_agencies) and clones it."""
    return qs.order_by().values_list("stage", "rating", "late", "below").annotate(n=Count("pk"), **_sums(numbers, ""))


def counts_and_means(
    qs, ratings: Ratings | None = None, filters: Filters | None = None, numbers=(), *, rows: Organisation | None = None
) -> tuple[dict, dict | None]:
    """(counts(), {indicator number: mean score} of the agencies the stage and rating filters
    select, as group_means), in the one grouped query: each group also sums and counts its
    indicator columns, and the selected groups' sums make the means. The means are None when
    an indicator has no column (a framework past 20: group_means reads the assessments).

    ``rows``: the root when ``qs`` is its status_rows() or their status_groups() (no filter
    on the organisations' own columns): the agencies below without a row are counted as stage
    "none", no rating, not late, no indicator."""
    from supervision.models import INDICATOR_COLUMNS

    filters = filters or Filters()
    numbers = list(numbers)
    with_means = all(f"ind{n}" in INDICATOR_COLUMNS for n in numbers)
    sums = _sums(numbers, "" if rows is not None else "c__")
    if rows is None:
        groups = qs.order_by().values_list("stage", "rating", "late").annotate(n=Count("pk"), **sums)
    else:
        # (stage, rating, late, below, n, …): "below" is the same number in every group.
        found = list((qs if qs._fields else status_groups(qs, numbers)).all())
        below = found[0][3] if found else Organisation.objects.below(rows).count()
        groups = [(*row[:3], *row[4:]) for row in found]
        missing = below - sum(row[3] for row in groups)
        if missing > 0:  # the agencies without a row: "none", no rating, not late, no indicator
            groups.append(("none", NO_RATING, False, missing, *([None] * len(sums))))
    result = {code: 0 for code, _ in STAGES}
    labels = {label: 0 for label in (*(ratings.labels if ratings else ()), NO_RATING)}
    total = late = selected = 0
    summed = {n: [0.0, 0] for n in numbers}
    for stage, rating, is_late, n, *figures in groups:
        total += n
        result[stage] += n
        late += n if is_late else 0
        labels[rating] = labels.get(rating, 0) + n
        if _selected(filters, stage, rating, is_late):
            selected += n
            for i, number in enumerate(numbers if with_means else ()):
                value, k = figures[2 * i], figures[2 * i + 1]
                if k:
                    summed[number][0] += value
                    summed[number][1] += k
    result.update(all=total, late=late, unpublished=total - result["published"], selected=selected, ratings=labels)
    if not with_means:
        return result, None
    return result, {n: (round(s / k, 2) if k else None) for n, (s, k) in summed.items()}


def _selected(filters: Filters, stage: str, rating: str, late: bool) -> bool:
    """selection(filters) in Python, for one (stage, rating, late) group."""
    if filters.stage == "unpublished" and stage == "published":
        return False
    if filters.stage == "late" and not late:
        return False
    if filters.stage not in ("", "unpublished", "late") and stage != filters.stage:
        return False
    return not filters.rating or rating == filters.rating


def rounds_of(plan_ids, *, today: date) -> dict[int, list[dict]]:
    """{plan id: [{number, title, due, state}]} for the plans, in one query.

    A round is reported once it holds an entry; unreported past its due date it is overdue."""
    out: dict[int, list[dict]] = {}
    rows = (
        FollowUpRound.objects.filter(plan_id__in=plan_ids)
        .annotate(n=Count("entries"))
        .order_by("plan_id", "number")
        .values("plan_id", "number", "title", "due", "n")
    )
    for r in rows:
        state = "reported" if r["n"] else ("overdue" if r["due"] < today else "pending")
        out.setdefault(r["plan_id"], []).append({**r, "state": state})
    return out


def late_of(rounds: list[dict]) -> bool:
    """A round past its due date and not reported: the ``late`` annotation, from rounds_of."""
    return any(x["state"] == "overdue" for x in rounds)


ROUND_LABELS = {"reported": "รายงานแล้ว", "overdue": "เลยกำหนด", "pending": "ยังไม่ถึงกำหนด"}


def choices(root: Organisation) -> dict[str, list[str]]:
    """The types, provinces and districts found below ``root`` (for the filter menus), one query."""
    types, provinces, districts = set(), set(), set()
    for t, p, d in (
        Organisation.objects.below(root).values_list("org_type", "province", "district").order_by().distinct()
    ):
        types.add(t)
        provinces.add(p)
        districts.add(d)
    return {k: sorted(v - {""}) for k, v in (("types", types), ("provinces", provinces), ("districts", districts))}


def group_means(qs, fiscal_year: FiscalYear, numbers, *, root: Organisation | None = None, filters=None) -> dict:
    """{indicator number: mean score} over the year's results of the agencies in ``qs`` (a
    filtered dashboard queryset), as peers.indicator_means over their assessments: one
    aggregate over their CycleStatus rows' indicator columns (no JSON read per row).

    Without a stage or rating filter (pass ``root`` and ``filters``) the group is chosen on
    the organisations' own columns, without the dashboard's joins and CASE expressions."""
    from supervision.models import INDICATOR_COLUMNS, CycleStatus

    if any(f"ind{n}" not in INDICATOR_COLUMNS for n in numbers):  # a framework past 20 indicators
        from assessments.peers import indicator_means

        return indicator_means(group_assessments(qs, fiscal_year, root=root, filters=filters), numbers)
    if root is not None and filters is not None and not filters.stage and not filters.rating:
        organisations = filtered(Organisation.objects.below(root), filters, with_stage=False)
    else:
        organisations = qs
    rows = CycleStatus.objects.filter(fiscal_year=fiscal_year)
    if root is not None:
        rows = rows.filter(rows_below(root, fiscal_year))
    means = rows.filter(organisation__in=organisations.values("pk")).aggregate(
        **{f"i{n}": Avg(f"ind{n}") for n in numbers}
    )
    return {n: (round(means[f"i{n}"], 2) if means[f"i{n}"] is not None else None) for n in numbers}


def group_assessments(qs, fiscal_year: FiscalYear, *, root: Organisation | None = None, filters: Filters | None = None):
    """The year's assessments of the agencies in ``qs`` (a filtered dashboard queryset)."""
    if root is not None and filters is not None and not filters.stage and not filters.rating:
        organisations = filtered(Organisation.objects.below(root), filters, with_stage=False)
        return Assessment.objects.filter(fiscal_year=fiscal_year, organisation__in=organisations.values("pk"))
    return Assessment.objects.filter(fiscal_year=fiscal_year, organisation__in=qs.values("pk"))


def standing_of(fiscal_year):
    """How a row's total reads, by the row's scheme's edition of the year (NACC general's when
    the year has none for it): ``standing(total, scheme)``. Pass a fiscal year with its
    editions and their grade bands prefetched; no query per row."""
    editions = {e.scheme: e for e in fiscal_year.editions.all()}
    default = editions.get("nacc") or next(iter(editions.values()), None)
    bands = {e.pk: e.bands_highest_first() for e in editions.values()}

    def standing(total, scheme):
        edition = editions.get(scheme, default)
        return edition.standing(total, bands[edition.pk]) if edition is not None else None

    return standing
