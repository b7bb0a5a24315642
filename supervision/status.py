"""Keeping supervision.models.CycleStatus: each agency's dashboard row of a year, copied from
its sources (the year's Assessment summary, the plan of the year after, that plan's rounds).

Every write of a source through the ORM refreshes the rows it touches, in the same
transaction (signals, connected in apps.py); the bulk writers call ``refresh`` themselves
(bulk_scores, restore) and ``rebuild`` recomputes every row (the migration that added the
table, ``manage.py rebuild_cycle_status``, the benchmark's bulk load). ``source`` is the one
definition of a row's values: the table must always equal it (tests/supervision/test_status.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    F,
    FilteredRelation,
    FloatField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from assessments.models import FiscalYear, Organisation
from measures.models import FollowUpRound, Plan

from .models import INDICATOR_COLUMNS, CycleStatus

TOOLS = ("iit", "eit", "oit")
FIELDS = [
    "path",
    "stage",
    "total",
    "edition_id",
    "tool_scores",
    *TOOLS,
    "plan_id",
    "unreported_due",
    *INDICATOR_COLUMNS,
]


def source(fiscal_year: FiscalYear, organisation_ids: Iterable[int] | None = None):
    """{organisation id: {field: value}} of every organisation (or those given) with a result
    of ``fiscal_year`` or a plan of the year after: what its CycleStatus row must hold. One query."""
    plan_year = FiscalYear.objects.filter(year=fiscal_year.year + 1).values("pk")[:1]
    unreported = (
        FollowUpRound.objects.filter(plan_id=OuterRef("p__id"), entries__isnull=True)
        .order_by()
        .values("plan_id")
        .annotate(first=Min("due"))
        .values("first")
    )
    stage = Case(
        When(p__publish_permitted=True, p__approved_revision__isnull=False, then=Value("published")),
        When(p__state=Plan.State.APPROVED, then=Value("approved")),
        When(p__state=Plan.State.SUBMITTED, then=Value("submitted")),
        When(p__state__isnull=False, then=Value("drafted")),
        # Scores entered: the year's summary holds a total or an indicator figure.
        When(
            Q(a__total_score__isnull=False) | Q(a__indicator_scores__has_any_keys=INDICATOR_COLUMNS),
            then=Value("scores"),
        ),
        default=Value("none"),
        output_field=CharField(),
    )
    qs = Organisation.objects.all()
    if organisation_ids is not None:
        qs = qs.filter(pk__in=list(organisation_ids))
    rows = (
        qs.annotate(
            a=FilteredRelation("assessments", condition=Q(assessments__fiscal_year=fiscal_year)),
            p=FilteredRelation("plans", condition=Q(plans__fiscal_year_id=Subquery(plan_year))),
        )
        .filter(Q(a__id__isnull=False) | Q(p__id__isnull=False))
        .annotate(
            stage=stage,
            total=F("a__total_score"),
            edition_id=F("a__edition_id"),
            tool_scores=F("a__tool_scores"),
            plan_id=F("p__id"),
            unreported_due=Subquery(unreported),
            # KeyTextTransform over the relation's column: KT("a__tool_scores__iit") would
            # resolve "a" to the joined row's id on PostgreSQL.
            **{code: Cast(KeyTextTransform(code, "a__tool_scores"), FloatField()) for code in TOOLS},
            **{key: Cast(KeyTextTransform(key, "a__indicator_scores"), FloatField()) for key in INDICATOR_COLUMNS},
        )
        .order_by()
        .values("pk", *FIELDS)
    )
    return {r.pop("pk"): {**r, "tool_scores": r["tool_scores"] or {}} for r in rows}


def refresh(organisation_ids: Iterable[int], fiscal_years: Iterable[FiscalYear] | None = None) -> set[str]:
    """The rows of these organisations (in these assessment years, else every year) made
    equal to their sources: written, or deleted where the source has nothing. Returns the
    organisations' materialised paths (for supervision.cache.bump_above)."""
    ids = sorted(set(organisation_ids))
    paths: dict[int, str] = {}
    if not ids:
        return set()
    years = list(fiscal_years) if fiscal_years is not None else list(FiscalYear.objects.all())
    for fiscal_year in years:
        found = source(fiscal_year, ids)
        paths.update((pk, values["path"]) for pk, values in found.items())
        _write(fiscal_year, found, ids)
    if len(paths) < len(ids):
        paths.update(
            Organisation.objects.filter(pk__in=[pk for pk in ids if pk not in paths]).values_list("pk", "path")
        )
    return set(paths.values())


def _refreshed(organisation_ids: Iterable[int], fiscal_years: Iterable[FiscalYear] | None = None) -> None:
    """refresh, then a new cache generation for the dashboards above these agencies: now and
    once the transaction commits (a page computed in between may have read the old rows)."""
    from . import cache

    paths = refresh(organisation_ids, fiscal_years)
    cache.bump_above(paths)
    transaction.on_commit(lambda: cache.bump_above(paths))


def rebuild() -> int:
    """Every row recomputed from its sources (after bulk writes, or to repair). Returns the
    number of rows."""
    written = 0
    for fiscal_year in FiscalYear.objects.all():
        found = source(fiscal_year)
        CycleStatus.objects.filter(fiscal_year=fiscal_year).delete()
        _write(fiscal_year, found, None)
        written += len(found)
    CycleStatus.objects.exclude(organisation__in=Organisation.objects.values("pk")).delete()
    if connection.vendor == "postgresql":
        # Fresh statistics: planned on an empty table's, the dashboard's joins over thousands of
        # rows ran as nested loops (the group's means 53 ms, not 10) until autovacuum came by.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {CycleStatus._meta.db_table}")
    return written


def _write(fiscal_year: FiscalYear, found: dict[int, dict], ids: list[int] | None) -> None:
    if ids is not None:
        gone = [pk for pk in ids if pk not in found]
        if gone:
            CycleStatus.objects.filter(fiscal_year=fiscal_year, organisation_id__in=gone).delete()
    rows = [CycleStatus(organisation_id=pk, fiscal_year=fiscal_year, **values) for pk, values in found.items()]
    if not rows:
        return
    if ids is None:
        CycleStatus.objects.bulk_create(rows, batch_size=2000)
        return
    CycleStatus.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["organisation", "fiscal_year"],
        update_fields=FIELDS,
    )


# --------------------------------------------------------------------------- #
# Signals: which rows a write of one source touches
# --------------------------------------------------------------------------- #


def _plan_changed(organisation_id: int, plan_fiscal_year_id: int) -> None:
    """A plan of year Y+1 is the cycle of assessment year Y."""
    year = FiscalYear.objects.filter(pk=plan_fiscal_year_id).values_list("year", flat=True).first()
    assessed = FiscalYear.objects.filter(year=year - 1).first() if year is not None else None
    if assessed is not None:
        _refreshed([organisation_id], [assessed])


def on_assessment(sender, instance, **kwargs) -> None:
    # The year as the writer loaded it (no query), else read.
    cached = type(instance).fiscal_year.is_cached(instance)
    _refreshed(
        [instance.organisation_id],
        [instance.fiscal_year if cached else FiscalYear.objects.get(pk=instance.fiscal_year_id)],
    )


def on_plan(sender, instance, **kwargs) -> None:
    _plan_changed(instance.organisation_id, instance.fiscal_year_id)


def _by_plan_id(plan_id: int | None) -> None:
    found = Plan.objects.filter(pk=plan_id).values_list("organisation_id", "fiscal_year_id").first()
    if found is not None:
        _plan_changed(*found)


def on_plan_part(sender, instance, **kwargs) -> None:
    """A revision (its deletion clears the plan's approved revision) or a follow-up round."""
    _by_plan_id(instance.plan_id)


def on_entry(sender, instance, **kwargs) -> None:
    _by_plan_id(FollowUpRound.objects.filter(pk=instance.round_id).values_list("plan_id", flat=True).first())


def on_organisation_deleted(sender, instance, **kwargs) -> None:
    """Its rows (their foreign keys carry no constraint). The tree's watcher bumps the cache."""
    CycleStatus.objects.filter(organisation_id=instance.pk).delete()


def on_paths_moved(sender, organisation_ids, **kwargs) -> None:
    """Organisations moved in the tree (assessments.paths_moved): their rows' copies of the path
    follow, in one UPDATE."""
    CycleStatus.objects.filter(organisation_id__in=organisation_ids).update(
        path=Subquery(Organisation.objects.filter(pk=OuterRef("organisation_id")).values("path")[:1])
    )


def connect() -> None:
    from django.apps import apps

    from assessments.models import paths_moved

    paths_moved.connect(on_paths_moved, dispatch_uid="cycle-status-paths-moved")
    from django.db.models.signals import post_delete, post_save

    for label, handler, saves in [
        ("assessments.Assessment", on_assessment, True),
        ("measures.Plan", on_plan, True),
        ("measures.PlanRevision", on_plan_part, False),
        ("measures.FollowUpRound", on_plan_part, True),
        ("measures.FollowUpEntry", on_entry, True),
    ]:
        model = apps.get_model(label)
        if saves:
            post_save.connect(handler, sender=model, dispatch_uid=f"cycle-status-{label}-save")
        post_delete.connect(handler, sender=model, dispatch_uid=f"cycle-status-{label}-delete")
    post_delete.connect(on_organisation_deleted, sender=Organisation, dispatch_uid="cycle-status-organisation-delete")
