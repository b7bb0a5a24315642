"""Drafting a plan from the analysis, with the template library."""

import pytest

from assessments import services as assessment_services
from measures import services
from measures.models import MeasureTemplate
from tests.factories import fiscal_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(org, seed000_items):
    with seed000_items.open("rb") as fh:
        assessment_services.import_scores(org, fiscal_year=fiscal_year(2565), fileobj=fh, filename="s.csv", by=None)
    return org


def test_every_indicator_and_every_2565_2566_item_has_a_template():
    from assessments.models import Item

    templates = list(MeasureTemplate.objects.all())
    for number in range(1, 11):
        assert any(t.indicator == number and t.kind == "improve" and not t.items for t in templates)
        assert any(t.indicator == number and t.kind == "maintain" for t in templates)
    for year in (2565, 2566):
        covered = {c for t in templates if year in t.years for c in t.items}
        assert set(Item.objects.filter(fiscal_year__year=year).values_list("code", flat=True)) <= covered


def test_draft_covers_every_weak_indicator_and_failed_item(scored, staff):
    plan, added = services.draft_plan_from_analysis(scored, fiscal_year=fiscal_year(2566), by=staff)
    covered_items = {c for m in plan.measures.all() for c in m.items}
    covered_indicators = {n for m in plan.measures.all() for n in m.indicators}
    assert {"o11", "o12", "o20", "o23", "o26", "o29", "o33", "o38"} <= covered_items
    assert {8, 9, 7, 6, 4} <= covered_indicators
    assert added == plan.measures.count() > 0


def test_draft_periods_fall_inside_the_plan_year(scored, staff):
    plan, _ = services.draft_plan_from_analysis(scored, fiscal_year=fiscal_year(2566), by=staff)
    fy = plan.fiscal_year
    assert all(fy.start <= m.start <= m.end <= fy.end for m in plan.measures.all())


def test_drafting_twice_adds_nothing(scored, staff):
    services.draft_plan_from_analysis(scored, fiscal_year=fiscal_year(2566), by=staff)
    _, added = services.draft_plan_from_analysis(scored, fiscal_year=fiscal_year(2566), by=staff)
    assert added == 0


def test_strong_indicator_without_weak_items_gets_keep_the_standard(org, staff):
    from tests.factories import record

    record(org, 2565, {("indicator", str(n), ""): "96" for n in range(1, 11)})
    plan, _ = services.draft_plan_from_analysis(org, fiscal_year=fiscal_year(2566), by=staff)
    assert {m.template_key for m in plan.measures.all()} == {
        t.key for t in MeasureTemplate.objects.filter(kind="maintain")
    }
