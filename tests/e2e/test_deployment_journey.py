"""Under the Content-Security-Policy the page's script still works: deleting a measure
asks first (data-confirm in static/js/app.js, no inline handler)."""

from datetime import date

import pytest
from playwright.sync_api import expect

from measures import services
from tests.factories import fiscal_year

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("bundled_frameworks"),
]


@pytest.fixture
def draft(org, staff):
    plan = services.get_or_create_plan(org, fiscal_year=fiscal_year(2566))
    for title in ("มาตรการที่ต้องเก็บไว้", "มาตรการที่จะลบ"):
        services.save_measure(
            plan, by=staff, issue_area=services.issue_area(1), title=title,
            start=date(2022, 10, 1), end=date(2023, 9, 30),
        )  # fmt: skip
    return plan


def delete_button(page, title):
    return page.get_by_role("row").filter(has_text=title).get_by_role("button", name="ลบ")


def test_deleting_a_measure_asks_first_and_cancelling_keeps_it(log_in, live_server, staff, draft):
    page = log_in(staff)
    page.goto(f"{live_server.url}/o/{draft.organisation.code}/plans/2566/")
    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.dismiss() if len(questions) == 1 else dialog.accept()

    page.on("dialog", answer)
    delete_button(page, "มาตรการที่จะลบ").click()
    expect(page.get_by_role("row").filter(has_text="มาตรการที่จะลบ")).to_have_count(1)
    assert questions == ["ลบมาตรการนี้?"]
    delete_button(page, "มาตรการที่จะลบ").click()
    expect(page.get_by_role("row").filter(has_text="มาตรการที่จะลบ")).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text="มาตรการที่ต้องเก็บไว้")).to_have_count(1)
    assert list(draft.measures.values_list("title", flat=True)) == ["มาตรการที่ต้องเก็บไว้"]
