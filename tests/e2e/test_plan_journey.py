"""A plan of measures from draft to follow-up: staff draft it from seed 000's 2565 analysis,
a four-step chain like seed 002's returns it once and then approves it, and staff report
the 6-month round with a PDF as evidence."""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from assessments.models import IssueArea, Membership, Role
from assessments.services import import_scores
from measures import services
from measures.library import load_templates
from measures.models import ApprovalStep, MeasureTemplate
from tests.factories import fiscal_year, make_user

# transaction=True: live_server serves from another thread, so data must be committed.
# serialized_rollback=True: the flush after a transactional test also empties the
# frameworks that migrations install; this restores them for every test in this file.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("bundled_frameworks"),
]

PLAN_URL = "/o/bungkok/plans/2566/"
NEW_TITLE = "จัดทำคู่มือการใช้ทรัพย์สินของราชการ และประกาศให้บุคลากรทราบทั่วกัน"


@pytest.fixture
def measure_templates(bundled_frameworks):
    """The template library comes from a data migration that a transactional flush can empty."""
    if MeasureTemplate.objects.count() == 0:
        load_templates(MeasureTemplate=MeasureTemplate, IssueArea=IssueArea)


@pytest.fixture
def scores_2565(org, staff, seed000_items, measure_templates):
    with seed000_items.open("rb") as fh:
        import_scores(org, fiscal_year=fiscal_year(2565), fileobj=fh, filename=seed000_items.name, by=staff)


def _signer(user, organisation, first_name, last_name, position):
    user.first_name, user.last_name = first_name, last_name
    user.save()
    Membership.objects.filter(user=user, organisation=organisation).update(position=position)
    return user


@pytest.fixture
def signers(org, approver, executive):
    """Seed 002's chain: หัวหน้าสำนักปลัด → รองปลัด → ปลัด → นายก, one signer each."""
    people = [
        ("หัวหน้าสำนักปลัด", _signer(approver, org, "สมใจ", "ตั้งมั่น", "หัวหน้าสำนักปลัด อบต.บึงกอก")),
        ("รองปลัด", _signer(make_user(organisation=org, role=Role.APPROVER, username="deputy"), org,
                           "สมชาย", "ใจซื่อ", "รองปลัด อบต.บึงกอก")),
        ("ปลัด", _signer(make_user(organisation=org, role=Role.APPROVER, username="clerk"), org,
                        "สมศรี", "มั่นคง", "ปลัด อบต.บึงกอก")),
        ("นายก", _signer(executive, org, "สมปอง", "ดีงาม", "นายก อบต.บึงกอก")),
    ]  # fmt: skip
    for order, (title, user) in enumerate(people, start=1):
        ApprovalStep.objects.create(organisation=org, order=order, title=title).users.add(user)
    return [user for _, user in people]


@pytest.fixture
def evidence_pdf(tmp_path):
    path = tmp_path / "upload" / "ประกาศมาตรการ.pdf"
    path.parent.mkdir()
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n%%EOF\n")
    return path


def status_message(page):
    return page.get_by_role("status")


def plan_state(page):
    return page.get_by_test_id("plan-state")


def log_out(page):
    page.get_by_role("button", name="ออกจากระบบ").click()
    expect(page.get_by_role("button", name="เข้าสู่ระบบ")).to_be_visible()


def measure_row(page, title):
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=re.compile(re.escape(title))))


def round_card(page, title):
    """The block of one measure on a follow-up page: headed by its number and title."""
    return page.locator(".card").filter(has=page.get_by_role("heading", level=3, name=re.compile(re.escape(title))))


def decide(page, opinion, button):
    page.get_by_label("ความเห็น").fill(opinion)
    page.get_by_role("button", name=button, exact=True).click()


def test_staff_drafts_a_plan_which_the_chain_returns_then_approves_and_staff_report_the_6_month_round(
    log_in, live_server, settings, tmp_path, org, staff, scores_2565, signers, evidence_pdf
):
    settings.MEDIA_ROOT = tmp_path / "media"
    head, deputy, clerk, mayor = signers

    # Staff draft the 2566 plan from the analysis of 2565.
    page = log_in(staff)
    page.goto(live_server.url + PLAN_URL)
    expect(page.get_by_text("ยังไม่มีแผนมาตรการปี 2566")).to_be_visible()
    page.get_by_role("button", name="ร่างมาตรการจากผลการวิเคราะห์").click()
    expect(status_message(page)).to_contain_text(re.compile(r"ร่างมาตรการจากผลการวิเคราะห์ปี 2565 แล้ว [1-9]\d* มาตรการ"))
    expect(plan_state(page)).to_have_text("ร่าง")

    # Edit one drafted measure: an end date before the start comes back with a Thai
    # message and the title typed so far still in place; then it is saved.
    page.get_by_role("link", name="แก้ไข", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("แก้ไขมาตรการ")
    page.get_by_label("มาตรการ").fill(NEW_TITLE)
    page.get_by_label("วันเริ่ม").fill("01/10/2565")
    page.get_by_label("วันสิ้นสุด").fill("01/09/2565")
    page.get_by_role("button", name="บันทึกมาตรการ").click()
    expect(page.get_by_role("alert")).to_have_text("มีช่องที่ต้องแก้ไข ข้อมูลที่กรอกไว้ยังอยู่ครบ")
    expect(page.get_by_text("วันสิ้นสุดต้องไม่ก่อนวันเริ่ม")).to_be_visible()
    expect(page.get_by_label("มาตรการ")).to_have_value(NEW_TITLE)
    expect(page.get_by_label("วันสิ้นสุด")).to_have_value("01/09/2565")
    page.get_by_label("วันสิ้นสุด").fill("30/09/2566")
    page.get_by_role("button", name="บันทึกมาตรการ").click()
    expect(status_message(page)).to_have_text("บันทึกมาตรการแล้ว")
    expect(measure_row(page, NEW_TITLE)).to_have_count(1)

    page.get_by_role("button", name="เสนอเพื่อพิจารณา").click()
    expect(status_message(page)).to_have_text("เสนอแผนเพื่อพิจารณาแล้ว")
    expect(plan_state(page)).to_have_text("อยู่ระหว่างพิจารณา")
    log_out(page)

    # The first step finds the plan waiting on the organisation's page and returns it;
    # a return without a reason is refused.
    log_in(head)
    expect(page).to_have_url(f"{live_server.url}/o/bungkok/")
    awaiting = page.get_by_test_id("awaiting")
    expect(awaiting.get_by_role("heading")).to_have_text("รอการพิจารณาของท่าน")
    awaiting.get_by_role("link", name="มาตรการส่งเสริมคุณธรรมและความโปร่งใส ปี 2566").click()
    expect(page.get_by_role("heading", name="การพิจารณาของท่าน: หัวหน้าสำนักปลัด")).to_be_visible()
    decide(page, "", "ส่งกลับแก้ไข")
    expect(status_message(page)).to_contain_text("กรุณาระบุเหตุผลที่ส่งกลับแก้ไข")
    expect(plan_state(page)).to_have_text("อยู่ระหว่างพิจารณา")
    decide(page, "ขอให้ระบุหน่วยงานรับผิดชอบให้ครบทุกมาตรการ", "ส่งกลับแก้ไข")
    expect(status_message(page)).to_have_text("บันทึกการพิจารณาแล้ว: ส่งกลับแก้ไข")
    expect(plan_state(page)).to_have_text("ส่งกลับแก้ไข")
    log_out(page)

    # Staff see why, fix a measure and submit again.
    log_in(staff)
    page.goto(live_server.url + PLAN_URL)
    expect(plan_state(page)).to_have_text("ส่งกลับแก้ไข")
    expect(page.get_by_test_id("decisions")).to_contain_text("ขอให้ระบุหน่วยงานรับผิดชอบให้ครบทุกมาตรการ")
    measure_row(page, NEW_TITLE).get_by_role("link", name="แก้ไข", exact=True).click()
    page.get_by_label("การติดตามประเมินผล").fill("รายงานผลต่อนายกทุก 6 เดือน")
    page.get_by_role("button", name="บันทึกมาตรการ").click()
    expect(status_message(page)).to_have_text("บันทึกมาตรการแล้ว")
    expect(measure_row(page, NEW_TITLE)).to_contain_text("รายงานผลต่อนายกทุก 6 เดือน")
    page.get_by_role("button", name="เสนอพิจารณาอีกครั้ง").click()
    expect(status_message(page)).to_have_text("เสนอแผนเพื่อพิจารณาแล้ว")
    log_out(page)

    # Each of the four steps decides in turn; the last approves and permits publishing.
    opinions = {
        head: "เห็นควรเสนอรองปลัดพิจารณา",
        deputy: "เห็นชอบตามเสนอ",
        clerk: "เห็นควรอนุมัติ",
        mayor: "อนุมัติ ให้ประกาศใช้และเผยแพร่",
    }
    for user, step in zip(signers, ["หัวหน้าสำนักปลัด", "รองปลัด", "ปลัด", "นายก"], strict=True):
        log_in(user)
        page.get_by_test_id("awaiting").get_by_role("link").click()
        expect(page.get_by_role("heading", name=f"การพิจารณาของท่าน: {step}")).to_be_visible()
        if user is mayor:
            expect(page.get_by_label("อนุญาตให้เผยแพร่บนเว็บไซต์ของหน่วยงาน")).to_be_checked()
            decide(page, opinions[user], "อนุมัติ")
            expect(status_message(page)).to_have_text("บันทึกการพิจารณาแล้ว: อนุมัติ")
        else:
            decide(page, opinions[user], "เห็นควรเสนอต่อ")
            expect(status_message(page)).to_have_text("บันทึกการพิจารณาแล้ว: เห็นควรเสนอต่อ")
            expect(page.get_by_role("heading", name=re.compile("การพิจารณาของท่าน"))).to_have_count(0)
        log_out(page)

    # Staff see the approved plan with every opinion and signer, and start the follow-up.
    log_in(staff)
    page.goto(live_server.url + PLAN_URL)
    expect(plan_state(page)).to_have_text("อนุมัติแล้ว")
    expect(page.get_by_text(re.compile(r"^SHA-256 [0-9a-f]{12}… · อนุญาตให้เผยแพร่$"))).to_be_visible()
    decisions = page.get_by_test_id("decisions").locator("tbody").get_by_role("row")
    expect(decisions).to_have_count(7)  # submit, return, submit again, three forwards, approve
    for user, opinion in opinions.items():
        row = decisions.filter(has_text=opinion)
        expect(row).to_contain_text(user.get_full_name())
        expect(row).to_contain_text(Membership.objects.get(user=user, organisation=org).position)
    expect(decisions.last).to_contain_text("อนุมัติ")

    page.get_by_role("button", name=re.compile("^สร้างรอบการติดตาม")).click()
    expect(status_message(page)).to_have_text("สร้างรอบการติดตามแล้ว")
    page.get_by_role("link", name="รอบ 6 เดือน").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "รายงานผลการดำเนินการตามมาตรการ รอบ 6 เดือน ปีงบประมาณ พ.ศ. 2566"
    )

    # A percent over 100 is refused with everything typed kept (a browser never keeps a
    # chosen file across a page load, so the file is attached again).
    card = round_card(page, NEW_TITLE)
    card.get_by_label("สถานะ").select_option(label="อยู่ระหว่างดำเนินการ")
    card.get_by_label("ร้อยละ").fill("150")
    card.get_by_label("การดำเนินการ").fill("ร่างคู่มือแล้ว อยู่ระหว่างเสนอผู้บริหาร")
    card.get_by_label("แนบไฟล์หลักฐาน").set_input_files(evidence_pdf)
    card.get_by_label("คำอธิบายหลักฐาน").fill("ประกาศมาตรการ")
    page.get_by_role("button", name="บันทึกผลการดำเนินการ").click()
    expect(status_message(page)).to_contain_text("มีช่องที่กรอกไม่ถูกต้อง ยังไม่ได้บันทึก")
    card = round_card(page, NEW_TITLE)
    expect(card).to_contain_text("ร้อยละต้องเป็นจำนวนเต็ม 0 ถึง 100")
    expect(card.get_by_label("สถานะ")).to_have_value("in_progress")
    expect(card.get_by_label("ร้อยละ")).to_have_value("150")
    expect(card.get_by_label("การดำเนินการ")).to_have_value("ร่างคู่มือแล้ว อยู่ระหว่างเสนอผู้บริหาร")
    expect(card.get_by_label("คำอธิบายหลักฐาน")).to_have_value("ประกาศมาตรการ")
    expect(card.get_by_role("link", name="ประกาศมาตรการ")).to_have_count(0)

    card.get_by_label("ร้อยละ").fill("๖๐")
    card.get_by_label("แนบไฟล์หลักฐาน").set_input_files(evidence_pdf)
    page.get_by_role("button", name="บันทึกผลการดำเนินการ").click()
    expect(status_message(page)).to_have_text("บันทึกผลรอบ 6 เดือนแล้ว")
    card = round_card(page, NEW_TITLE)
    expect(card.get_by_label("ร้อยละ")).to_have_value("60")
    expect(card.get_by_label("สถานะ")).to_have_value("in_progress")
    evidence = card.get_by_role("link", name="ประกาศมาตรการ")
    expect(evidence).to_be_visible()
    stored = list((tmp_path / "media" / "evidence" / "bungkok" / "2566").iterdir())
    assert [p.read_bytes() for p in stored] == [evidence_pdf.read_bytes()]


def test_outsider_gets_404_on_another_organisations_plan(log_in, live_server, org, outsider):
    page = log_in(outsider)

    response = page.goto(live_server.url + PLAN_URL)

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("ไม่พบหน้าที่ต้องการ หรือท่านไม่มีสิทธิ์เข้าถึงข้อมูลนี้")
    expect(page.locator("body")).not_to_contain_text(org.name)


@pytest.fixture
def reported_round(settings, tmp_path, org, staff, executive, evidence_pdf):
    """An approved one-measure plan whose 6-month round has a PDF as evidence (set up directly)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    ApprovalStep.objects.create(organisation=org, order=1, title="นายก").users.add(executive)
    plan = services.get_or_create_plan(org, fiscal_year=fiscal_year(2566))
    measure = services.save_measure(
        plan, by=staff, issue_area=services.issue_area(4), title=NEW_TITLE, start=date(2022, 10, 1),
        end=date(2023, 9, 30),
    )  # fmt: skip
    plan = services.record_decision(services.submit_plan(plan, by=staff), by=executive, kind="approve")
    six_months, _ = services.ensure_rounds(plan)
    entry = services.record_followup(six_months, measure=measure, by=staff, status="done", percent=100)
    upload = SimpleUploadedFile(evidence_pdf.name, evidence_pdf.read_bytes(), content_type="application/pdf")
    services.add_evidence(entry, by=staff, upload=upload, description="ประกาศมาตรการ")
    return six_months


def evidence_path(page, live_server):
    """The evidence link staff see on the 6-month round page."""
    page.goto(f"{live_server.url}{PLAN_URL}rounds/1/")
    return page.get_by_role("link", name="ประกาศมาตรการ").get_attribute("href")


# The file is fetched with Django's test client: it goes through the project's URLconf as
# gunicorn does. live_server would not do: Django's LiveServerThread also serves
# MEDIA_ROOT at MEDIA_URL to anyone, which no deployment of this project does.


def test_staff_download_the_evidence_file_from_its_link(
    log_in, live_server, client, staff, reported_round, evidence_pdf
):
    href = evidence_path(log_in(staff), live_server)
    client.force_login(staff)

    response = client.get(href)

    assert response.status_code == 200
    assert response.getvalue() == evidence_pdf.read_bytes()


def test_outsider_gets_404_on_another_organisations_evidence_file(
    log_in, live_server, client, staff, outsider, reported_round
):
    href = evidence_path(log_in(staff), live_server)
    client.force_login(outsider)

    response = client.get(href)

    assert response.status_code == 404
