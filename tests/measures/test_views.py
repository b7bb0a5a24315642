"""Plan pages: who may see and act, and bad input that loses nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.models import ChangeLog
from measures import services
from measures.models import Measure, Plan
from tests.factories import client_for

from .conftest import reload

pytestmark = pytest.mark.django_db


MEASURE = {
    "issue_area": "4", "indicators": "4", "items": "i23, I19", "title": "มาตรการทดสอบ", "method": "วิธีการ",
    "steps": "ขั้นที่หนึ่ง\nขั้นที่สอง", "start": "01/10/2565", "end": "30/09/2566", "monitoring": "รายงานผล",
    "budget": "๑๕,๐๐๐", "target": "",
}  # fmt: skip


@pytest.mark.parametrize("url", ["/o/bungkok/plans/2566/", "/o/bungkok/plans/2566/measures/new/", "/o/bungkok/chain/",
                                 "/o/bungkok/people/", "/o/bungkok/plans/2566/rounds/1/"])  # fmt: skip
def test_outsider_gets_404_on_plan_pages(plan, outsider, url):
    assert client_for(outsider).get(url).status_code == 404


def test_outsider_cannot_decide_on_another_organisations_plan(submitted, outsider):
    response = client_for(outsider).post(
        "/o/bungkok/plans/2566/decide/", {"kind": "approve", "signer_name": "x", "signer_position": "y"}
    )
    assert response.status_code == 404
    assert reload(submitted).state == Plan.State.SUBMITTED


def test_staff_adds_a_measure_with_thai_digits_in_the_budget(plan, staff):
    response = client_for(staff).post("/o/bungkok/plans/2566/measures/new/", MEASURE)
    assert response.status_code == 302
    m = Measure.objects.get(title="มาตรการทดสอบ")
    assert (m.items, m.steps, m.budget) == (["i23", "i19"], ["ขั้นที่หนึ่ง", "ขั้นที่สอง"], 15000)


def test_period_ending_before_it_starts_is_refused_and_nothing_typed_is_lost(plan, staff):
    response = client_for(staff).post("/o/bungkok/plans/2566/measures/new/", MEASURE | {"end": "01/09/2565"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "วันสิ้นสุดต้องไม่ก่อนวันเริ่ม" in html and "มาตรการทดสอบ" in html and "ขั้นที่สอง" in html
    assert not Measure.objects.filter(title="มาตรการทดสอบ").exists()


def test_empty_title_is_refused_in_thai(plan, staff):
    response = client_for(staff).post("/o/bungkok/plans/2566/measures/new/", MEASURE | {"title": "  "})
    assert "กรุณากรอกชื่อมาตรการ" in response.content.decode()


def test_viewer_cannot_add_measures(plan, viewer):
    assert client_for(viewer).post("/o/bungkok/plans/2566/measures/new/", MEASURE).status_code == 403


def test_approver_sees_the_plan_waiting_on_the_organisation_page(submitted, approver):
    html = client_for(approver).get("/o/bungkok/").content.decode()
    assert "รอการพิจารณาของท่าน" in html and "/o/bungkok/plans/2566/#decide" in html


def test_decision_form_is_shown_only_to_the_current_step(submitted, approver, executive):
    assert "การพิจารณาของท่าน" in client_for(approver).get("/o/bungkok/plans/2566/").content.decode()
    assert "การพิจารณาของท่าน" not in client_for(executive).get("/o/bungkok/plans/2566/").content.decode()


def test_return_without_reason_shows_a_thai_message(submitted, approver):
    client = client_for(approver)
    client.post(
        "/o/bungkok/plans/2566/decide/", {"kind": "return", "opinion": "", "signer_name": "ก", "signer_position": "ข"}
    )
    html = client.get("/o/bungkok/plans/2566/").content.decode()
    assert "กรุณาระบุเหตุผลที่ส่งกลับแก้ไข" in html
    assert reload(submitted).state == Plan.State.SUBMITTED


def test_acting_out_of_turn_from_the_web_shows_the_reason(submitted, executive):
    client = client_for(executive)
    client.post("/o/bungkok/plans/2566/decide/", {"kind": "approve", "signer_name": "ก", "signer_position": "นายก"})
    assert "ไม่ใช่ผู้พิจารณาในขั้นตอนปัจจุบัน" in client.get("/o/bungkok/plans/2566/").content.decode()


@pytest.fixture
def approved_with_rounds(submitted, approver, executive):
    services.record_decision(submitted, by=approver, kind="forward")
    plan = services.record_decision(reload(submitted), by=executive, kind="approve", permit_publish=True)
    services.ensure_rounds(plan)
    return plan


def entry_post(plan, **overrides):
    m = plan.measures.get()
    data = {f"m{m.pk}-status": "in_progress", f"m{m.pk}-percent": "๕๐", f"m{m.pk}-done": "ดำเนินการแล้วบางส่วน",
            "round-problems": "", "round-suggestions": ""}  # fmt: skip
    data.update({f"m{m.pk}-{k}": v for k, v in overrides.items()})
    return data


def test_followup_saves_status_percent_and_evidence(approved_with_rounds, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = entry_post(approved_with_rounds, evidence_file=SimpleUploadedFile("หลักฐาน.pdf", b"%PDF-1.4"))
    assert client_for(staff).post("/o/bungkok/plans/2566/rounds/1/", data).status_code == 302
    entry = approved_with_rounds.measures.get().followups.get()
    assert (entry.status, entry.percent, entry.evidence.count()) == ("in_progress", 50, 1)


def test_followup_percent_over_100_is_refused_and_text_kept(approved_with_rounds, staff):
    response = client_for(staff).post(
        "/o/bungkok/plans/2566/rounds/1/", entry_post(approved_with_rounds, percent="150")
    )
    html = response.content.decode()
    assert response.status_code == 400 and "ร้อยละต้องเป็นจำนวนเต็ม 0 ถึง 100" in html and "ดำเนินการแล้วบางส่วน" in html


def test_followup_wrong_file_type_is_refused(approved_with_rounds, staff):
    data = entry_post(approved_with_rounds, evidence_file=SimpleUploadedFile("run.exe", b"MZ"))
    response = client_for(staff).post("/o/bungkok/plans/2566/rounds/1/", data)
    assert response.status_code == 400 and "ไฟล์ชนิด .exe ใช้ไม่ได้" in response.content.decode()
    assert not approved_with_rounds.measures.get().followups.exists()


def test_draft_from_analysis_without_scores_says_why(org, staff):
    client = client_for(staff)
    client.post("/o/bungkok/plans/2566/", {"action": "draft", "analysis_year": "2565"})
    assert "ยังไม่มีผลการประเมินปี 2565" in client.get("/o/bungkok/plans/2566/").content.decode()


def test_agency_chooses_its_rounds(approved_with_rounds, staff):
    approved_with_rounds.rounds.all().delete()
    client_for(staff).post("/o/bungkok/plans/2566/", {"action": "rounds", "months": "๓, 6,9,12"})
    assert list(approved_with_rounds.rounds.values_list("title", flat=True)) == [
        "รอบ 3 เดือน", "รอบ 6 เดือน", "รอบ 9 เดือน", "รอบ 12 เดือน",
    ]  # fmt: skip


def test_bad_round_months_are_refused_in_thai(approved_with_rounds, staff):
    approved_with_rounds.rounds.all().delete()
    client = client_for(staff)
    client.post("/o/bungkok/plans/2566/", {"action": "rounds", "months": "6,13"})
    assert "จำนวนเดือน 1–12" in client.get("/o/bungkok/plans/2566/").content.decode()
    assert not approved_with_rounds.rounds.exists()


def test_staff_chooses_the_table_layout_and_the_memo_number(plan, staff):
    response = client_for(staff).post(
        "/o/bungkok/plans/2566/", {"action": "documents", "layout": "indicator", "memo_number": " บก ๗๑๖๐๑/๑๒๓ "}
    )
    assert response.status_code == 302
    plan = reload(plan)
    assert (plan.layout, plan.memo_number) == ("indicator", "บก ๗๑๖๐๑/๑๒๓")
    assert ChangeLog.objects.filter(organisation=plan.organisation, action="plan.documents").exists()


def test_next_years_plan_keeps_the_organisations_layout(plan, staff):
    services.set_plan_documents(plan, by=staff, layout="indicator")
    from assessments.models import FiscalYear

    assert services.get_or_create_plan(plan.organisation, fiscal_year=FiscalYear.objects.get(year=2567)).layout == (
        "indicator"
    )


def test_a_too_long_memo_number_is_refused_and_kept_in_the_form(plan, staff):
    number = "ก" * 61
    response = client_for(staff).post(
        "/o/bungkok/plans/2566/", {"action": "documents", "layout": "indicator", "memo_number": number}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "เลขที่หนังสือยาวเกิน 60 ตัวอักษร" in html and number in html
    assert 'value="indicator" selected' in html
    assert (reload(plan).layout, reload(plan).memo_number) == ("issue_area", "")


def test_document_settings_are_frozen_while_submitted_and_closed_to_viewers(submitted, staff, viewer, outsider):
    data = {"action": "documents", "layout": "indicator", "memo_number": "1"}
    assert client_for(viewer).post("/o/bungkok/plans/2566/", data).status_code == 403
    assert client_for(outsider).post("/o/bungkok/plans/2566/", data).status_code == 404
    html = client_for(staff).post("/o/bungkok/plans/2566/", data).content.decode()
    assert "แผนอยู่ระหว่างการพิจารณา" in html
    assert reload(submitted).layout == "issue_area"
    with pytest.raises(services.WorkflowError, match="ไม่รู้จักรูปแบบตาราง"):
        services.set_plan_documents(submitted, by=staff, layout="columns")
