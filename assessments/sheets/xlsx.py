"""XLSX read within bounds: the zip checked before parsing, XML streamed through defusedxml."""

from __future__ import annotations

import io
import math
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import IO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from .common import BadCell, Limits, MiB, Refuse, Table, Value

_NUMBER = re.compile(r"^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?\s*$")
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_BUILTIN_PERCENT = {9, 10}
_BUILTIN_DATE = {14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47}
_BUILTIN_DATE |= set(range(50, 59)) | set(range(71, 82))  # CJK and Thai (วว/ดด/ปปปป) date formats
_MAX_SERIAL = 2_958_465  # 31 December 9999


@dataclass
class SheetInfo:
    name: str
    path: str
    state: str
    kind: str  # worksheet, chartsheet, …


@dataclass
class _TooLong:
    length: int


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def _column_letters(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _format_kind(code: str) -> str:
    """percent, date or number, from a number-format code such as "0.00%" or "d/m/yyyy"."""
    text = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.', "", code)
    text = re.sub(r"(?i)general|[eE][+-]", "", text)
    if "%" in text:
        return "percent"
    if re.search(r"(?i)[dmyhsbeวดปชน]", text):
        return "date"
    return "number"


class Book:
    """The parts of one XLSX package, checked before parsing and parsed within bounds."""

    def __init__(self, data: bytes, limits: Limits):
        self.limits = limits
        self.zip = self._open(data)
        self.names = set(self.zip.namelist())
        workbook = self._office_document()
        rels = self._rels(workbook)
        self.sheets, active, self.date1904 = self._workbook(workbook, rels)
        self.active = active
        shared = next((t for kind, t in rels.values() if kind == "sharedStrings"), None)
        styles = next((t for kind, t in rels.values() if kind == "styles"), None)
        self.styles = self._styles(styles) if styles else []
        self.strings = self._shared_strings(shared) if shared else []

    # -- the package ----------------------------------------------------------

    def _open(self, data: bytes) -> zipfile.ZipFile:
        limits = self.limits
        end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
        if end < 0 or len(data) < end + 22:
            raise Refuse("ไฟล์ .xlsx เสียหายหรือไม่ครบ (ไม่พบสารบัญของไฟล์ zip)")
        entries = int.from_bytes(data[end + 10 : end + 12], "little")
        if entries == 0xFFFF or entries > limits.members:
            raise Refuse(f"ไฟล์ .xlsx มีส่วนประกอบมากผิดปกติ (เกิน {limits.members:,} ส่วน)")
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            infos = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError):
            raise Refuse("ไฟล์ .xlsx เสียหาย (อ่านไฟล์ zip ไม่ได้)") from None
        if len(infos) > limits.members:
            raise Refuse(f"ไฟล์ .xlsx มีส่วนประกอบมากผิดปกติ (เกิน {limits.members:,} ส่วน)")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise Refuse("ไฟล์ .xlsx ถูกเข้ารหัส กรุณาบันทึกแบบไม่มีรหัสผ่าน")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise Refuse("ไฟล์ .xlsx ใช้การบีบอัดที่ไม่รองรับ")
            if info.file_size > limits.member_bytes:
                raise Refuse(
                    f"ส่วน {info.filename[:60]} ขยายได้ {info.file_size:,} ไบต์ เกินขีดจำกัด {limits.member_bytes:,} ไบต์"
                )
            if info.file_size > MiB and info.file_size > limits.ratio * max(info.compress_size, 1):
                raise Refuse(
                    f"ส่วน {info.filename[:60]} บีบอัดไว้ผิดปกติ ({info.compress_size:,} ไบต์ ขยายเป็น {info.file_size:,} ไบต์)"
                )
            total += info.file_size
        if total > limits.xml_bytes:
            raise Refuse(f"เนื้อหาของไฟล์ขยายได้ {total:,} ไบต์ เกินขีดจำกัด {limits.xml_bytes:,} ไบต์")
        return archive

    def _events(self, path: str, keep: frozenset[str] = frozenset()) -> Iterator[tuple[str, str, Element, str]]:
        """(event, local name, element, parent's local name) for every element of one XML
        part, streamed ("start" with its attributes, "end" with its children).

        An element is detached from its parent once it ended, unless the parent is in
        ``keep`` (a cell keeps its value until the cell ends), so memory stays at one
        cell whatever the size of the file."""
        limits = self.limits
        if path not in self.names:
            raise Refuse(f"ไม่พบส่วน {path[:60]} ในไฟล์ .xlsx (ไฟล์ไม่ครบ)")
        stack: list[Element] = []
        count = 0
        try:
            stream = _BoundedStream(self.zip.open(path), limits)
            for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
                stream.mark()
                name = _local(element.tag)
                if event == "start":
                    parent = _local(stack[-1].tag) if stack else ""
                    stack.append(element)
                    count += 1
                    if len(stack) > limits.depth:
                        raise Refuse(f"โครงสร้าง XML ในส่วน {path[:60]} ซ้อนกันลึกผิดปกติ")
                    if count > limits.elements:
                        raise Refuse(f"ส่วน {path[:60]} มีองค์ประกอบ XML มากเกิน {limits.elements:,} รายการ")
                    yield "start", name, element, parent
                    continue
                stack.pop()
                parent = _local(stack[-1].tag) if stack else ""
                yield "end", name, element, parent
                if not stack:
                    continue
                if parent in keep:
                    if len(stack[-1]) > 10_000:
                        raise Refuse(f"ส่วน {path[:60]} มีองค์ประกอบซ้อนในช่องเดียวมากผิดปกติ")
                elif len(stack[-1]) and stack[-1][-1] is element:
                    del stack[-1][-1]
        except Refuse:
            raise
        except DefusedXmlException:
            raise Refuse(f"ส่วน {path[:60]} มีการประกาศ DTD หรือ entity ของ XML ซึ่งไม่อนุญาต") from None
        except ParseError as exc:
            line = getattr(exc, "position", (0, 0))[0]
            raise Refuse(f"ส่วน {path[:60]} มี XML ไม่ถูกต้องหรือไม่ครบ (บรรทัด {line})") from None
        except LookupError:  # an XML declaration naming an encoding Python does not know
            raise Refuse(f"ส่วน {path[:60]} ใช้การเข้ารหัสอักขระที่ไม่รองรับ") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError, NotImplementedError):
            raise Refuse(f"ส่วน {path[:60]} เสียหาย (ขยายข้อมูลไม่ได้หรือไม่ครบ)") from None

    def _ends(self, path: str, keep: frozenset[str] = frozenset()) -> Iterator[tuple[str, Element, str]]:
        for event, name, element, parent in self._events(path, keep):
            if event == "end":
                yield name, element, parent

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """{id: (type, target path)} of one part's relationships."""
        folder, base = posixpath.split(part)
        rels_path = posixpath.join(folder, "_rels", base + ".rels")
        if rels_path not in self.names:
            return {}
        rels = {}
        for name, element, _parent in self._ends(rels_path):
            if name == "Relationship" and element.get("TargetMode") != "External":
                target = element.get("Target") or ""
                resolved = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                kind = (element.get("Type") or "").rsplit("/", 1)[-1]
                rels[element.get("Id") or ""] = (kind, posixpath.normpath(resolved))
        return rels

    def _office_document(self) -> str:
        for kind, target in self._rels("").values():
            if kind == "officeDocument":
                return target
        return "xl/workbook.xml"

    def _workbook(self, path: str, rels: dict[str, tuple[str, str]]) -> tuple[list[SheetInfo], int, bool]:
        sheets, active, date1904 = [], 0, False
        views = 0
        for name, element, _parent in self._ends(path):
            if name == "sheet":
                rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
                kind, target = rels.get(rid, ("", ""))
                if not target:
                    raise Refuse(f"ชีต “{(element.get('name') or '')[:40]}” ไม่มีข้อมูลในไฟล์ (ไฟล์ไม่ครบ)")
                sheets.append(SheetInfo(element.get("name") or "", target, element.get("state") or "visible", kind))
                if len(sheets) > 1_000:
                    raise Refuse("ไฟล์มีชีตมากผิดปกติ")
            elif name == "workbookView" and views == 0:
                views += 1
                try:
                    active = int(element.get("activeTab") or 0)
                except ValueError:
                    active = 0
            elif name == "workbookPr":
                date1904 = (element.get("date1904") or "").lower() in ("1", "true")
        if not sheets:
            raise Refuse("ไม่มีชีตในไฟล์")
        return sheets, active, date1904

    def pick(self, name: str | None) -> SheetInfo:
        """The sheet named, or the active sheet when it is visible, else the first visible one."""
        if name is not None:
            for info in self.sheets:
                if info.name == name:
                    return info
            names = ", ".join(f"“{s.name}”" for s in self.sheets[:20])
            raise Refuse(f"ไม่พบชีต “{name[:40]}” (มี {names})")
        visible = [s for s in self.sheets if s.state == "visible"]
        if not visible:
            raise Refuse("ไม่มีชีตที่มองเห็นได้ในไฟล์")
        if 0 <= self.active < len(self.sheets) and self.sheets[self.active].state == "visible":
            return self.sheets[self.active]
        return visible[0]

    # -- shared parts ---------------------------------------------------------

    def _styles(self, path: str) -> list[str]:
        """The number-format kind (percent, date, number) of every cell style, by index."""
        custom: dict[int, str] = {}
        kinds: list[str] = []
        for name, element, parent in self._ends(path):
            if name == "numFmt":
                try:
                    custom[int(element.get("numFmtId") or "")] = element.get("formatCode") or ""
                except ValueError:
                    raise Refuse("ส่วนรูปแบบตัวเลขของไฟล์เสียหาย") from None
            elif name == "xf" and parent == "cellXfs":
                try:
                    fmt = int(element.get("numFmtId") or 0)
                except ValueError:
                    raise Refuse("ส่วนรูปแบบตัวเลขของไฟล์เสียหาย") from None
                if fmt in custom:
                    kinds.append(_format_kind(custom[fmt]))
                elif fmt in _BUILTIN_PERCENT:
                    kinds.append("percent")
                elif fmt in _BUILTIN_DATE:
                    kinds.append("date")
                else:
                    kinds.append("number")
                if len(kinds) > self.limits.styles:
                    raise Refuse("ไฟล์มีรูปแบบเซลล์มากผิดปกติ")
        return kinds

    def _shared_strings(self, path: str) -> list[str | _TooLong]:
        strings: list[str | _TooLong] = []
        limit = self.limits.field_chars
        for name, element, _parent in self._ends(path, keep=frozenset({"si", "r"})):
            if name != "si":
                continue
            text = _text_of(element)
            strings.append(text if len(text) <= limit else _TooLong(len(text)))
            element.clear()
            if len(strings) > self.limits.shared_strings:
                raise Refuse(f"ไฟล์มีข้อความเกิน {self.limits.shared_strings:,} รายการ")
        return strings

    # -- one sheet ------------------------------------------------------------

    def table(self, info: SheetInfo) -> Table:
        if info.kind and info.kind != "worksheet":
            raise Refuse(f"ชีต “{info.name[:40]}” ไม่ใช่ตารางข้อมูล")
        limits = self.limits
        rows: dict[int, dict[int, Value]] = {}
        cells = 0
        row_number = 0
        column = 0
        for event, name, element, _parent in self._events(info.path, keep=frozenset({"c", "is", "r"})):
            if event == "start":
                if name == "row":
                    row_number = self._row_number(element, row_number)
                    column = 0
                continue
            if name != "c":
                continue
            ref = element.get("r")
            if ref:
                match = _REF.match(ref)
                if not match or int(match.group(2)) == 0:
                    raise Refuse(f"ตำแหน่งช่อง “{ref[:12]}” ไม่ถูกต้อง (ไฟล์เสียหาย)", row_number or None)
                column, row_number = _column_index(match.group(1)), int(match.group(2))
            else:
                column += 1
            row_number = row_number or 1
            value = self._value(element, f"{_column_letters(column)}{row_number}", row_number)
            element.clear()
            if value is None or value == "":
                continue
            if row_number > limits.rows:
                raise Refuse(f"ไฟล์มีข้อมูลเกิน {limits.rows:,} แถว", row_number)
            if column > limits.columns:
                raise Refuse(f"มีข้อมูลในคอลัมน์ {_column_letters(column)} เกิน {limits.columns:,} คอลัมน์", row_number)
            cells += 1
            if cells > limits.cells:
                raise Refuse(f"ไฟล์มีข้อมูลเกิน {limits.cells:,} ช่อง", row_number)
            rows.setdefault(row_number, {})[column] = value
        if not rows:
            return []
        table: Table = [[] for _ in range(max(rows))]
        for number, values in rows.items():
            width = max(values)
            table[number - 1] = [values.get(i) for i in range(1, width + 1)]
        return table

    @staticmethod
    def _row_number(element: Element, previous: int) -> int:
        raw = element.get("r")
        if raw is None:
            return previous + 1
        if not raw.isdigit() or len(raw) > 7 or int(raw) == 0:
            raise Refuse(f"หมายเลขแถว “{raw[:12]}” ไม่ถูกต้อง (ไฟล์เสียหาย)", previous + 1)
        return int(raw)

    def _value(self, cell: Element, ref: str, row: int) -> Value:
        kind = cell.get("t") or "n"
        raw = None
        inline = None
        formula = False
        for child in cell:
            name = _local(child.tag)
            if name == "v":
                raw = child.text or ""
            elif name == "is":
                inline = _text_of(child)
            elif name == "f":
                formula = True
        limit = self.limits.field_chars
        if kind == "s":
            if raw is None:
                return None
            try:
                index = int(raw.strip())
            except ValueError:
                raise Refuse(f"ช่อง {ref} อ้างถึงข้อความด้วยค่า “{raw[:20]}” ซึ่งไม่ใช่ลำดับ (ไฟล์เสียหาย)", row) from None
            if not 0 <= index < len(self.strings):
                raise Refuse(
                    f"ช่อง {ref} อ้างถึงข้อความลำดับที่ {index:,} ซึ่งไม่มีในไฟล์ (มี {len(self.strings):,} รายการ; ไฟล์เสียหาย)",
                    row,
                )
            text = self.strings[index]
            if isinstance(text, _TooLong):
                raise Refuse(f"ข้อความในช่อง {ref} ยาวเกิน {limit:,} ตัวอักษร ({text.length:,} ตัวอักษร)", row)
            return text
        if kind in ("inlineStr", "str"):
            text = inline if kind == "inlineStr" else raw
            if text is None:
                text = inline or ""
            if len(text) > limit:
                raise Refuse(f"ข้อความในช่อง {ref} ยาวเกิน {limit:,} ตัวอักษร ({len(text):,} ตัวอักษร)", row)
            return text
        if kind == "b":
            if raw is None:
                return None
            if raw.strip() not in ("0", "1"):
                raise Refuse(f"ช่อง {ref} เป็นค่าจริง/เท็จที่ไม่ถูกต้อง (“{raw[:20]}”; ไฟล์เสียหาย)", row)
            return raw.strip() == "1"
        if kind == "e":
            shown = (raw or "#ERROR")[:20]
            return BadCell(ref, f"ช่อง {ref} มีค่าผิดพลาด {shown} จากสูตร", shown)
        if kind == "d":
            if not raw:
                return None
            try:
                return datetime.fromisoformat(raw.strip()[:26])
            except ValueError:
                raise Refuse(f"ช่อง {ref} เป็นวันที่ที่อ่านไม่ได้ (“{raw[:20]}”)", row) from None
        if kind != "n":
            raise Refuse(f"ช่อง {ref} มีชนิดข้อมูล “{kind[:12]}” ที่ไม่รู้จัก (ไฟล์เสียหาย)", row)
        if raw is None or raw.strip() == "":
            if formula:
                return BadCell(ref, f"ช่อง {ref} เป็นสูตรที่ไม่มีผลลัพธ์บันทึกไว้ กรุณาเปิดแล้วบันทึกจาก Excel หรือวางเป็นค่า")
            return None
        if not _NUMBER.match(raw):
            raise Refuse(f"ช่อง {ref} เป็นช่องตัวเลขแต่มีค่า “{raw[:20]}” (ไฟล์เสียหาย)", row)
        number = float(raw)
        if not math.isfinite(number):
            raise Refuse(f"ช่อง {ref} มีค่าตัวเลขที่ใช้ไม่ได้ (“{raw[:20]}”)", row)
        style = cell.get("s")
        fmt = "number"
        if style:
            try:
                fmt = self.styles[int(style)] if self.styles else "number"
            except (ValueError, IndexError):
                raise Refuse(f"ช่อง {ref} อ้างถึงรูปแบบเซลล์ลำดับที่ “{style[:12]}” ซึ่งไม่มีในไฟล์ (ไฟล์เสียหาย)", row) from None
        if fmt == "percent":
            return _number(_shown(number) * 100)
        if fmt == "date":
            if not 0 <= number <= _MAX_SERIAL:
                raise Refuse(f"ช่อง {ref} เป็นวันที่นอกช่วงที่ใช้ได้", row)
            from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

            return from_excel(number, CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900)
        return _number(_shown(number))


def _shown(number: float) -> Decimal:
    """The number as Excel shows it: 15 significant digits (0.1 + 0.2 is 0.3, not 0.30000000000000004)."""
    return Decimal(f"{number:.15g}")


def _number(value: Decimal) -> int | Decimal:
    """An integral value as int (codes such as 1 stay "1"), others as a plain Decimal."""
    if value == value.to_integral_value() and abs(value) < 10**15:
        return int(value)
    return Decimal(format(value.normalize(), "f"))


def _text_of(element: Element) -> str:
    """The text of a shared or inline string: its t, and the t of each rich-text run (not phonetic hints)."""
    parts = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


class _BoundedStream(io.RawIOBase):
    """A zip member read for the XML parser: never past its declared size, and never more
    than ``token_bytes`` without the parser reporting an element (one tag or one text
    that long is refused before it is held in memory)."""

    def __init__(self, raw: IO[bytes], limits: Limits):
        self.raw, self.limits = raw, limits
        self.position = 0
        self.marked = 0

    def readable(self) -> bool:
        return True

    def mark(self) -> None:
        self.marked = self.position

    def read(self, size: int = -1) -> bytes:
        if self.position - self.marked > self.limits.token_bytes:
            raise Refuse("มีแท็กหรือข้อความ XML ยาวผิดปกติ")
        chunk = self.raw.read(min(size, 64 * 1024) if size and size > 0 else 64 * 1024)
        self.position += len(chunk)
        if self.position > self.limits.member_bytes:
            raise Refuse("เนื้อหาขยายเกินขนาดที่ประกาศไว้")
        return chunk

    def readinto(self, buffer) -> int:  # pragma: no cover - the XML parser calls read()
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)
