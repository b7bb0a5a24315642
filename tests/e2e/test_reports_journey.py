"""Documents from the browser: staff request the annual report, watch it being built in the
background and download it; another organisation's user gets a 404; anyone without a login
reads the published plan and downloads its PDF from the public address.

In the pass with PostgreSQL + Redis the report is built by a real Celery worker process;
in the SQLite pass Celery runs it inline in the request (the embedded default's worker on the
filesystem transport has its own journey: test_embedded_background_journey.py).
"""

import re
import unicodedata
from io import BytesIO

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from assessments.models import IssueArea
from assessments.services import import_scores
from measures import services
from measures.library import load_templates
from measures.models import ApprovalStep, MeasureTemplate
from tests.factories import fiscal_year

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("bundled_frameworks"),
]

REPORTS_URL = "/o/bungkok/reports/2566/"
BUILD_TIMEOUT_MS = 90_000  # a cold worker process loads WeasyPrint and the fonts first


@pytest.fixture
def builder(request, settings):
    """Who builds requested reports: a real worker when there is a broker, else inline."""
    if settings.REDIS_URL:
        request.getfixturevalue("celery_worker_process")


@pytest.fixture
def published_plan(org, staff, executive, seed000_items):
    """Seed 000's 2565 scores, a 2566 plan drafted from them, approved with permission to
    publish, and its two follow-up rounds."""
    if MeasureTemplate.objects.count() == 0:  # a transactional flush empties migration data
        load_templates(MeasureTemplate=MeasureTemplate, IssueArea=IssueArea)
    with seed000_items.open("rb") as fh:
        import_scores(org, fiscal_year=fiscal_year(2565), fileobj=fh, filename=seed000_items.name, by=staff)
    ApprovalStep.objects.create(organisation=org, order=1, title="นายก").users.add(executive)
    plan, _ = services.draft_plan_from_analysis(org, fiscal_year=fiscal_year(2566), by=staff)
    plan = services.submit_plan(plan, by=staff)
    plan = services.record_decision(plan, by=executive, kind="approve", opinion="อนุมัติ", permit_publish=True)
    services.ensure_rounds(plan)
    return plan


def pdf_text(data):
    reader = PdfReader(BytesIO(data))
    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in reader.pages)), len(reader.pages)


def test_staff_build_the_annual_report_in_the_background_and_the_public_reads_the_plan(
    log_in, live_server, page, builder, published_plan, staff, outsider
):
    page = log_in(staff)
    page.goto(live_server.url + REPORTS_URL)
    # Inline (SQLite pass) the request itself builds the report: wait on the page that
    # follows, with the build's deadline, not on the click's navigation timer.
    page.get_by_role("row").filter(has_text="รายงานประจำปี").get_by_role("button", name="PDF").click(no_wait_after=True)

    # The status page shows the report being built and refreshes itself until it is done.
    expect(page.get_by_role("heading", level=1)).to_have_text("รายงานประจำปี ปี 2566 (PDF)", timeout=BUILD_TIMEOUT_MS)
    status_url = page.url
    state = page.get_by_test_id("report-state")
    expect(state).to_contain_text("สร้างเสร็จแล้ว", timeout=BUILD_TIMEOUT_MS)
    # PDFs open in the browser's viewer (inline); fetch the link with the page's own session.
    link = state.get_by_role("link", name=re.compile("^ดาวน์โหลด"))
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text, pages = pdf_text(response.body())
    assert "สารบัญ" in text and "รอบ ๖ เดือน" in text and "รอบ ๑๒ เดือน" in text
    assert unicodedata.normalize("NFKC", "ประเด็นที่เป็นข้อบกพร่องหรือจุดอ่อนที่จะต้องแก้ไขโดยเร่งด่วน") in text
    assert pages >= 10

    # Asking again while nothing changed gives the stored file at once.
    page.goto(live_server.url + REPORTS_URL)
    page.get_by_role("row").filter(has_text="รายงานประจำปี").get_by_role("button", name="PDF").click()
    expect(page).to_have_url(status_url)
    expect(page.get_by_test_id("report-state")).to_contain_text("สร้างเสร็จแล้ว")

    # Another organisation's user: the same addresses are not found.
    page.get_by_role("button", name="ออกจากระบบ").click()
    log_in(outsider)
    assert page.goto(status_url).status == 404
    assert page.goto(live_server.url + REPORTS_URL).status == 404

    # Anyone, without logging in: the published plan and its PDF (the OIT evidence address).
    page.context.clear_cookies()
    page.goto(live_server.url + "/p/bungkok/2566/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2566"
    )
    response = page.request.get(live_server.url + page.get_by_role("link", name="ดาวน์โหลด PDF").get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text, _ = pdf_text(response.body())
    flat = "".join(text.split())  # titles wrap inside table cells
    title = unicodedata.normalize("NFKC", "".join(published_plan.measures.order_by("order").first().title.split()))
    assert "มาตรการส่งเสริมคุณธรรมและความโปร่งใส" in text and title in flat
