"""The follow-up round page's queries (measures.views.followup), compiled once per thread
(ita_portal.compiled): building them cost the ORM more than PostgreSQL takes to answer them.

Each ``*_query`` is the ORM query the page ran before; the functions below run its compiled
SQL with the request's values and give the same objects."""

from __future__ import annotations

from django.db.models import F, FilteredRelation
from django.http import Http404

from ita_portal.compiled import MARKER, YEAR_MARKER, Compiled

from .models import Evidence, FollowUpEntry, FollowUpRound, Measure, OrgUnit, Plan


def round_query(plan_id: int, number: int):
    """What ``get_object_or_404(plan.rounds..., number=number)`` ran: the reporter and the
    revision (without its snapshot) are printed under the form, read with the round."""
    rounds = FollowUpRound.objects.filter(plan_id=plan_id, number=number)
    rounds = rounds.select_related("reported_by", "reported_revision").defer("reported_revision__snapshot")
    return rounds.order_by()[:21]  # as QuerySet.get: no order, at most MAX_GET_RESULTS + 1 rows


def measures_query(plan_id: int):
    return Measure.objects.filter(plan_id=plan_id).order_by("order", "pk")  # Meta orders by the plan first: a join


UNIT_FIELDS = [f.attname for f in OrgUnit._meta.concrete_fields]


def units_query(plan_id: int):
    """The plan's measures' units as (measure id, *the unit's fields), in the unit's own order
    (without the join to the organisation it starts with: a plan's units are its organisation's)."""
    return (
        Measure.units.through.objects.filter(measure__plan_id=plan_id)
        .order_by("orgunit__order", "orgunit__name", "orgunit_id")
        .values_list("measure_id", *[f"orgunit__{name}" for name in UNIT_FIELDS])
    )


EVIDENCE_FIELDS = [f.attname for f in Evidence._meta.concrete_fields]


def entries_query(round_id: int):
    """The round's entries (of measures not deleted), each once per piece of its evidence
    (a left join: once with NULLs when it has none), the evidence in its own order."""
    evidence = {f"ev_{name}": F(f"ev__{name}") for name in EVIDENCE_FIELDS}
    return (
        FollowUpEntry.objects.filter(round_id=round_id, measure__isnull=False)
        .annotate(ev=FilteredRelation("evidence"), **evidence)
        .order_by("pk", "ev__id")
    )


_ROUND = Compiled(round_query, markers=(MARKER, YEAR_MARKER))  # a round number: a small integer field
_MEASURES = Compiled(measures_query)
_UNITS = Compiled(units_query)
_ENTRIES = Compiled(entries_query)


def round_of(plan: Plan, number: int) -> FollowUpRound:
    """The plan's round ``number``, its plan set as the related manager sets it; a 404 otherwise."""
    found = _ROUND.objects(plan.pk, number) if 0 <= number <= 32_767 else []  # the column's range
    if not found:
        raise Http404(f"No {FollowUpRound._meta.object_name} matches the given query.")
    round_ = found[0]
    round_.plan = plan
    return round_


def measures_of(plan: Plan) -> list[Measure]:
    measures = _MEASURES.objects(plan.pk)
    for measure in measures:
        measure.plan = plan  # as plan.measures sets it
    return measures


def units_of(plan: Plan) -> dict[int, list[OrgUnit]]:
    """{measure id: [its units]} in one query, no related manager per measure."""
    by_measure = {}
    for measure_id, *values in _UNITS.rows(plan.pk):
        by_measure.setdefault(measure_id, []).append(OrgUnit.from_db(None, UNIT_FIELDS, values))
    return by_measure


def entries_and_evidence(round_: FollowUpRound) -> tuple[dict[int, FollowUpEntry], dict[int, list[Evidence]]]:
    """{measure id: its entry} of the round (entries of deleted measures aside) and {entry id:
    [its evidence]}, in one query."""
    entries, evidence = {}, {}
    for row in _ENTRIES.objects(round_.pk):
        values = [getattr(row, f"ev_{name}") for name in EVIDENCE_FIELDS]
        for name in EVIDENCE_FIELDS:
            delattr(row, f"ev_{name}")
        entry = entries.setdefault(row.measure_id, row)
        if values[0] is not None:
            evidence.setdefault(entry.pk, []).append(Evidence.from_db(row._state.db, EVIDENCE_FIELDS, values))
    return entries, evidence
