"""Staff reads what the evidence of an item must contain, beside the score form."""

import pytest
from playwright.sync_api import expect

from assessments.models import Item

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("bundled_frameworks"),
]


def test_staff_opens_the_guidance_of_the_measures_item_beside_the_score_form(page, live_server, log_in, staff):
    o42 = Item.objects.get(fiscal_year__year=2566, code="o42")
    log_in(staff)
    page.goto(f"{live_server.url}/o/bungkok/2566/scores/10/")
    row = page.get_by_role("row").filter(has=page.get_by_label("ข้อ O42", exact=True))
    guidance = row.get_by_text("เกณฑ์และตัวอย่างหลักฐาน")
    guidance.click()
    expect(row.get_by_text(o42.criteria)).to_be_visible()
    expect(row.get_by_text(o42.example)).to_be_visible()
