"""The public plan page names the OIT item it is evidence for, found by the item's role."""

import pytest
from django.test import Client

from assessments.models import Item

pytestmark = pytest.mark.django_db


def evidence_text(year=2566):
    page = Client().get(f"/p/demo/{year}/").content.decode()
    return page.split('data-testid="evidence-item"')[1].split("</p>")[0]


def test_public_plan_names_the_measures_item_of_its_year(demo):
    text = evidence_text()
    assert "O42" in text and "ITA ปี 2566" in text


def test_public_plan_finds_the_item_by_role_not_by_code(demo):
    Item.objects.filter(fiscal_year__year=2566, code="o42").update(role="")
    Item.objects.filter(fiscal_year__year=2566, code="o10").update(role="measures")
    text = evidence_text()
    assert "O10" in text and "O42" not in text


def test_public_plan_of_a_year_that_names_no_measures_item_says_which_year_it_follows(demo):
    Item.objects.filter(fiscal_year__year=2566, role="measures").update(role="")
    text = evidence_text()
    assert "o42" in text and "ตามกรอบการประเมินปี 2565" in text
