"""supervision.xlsx, the export's sheet writer: what openpyxl reads back."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from supervision.xlsx import SheetWriter, column_letters


def written(*rows, bold_first=False):
    buffer = io.BytesIO()
    with SheetWriter(buffer, "ITA 2565") as sheet:
        for n, row in enumerate(rows):
            sheet.append(row, bold=bold_first and n == 0)
    buffer.seek(0)
    return load_workbook(buffer).active


def test_an_empty_cell_leaves_the_next_values_in_their_columns():
    ws = written(["a", None, "", 3])
    assert [c.value for c in ws[1]] == ["a", None, None, 3]


def test_numbers_stay_numbers_and_text_stays_text():
    ws = written([1, 2.5, Decimal("81.25"), "=1+1", " spaced "])
    assert [c.value for c in ws[1]] == [1, 2.5, 81.25, "=1+1", " spaced "]
    assert ws["D1"].data_type == "s"


def test_the_first_rows_can_be_bold_and_the_sheet_keeps_its_title():
    ws = written(["หัวข้อ"], ["x"], bold_first=True)
    assert ws.title == "ITA 2565" and ws["A1"].font.b and not ws["A2"].font.b


def test_control_characters_are_dropped_not_written_as_broken_xml():
    assert written(["a\x00b\x1fc\td"]).cell(1, 1).value == "abc\td"


def test_column_letters():
    assert [column_letters(n) for n in (1, 26, 27, 52, 53)] == ["A", "Z", "AA", "AZ", "BA"]
