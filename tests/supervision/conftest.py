"""A province office with agencies two levels below it, each at another point of the cycle."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from assessments.models import Role
from measures.models import FollowUpEntry, FollowUpRound, Measure, Plan, PlanRevision
from measures.services import issue_area
from tests.factories import fiscal_year, make_organisation, make_user, record


def scores(base):
    """Indicator figures 1-10 around ``base`` (tools and total are computed from them)."""
    return {("indicator", str(n), ""): base + n for n in range(1, 11)}


def make_plan(organisation, *, state=Plan.State.DRAFT, published=False, rounds=()):
    """A 2566 plan (from the 2565 result) with one measure; ``rounds``: [(due, reported)]."""
    plan = Plan.objects.create(
        organisation=organisation, fiscal_year=fiscal_year(2566), analysis_year=fiscal_year(2565), state=state
    )
    measure = Measure.objects.create(
        plan=plan, issue_area=issue_area(1), title="มาตรการ", start=date(2022, 10, 1), end=date(2023, 9, 30)
    )
    if published:
        revision = PlanRevision.objects.create(
            plan=plan, number=1, snapshot={}, sha256="0" * 64, approved_at=timezone.now()
        )
        plan.approved_revision, plan.publish_permitted = revision, True
        plan.save()
    for number, (due, reported) in enumerate(rounds, start=1):
        round_ = FollowUpRound.objects.create(plan=plan, number=number, title=f"รอบที่ {number}", due=due)
        if reported:
            FollowUpEntry.objects.create(round=round_, measure=measure, status="done", percent=100)
    return plan


@pytest.fixture(autouse=True)
def fresh_country_means():
    """The country's means per year are cached across writes (supervision.cache, steady):
    each test starts without the previous test's."""
    from supervision.cache import bump_steady

    bump_steady()


@pytest.fixture
def tree(db):
    """prov → amphoe → a1..a5 (อบต., บางระกำ) and prov → t1 (ทต., เมือง); far is outside."""
    prov = make_organisation(code="prov", name="สถ.จ.พิษณุโลก", province="พิษณุโลก", org_type="")
    amphoe = make_organisation(code="amphoe", name="สถ.อ.บางระกำ", parent=prov, province="พิษณุโลก", org_type="")
    agencies = [
        make_organisation(
            code=f"a{n}", name=f"อบต.ที่ {n}", parent=amphoe, org_type="อบต.", province="พิษณุโลก", district="บางระกำ"
        )
        for n in range(1, 6)
    ]
    t1 = make_organisation(code="t1", name="ทต.หนึ่ง", parent=prov, org_type="ทต.", province="พิษณุโลก", district="เมือง")
    far = make_organisation(code="far", name="อบต.ไกล", org_type="อบต.", province="น่าน")
    for n, org in enumerate([*agencies, t1, far]):
        record(org, 2565, scores(70 + 2 * n))
        make_user(organisation=org, role=Role.STAFF, username=f"staff-{org.code}")
    past, future = date.today() - timedelta(days=10), date.today() + timedelta(days=30)
    make_plan(agencies[0], state=Plan.State.APPROVED, published=True, rounds=[(past, True), (future, False)])
    make_plan(agencies[1], state=Plan.State.APPROVED, published=True, rounds=[(past, False)])
    make_plan(agencies[2], state=Plan.State.SUBMITTED)
    make_plan(agencies[3])
    return {"prov": prov, "amphoe": amphoe, "agencies": agencies, "t1": t1, "far": far}


@pytest.fixture
def province_supervisor(tree):
    return make_user(organisation=tree["prov"], role=Role.SUPERVISOR, username="prov-supervisor")
