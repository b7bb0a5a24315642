"""Excel exports never run user text as a formula and never fail on control characters:
every sheet writes its cells through reports.excel.write_cell."""

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from measures import services
from measures.models import ApprovalStep
from reports.builders import build
from reports.excel import render_xlsx, write_cell
from tests.factories import fiscal_year

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","y")'
DDE = "=cmd|' /C calc'!A0"
BELL_TITLE = "จัดทำคู่มือ\x07การปฏิบัติงาน"
DONE = "-ลดขั้นตอน\x0b" + DDE


@pytest.fixture
def hostile(org, staff, approver, settings, tmp_path):
    """An approved plan whose measures, follow-up, memo number and approval opinion carry
    formula-like text and control characters (entered through the services)."""
    settings.MEDIA_ROOT = tmp_path
    ApprovalStep.objects.create(organisation=org, order=1, title="นายก").users.add(approver)
    plan = services.get_or_create_plan(org, fiscal_year=fiscal_year(2566))
    period = {"start": date(2022, 10, 1), "end": date(2023, 9, 30), "issue_area": services.issue_area(1)}
    first = services.save_measure(plan, by=staff, title=HYPERLINK, method=DDE, **period)
    services.save_measure(plan, by=staff, title=BELL_TITLE, method="+SUM(A1,B2)", **period)
    services.save_measure(plan, by=staff, title="@SUM(A1)", method="ประชาสัมพันธ์", **period)
    plan.refresh_from_db()
    services.set_plan_documents(plan, by=staff, layout=plan.layout, memo_number="=1+1")
    services.submit_plan(plan, by=staff)
    services.record_decision(plan, by=approver, kind="approve", opinion=HYPERLINK, permit_publish=True)
    round_, _ = services.ensure_rounds(plan)
    services.record_followup(round_, measure=first, by=staff, status="in_progress", percent=50, done=DONE)
    return org


def reopened(kind, organisation, **kw):
    return load_workbook(io.BytesIO(render_xlsx(build(kind, organisation, 2566, **kw))))


def string_cells(wb):
    return [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def formula_like(wb):
    return [c for c in string_cells(wb) if any(t in c.value for t in ("HYPERLINK", "cmd|", "SUM("))]


@pytest.mark.parametrize(
    ("kind", "kw"),
    [("measures", {}), ("memo", {}), ("followup", {"round_number": 1}), ("annual", {})],
)
def test_no_export_writes_a_formula_cell(hostile, kind, kw):
    wb = reopened(kind, hostile, **kw)
    found = formula_like(wb)
    assert found, f"the {kind} workbook should carry the hostile text"
    assert {c.data_type for c in found} == {"s"}
    assert not [c for c in string_cells(wb) if c.data_type == "f"]


def test_the_measures_sheet_keeps_the_formula_like_text_unchanged_as_text(hostile):
    values = {c.value: c for c in string_cells(reopened("measures", hostile))}
    assert DDE in values and values[DDE].data_type == "s" and values[DDE].quotePrefix
    assert "+SUM(A1,B2)" in values and values["+SUM(A1,B2)"].quotePrefix
    assert any(HYPERLINK in v for v in values)


def test_the_memo_keeps_an_opinion_that_looks_like_a_formula_as_text(hostile):
    values = {c.value: c for c in string_cells(reopened("memo", hostile))}
    assert HYPERLINK in values and values[HYPERLINK].data_type == "s" and values[HYPERLINK].quotePrefix
    assert "=๑+๑" in values and values["=๑+๑"].quotePrefix  # the memo number, digits in Thai


@pytest.mark.parametrize(
    ("kind", "kw"),
    [("measures", {}), ("memo", {}), ("followup", {"round_number": 1}), ("annual", {})],
)
def test_control_characters_are_dropped_and_the_export_still_opens(hostile, kind, kw):
    text = " ".join(c.value for c in string_cells(reopened(kind, hostile, **kw)))
    assert "\x07" not in text and "\x0b" not in text
    if kind in ("measures", "annual"):
        assert "จัดทำคู่มือการปฏิบัติงาน" in text


def test_the_follow_up_sheet_keeps_the_done_text_without_its_control_character(hostile):
    values = [c.value for c in string_cells(reopened("followup", hostile, round_number=1))]
    assert any(v.startswith("-ลดขั้นตอน" + DDE) for v in values)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\t=1+1", "\r=1+1"])
def test_write_cell_makes_every_formula_start_a_quoted_text_cell(value):
    cell = Workbook().active["A1"]
    write_cell(cell, value)
    assert cell.data_type == "s" and cell.quotePrefix and cell.value == value


def test_write_cell_leaves_ordinary_text_and_numbers_as_they_are():
    ws = Workbook().active
    write_cell(ws["A1"], "มาตรการที่ 1")
    write_cell(ws["A2"], 92.5)
    assert ws["A1"].data_type == "s" and not ws["A1"].quotePrefix
    assert ws["A2"].data_type == "n" and ws["A2"].value == 92.5
