"""The memo (บันทึกข้อความ): every part editable while the plan is a draft, prefilled from the
data, frozen with the approved revision; the agency's emblem at its head."""

import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from assessments.models import ChangeLog
from measures import services as plans
from measures.models import Plan
from reports import builders, memo, pdf
from reports.emblem import EmblemError, check_emblem, set_emblem
from reports.models import PlanMemo
from tests.factories import client_for

from .test_frozen import approve
from .test_reports import nfkc, text_of

pytestmark = pytest.mark.django_db

URL = "/o/demo/plans/2570/memo/"


def user(name):
    return get_user_model().objects.get(username=name)


def draft(demo):
    """The demo's 2570 plan, a draft drafted from the 2569 result."""
    return Plan.objects.get(organisation=demo, fiscal_year__year=2570)


def squeezed(text):
    """Text without white space: pypdf breaks lines where the PDF does."""
    return "".join(nfkc(text).split())


def png(width=120, height=150, fmt="PNG"):
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 20, 20)).save(out, format=fmt)
    return out.getvalue()


def edit(plan, **values):
    current = PlanMemo.objects.filter(plan=plan).first()
    return memo.save_memo(
        plan, by=user("staff"), values=values, date_=values.pop("date_", None),
        version=current.version if current else 0,
    )  # fmt: skip


def image_xobjects(data):
    """The image XObjects of a PDF's first page, however deep in form XObjects they sit."""
    found = []

    def walk(resources):
        for obj in ((resources or {}).get("/XObject") or {}).values():
            obj = obj.get_object()
            if obj.get("/Subtype") == "/Image":
                found.append(obj)
            elif obj.get("/Subtype") == "/Form":
                walk(obj.get("/Resources"))

    walk(PdfReader(io.BytesIO(data)).pages[0].get("/Resources"))
    return found


EDITED = {
    "department": "งานนิติการ สำนักปลัดเทศบาลเมืองตัวอย่าง",
    "subject": "รายงานการจัดทำมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ในปีประจำปีงบประมาณ ๒๕๗๐",
    "to": "นายกเทศมนตรีเมืองตัวอย่าง",
    "background": "ตามประกาศสำนักงาน ป.ป.ช. ลงวันที่ ๑๐ สิงหาคม ๒๕๖๙ ได้ดำเนินการสำเร็จตามกรอบระยะเวลาที่กำหนดนั้น",
    "facts": "ย่อหน้าแรกของข้อเท็จจริงที่เจ้าหน้าที่เขียนเอง\nในการนี้ ได้ดำเนินการจัดทำมาตรการตามข้อ ๐๓๔",
    "law": "1. ประกาศสำนักงาน ป.ป.ช. เรื่อง ปฏิทินการประเมิน\n๒. คู่มือการประเมินที่เจ้าหน้าที่ระบุเอง",
    "consideration": "จึงเห็นควรประชาสัมพันธ์ให้ทราบต่อไป",
    "closing": "จึงเรียนมาเพื่อโปรดทราบ",
}


def test_the_memos_edited_sections_appear_in_its_pdf(demo):
    edit(draft(demo), **EDITED)
    text = squeezed(text_of(pdf.render_pdf(builders.build("memo", demo, 2570)))[0])
    for part in ("department", "subject", "to", "background", "consideration", "closing"):
        assert squeezed(EDITED[part]) in text, part
    assert squeezed("ย่อหน้าแรกของข้อเท็จจริงที่เจ้าหน้าที่เขียนเอง") in text
    assert squeezed("๑. ประกาศสำนักงาน ป.ป.ช. เรื่อง ปฏิทินการประเมิน") in text  # numbered once, by the memo
    assert squeezed("๒. คู่มือการประเมินที่เจ้าหน้าที่ระบุเอง") in text


def test_the_memo_page_shows_every_part_prefilled_from_the_plan(demo):
    plan = draft(demo)
    response = client_for(user("staff")).get(URL)
    assert response.status_code == 200
    initial = {name: response.context["form"][name].value() for name in memo.PARTS}
    assert "ประจำปีงบประมาณ พ.ศ. 2570" in initial["subject"] and "พ.ศ. 2569" in initial["subject"]
    assert f"จำนวน {plan.measures.count()} มาตรการ" in initial["facts"]
    assert initial["to"] == plans.chain_of(demo)[-1].title
    assert initial["closing"] == "จึงเรียนมาเพื่อโปรดพิจารณา"
    assert len(initial["law"].splitlines()) == 2
    assert response.context["form"]["date"].value() is None  # the submission day


def test_the_memo_number_starts_with_the_organisations_document_prefix(demo):
    demo.doc_number_prefix = "นก ๕๒๐๐๑.๒"
    demo.save()
    plan = draft(demo)
    plan.memo_number = "๑๒๓"
    plan.save()
    assert memo.draft_prefilled(plan)["number"] == "นก ๕๒๐๐๑.๒/๑๒๓"


def test_the_memo_date_defaults_to_the_submission_day(demo):
    plan = draft(demo)
    plans.submit_plan(plan, by=user("staff"))
    submitted = plan.decisions.get(kind="submit").at
    from django.utils import timezone

    from assessments.thai import format_date

    assert builders.build("memo", demo, 2570)["memo"]["date"] == format_date(
        timezone.localdate(submitted), thai_digits=False
    )


def test_a_buddhist_era_date_typed_on_the_page_is_the_memos_date(demo):
    data = {**{p: v for p, v in memo.draft_prefilled(draft(demo)).items()}, "date": "16 มกราคม 2570", "version": 0}
    response = client_for(user("staff")).post(URL, data)
    assert response.status_code == 302
    assert PlanMemo.objects.get(plan=draft(demo)).date == date(2027, 1, 16)
    assert builders.build("memo", demo, 2570)["memo"]["date"] == "16 มกราคม 2570"


def test_a_christian_era_date_is_refused_and_what_was_typed_stays(demo):
    data = {**memo.draft_prefilled(draft(demo)), "subject": "เรื่องที่พิมพ์ไว้", "date": "16/01/2027", "version": 0}
    response = client_for(user("staff")).post(URL, data)
    assert response.status_code == 400
    assert "หมายถึง พ.ศ. 2570" in response.content.decode()
    assert "เรื่องที่พิมพ์ไว้" in response.content.decode()
    assert not PlanMemo.objects.filter(plan=draft(demo)).exists()


def test_a_part_left_as_prefilled_follows_the_data(demo):
    plan = draft(demo)
    edit(plan, **memo.draft_prefilled(plan))
    assert PlanMemo.objects.get(plan=plan).texts == {}


def test_reset_brings_back_the_prefilled_text(demo):
    plan = draft(demo)
    edit(plan, subject="เรื่องที่แก้")
    response = client_for(user("staff")).post(URL, {"action": "reset", "version": 1})
    assert response.status_code == 302
    assert builders.build("memo", demo, 2570)["memo"]["subject"] == memo.draft_prefilled(plan)["subject"]


def test_editing_the_memo_is_refused_when_the_plan_is_not_a_draft(demo):
    response = client_for(user("staff")).post("/o/demo/plans/2566/memo/", {"subject": "แก้หลังอนุมัติ", "version": 0})
    assert response.status_code == 400
    assert "อนุมัติแล้ว" in response.content.decode() and "ฉบับแก้ไขใหม่" in response.content.decode()
    assert not PlanMemo.objects.filter(plan__fiscal_year__year=2566, texts__has_key="subject").exists()


def test_the_memo_page_of_another_organisation_is_a_404(demo):
    assert client_for(user("outsider")).get(URL).status_code == 404


def test_a_stale_memo_edit_is_refused_naming_what_changed(demo):
    plan = draft(demo)
    edit(plan, subject="แก้โดยคนแรก")
    data = {**memo.draft_prefilled(plan), "subject": "แก้โดยคนที่สอง", "version": 0}
    response = client_for(user("staff")).post(URL, data)
    assert response.status_code == 409
    assert "แก้โดยคนแรก" in response.content.decode()
    assert PlanMemo.objects.get(plan=plan).texts["subject"] == "แก้โดยคนแรก"


def test_a_memo_edit_is_in_the_change_log_with_old_and_new(demo):
    plan = draft(demo)
    old = memo.draft_prefilled(plan)["subject"]
    edit(plan, subject="เรื่องใหม่")
    log = ChangeLog.objects.filter(action="plan.memo").latest("at")
    assert log.details["changes"]["memo_subject"] == [old, "เรื่องใหม่"]
    response = client_for(user("executive")).get("/o/demo/audit/?what=plan")
    assert "เรื่องใหม่" in response.content.decode() and "เรื่อง" in response.content.decode()


def test_the_approved_revision_keeps_the_memo_it_was_approved_with(demo, django_capture_on_commit_callbacks):
    plan = plans.start_revision(Plan.objects.get(organisation=demo, fiscal_year__year=2566), by=user("staff"))
    edit(plan, subject="เรื่องตามที่อนุมัติ")
    plan = approve(plan)
    revision = plan.approved_revision
    plan = plans.start_revision(plan, by=user("staff"))
    edit(plan, subject="เรื่องที่แก้หลังอนุมัติ")
    assert builders.approved_memo(revision)["memo"]["subject"] == "เรื่องตามที่อนุมัติ"
    assert revision.snapshot["memo"]["texts"]["subject"] == "เรื่องตามที่อนุมัติ"


# --------------------------------------------------------------------------- #
# The emblem
# --------------------------------------------------------------------------- #


def test_a_file_that_is_not_an_image_is_refused_as_the_emblem_in_thai():
    with pytest.raises(EmblemError, match="ไม่ใช่ภาพ PNG หรือ JPEG"):
        check_emblem(b"%PDF-1.7 not an image")


def test_an_image_too_large_in_pixels_is_refused_as_the_emblem_in_thai():
    with pytest.raises(EmblemError, match="ใหญ่เกินไป"):
        check_emblem(png(5000, 40))


def test_a_gif_is_refused_as_the_emblem():
    with pytest.raises(EmblemError, match="PNG หรือ JPEG"):
        check_emblem(png(64, 64, fmt="GIF"))


def test_an_emblem_refused_on_the_page_is_named_and_nothing_is_stored(demo):
    client = client_for(user("executive"))
    upload = SimpleUploadedFile("emblem.png", b"not an image", content_type="image/png")
    response = client.post("/o/demo/documents/", {"action": "identity", "doc_number_prefix": "นก ๑", "emblem": upload})
    assert response.status_code == 400
    assert "ไม่ใช่ภาพ PNG หรือ JPEG" in response.content.decode()
    demo.refresh_from_db()
    assert not demo.emblem and demo.doc_number_prefix == ""


def test_the_emblem_is_printed_at_the_head_of_the_memo(demo):
    demo = set_emblem(demo, by=user("executive"), upload=io.BytesIO(png()))
    images = image_xobjects(pdf.render_pdf(builders.build("memo", demo, 2570)))
    assert [(int(i["/Width"]), int(i["/Height"])) for i in images] == [(120, 150)]


def test_without_an_emblem_the_memo_prints_no_image(demo):
    assert image_xobjects(pdf.render_pdf(builders.build("memo", demo, 2570))) == []


def test_the_executive_uploads_the_emblem_on_the_settings_page(demo):
    client = client_for(user("executive"))
    upload = SimpleUploadedFile("ตรา.png", png(), content_type="image/png")
    response = client.post("/o/demo/documents/", {"action": "identity", "doc_number_prefix": "นก ๑", "emblem": upload})
    assert response.status_code == 302
    demo.refresh_from_db()
    assert demo.emblem.name.startswith("emblems/demo/") and demo.doc_number_prefix == "นก ๑"


def test_the_memo_workbook_carries_the_emblem_too(demo):
    from openpyxl import load_workbook

    from reports.excel import render_xlsx

    demo = set_emblem(demo, by=user("executive"), upload=io.BytesIO(png()))
    sheet = load_workbook(io.BytesIO(render_xlsx(builders.build("memo", demo, 2570)))).worksheets[0]
    assert len(sheet._images) == 1


def test_the_memo_page_of_an_approved_plan_shows_the_approved_memo_read_only(demo):
    plan = Plan.objects.get(organisation=demo, fiscal_year__year=2566)
    approved = builders.approved_memo(plan.approved_revision)["memo"]
    response = client_for(user("staff")).get("/o/demo/plans/2566/memo/")
    assert response.status_code == 200
    assert (memo.LABELS["subject"], approved["subject"]) in response.context["shown"]
    assert 'name="subject"' not in response.content.decode()
