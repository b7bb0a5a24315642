"""The follow-up round page's compiled queries (measures.round_queries) and the plan page's
access_plan, plan_fiscal_year and item_labels give the same objects as the ORM queries
they replaced: every field, the related rows read with them, what is deferred."""

from datetime import UTC, date, datetime

import pytest
from django.http import Http404

from assessments.codes import item_labels
from assessments.models import FiscalYear, Item
from assessments.services import plan_fiscal_year
from ita_portal.access import access_plan
from measures import round_queries, services
from measures.fragments import row_values
from measures.models import Evidence, FollowUpEntry, FollowUpRound, OrgUnit, Plan, PlanRevision
from tests.factories import fiscal_year

pytestmark = pytest.mark.django_db


def state(obj):
    """A row's fields, what is deferred, and the same of the related rows read with it."""
    if obj is None:
        return None
    cached = {name: state(related) for name, related in obj._state.fields_cache.items()}
    return row_values(obj), obj.get_deferred_fields(), cached, obj._state.db


def add_measure(plan, staff, title):
    return services.save_measure(
        plan, by=staff, issue_area=services.issue_area(4), indicators=[4], items=["i23"], title=title,
        method="วิธี", steps=["ขั้นหนึ่ง"], start=date(2022, 10, 1), end=date(2023, 9, 30), monitoring="รายงาน",
    )  # fmt: skip


@pytest.fixture
def reported(plan, staff, org):
    """A round reported against a revision, two measures (one with two units, in an order
    their names do not give), entries with evidence, and an entry of a deleted measure."""
    second = add_measure(plan, staff, "มาตรการที่สอง")
    first = plan.measures.exclude(pk=second.pk).get()
    b = OrgUnit.objects.create(organisation=org, name="กองคลัง", order=1)
    a = OrgUnit.objects.create(organisation=org, name="กองช่าง", order=1)
    c = OrgUnit.objects.create(organisation=org, name="สำนักปลัด", order=0)
    first.units.add(a, b, c)
    second.units.add(b)
    revision = PlanRevision.objects.create(
        plan=plan, number=1, snapshot={"measures": []}, sha256="0" * 64, approved_at=datetime(2023, 1, 5, tzinfo=UTC)
    )
    round_ = FollowUpRound.objects.create(
        plan=plan, number=1, title="รอบ 6 เดือน", due=date(2023, 3, 31), reported_by=staff,
        reported_revision=revision, reported_at=datetime(2023, 4, 1, 8, 30, tzinfo=UTC),
    )  # fmt: skip
    FollowUpRound.objects.create(plan=plan, number=2, title="รอบ 12 เดือน", due=date(2023, 9, 30))
    entry = FollowUpEntry.objects.create(round=round_, measure=first, status="done", percent=100, done="ทำแล้ว")
    FollowUpEntry.objects.create(round=round_, measure=second, status="in_progress", percent=40)
    FollowUpEntry.objects.create(round=round_, measure=None, measure_title="มาตรการที่ลบแล้ว", percent=10)
    Evidence.objects.create(entry=entry, url="https://example.org/a", description="ลิงก์")
    Evidence.objects.create(entry=entry, filename="รายงาน.pdf", size=10, uploaded_by=staff)
    return round_


def test_the_round_is_the_orms_round(plan, reported):
    orm = plan.rounds.select_related("reported_by", "reported_revision").defer("reported_revision__snapshot")
    for number in (1, 2):
        round_ = round_queries.round_of(plan, number)
        assert state(round_) == state(orm.get(number=number))
        assert round_.plan is plan


def test_a_round_the_plan_does_not_have_is_a_404(plan, reported):
    for number in (3, 0, 40_000):
        with pytest.raises(Http404, match="No FollowUpRound matches the given query."):
            round_queries.round_of(plan, number)


def test_the_measures_are_the_orms_measures(plan, reported):
    measures = round_queries.measures_of(plan)
    assert [state(m) for m in measures] == [state(m) for m in plan.measures.order_by("order", "pk")]
    assert all(m.plan is plan for m in measures)


def test_the_units_are_each_measures_units_in_their_order(plan, reported):
    units = round_queries.units_of(plan)  # made without a database, as the page's grouping made them before
    expected = {m.pk: [state(u)[:3] for u in m.units.order_by("order", "name", "pk")] for m in plan.measures.all()}
    assert {pk: [state(u)[:3] for u in rows] for pk, rows in units.items()} == expected


def test_the_entries_and_evidence_are_the_orms(plan, reported):
    entries, evidence = round_queries.entries_and_evidence(reported)
    orm = FollowUpEntry.objects.filter(round=reported, measure__isnull=False)
    assert {pk: state(e) for pk, e in entries.items()} == {e.measure_id: state(e) for e in orm}
    assert {tuple(sorted(vars(e))) for e in entries.values()} == {tuple(sorted(vars(o))) for o in orm}  # no extras
    expected = {}
    for ev in Evidence.objects.filter(entry__round=reported, entry__measure__isnull=False):
        expected.setdefault(ev.entry_id, []).append(state(ev))
    assert {pk: [state(e) for e in rows] for pk, rows in evidence.items()} == expected


def test_access_plan_gives_the_orms_plan_and_whether_last_year_has_one(plan, staff, org):
    from django.db.models import Exists

    def orm(year):
        return (
            Plan.objects.filter(organisation=org, fiscal_year__year=year)
            .select_related("fiscal_year", "analysis_year", "approved_revision", "organisation")
            .defer("approved_revision__snapshot")
            .annotate(previous_exists=Exists(Plan.objects.filter(organisation=org, fiscal_year__year=year - 1)))
            .first()
        )

    PlanRevision.objects.create(plan=plan, number=1, snapshot={}, sha256="1" * 64, approved_at=datetime.now(UTC))
    Plan.objects.filter(pk=plan.pk).update(approved_revision=plan.revisions.get())
    later = services.get_or_create_plan(org, fiscal_year=fiscal_year(2567))
    for year, expected in ((2566, plan), (2567, later)):
        _organisation, year_row, found = access_plan(staff, org.code, year)
        assert found.pk == expected.pk and year_row.year == year
        assert state(found) == state(orm(year))
        assert found.previous_exists == orm(year).previous_exists
    assert [access_plan(staff, org.code, y)[2].previous_exists for y in (2566, 2567)] == [False, True]


def test_access_plan_without_a_plan_gives_none(staff, org):
    _organisation, year_row, found = access_plan(staff, org.code, 2566)
    assert found is None and year_row.year == 2566


def test_plan_fiscal_year_is_the_orms_year(db):
    for year in (2566, 2567):
        assert state(plan_fiscal_year(year)) == state(FiscalYear.objects.filter(year=year).first())
    assert plan_fiscal_year(40_000) is None  # past the column's range: no such year, as the ORM found


def test_item_labels_are_the_orms(db):
    for year in (2565, 2566):
        expected = dict(Item.objects.filter(edition__fiscal_year__year=year).values_list("code", "label"))
        assert expected and item_labels(fiscal_year(year)) == expected
