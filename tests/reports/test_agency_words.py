"""The agency's own words in its documents (issue 9, points 2 and 8): the analysis per
indicator (table column or narrative), per item, the seven issue areas, free-text
sections, the assessors' recommendations under their tools, and missing figures."""

import io
import unicodedata

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from openpyxl import load_workbook
from pypdf import PdfReader

from assessments import agency_words
from assessments import services as assessment_services
from assessments.models import ChangeLog, Recommendation
from measures.models import Plan
from measures.services import WorkflowError, plan_snapshot
from reports import builders, pdf, texts
from reports.excel import render_xlsx
from tests.factories import make_organisation, record

pytestmark = pytest.mark.django_db

OWN_WORDS = "หน่วยงานเห็นว่าการเปิดเผยข้อมูลยังไม่ครบถ้วนตามเกณฑ์ของหน่วยงานเอง"


def nfkc(text):
    return unicodedata.normalize("NFKC", text)


def pdf_text(kind, organisation, year, **kw):
    reader = PdfReader(io.BytesIO(pdf.render_pdf(builders.build(kind, organisation, year, **kw))))
    return nfkc("\n".join(page.extract_text() for page in reader.pages))


def flat(text):
    return "".join(text.split())


def xlsx_texts(kind, organisation, year):
    wb = load_workbook(io.BytesIO(render_xlsx(builders.build(kind, organisation, year))))
    return [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


@pytest.fixture
def staff(demo):
    return User.objects.get(username="staff")


def _assessment(organisation, year):
    return organisation.assessments.get(fiscal_year__year=year)


def _set_texts(organisation, year, kind, by, **values):
    current = texts.texts_for(organisation, year, kind)
    texts.save_texts(organisation, year, kind, values={**current, **values}, by=by)


# --------------------------------------------------------------------------- #
# The analysis per indicator: the table's third column, or the narrative
# --------------------------------------------------------------------------- #


def test_indicator_analysis_prints_as_the_third_column_of_the_indicator_table(demo, staff):
    assessment_services.save_narrative(_assessment(demo, 2565), indicator_number=9, text=OWN_WORDS, by=staff)
    _set_texts(demo, 2565, "analysis", staff, indicator_analysis="column")
    text = flat(pdf_text("analysis", demo, 2565))
    table = text[text.index(nfkc("ผลการวิเคราะห์")) : text.index(nfkc("คะแนนรายข้อการประเมิน"))]
    assert flat(nfkc("ตัวชี้วัดที่๙การเปิดเผยข้อมูล")) in table and flat(nfkc(OWN_WORDS)) in table


def test_narrative_mode_prints_the_analysis_as_paragraphs_under_the_weaknesses(demo, staff):
    assessment_services.save_narrative(_assessment(demo, 2565), indicator_number=9, text=OWN_WORDS, by=staff)
    text = flat(pdf_text("analysis", demo, 2565))
    weaknesses = text.index(flat(nfkc("ประเด็นที่เป็นข้อบกพร่องหรือจุดอ่อนที่จะต้องแก้ไขโดยเร่งด่วน")))
    assert text.index(flat(nfkc(OWN_WORDS))) > weaknesses


# --------------------------------------------------------------------------- #
# The analysis per item
# --------------------------------------------------------------------------- #


def test_an_items_analysis_prints_once_under_the_item_in_its_issue_area(demo, staff):
    words = "ข้อเท็จจริงพบว่าผู้รับบริการยังไม่ทราบช่องทางออนไลน์ จึงกำหนดมาตรการประชาสัมพันธ์ช่องทาง"
    agency_words.save_item_analysis(_assessment(demo, 2566), item_code="e13", label="E13", text=words, by=staff)
    text = flat(pdf_text("analysis", demo, 2566))
    areas = text[text.index(flat(nfkc("การวิเคราะห์ผลการประเมินตาม ๗ ประเด็น"))) :]
    title = flat(nfkc("หน่วยงานมีระบบการให้บริการออนไลน์"))
    assert areas.index(title) < areas.index(flat(nfkc(words))) and text.count(flat(nfkc(words))) == 1


def test_eit_recommendations_print_under_their_parts_heading(demo):
    text = flat(pdf_text("analysis", demo, 2566))
    public = text.index(flat(nfkc("๒.๑ ส่วนที่ ๑ ผู้รับบริการหรือติดต่อราชการเข้าตอบด้วยตนเอง (EIT Public)")))
    survey = text.index(flat(nfkc("๒.๒ ส่วนที่ ๒ ผู้ประเมินจัดเก็บข้อมูล (EIT Survey)")))
    assert public < text.index(flat(nfkc("๒.๑.๑"))) < survey


# --------------------------------------------------------------------------- #
# The seven issue areas
# --------------------------------------------------------------------------- #


def test_the_seven_issue_areas_are_in_the_analysis_pdf(demo):
    areas = builders.build("analysis", demo, 2566)["analysis"]["issue_areas_detail"]
    text = flat(pdf_text("analysis", demo, 2566))
    section = text[text.index(flat(nfkc("การวิเคราะห์ผลการประเมินตาม ๗ ประเด็น"))) :]
    assert len(areas) == 7 and all(flat(nfkc(a["name"])) in section for a in areas)


def test_the_seven_issue_areas_are_in_the_analysis_workbook(demo):
    areas = builders.build("analysis", demo, 2566)["analysis"]["issue_areas_detail"]
    values = xlsx_texts("analysis", demo, 2566)
    assert nfkc("การวิเคราะห์ผลการประเมินตาม ๗ ประเด็น") in [nfkc(v) for v in values]
    assert all(any(a["name"] in v for v in values) for a in areas)


# --------------------------------------------------------------------------- #
# Free-text sections
# --------------------------------------------------------------------------- #

SECTION_WORDS = {
    "intro": "บทนำของหน่วยงานเขียนเองว่าด้วยการประเมินของปีนี้",
    "summary": "สรุปว่าหน่วยงานจะเร่งแก้ไขจุดอ่อนทุกตัวชี้วัด",
    "limitations": "หลักเกณฑ์การเปิดเผยข้อมูลเปลี่ยนทุกปีงบประมาณ",
    "closing": "ส่วนท้ายของหน่วยงานขอขอบคุณผู้มีส่วนร่วมทุกท่าน",
}


@pytest.mark.parametrize("section", list(SECTION_WORDS))
def test_each_section_of_the_analysis_prints_as_edited(demo, staff, section):
    _set_texts(demo, 2565, "analysis", staff, **{section: SECTION_WORDS[section]})
    assert flat(nfkc(SECTION_WORDS[section])) in flat(pdf_text("analysis", demo, 2565))


def test_the_analysis_opens_with_its_default_introduction_until_someone_writes_one(demo):
    assert flat(nfkc("ได้วิเคราะห์ผลการประเมินคุณธรรม")) in flat(pdf_text("analysis", demo, 2565))


def test_an_empty_section_prints_nothing(demo, staff):
    _set_texts(demo, 2565, "analysis", staff, intro="", summary="", limitations="", closing="")
    html = render_to_string("reports/pdf/analysis.html", {**builders.build("analysis", demo, 2565), "fonts": {}})
    assert 'class="words' not in html and "ได้วิเคราะห์ผลการประเมินคุณธรรม" not in html


def test_the_measures_summary_prints_in_the_draft_plan(demo, staff):
    _set_texts(demo, 2570, "measures", staff, summary=SECTION_WORDS["summary"])
    assert flat(nfkc(SECTION_WORDS["summary"])) in flat(pdf_text("measures", demo, 2570))


def test_the_followup_limitations_print_in_the_round_report(demo, staff):
    _set_texts(demo, 2566, "followup", staff, limitations=SECTION_WORDS["limitations"])
    assert flat(nfkc(SECTION_WORDS["limitations"])) in flat(pdf_text("followup", demo, 2566, round_number=1))


def test_the_annual_introduction_prints_in_the_annual_report(demo, staff):
    _set_texts(demo, 2566, "annual", staff, intro=SECTION_WORDS["intro"])
    assert flat(nfkc(SECTION_WORDS["intro"])) in flat(pdf_text("annual", demo, 2566))


def test_the_measures_texts_go_into_the_revision_snapshot(demo, staff):
    _set_texts(demo, 2570, "measures", staff, summary=SECTION_WORDS["summary"])
    plan = Plan.objects.get(organisation=demo, fiscal_year__year=2570)
    assert plan_snapshot(plan)["texts"]["summary"] == SECTION_WORDS["summary"]


def test_an_approved_revision_prints_the_texts_it_was_approved_with(demo, staff):
    plan = Plan.objects.select_related("approved_revision").get(organisation=demo, fiscal_year__year=2566)
    revision = plan.approved_revision
    revision.snapshot["texts"] = {"summary": "ข้อความที่อนุมัติแล้ว"}
    context = builders.revision_measures_context(plan, revision)
    assert context["texts"] == {"summary": "ข้อความที่อนุมัติแล้ว"}


def test_the_measures_texts_of_an_approved_plan_cannot_change(demo, staff):
    with pytest.raises(WorkflowError, match="อนุมัติแล้ว"):
        texts.save_texts(demo, 2566, "measures", values={"summary": "แก้หลังอนุมัติ"}, by=staff)


def test_saving_the_same_texts_again_logs_nothing(demo, staff):
    _set_texts(demo, 2565, "analysis", staff, summary=SECTION_WORDS["summary"])
    _set_texts(demo, 2565, "analysis", staff, summary=SECTION_WORDS["summary"])
    assert ChangeLog.objects.filter(action="document.texts").count() == 1


def test_texts_saved_by_someone_else_since_are_not_overwritten(demo, staff):
    opened = texts.version_of(demo, 2565, "analysis")
    _set_texts(demo, 2565, "analysis", staff, summary="ของอีกคน")
    with pytest.raises(assessment_services.EditConflict):
        texts.save_texts(demo, 2565, "analysis", values={"summary": "ของฉัน"}, by=staff, based_on=opened)
    assert texts.texts_for(demo, 2565, "analysis")["summary"] == "ของอีกคน"


# --------------------------------------------------------------------------- #
# Recommendations: edited, deleted, reordered; under their tool, numbered once
# --------------------------------------------------------------------------- #


def _recs(demo):
    return list(_assessment(demo, 2566).recommendations.order_by("order", "pk"))


def test_a_recommendation_is_edited_and_logged(demo, staff):
    rec = _recs(demo)[0]
    agency_words.edit_recommendation(rec, by=staff, based_on=agency_words.version_of(rec), text="ข้อความใหม่",
                                     tool=rec.tool, part=rec.part, item_codes=rec.item_codes)  # fmt: skip
    assert Recommendation.objects.get(pk=rec.pk).text == "ข้อความใหม่"
    assert ChangeLog.objects.filter(action="recommendation.edit").count() == 1


def test_a_recommendation_is_deleted(demo, staff):
    rec = _recs(demo)[0]
    agency_words.delete_recommendation(rec, by=staff, based_on=agency_words.version_of(rec))
    assert not Recommendation.objects.filter(pk=rec.pk).exists()


def test_a_recommendation_moves_down_among_its_tools(demo, staff):
    first, second = [r for r in _recs(demo) if r.tool == "iit"][:2]
    agency_words.move_recommendation(first, by=staff, offset=1, based_on=agency_words.version_of(first))
    assert [r.pk for r in _recs(demo) if r.tool == "iit"][:2] == [second.pk, first.pk]


def test_a_stale_recommendation_edit_is_refused(demo, staff):
    rec = _recs(demo)[0]
    with pytest.raises(assessment_services.EditConflict):
        agency_words.edit_recommendation(rec, by=staff, based_on="2000-01-01T00:00:00+00:00", text="ทับ",
                                         tool=rec.tool, part=rec.part, item_codes=rec.item_codes)  # fmt: skip


def test_recommendations_print_under_their_tools_heading(demo):
    text = flat(pdf_text("analysis", demo, 2566))
    iit = text.index(flat(nfkc("แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายใน (Internal")))
    eit = text.index(flat(nfkc("แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายนอก (External")))
    oit = text.index(flat(nfkc("แบบตรวจการเปิดเผยข้อมูลสาธารณะ (Open")))
    assert iit < eit < oit


def test_a_recommendation_with_its_own_number_is_numbered_once(demo, staff):
    rec = _recs(demo)[0]
    agency_words.edit_recommendation(rec, by=staff, text="๑.๑ ข้อเสนอแนะที่มีเลขของตนเอง", tool=rec.tool,
                                     part=rec.part, item_codes=rec.item_codes)  # fmt: skip
    text = flat(pdf_text("analysis", demo, 2566))
    assert flat(nfkc("๑.๑ข้อเสนอแนะที่มีเลขของตนเอง")) in text
    assert flat(nfkc("๑)๑.๑")) not in text and flat(nfkc("๑.๑๑.๑")) not in text


def test_recommendations_without_their_own_number_get_the_tools_number():
    groups = agency_words.recommendation_groups(
        [{"tool": "oit", "text": "เผยแพร่"}, {"tool": "iit", "text": "ชี้แจง"}, {"tool": "iit", "text": "อบรม"}]
    )
    assert [(g["tool"], [r["number"] for r in g["rows"]]) for g in groups] == [
        ("iit", ["1.1", "1.2"]),
        ("oit", ["2.1"]),
    ]


# --------------------------------------------------------------------------- #
# Missing figures
# --------------------------------------------------------------------------- #


@pytest.fixture
def indicators_only(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    org = make_organisation(code="only-indicators", name="องค์การบริหารส่วนตำบลตัวชี้วัด")
    record(org, 2566, {("indicator", str(n), ""): "88.50" for n in range(1, 9)})  # no OIT: no total
    return org


def test_a_missing_total_prints_a_dash_with_a_note(indicators_only):
    text = flat(pdf_text("analysis", indicators_only, 2566))
    assert flat(nfkc("คะแนนรวม –")) in text and flat(nfkc("ไม่มีข้อมูลคะแนนรวม")) in text
    assert flat(nfkc("คะแนนรวมคะแนน")) not in text


def test_no_item_table_is_printed_without_item_figures(indicators_only):
    text = flat(pdf_text("analysis", indicators_only, 2566))
    assert flat(nfkc("ไม่มีข้อมูลคะแนนรายข้อ")) in text and flat(nfkc("ประเด็นการประเมิน")) not in text


def test_a_missing_total_in_the_workbook_says_so(indicators_only):
    wb = load_workbook(io.BytesIO(render_xlsx(builders.build("analysis", indicators_only, 2566))))
    values = [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "ไม่มีข้อมูลคะแนนรวม" in values and "คะแนนรายข้อ" not in wb.sheetnames


def test_saving_an_items_analysis_unchanged_logs_once(demo, staff):
    for _ in range(2):
        agency_words.save_item_analysis(_assessment(demo, 2566), item_code="e2", label="e2", text="ข้อเท็จจริง", by=staff)
    assert ChangeLog.objects.filter(action="narrative.item").count() == 1


def test_an_items_analysis_is_in_the_workbook(demo, staff):
    agency_words.save_item_analysis(
        _assessment(demo, 2566), item_code="e2", label="e2", text="ข้อเท็จจริงของข้อนี้", by=staff
    )
    assert any("ข้อเท็จจริงของข้อนี้" in v for v in xlsx_texts("analysis", demo, 2566))


def test_the_column_mode_puts_the_analysis_beside_the_score_in_the_workbook(demo, staff):
    assessment_services.save_narrative(_assessment(demo, 2565), indicator_number=9, text=OWN_WORDS, by=staff)
    _set_texts(demo, 2565, "analysis", staff, indicator_analysis="column")
    wb = load_workbook(io.BytesIO(render_xlsx(builders.build("analysis", demo, 2565))))
    ws = wb["ผลการวิเคราะห์"]
    row = next(c.row for r in ws.iter_rows() for c in r if c.value == OWN_WORDS)
    assert ws.cell(row=row, column=2).value == "การเปิดเผยข้อมูล"
