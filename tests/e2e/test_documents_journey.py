"""The agency's own documents from the browser (issue 9): on the demo agency's 2570 draft,
staff write the memo's เรื่อง and ข้อเท็จจริง, one indicator's analysis (printed as the
indicator table's third column), choose a column-set preset with continuous numbering,
request the measures, memo and analysis PDFs, and read all of it in them.

In the pass with PostgreSQL + Redis the PDFs are built by a real Celery worker process; in
the SQLite pass Celery runs them inline in the request (as test_reports_journey.py).
"""

import re
import unicodedata
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from assessments.management.commands.ita_demo import DEMO_PASSWORD
from measures import layouts

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("bundled_frameworks"),
]

PLAN_URL = "/o/demo/plans/2570/"
ANALYSIS_URL = "/o/demo/2569/analysis/"  # the 2570 plan is drafted from the 2569 result
BUILD_TIMEOUT_MS = 120_000  # a cold worker process loads WeasyPrint and the fonts first

SUBJECT = "ขออนุมัติมาตรการส่งเสริมคุณธรรมและความโปร่งใส ปี ๒๕๗๐ ที่เจ้าหน้าที่พิมพ์เอง"
FACTS = "ข้อเท็จจริงที่เจ้าหน้าที่เขียนเอง ย่อหน้าแรก\nในการนี้ สำนักปลัดได้ดำเนินการทบทวนผลการประเมินประจำปีแล้ว"
INDICATOR = 4  # the demo's weakest 2569 indicator (78.40)
ANALYSIS = "ผู้รับบริการยังไม่ทราบช่องทางร้องเรียน หน่วยงานจะประชาสัมพันธ์ช่องทางออนไลน์ประจำเดือน"
# indicator | project | analysis | steps | period | responsible (issue 9's own layout); ungrouped
# as a preset, so staff group it by issue area to number straight across the groups
PRESET = "indicator_project"


@pytest.fixture
def builder(request, settings):
    """Who builds requested reports: a real worker when there is a broker, else inline."""
    if settings.REDIS_URL:
        request.getfixturevalue("celery_worker_process")


@pytest.fixture
def demo(builder):
    """scripts/setup's demo: the agency's 2569 result and its 2570 plan as a draft."""
    call_command("ita_demo", stdout=StringIO())


def demo_measures():
    from measures.models import Measure

    return list(
        Measure.objects.filter(plan__organisation__code="demo", plan__fiscal_year__year=2570)
        .select_related("issue_area")
        .order_by("issue_area__number", "order", "pk")
    )


def squeezed(text):
    """NFKC and no whitespace: PDF text wraps inside cells and between lines."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def thai(n):
    return str(n).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))


def saved(page, message):
    expect(page.get_by_role("status").filter(has_text=message)).to_be_visible()


def request_pdf(page, base, year, row_label):
    """From the year's documents page: ask for one PDF, wait on the progress page until it
    is built, and fetch the file with the page's own session; its text, squeezed."""
    page.goto(f"{base}/o/demo/reports/{year}/")
    page.get_by_role("row").filter(has_text=row_label).get_by_role("button", name="PDF").click(no_wait_after=True)
    state = page.get_by_test_id("report-state")
    expect(state).to_contain_text("สร้างเสร็จแล้ว", timeout=BUILD_TIMEOUT_MS)
    response = page.request.get(base + state.get_by_role("link", name=re.compile("^ดาวน์โหลด")).get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    return squeezed("\n".join(p.extract_text() for p in PdfReader(BytesIO(response.body())).pages))


def positions(text, needles):
    """Where each needle is found in text, each searched after the one before (-1: not)."""
    found, start = [], 0
    for needle in needles:
        at = text.find(squeezed(needle), start)
        found.append(at)
        if at >= 0:
            start = at + len(squeezed(needle))
    return found


def test_staff_write_the_memo_an_indicators_analysis_and_the_table_layout_and_read_them_in_the_pdfs(
    page, live_server, demo
):
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("ชื่อผู้ใช้").fill("staff")
    page.get_by_label("รหัสผ่าน").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    expect(page.get_by_role("button", name="ออกจากระบบ")).to_be_visible()

    # The memo: เรื่อง and ข้อเท็จจริง in the staff's own words.
    page.goto(base + PLAN_URL)
    page.get_by_test_id("memo-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("บันทึกข้อความขออนุมัติมาตรการ")
    page.get_by_label(re.compile("^เรื่อง:?$")).fill(SUBJECT)
    page.get_by_label(re.compile("^ข้อเท็จจริง")).fill(FACTS)
    page.get_by_role("button", name="บันทึก", exact=True).click()
    saved(page, "บันทึกบันทึกข้อความแล้ว")
    expect(page.locator('[data-part="subject"] .badge')).to_have_text("แก้ไขแล้ว")
    expect(page.locator('[data-part="facts"] .badge')).to_have_text("แก้ไขแล้ว")

    # One indicator's analysis, from the analysis page's indicator table.
    page.goto(base + ANALYSIS_URL)
    row = page.get_by_role("row").filter(has_text=re.compile(rf"^\s*{INDICATOR}\. "))
    row.get_by_role("link", name="ผลการวิเคราะห์").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"คำอธิบายตัวชี้วัดที่ {INDICATOR}")
    page.get_by_label("คำอธิบายผลการวิเคราะห์").fill(ANALYSIS)
    page.get_by_role("button", name="บันทึกคำอธิบาย").click()
    saved(page, f"บันทึกคำอธิบายตัวชี้วัดที่ {INDICATOR} แล้ว")

    # ... printed as the third column of the indicator table (the analysis's texts page).
    page.goto(f"{base}/o/demo/reports/2569/")
    page.get_by_test_id("document-texts").get_by_role("link", name="รายงานการวิเคราะห์ผลการประเมิน").click()
    page.get_by_role("radio", name=re.compile("เป็นคอลัมน์ที่สามของตารางตัวชี้วัด")).check()
    page.get_by_role("button", name="บันทึก", exact=True).click()
    saved(page, "บันทึกข้อความในรายงานการวิเคราะห์ผลการประเมินแล้ว")
    expect(page.get_by_role("radio", name=re.compile("เป็นคอลัมน์ที่สามของตารางตัวชี้วัด"))).to_be_checked()

    # The measures table: a preset in one click, then in the custom form (opened with the
    # preset's columns) grouped by issue area, numbered continuously as "(๑)".
    page.goto(base + PLAN_URL)
    page.get_by_role("link", name="คอลัมน์ของตารางมาตรการ และการจัดกลุ่มรายงานผล").click()
    page.get_by_role("button", name=f"ใช้: {layouts.PRESET_LABELS[PRESET]}").click()
    saved(page, "ใช้รูปแบบตาราง")
    expect(page.get_by_role("button", name=f"ใช้อยู่: {layouts.PRESET_LABELS[PRESET]}")).to_be_visible()
    custom = page.get_by_role("region", name="กำหนดคอลัมน์เอง")
    custom.get_by_label("จัดกลุ่มตาม").select_option("issue_area")
    custom.get_by_label("ลำดับเลขมาตรการ").select_option("continuous")
    custom.get_by_label("รูปแบบเลขลำดับ").select_option("paren")
    custom.get_by_role("button", name="บันทึกคอลัมน์").click()
    saved(page, "บันทึกคอลัมน์ของตารางมาตรการแล้ว")
    current = page.get_by_role("region", name="ตารางที่ใช้อยู่")
    expect(current).to_contain_text("ลำดับเลขต่อเนื่องทุกกลุ่ม")
    headers = [c["header"] for c in layouts.PRESETS[PRESET]["columns"]]
    expect(current.get_by_role("columnheader")).to_have_text(headers)

    # The measures PDF: the preset's header row in order, then (๑)…(๑๑) straight through
    # the issue areas, each area's label before its first measure.
    expected = []
    for number, measure in enumerate(demo_measures(), start=1):
        label = f"{thai(measure.issue_area.number)}. {measure.issue_area.name_th}"
        if label not in expected:
            expected.append(label)
        expected.append(f"({thai(number)})")
    count = len(demo_measures())
    text = request_pdf(page, base, 2570, "มาตรการส่งเสริมคุณธรรมและความโปร่งใส")
    assert squeezed("".join(headers)) in text, "the preset's headers, in their order"
    table = text[text.index(squeezed("".join(headers))) :]
    found = positions(table, expected)
    assert -1 not in found, [e for e, at in zip(expected, found, strict=True) if at < 0]
    assert table.count("(๑)") == 1, "the numbering does not restart in the next issue area"
    assert f"({thai(count + 1)})" not in table

    # The memo PDF: เรื่อง and ข้อเท็จจริง as staff wrote them.
    text = request_pdf(page, base, 2570, "บันทึกข้อความขออนุมัติ")
    assert squeezed("เรื่อง " + SUBJECT) in text
    assert squeezed("ข้อเท็จจริง\n" + FACTS) in text

    # The analysis PDF: the indicator table's third column carries the staff's text, in
    # the indicator's row, and only there (not also as the weaknesses' paragraph).
    text = request_pdf(page, base, 2569, "รายงานการวิเคราะห์ผลการประเมิน")
    assert squeezed("ตัวชี้วัด คะแนน สถานะ ผลการวิเคราะห์") in text
    assert squeezed(f"ตัวชี้วัดที่ {thai(INDICATOR)} การใช้ทรัพย์สินของราชการ ๗๘.๔๐ จุดอ่อนเร่งด่วน {ANALYSIS}") in text
    assert text.count(squeezed(ANALYSIS)) == 1
