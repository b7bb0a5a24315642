"""The memo from the browser: staff write the memo's own parts while the plan is a draft,
request its PDF and read what they wrote in it."""

import re
import unicodedata
from datetime import date
from io import BytesIO

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from measures import services
from measures.models import ApprovalStep
from tests.factories import fiscal_year

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("bundled_frameworks"),
]

BUILD_TIMEOUT_MS = 90_000  # a cold worker process loads WeasyPrint and the fonts first


@pytest.fixture
def builder(request, settings):
    """Who builds requested reports: a real worker when there is a broker, else inline."""
    if settings.REDIS_URL:
        request.getfixturevalue("celery_worker_process")


@pytest.fixture
def draft(org, staff, executive):
    ApprovalStep.objects.create(organisation=org, order=1, title="นายกองค์การบริหารส่วนตำบล").users.add(executive)
    plan = services.get_or_create_plan(org, fiscal_year=fiscal_year(2566))
    services.save_measure(
        plan, by=staff, issue_area=services.issue_area(1), title="จัดทำคู่มือการปฏิบัติงาน",
        start=date(2022, 10, 1), end=date(2023, 9, 30),
    )  # fmt: skip
    return plan


def squeezed(text):
    return "".join(unicodedata.normalize("NFKC", text).split())


def test_staff_write_the_memos_parts_and_read_them_in_its_pdf(log_in, live_server, builder, draft, staff):
    page = log_in(staff)
    page.goto(f"{live_server.url}/o/bungkok/plans/2566/")
    page.get_by_test_id("memo-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("บันทึกข้อความขออนุมัติมาตรการ")
    expect(page.get_by_label(re.compile("^เรียน"))).to_have_value("นายกองค์การบริหารส่วนตำบล")  # prefilled from the chain
    page.get_by_label(re.compile("^เรื่อง:?$")).fill("รายงานการจัดทำมาตรการส่งเสริมคุณธรรมที่เจ้าหน้าที่เขียนเอง")
    page.get_by_label(re.compile("^ข้อเท็จจริง")).fill("ข้อเท็จจริงย่อหน้าที่หนึ่ง\nในการนี้ ได้ดำเนินการจัดทำมาตรการตามข้อ ๐๓๔")
    page.get_by_label(re.compile(r"^วันที่ \(พ\.ศ\.\)")).fill("๑๖ ม.ค. ๒๕๖๖")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    expect(page.get_by_text("บันทึกบันทึกข้อความแล้ว")).to_be_visible()
    expect(page.locator('[data-part="subject"] .badge')).to_have_text("แก้ไขแล้ว")

    page.get_by_role("link", name="ขอเอกสาร PDF หรือ Excel ของบันทึกข้อความ").click()
    page.get_by_role("row").filter(has_text="บันทึกข้อความขออนุมัติ").get_by_role("button", name="PDF").click(
        no_wait_after=True
    )
    state = page.get_by_test_id("report-state")
    expect(state).to_contain_text("สร้างเสร็จแล้ว", timeout=BUILD_TIMEOUT_MS)
    link = state.get_by_role("link", name=re.compile("^ดาวน์โหลด"))
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = squeezed("\n".join(p.extract_text() for p in PdfReader(BytesIO(response.body())).pages))
    assert squeezed("รายงานการจัดทำมาตรการส่งเสริมคุณธรรมที่เจ้าหน้าที่เขียนเอง") in text
    assert squeezed("ในการนี้ ได้ดำเนินการจัดทำมาตรการตามข้อ ๐๓๔") in text
    assert squeezed("๑๖ มกราคม ๒๕๖๖") in text
