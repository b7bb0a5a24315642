"""A measure's period kind and its item codes, through the form, the web and the PDF context."""

from datetime import date

import pytest

from assessments.thai import format_period
from measures.models import Measure
from tests.factories import client_for

from .test_views import MEASURE

pytestmark = pytest.mark.django_db

NEW = "/o/bungkok/plans/2566/measures/new/"


def test_month_period_prints_as_months():
    assert format_period(date(2022, 10, 1), date(2023, 9, 30), "months") == "ต.ค. ๖๕ – ก.ย. ๖๖"


def test_a_single_month_prints_once():
    assert format_period(date(2026, 9, 1), date(2026, 9, 30), "months", thai_digits=False) == "ก.ย. 69"


def test_day_period_prints_days_with_the_year_once():
    assert format_period(date(2024, 1, 16), date(2024, 3, 31), "days", thai_digits=False) == "16 ม.ค. – 31 มี.ค. 67"


def test_day_period_across_years_prints_both_years():
    assert format_period(date(2023, 12, 16), date(2024, 1, 31), "days", thai_digits=False) == "16 ธ.ค. 66 – 31 ม.ค. 67"


def test_whole_year_period_prints_as_the_fiscal_year():
    assert format_period(date(2022, 10, 1), date(2023, 9, 30), "year") == "ตลอดปีงบประมาณ"


def test_whole_year_needs_no_dates_and_takes_the_fiscal_years(plan, staff):
    data = MEASURE | {"period_kind": "year", "start": "", "end": ""}
    assert client_for(staff).post(NEW, data).status_code == 302
    m = Measure.objects.get(title="มาตรการทดสอบ")
    assert (m.period_kind, m.start, m.end) == ("year", date(2022, 10, 1), date(2023, 9, 30))


def test_day_period_is_shown_on_the_plan_page(plan, staff):
    client = client_for(staff)
    client.post(NEW, MEASURE | {"period_kind": "days", "start": "16 มกราคม 2566", "end": "๓๑ มี.ค. ๒๕๖๖"})
    assert "16 ม.ค. – 31 มี.ค. 66" in client.get("/o/bungkok/plans/2566/").content.decode()


@pytest.mark.parametrize("typed", ["16/01/2566", "๑๖ ม.ค. ๒๕๖๖", "16 มกราคม 2566"])
def test_measure_dates_are_typed_in_buddhist_era(plan, staff, typed):
    assert client_for(staff).post(NEW, MEASURE | {"start": typed}).status_code == 302
    assert Measure.objects.get(title="มาตรการทดสอบ").start == date(2023, 1, 16)


def test_a_christian_era_year_is_refused_showing_the_be_year(plan, staff):
    response = client_for(staff).post(NEW, MEASURE | {"start": "16/01/2023"})
    html = response.content.decode()
    assert response.status_code == 400 and "พ.ศ. 2566" in html and "มาตรการทดสอบ" in html


def test_a_thai_zero_code_is_accepted_by_the_measure_form(plan, staff):
    from assessments.codes import item_labels

    if "o11" not in item_labels(plan.analysis_year):
        pytest.skip("the 2565 framework has no O-items")
    assert client_for(staff).post(NEW, MEASURE | {"items": "๐๑๑, i19"}).status_code == 302
    assert Measure.objects.get(title="มาตรการทดสอบ").items == ["o11", "i19"]


def test_a_code_the_year_does_not_have_is_refused_with_what_was_typed(plan, staff):
    response = client_for(staff).post(NEW, MEASURE | {"items": "i23, x99"})
    assert response.status_code == 400 and "“x99” ไม่ใช่รหัสข้อการประเมินของปีนี้" in response.content.decode()


def test_existing_month_periods_keep_their_snapshot_and_hash(plan):
    """Measures saved before period kinds are month periods; their snapshot has no new key,
    so the SHA-256 of plans approved before is what it was."""
    from measures.services import plan_snapshot

    assert {m.period_kind for m in plan.measures.all()} == {"months"}
    assert all("period_kind" not in m for m in plan_snapshot(plan)["measures"])
