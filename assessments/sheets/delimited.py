"""CSV (and tab- or semicolon-separated text) read within bounds."""

from __future__ import annotations

import codecs
import csv
import io
import re

from .common import Limits, Refuse, Table


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise Refuse("อ่านไฟล์ UTF-16 ไม่ได้ (ไฟล์เสียหาย)") from None
    for encoding in ("utf-8-sig", "cp874"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Refuse("อ่านไฟล์ CSV ไม่ได้: ต้องเป็น UTF-8 หรือ TIS-620/Windows-874")


def _delimiter(text: str) -> str:
    first = re.split(r"\r\n|\r|\n", text[:4096], maxsplit=1)[0]
    first = re.sub(r'"[^"]*"', "", first)
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] and counts[","] == 0 else ","


def read_csv(data: bytes, limits: Limits) -> Table:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    table: Table = []
    has_nul = "\x00" in text  # then each row's cells are searched, to name the row
    cells = 0
    number = 0
    while True:
        number += 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise Refuse(f"มีช่องข้อมูลยาวเกิน {limits.field_chars:,} ตัวอักษร", number) from None
            raise Refuse("อ่านแถวนี้ไม่ได้ (เครื่องหมายคำพูดหรือตัวคั่นไม่ครบคู่)", number) from None
        while record and record[-1] == "":
            record.pop()
        if not record:
            if number <= limits.rows:
                table.append([])
            continue
        if number > limits.rows:
            raise Refuse(f"ไฟล์มีข้อมูลเกิน {limits.rows:,} แถว", number)
        if len(record) > limits.columns:
            raise Refuse(f"มีข้อมูลเกิน {limits.columns:,} คอลัมน์", number)
        if has_nul or max(map(len, record)) > limits.field_chars:  # (a clean row: one pass in C)
            for value in record:
                if len(value) > limits.field_chars:
                    raise Refuse(f"มีช่องข้อมูลยาวเกิน {limits.field_chars:,} ตัวอักษร ({len(value):,} ตัวอักษร)", number)
                if "\x00" in value:
                    raise Refuse("มีอักขระ NUL (ไฟล์ไม่ใช่ข้อความ CSV หรือเสียหาย)", number)
        cells += len(record) - record.count("")
        if cells > limits.cells:
            raise Refuse(f"ไฟล์มีข้อมูลเกิน {limits.cells:,} ช่อง", number)
        table.append(record)
    return table
