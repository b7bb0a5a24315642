"""assessments.sheets: the bounded reader every upload goes through."""

import io
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from assessments import sheets
from assessments.frameworks import workbook_from_fiscal_year
from tests.factories import fiscal_year

pytestmark = pytest.mark.django_db


def xlsx(build):
    wb = Workbook()
    build(wb)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def _plain(value):
    if isinstance(value, float):
        return Decimal(f"{value:.15g}").normalize()
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return Decimal(value).normalize()
    return value


def test_the_safe_workbook_reads_the_framework_workbook_as_openpyxl_does():
    data = io.BytesIO()
    workbook_from_fiscal_year(fiscal_year(2566)).save(data)
    data.seek(0)
    expected = load_workbook(data, read_only=True, data_only=True)
    data.seek(0)
    safe = sheets.open_workbook_safely(data, filename="2566.xlsx")
    assert safe.sheetnames == expected.sheetnames
    for name in expected.sheetnames:
        want = [tuple(_plain(v) for v in row) for row in expected[name].iter_rows(values_only=True)]
        got = [tuple(_plain(v) for v in row) for row in safe[name].iter_rows(values_only=True)]
        width = max((len(r) for r in want), default=0)
        assert [r + (None,) * (width - len(r)) for r in got] == [r + (None,) * (width - len(r)) for r in want], name


def test_a_named_sheet_is_read_even_when_it_is_not_the_active_one():
    def build(wb):
        wb.active.append(["code", "score"])
        other = wb.create_sheet("อื่น")
        other.append(["code", "score"])
        other.append(["i1", 70])

    assert sheets.read_table(xlsx(build), "a.xlsx", sheet="อื่น") == [["code", "score"], ["i1", 70]]


def test_an_unknown_sheet_name_is_refused_naming_the_sheets_there_are():
    with pytest.raises(sheets.ImportRefused) as exc:
        sheets.read_table(xlsx(lambda wb: wb.active.append(["code"])), "a.xlsx", sheet="ไม่มี")
    assert exc.value.lines() == ["ไฟล์ “a.xlsx”: ไม่พบชีต “ไม่มี” (มี “Sheet”)"]


def test_a_date_cell_is_a_date_and_a_percent_cell_a_percentage():
    def build(wb):
        wb.active.append([datetime(2023, 10, 1), 0.925])
        wb.active["B1"].number_format = "0.0%"

    assert sheets.read_table(xlsx(build), "a.xlsx") == [[datetime(2023, 10, 1), Decimal("92.5")]]


def test_a_cr_only_csv_is_read_row_by_row():
    assert sheets.read_table(io.BytesIO(b"code,score\ri1,80\r"), "mac.csv") == [["code", "score"], ["i1", "80"]]


def test_refusals_list_at_most_a_hundred_lines_and_count_the_rest():
    refused = sheets.ImportRefused([(n, "ผิด") for n in range(2, 252)])
    assert len(refused.lines()) == 101 and refused.lines()[-1] == "และข้อผิดพลาดอีก 150 รายการ"
