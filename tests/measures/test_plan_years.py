"""Plans for any year: a plan for N needs only an analysed year before it, not a framework for N."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from assessments.models import FiscalYear
from measures.models import Plan
from tests.factories import record

pytestmark = pytest.mark.django_db

WEAK_2569 = {("indicator", str(n), ""): ("70" if n in (4, 9) else "92") for n in range(1, 11)}


def test_a_plan_page_for_2570_opens_and_creates_the_year_with_its_dates(org, staff, client):
    record(org, 2569, WEAK_2569)
    client.force_login(staff)
    assert client.get(f"/o/{org.code}/plans/2570/").status_code == 200
    year = FiscalYear.objects.get(year=2570)
    assert (year.start, year.end) == (date(2026, 10, 1), date(2027, 9, 30))
    assert not year.editions.exists()


def test_a_plan_year_with_no_framework_before_it_is_a_404(org, staff, client):
    client.force_login(staff)
    assert client.get(f"/o/{org.code}/plans/2575/").status_code == 404
    assert not FiscalYear.objects.filter(year=2575).exists()


def test_another_organisations_plan_year_is_still_a_404(org, outsider, client):
    client.force_login(outsider)
    assert client.get(f"/o/{org.code}/plans/2570/").status_code == 404


def test_ita_plan_drafts_2570_from_the_2569_result(org):
    record(org, 2569, WEAK_2569)
    out = StringIO()
    call_command("ita_plan", "--org", org.code, "--year", "2570", "--draft", stdout=out)
    plan = Plan.objects.get(organisation=org, fiscal_year__year=2570)
    assert plan.analysis_year.year == 2569
    assert {4, 9} <= {n for m in plan.measures.all() for n in m.indicators}
    assert "ร่างมาตรการปี 2570 จากผลการวิเคราะห์ปี 2569" in out.getvalue()


def test_drafting_on_the_web_works_for_a_year_without_a_framework(org, staff, client):
    record(org, 2569, WEAK_2569)
    client.force_login(staff)
    response = client.post(f"/o/{org.code}/plans/2570/", {"action": "draft"})
    assert response.status_code == 302
    assert Plan.objects.get(organisation=org, fiscal_year__year=2570).measures.exists()


def test_the_organisation_page_offers_next_years_plan_once_a_year_has_scores(org, staff, client):
    client.force_login(staff)
    assert 'data-testid="plan-year-2570"' not in client.get(f"/o/{org.code}/").content.decode()
    record(org, 2569, WEAK_2569)
    page = client.get(f"/o/{org.code}/").content.decode()
    assert 'data-testid="plan-year-2570"' in page
    assert "จัดทำมาตรการปี 2570" in page


def test_a_draft_plan_offers_to_carry_over_only_when_last_year_has_a_plan(plan, staff, client):
    from tests.factories import fiscal_year

    client.force_login(staff)
    url = f"/o/{plan.organisation.code}/plans/{plan.fiscal_year.year}/"
    assert 'value="carry_over"' not in client.get(url).content.decode()
    last = plan.fiscal_year.year - 1
    Plan.objects.create(
        organisation=plan.organisation, fiscal_year=fiscal_year(last), analysis_year=fiscal_year(last - 1)
    )
    assert 'value="carry_over"' in client.get(url).content.decode()
