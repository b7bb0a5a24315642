"""Bounded, safe reading of uploaded sheets: CSV and XLSX as lists of rows.

Every reader of an uploaded table goes through here, so a hostile file is refused
with a Thai reason naming the file or the spreadsheet row (the header is row 1),
never a traceback, and never after the worker has spent its memory on it:

- the upload is read up to a byte limit; the zip's central directory (member count,
  each member's uncompressed size and compression ratio) is checked BEFORE any XML
  is parsed;
- XML is parsed with defusedxml (no DTD, entities never expanded) as a stream,
  element by element, with bounds on elements, nesting, the bytes of one token,
  rows, columns, cells, shared strings and the length of one text;
- the active visible sheet is read (a hidden first sheet is never imported), or
  the sheet named;
- number formats are honoured: a cell formatted as a percentage that shows 92 %
  is 92, a date cell is a date.

CSV: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text") or
Windows-874/TIS-620; LF, CRLF and CR-only ("CSV (Macintosh)") line ends; comma,
semicolon or tab separated.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import IO

from .common import DEFAULT_LIMITS, SCORE_LIMITS, BadCell, ImportRefused, Limits, Refuse, Table, Value, refusal
from .delimited import read_csv
from .xlsx import Book

__all__ = [
    "BadCell",
    "ImportRefused",
    "Limits",
    "SafeWorkbook",
    "Table",
    "Value",
    "DEFAULT_LIMITS",
    "SCORE_LIMITS",
    "open_workbook_safely",
    "read_table",
]


def read_table(
    fileobj: IO[bytes], filename: str | None, *, sheet: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Table:
    """Rows of a CSV or XLSX upload as lists of cell values; row i of the result is
    spreadsheet row i + 1 (the header is row 1). Raises ImportRefused with Thai reasons."""
    try:
        data = _read_bytes(fileobj, limits)
        kind = _kind(data, filename)
        if kind == "xlsx":
            book = Book(data, limits)
            return book.table(book.pick(sheet))
        return read_csv(data, limits)
    except Refuse as exc:
        raise refusal(exc, filename) from None


class SafeWorkbook:
    """A workbook read within bounds, shaped like openpyxl's read-only workbook for the
    callers that only need ``sheetnames`` and ``wb[name].iter_rows(values_only=True)``."""

    def __init__(self, sheets: dict[str, Table], active: str):
        self._sheets = sheets
        self.sheetnames = list(sheets)
        self.active = _SafeSheet(active, sheets[active])

    def __getitem__(self, name: str) -> _SafeSheet:
        if name not in self._sheets:
            raise KeyError(name)
        return _SafeSheet(name, self._sheets[name])

    def __contains__(self, name: object) -> bool:
        return name in self._sheets


class _SafeSheet:
    def __init__(self, title: str, table: Table):
        self.title, self._table = title, table

    def iter_rows(self, values_only: bool = True) -> Iterator[tuple[Value, ...]]:
        width = max((len(r) for r in self._table), default=0)
        for row in self._table:
            yield tuple(row) + (None,) * (width - len(row))


def open_workbook_safely(
    upload: IO[bytes], *, limits: Limits = DEFAULT_LIMITS, filename: str | None = None
) -> SafeWorkbook:
    """Every sheet of an uploaded XLSX, read within ``limits`` (the framework workbook and any
    other multi-sheet upload). Raises ImportRefused naming the file, sheet or row."""
    filename = filename or getattr(upload, "name", None)
    try:
        data = _read_bytes(upload, limits)
        if _kind(data, filename or "x.xlsx") != "xlsx":
            raise Refuse("ไม่ใช่ไฟล์ Excel (.xlsx)")
        book = Book(data, limits)
        sheets = {}
        for info in book.sheets:
            if info.kind != "worksheet":
                continue
            try:
                sheets[info.name] = book.table(info)
            except Refuse as exc:
                raise Refuse(
                    f"ชีต “{info.name}”" + (f" แถวที่ {exc.row}" if exc.row else "") + f": {exc.reason}"
                ) from None
        if not sheets:
            raise Refuse("ไม่มีชีตข้อมูล")
        active = book.pick(None).name
        return SafeWorkbook(sheets, active if active in sheets else next(iter(sheets)))
    except Refuse as exc:
        raise refusal(exc, filename) from None


def _read_bytes(fileobj: IO[bytes], limits: Limits) -> bytes:
    if hasattr(fileobj, "seek"):
        with contextlib.suppress(OSError, ValueError):
            fileobj.seek(0)
    data = fileobj.read(limits.file_bytes + 1)
    if isinstance(data, str):  # a text-mode file handed in by mistake
        data = data.encode("utf-8")
    if len(data) > limits.file_bytes:
        raise Refuse(f"ใหญ่เกิน {limits.file_bytes:,} ไบต์")
    return data


_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls, or an .xlsx with a password


def _kind(data: bytes, filename: str | None) -> str:
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
        if data[:8] == _CFB:
            raise Refuse("เป็นไฟล์ Excel รุ่นเก่า (.xls) หรือไฟล์ที่ตั้งรหัสผ่าน กรุณาบันทึกเป็น .xlsx แบบไม่มีรหัสผ่าน")
        if data[:2] != b"PK":
            raise Refuse("ไม่ใช่ไฟล์ Excel (.xlsx) ที่อ่านได้")
        return "xlsx"
    if data[:8] == _CFB or name.endswith(".xls"):
        raise Refuse("ไฟล์ .xls รุ่นเก่าไม่รองรับ กรุณาบันทึกเป็น .xlsx หรือ .csv")
    if name and not name.endswith((".csv", ".txt")):
        raise Refuse("รองรับเฉพาะไฟล์ .csv และ .xlsx")
    return "csv"
