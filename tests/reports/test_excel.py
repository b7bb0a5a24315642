"""The Excel workbooks: the PDF's content, styled and printable, read back with openpyxl."""

import io
from datetime import date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from assessments.management.commands.ita_demo import OPINIONS, USERS
from assessments.models import Organisation
from assessments.thai import to_arabic_digits
from measures.models import Plan
from reports.builders import build
from reports.excel import parse_thai_date, render_xlsx, thai_text

pytestmark = pytest.mark.django_db

THAI_SCORE = "[$-D00041E]0.00"
SIX_COLUMNS = [
    "มาตรการยกระดับคะแนน",
    "วิธีการนำผลวิเคราะห์ไปสู่การปฏิบัติ",
    "ผู้รับผิดชอบ",
    "ระยะเวลาดำเนินการ",
    "ขั้นตอนหรือวิธีดำเนินการปฏิบัติ",
    "แนวทางกำกับติดตาม",
]


@pytest.fixture
def agency(db, settings, tmp_path):
    """The demo agency: 2565/2566 results, an approved 2566 plan, round 1 partly filled."""
    settings.MEDIA_ROOT = tmp_path
    call_command("ita_demo", stdout=StringIO())
    return Organisation.objects.get(code="demo")


def workbook(kind, organisation, year, **kw):
    return load_workbook(io.BytesIO(render_xlsx(build(kind, organisation, year, **kw))))


def cells(ws):
    return [c for row in ws.iter_rows() for c in row if c.value is not None]


def texts(ws):
    return [c.value for c in cells(ws) if isinstance(c.value, str)]


def title_row(ws):
    """The row number of the sheet's repeated print title row ("$5:$5" -> 5)."""
    first, last = ws.print_title_rows.replace("$", "").split(":")
    assert first == last
    return int(first)


# --------------------------------------------------------------------------- #
# Analysis
# --------------------------------------------------------------------------- #


def test_analysis_sheet_names_every_indicator(agency):
    ws = workbook("analysis", agency, 2565)["ผลการวิเคราะห์"]
    names = {i["name"] for i in build("analysis", agency, 2565)["analysis"]["indicators"]}
    assert len(names) == 10
    assert names <= set(texts(ws))


def test_indicator_score_is_a_number_shown_in_thai_digits(agency):
    ws = workbook("analysis", agency, 2565)["ผลการวิเคราะห์"]
    row = next(c.row for c in cells(ws) if c.value == "การเปิดเผยข้อมูล")
    score = ws.cell(row=row, column=3)
    assert score.value == 76.29 and score.number_format == THAI_SCORE
    assert ws.cell(row=row, column=1).value == 9


def test_total_and_grade_of_2565(agency):
    ws = workbook("analysis", agency, 2565)["ผลการวิเคราะห์"]
    row = next(c.row for c in cells(ws) if c.value == "คะแนนรวม")
    assert ws.cell(row=row, column=3).value == 83.38
    grade = next(c.row for c in cells(ws) if c.value == "ระดับ")
    assert ws.cell(row=grade, column=3).value == "B"


def test_2566_shows_eit_parts_change_since_2565_and_recommendations(agency):
    wb = workbook("analysis", agency, 2566)
    ws = wb["ผลการวิเคราะห์"]
    values = [c.value for c in cells(ws)]
    assert {92.31, 92.57, 79.21, "ผ่าน", "ปี ๒๕๖๕", "ข้อเสนอแนะของผู้ตรวจประเมิน"} <= set(values)
    change = next(c for c in cells(ws) if c.value == 8.93)
    assert change.number_format.startswith("[$-D00041E]+0.00")
    assert wb["คะแนนรายข้อ"][title_row(wb["คะแนนรายข้อ"])][3].value == "EIT Public"


def test_digits_in_text_turn_thai_but_item_codes_keep_arabic_digits(agency):
    wb = workbook("analysis", agency, 2565)
    narrative = next(t for t in texts(wb["ผลการวิเคราะห์"]) if t.startswith("- ตัวชี้วัดที่ ๙"))
    assert "๗๖.๒๙" in narrative and "(ข้อ o1 – o33)" in narrative
    assert not any("o๑" in t or "i๑" in t for t in texts(wb["ผลการวิเคราะห์"]) + texts(wb["คะแนนรายข้อ"]))
    assert {"o11", "o12", "i7"} <= set(texts(wb["คะแนนรายข้อ"]))


def test_arabic_digits_when_the_organisation_turns_thai_digits_off(agency):
    agency.use_thai_digits = False
    agency.save()
    ws = workbook("analysis", agency, 2565)["ผลการวิเคราะห์"]
    assert next(c for c in cells(ws) if c.value == 76.29).number_format == "0.00"
    assert "1. คะแนนจำแนกตามเครื่องมือการประเมิน" in texts(ws)
    assert "ขององค์การบริหารส่วนตำบลบึงกอก (สาธิต) ประจำปีงบประมาณ พ.ศ. 2565" in texts(ws)
    # Thai digits typed into the framework's descriptions stay as entered, as in the PDF.


def test_items_sheet_lists_items_under_their_indicator(agency):
    ws = workbook("analysis", agency, 2565)["คะแนนรายข้อ"]
    header = title_row(ws)
    assert [c.value for c in ws[header]] == ["ข้อ", "ประเด็นการประเมิน", "คะแนน"]
    group = next(c.row for c in cells(ws) if c.value == "ตัวชี้วัดที่ ๙ การเปิดเผยข้อมูล")
    assert ws.cell(row=group, column=3).value == 76.29
    assert ws.cell(row=group + 1, column=1).value == "o1"


# --------------------------------------------------------------------------- #
# Measures
# --------------------------------------------------------------------------- #


def test_measures_sheet_has_the_six_column_header(agency):
    ws = workbook("measures", agency, 2566)["มาตรการ"]
    assert [c.value for c in ws[title_row(ws)]] == SIX_COLUMNS


def test_measures_sheet_has_one_row_per_measure_under_merged_group_rows(agency):
    plan = Plan.objects.get(organisation=agency, fiscal_year__year=2566)
    context = build("measures", agency, 2566)
    ws = load_workbook(io.BytesIO(render_xlsx(context)))["มาตรการ"]
    merged = {r.min_row for r in ws.merged_cells.ranges if r.min_col == 1 and r.max_col == 6}
    labels = [g["label"] for g in context["plan"]["groups"]]
    group_rows = [c.row for c in cells(ws) if c.column == 1 and to_arabic_digits(c.value) in labels]
    assert len(group_rows) == len(labels) == 7 and set(group_rows) <= merged
    measure_rows = [r for r in range(title_row(ws) + 1, ws.max_row + 1) if ws.cell(row=r, column=2).value]
    assert len(measure_rows) == plan.measures.count() == context["plan"]["count"]


def test_indicator_layout_has_five_columns(agency):
    from assessments.models import FiscalYear
    from measures import services as plans

    staff = agency.memberships.get(role="staff").user
    plan, _ = plans.draft_plan_from_analysis(agency, fiscal_year=FiscalYear.objects.get(year=2567), by=staff)
    plans.set_plan_documents(plan, by=staff, layout=Plan.Layout.INDICATOR)
    ws = workbook("measures", agency, 2567)["มาตรการ"]
    assert [c.value for c in ws[title_row(ws)]] == [
        "มาตรการ/แนวทาง",
        "วิธีการดำเนินการ",
        "ผู้รับผิดชอบ",
        "ระยะเวลาดำเนินการ",
        "การติดตามประเมินผล",
    ]


def test_the_approved_plan_prints_in_the_layout_it_was_signed_in(agency):
    from measures import services as plans

    staff = agency.memberships.get(role="staff").user
    plan = Plan.objects.get(organisation=agency, fiscal_year__year=2566)
    plans.start_revision(plan, by=staff)
    plans.set_plan_documents(plan, by=staff, layout=Plan.Layout.INDICATOR)
    assert build("measures", agency, 2566)["plan"]["layout"] == "issue_area"


# --------------------------------------------------------------------------- #
# Memo
# --------------------------------------------------------------------------- #


def test_memo_sheet_has_every_approver_name_and_opinion(agency):
    ws = workbook("memo", agency, 2566)["บันทึกข้อความ"]
    full_names = {u[0]: f"{u[1]} {u[2]}" for u in USERS}
    values = set(texts(ws))
    for username, opinion, _kind in OPINIONS:
        assert f"({full_names[username]})" in values
        assert opinion in values
    assert "ความเห็นนายกองค์การบริหารส่วนตำบล" in values


def test_memo_ticks_approval_and_permission_to_publish(agency):
    values = texts(workbook("memo", agency, 2566)["บันทึกข้อความ"])
    assert any(t.startswith("☑ อนุมัติ") and "☐ ไม่อนุมัติ" in t for t in values)
    assert "☑ อนุญาตให้เผยแพร่บนเว็บไซต์ของหน่วยงาน" in values


def test_memo_dates_are_real_dates_in_thai_format(agency):
    ws = workbook("memo", agency, 2566)["บันทึกข้อความ"]
    dates = [c for c in cells(ws) if isinstance(c.value, datetime)]
    assert len(dates) == 5  # the memo and the four decisions
    assert {c.number_format for c in dates} == {"[$-D07041E]d mmmm yyyy"}


# --------------------------------------------------------------------------- #
# Follow-up
# --------------------------------------------------------------------------- #


def test_followup_sheet_names_the_round_in_thai_digits(agency):
    ws = workbook("followup", agency, 2566, round_number=1)["ติดตามผล รอบ 1"]
    title = next(t for t in texts(ws) if "รอบ" in t)
    assert "รอบ ๖ เดือน" in title and "รอบ 6 เดือน" in to_arabic_digits(title)


def test_followup_percents_are_numbers(agency):
    ws = workbook("followup", agency, 2566, round_number=1)["ติดตามผล รอบ 1"]
    header = title_row(ws)
    assert ws.cell(row=header, column=7).value == "ร้อยละ"
    percents = [ws.cell(row=r, column=7) for r in range(header + 1, ws.max_row + 1)]
    numbers = [c.value for c in percents if isinstance(c.value, int)]
    assert sorted(numbers, reverse=True)[:6] == [100, 100, 60, 60, 40, 40] and len(numbers) == 27
    assert {c.number_format for c in percents if isinstance(c.value, int)} == {"[$-D00041E]0"}


def test_followup_due_date_and_summary(agency):
    ws = workbook("followup", agency, 2566, round_number=1)["ติดตามผล รอบ 1"]
    due = next(c for c in cells(ws) if isinstance(c.value, datetime))
    assert due.value.date() == date(2023, 3, 31) and due.number_format == "[$-D07041E]d mmm yy"
    assert {"ปัญหาและอุปสรรค", "ข้อเสนอแนะ"} <= set(texts(ws))


# --------------------------------------------------------------------------- #
# Annual workbook and print setup
# --------------------------------------------------------------------------- #


def test_annual_workbook_has_every_sheet(agency):
    assert workbook("annual", agency, 2566).sheetnames == [
        "รายงานประจำปี",
        "ผลการวิเคราะห์",
        "คะแนนรายข้อ",
        "มาตรการ",
        "บันทึกข้อความ",
        "ติดตามผล รอบ 1",
        "ติดตามผล รอบ 2",
        "การรับรองรายงาน",
    ]


def test_every_sheet_prints_on_a4_with_official_margins_fitted_to_width(agency):
    wb = workbook("annual", agency, 2566)
    landscape = {"มาตรการ", "ติดตามผล รอบ 1", "ติดตามผล รอบ 2"}
    for ws in wb.worksheets:
        assert len(ws.title) <= 31
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9
        assert ws.page_setup.orientation == ("landscape" if ws.title in landscape else "portrait")
        assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToWidth) == 1
        m = ws.page_margins
        assert (round(m.left * 2.54, 1), round(m.right * 2.54, 1), round(m.top * 2.54, 1)) == (3.0, 2.0, 2.5)


def test_table_sheets_repeat_their_header_row_on_every_page(agency):
    wb = workbook("annual", agency, 2566)
    for name, first in [("มาตรการ", SIX_COLUMNS[0]), ("ติดตามผล รอบ 1", "ข้อ"), ("คะแนนรายข้อ", "ข้อ")]:
        ws = wb[name]
        header = ws[title_row(ws)]
        assert header[0].value == first and all(c.font.b for c in header if c.value)


def test_every_cell_is_th_sarabunpsk_16_with_wrapped_text(agency):
    wb = workbook("annual", agency, 2566)
    for ws in wb.worksheets:
        for c in cells(ws):
            assert c.font.name == "TH SarabunPSK"
            assert c.font.sz == (29 if c.value == "บันทึกข้อความ" else 16)
            assert c.alignment.wrap_text


def test_column_widths_and_row_heights_follow_the_text(agency):
    ws = workbook("analysis", agency, 2565)["ผลการวิเคราะห์"]
    assert [ws.column_dimensions[c].width for c in "ABCDEF"] == [6, 31, 14, 16, 10, 13]
    heights = {c.row: ws.row_dimensions[c.row].height for c in cells(ws)}
    narrative = next(c.row for c in cells(ws) if str(c.value).startswith("  เป็นการประเมิน"))
    assert all(h for h in heights.values())
    assert heights[narrative] > 4 * 24 and max(heights.values()) <= 409


def test_unknown_kind_is_refused(agency):
    with pytest.raises(ValueError):
        render_xlsx({"kind": "budget", "organisation": {"name": "x"}, "year": 2566})


# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #


def test_thai_text_keeps_item_codes_and_links():
    assert thai_text("ข้อ O18 และ i7, o1 – o33 ปี 2566 (9.1) https://a.go.th/2566", True) == (
        "ข้อ O18 และ i7, o1 – o33 ปี ๒๕๖๖ (๙.๑) https://a.go.th/2566"
    )
    assert thai_text("ปี 2566", False) == "ปี 2566"


def test_builder_dates_read_back_as_dates():
    assert parse_thai_date("21 พฤศจิกายน 2569") == date(2026, 11, 21)
    assert parse_thai_date("๓๑ มี.ค. ๖๖") == date(2023, 3, 31)
    assert parse_thai_date("........................") is None


def test_revisions_approved_before_the_layout_was_recorded_keep_the_plans_layout(agency):
    import importlib

    from django.apps import apps

    from measures.models import PlanRevision

    migration = importlib.import_module("measures.migrations.0004_plan_revision_layout")
    plan = Plan.objects.get(organisation=agency, fiscal_year__year=2566)
    revision = plan.approved_revision
    revision.snapshot.pop("layout")
    revision.save()
    Plan.objects.filter(pk=plan.pk).update(layout=Plan.Layout.INDICATOR)  # as set before the page existed
    migration.record_signed_layouts(apps, None)
    assert PlanRevision.objects.get(pk=revision.pk).layout == "indicator"
    assert build("measures", agency, 2566)["plan"]["layout"] == "indicator"
