"""The reports page lists the year's follow-up rounds (read with their plan in one query) and
still knows the plan when it has no round yet, or that there is no plan."""

import pytest

from measures.models import Plan
from tests.factories import client_for

pytestmark = pytest.mark.django_db


def page(demo, year=2566):
    response = client_for(demo.memberships.get(role="staff").user).get(f"/o/demo/reports/{year}/")
    assert response.status_code == 200
    return response.content.decode()


def test_each_round_of_the_plan_gets_its_buttons(demo):
    plan = Plan.objects.get(organisation=demo, fiscal_year__year=2566)
    html = page(demo)
    for r in plan.rounds.all():
        assert f'name="round" value="{r.number}"' in html
    assert "ยังไม่มีรอบการติดตาม" not in html


def test_a_plan_without_rounds_is_still_the_plan_of_the_page(demo):
    plan = Plan.objects.get(organisation=demo, fiscal_year__year=2566)
    plan.rounds.all().delete()
    Plan.objects.filter(pk=plan.pk).update(publish_permitted=True)
    html = page(demo)
    assert "ยังไม่มีรอบการติดตาม" in html
    assert ('data-testid="public-address"' in html) == bool(plan.approved_revision_id)


def test_a_year_without_a_plan_shows_no_rounds_and_no_public_address(demo):
    html = page(demo, 2567)
    assert "ยังไม่มีรอบการติดตาม" in html and 'data-testid="public-address"' not in html
