"""What every sheet reader shares: the limits, the refusal, and the cell values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

MiB = 1024 * 1024


class ImportRefused(ValueError):
    """A file refused whole; ``errors`` lists (row number or None, reason) in Thai."""

    MAX_LINES = 100

    def __init__(self, errors, message: str = "ไฟล์มีข้อผิดพลาด จึงไม่ได้บันทึกข้อมูลใด ๆ"):
        self.errors = list(errors)
        super().__init__(message)

    def lines(self) -> list[str]:
        """One Thai line per reason ("แถวที่ 3: …"), at most MAX_LINES and a count of the rest."""
        lines = [f"แถวที่ {row}: {reason}" if row else reason for row, reason in self.errors[: self.MAX_LINES]]
        if len(self.errors) > self.MAX_LINES:
            lines.append(f"และข้อผิดพลาดอีก {len(self.errors) - self.MAX_LINES:,} รายการ")
        return lines


@dataclass(frozen=True)
class Limits:
    """How much of an uploaded sheet is read before it is refused."""

    file_bytes: int = 20 * MiB  # the upload itself
    rows: int = 50_000  # highest spreadsheet row holding a value
    columns: int = 100  # highest column holding a value
    cells: int = 500_000  # cells holding a value
    field_chars: int = 10_000  # one cell's text
    members: int = 500  # entries in the zip
    member_bytes: int = 40 * MiB  # one zip entry, uncompressed
    xml_bytes: int = 60 * MiB  # all zip entries, uncompressed
    ratio: int = 100  # uncompressed / compressed, for entries over 1 MiB
    shared_strings: int = 200_000
    styles: int = 65_000
    elements: int = 2_000_000  # XML elements in one part
    depth: int = 32  # XML nesting
    token_bytes: int = 2 * MiB  # bytes of XML read without a single element starting or ending


DEFAULT_LIMITS = Limits()
# A score sheet holds at most a few hundred figures: refuse anything far beyond that early.
SCORE_LIMITS = Limits(
    file_bytes=5 * MiB,
    rows=5_000,
    columns=50,
    cells=50_000,
    field_chars=2_000,
    members=200,
    member_bytes=20 * MiB,
    xml_bytes=30 * MiB,
    shared_strings=20_000,
    elements=500_000,
)


@dataclass(frozen=True)
class BadCell:
    """A cell whose value cannot be used (an error value such as #N/A, a formula without a
    stored result); the reader keeps it so the importer can name it when it matters."""

    ref: str
    reason: str
    shown: str = ""

    def __str__(self) -> str:
        return self.shown


Value = str | int | Decimal | bool | datetime | BadCell | None
Table = list[list[Value]]


def file_label(filename: str | None) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return f"ไฟล์ “{name[:80]}”" if name else "ไฟล์"


class Refuse(Exception):
    """Internal: a refusal raised deep in a reader, turned into ImportRefused at the top."""

    def __init__(self, reason: str, row: int | None = None):
        self.reason, self.row = reason, row
        super().__init__(reason)


def refusal(exc: Refuse, filename: str | None) -> ImportRefused:
    if exc.row:
        return ImportRefused([(exc.row, exc.reason)])
    return ImportRefused([(None, f"{file_label(filename)}: {exc.reason}")])
