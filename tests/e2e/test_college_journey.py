"""A vocational college (OVEC edition) enters its 2569 scores, reads its rating and what holds
it back, and drafts its 2570 plan, a year that has no framework of its own yet."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Role
from tests.factories import make_organisation, make_user

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("bundled_frameworks"),
]


def test_college_staff_enter_2569_scores_read_the_rating_and_draft_2570(log_in, live_server):
    college = make_organisation(code="college", name="วิทยาลัยเทคนิคทดสอบ", scheme="ovec")
    staff = make_user(organisation=college, role=Role.STAFF, username="college")
    page = log_in(staff)
    expect(page).to_have_url(f"{live_server.url}/o/college/")

    # The 2569 row is the OVEC edition: its indicator 10 form lists the college's own items.
    page.get_by_role("row").filter(has_text="พ.ศ. 2569").get_by_role("link", name="กรอกคะแนน").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("คะแนน ITA ปีงบประมาณ พ.ศ. 2569")
    page.get_by_role("link", name="กรอกคะแนน ตัวชี้วัดที่ 7", exact=True).click()
    page.get_by_label("ตัวชี้วัดที่ 7 (ที่ประกาศ)").fill("80.00")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    expect(page.get_by_text(re.compile(r"บันทึกแล้ว: เพิ่ม 1"))).to_be_visible()
    page.get_by_role("link", name="10", exact=True).click()
    expect(page.locator("td.item-title", has_text="มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในสถานศึกษา")).to_be_visible()
    # The measures item carries its guidance beside the form (criteria and a good-evidence example).
    expect(page.get_by_text("เกณฑ์และตัวอย่างหลักฐาน").first).to_be_visible()

    # Tool figures as published: EIT below 85 holds a 93.06 total at ผ่าน.
    page.goto(f"{live_server.url}/o/college/2569/scores/")
    page.get_by_label(re.compile(r"^IIT ")).fill("96.00")
    page.get_by_label(re.compile(r"^EIT แบบ")).fill("84.20")
    page.get_by_label(re.compile(r"^OIT ")).fill("97.50")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    page.get_by_role("link", name="ดูผลการวิเคราะห์").click()
    expect(page.get_by_test_id("total")).to_have_text("93.06")
    expect(page.get_by_test_id("rating")).to_have_text("ผ่าน")
    expect(page.get_by_test_id("rating-blockers")).to_contain_text("จะได้ระดับ ผ่านดี")
    expect(page.get_by_test_id("rating-blockers")).to_contain_text("EIT 84.20 ต้องเพิ่มอีก 0.80")

    # Next year's plan is offered at once, and drafts from the 2569 result.
    page.get_by_role("link", name="วิทยาลัยเทคนิคทดสอบ").first.click()
    page.get_by_test_id("plan-year-2570").get_by_role("link", name="จัดทำมาตรการปี 2570").click()
    page.get_by_role("button", name="ร่างมาตรการจากผลการวิเคราะห์").click()
    expect(page.get_by_text(re.compile(r"ร่างมาตรการจากผลการวิเคราะห์ปี 2569 แล้ว [1-9]\d* มาตรการ"))).to_be_visible()
