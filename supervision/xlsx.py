"""A one-sheet Excel workbook written as plain XML text, row by row (the dashboard's export).

openpyxl's write-only mode builds a cell object and an XML element for every value: at 8,300
agencies x 13 columns that was nine tenths of the export's time. Here each row is one string
of ``<c>`` elements (text inline, numbers as they are, nothing a spreadsheet would read as a
formula), appended to the sheet's part inside the zip as it comes; memory stays flat.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from typing import IO
from xml.sax.saxutils import escape

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>'
)
# Style 0: the default font; style 1: bold (the title and header rows).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"
# Characters XML 1.0 does not allow (control characters other than tab, newline, return).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def column_letters(n: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_COLUMNS = [column_letters(n) for n in range(1, 101)]


def _cell(ref: str, value, style: str) -> str:
    # Text first: most of the export's cells are.
    if isinstance(value, str):
        if not value:
            return ""
        if _ILLEGAL.search(value):
            value = _ILLEGAL.sub("", value)
        text = escape(value)
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        # Always text, never a formula: "=HYPERLINK(…)" in an agency's name stays its name.
        return f'<c r="{ref}" t="inlineStr"{style}><is><t{space}>{text}</t></is></c>'
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"{style}><v>{int(value)}</v></c>'
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, int | float):
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
    return _cell(ref, str(value), style)


class SheetWriter:
    """``with SheetWriter(fileobj, title) as sheet: sheet.append([...])``: rows in order."""

    def __init__(self, fileobj: IO[bytes], title: str):
        # The fastest deflate level: the sheet is repetitive XML, so it still shrinks ~10x.
        self.zip = zipfile.ZipFile(fileobj, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.title = title[:31]
        self.sheet = self.zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.sheet.write(_SHEET_HEAD.encode())
        self.rows = 0

    def append(self, values: Iterable, *, bold: bool = False) -> None:
        self.rows += 1
        style = ' s="1"' if bold else ""
        n = self.rows
        values = list(values)
        if len(values) > len(_COLUMNS):
            raise ValueError(f"at most {len(_COLUMNS)} columns")
        cells = "".join(_cell(f"{column}{n}", v, style) for column, v in zip(_COLUMNS, values, strict=False))
        self.sheet.write(f'<row r="{n}">{cells}</row>'.encode())

    def close(self) -> None:
        self.sheet.write(_SHEET_TAIL.encode())
        self.sheet.close()
        title = escape(self.title, {'"': "&quot;"})
        self.zip.writestr("[Content_Types].xml", _CONTENT_TYPES)
        self.zip.writestr("_rels/.rels", _ROOT_RELS)
        self.zip.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        self.zip.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        self.zip.writestr("xl/styles.xml", _STYLES)
        self.zip.close()

    def __enter__(self) -> SheetWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
