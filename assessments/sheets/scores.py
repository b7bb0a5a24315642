"""A score sheet's rows checked against the year's framework: all or nothing.

``code,score[,part]`` rows (the header is row 1) become ParsedRows; every bad row is named
by its spreadsheet row number with a Thai reason (ImportRefused). The web import page, the
``ita_import_scores`` command and the whole-country load (``bulk_scores``) check through here.

A sheet's hundred rows repeat the same few hundred codes and scores across every agency of a
year, so what a code resolves to is kept per framework (frameworks are immutable and kept per
process under their version), and what a typed score reads as is kept for the text typed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from ..analysis import Framework
from ..codes import PREFIXES, normalise_item_code
from ..models import Level
from ..thai import ScoreError, clip, normalise_text, parse_score, to_arabic_digits
from . import read_table
from .common import SCORE_LIMITS, BadCell, ImportRefused

HEADER_ALIASES = {
    "code": "code",
    "รหัส": "code",
    "score": "score",
    "คะแนน": "score",
    "value": "score",
    "part": "part",
    "ส่วน": "part",
}
PART_ALIASES = {"": "", "public": "public", "survey": "survey", "eit public": "public", "eit survey": "survey"}


@dataclass
class ParsedRow:
    row: int
    code: str
    level: str
    key: str
    part: str
    value: object
    label: str


@dataclass
class ParsedSheet:
    rows: list = field(default_factory=list)

    def values(self):
        return {(r.level, r.key, r.part): r.value for r in self.rows}


def resolve_code(raw_code, raw_part, framework, allowed=None, shape=None):
    """Map a sheet code (+ part) to (level, key, part, label); raise ValueError with a Thai reason.

    ``allowed`` is ``framework.indicator_codes()`` and ``shape`` is ``code_shape(framework,
    allowed)``, passed in when resolving many rows (a sheet's hundred rows rebuilt both sets
    on every row).
    """
    code = to_arabic_digits(normalise_text(raw_code)).lower().replace(" ", "")
    part = PART_ALIASES.get(normalise_text(raw_part).lower())
    raw_code, raw_part = clip(raw_code), clip(raw_part)
    if part is None:
        raise ValueError(f"ส่วน “{raw_part}” ต้องเป็น public หรือ survey")
    if not code:
        raise ValueError("ไม่มีรหัส")
    allowed = allowed if allowed is not None else framework.indicator_codes()
    tools, prefixes = shape or code_shape(framework, allowed)
    if "." in code and code.split(".")[0] in tools:
        tool_code, _, code_part = code.partition(".")
        if part and part != code_part:
            raise ValueError(f"รหัส {raw_code} ขัดกับคอลัมน์ส่วน “{raw_part}”")
        code, part = tool_code, code_part
    if code == "total":
        level, key, label = Level.TOTAL, "total", "คะแนนรวม"
    elif code in tools:
        level, key, label = Level.TOOL, code, code.upper()
    elif code.startswith("ind"):
        rest = code[3:]
        if "." in rest:
            level, key, label = Level.SUBINDICATOR, rest, f"ตัวชี้วัดย่อย {rest}"
        else:
            level, key, label = Level.INDICATOR, rest, f"ตัวชี้วัดที่ {rest}"
    else:
        code = normalise_item_code(raw_code, prefixes) or code
        level, key, label = Level.ITEM, code, f"ข้อ {raw_code}"
    if (level, key) not in allowed:
        raise ValueError(f"ไม่รู้จักรหัส “{raw_code}” ในกรอบการประเมินปี {framework.year} ฉบับ {framework.edition_name}")
    if part and part not in allowed[(level, key)]:
        if any(t.parts for t in framework.tools):
            raise ValueError(f"{label} ไม่แยกคะแนนเป็นส่วน EIT Public/Survey (แยกเฉพาะ EIT)")
        raise ValueError(f"{label} ไม่มีการแยกส่วน EIT Public/Survey ในปี {framework.year}")
    return level, key, part, label


def code_shape(framework, allowed) -> tuple[frozenset, frozenset]:
    """(the framework's tool codes, the letters its item codes start with) for resolve_code."""
    tools = frozenset(t.code for t in framework.tools)
    return tools, frozenset(k[:1] for lvl, k in allowed if lvl == Level.ITEM) or PREFIXES


class _Codes:
    """What one framework's sheet codes resolve to: {(code, part) as typed: (level, key, part,
    label), or the Thai reason it is refused}, filled as sheets are read."""

    def __init__(self, framework: Framework):
        self.framework = framework
        self.allowed = framework.indicator_codes()
        self.shape = code_shape(framework, self.allowed)
        self.resolved: dict[tuple[str, str], tuple | str] = {}

    def resolve(self, raw_code: str, raw_part: str) -> tuple | str:
        found = self.resolved.get((raw_code, raw_part))
        if found is None:
            try:
                found = resolve_code(raw_code, raw_part, self.framework, self.allowed, self.shape)
            except ValueError as exc:
                found = str(exc)
            if len(self.resolved) < _CODES_KEPT:
                self.resolved[(raw_code, raw_part)] = found
        return found


_CODES_KEPT = 5_000  # codes typed per framework: a few hundred real ones, the rest typos
_codes: OrderedDict[int, _Codes] = OrderedDict()  # id(framework) -> its codes (the entry holds the framework)
_codes_lock = threading.Lock()


def _codes_of(framework: Framework) -> _Codes:
    codes = _codes.get(id(framework))
    if codes is None or codes.framework is not framework:
        codes = _Codes(framework)
        with _codes_lock:
            _codes[id(framework)] = codes
            while len(_codes) > 32:
                _codes.popitem(last=False)
    return codes


_SCORES_KEPT = 50_000  # 0.00–100.00 typed with two decimals is 10,001 texts
_scores: dict[str, Decimal] = {}


def _score(raw) -> Decimal | None:
    """parse_score, kept for a typed text that reads as a score (a Decimal is immutable)."""
    if type(raw) is not str:
        return parse_score(raw)
    value = _scores.get(raw)
    if value is None:
        value = parse_score(raw)
        if value is not None and len(_scores) < _SCORES_KEPT:
            _scores[raw] = value
    return value


def _blank(values) -> bool:
    return all(v in (None, "") or str(v).strip() == "" for v in values)


def parse_score_sheet(table, framework):
    """Check every row of a score sheet; all-or-nothing.

    Returns a ParsedSheet when every row is good; otherwise raises ImportRefused
    naming each bad row by its spreadsheet row number (the header is row 1).
    """
    if not table:
        raise ImportRefused([(None, "ไฟล์ว่าง ไม่มีข้อมูล")])
    header = [HEADER_ALIASES.get(normalise_text(h).lower(), normalise_text(h).lower()) for h in table[0]]
    if "code" not in header or "score" not in header:
        raise ImportRefused([(1, "แถวหัวตารางต้องมีคอลัมน์ code และ score (และ part ถ้ามี)")])
    code_at, score_at = header.index("code"), header.index("score")
    part_at = header.index("part") if "part" in header else None
    errors, rows, seen = [], [], {}
    codes = _codes_of(framework)

    for number, values in enumerate(table[1:], start=2):
        if not values:
            continue
        width = len(values)
        raw_code = values[code_at] if code_at < width else None
        if raw_code is None:
            raw_code = ""
        # a typed code: the row is not blank (the check of every cell is for the rest)
        if not (type(raw_code) is str and raw_code and not raw_code.isspace()) and _blank(values):
            continue
        raw_score = values[score_at] if score_at < width else None
        if raw_score is None:
            raw_score = ""
        raw_part = values[part_at] if part_at is not None and part_at < width else None
        if raw_part is None:
            raw_part = ""
        bad = next((v for v in (raw_code, raw_score, raw_part) if isinstance(v, BadCell)), None)
        if bad is not None:
            errors.append((number, bad.reason))
            continue
        resolved = codes.resolve(str(raw_code), str(raw_part))
        if type(resolved) is str:
            errors.append((number, resolved))
            continue
        level, key, part, label = resolved
        try:
            value = _score(raw_score)
        except ScoreError as exc:
            errors.append((number, f"{label}: {exc}"))
            continue
        if value is None:
            errors.append((number, f"{label}: ไม่มีคะแนน"))
            continue
        slot = (level, key, part)
        if slot in seen:
            errors.append((number, f"{label}{' ' + part if part else ''} ซ้ำกับแถวที่ {seen[slot]}"))
            continue
        seen[slot] = number
        rows.append(ParsedRow(number, str(raw_code), level, key, part, value, label))
    if errors:
        raise ImportRefused(errors)
    if not rows:
        raise ImportRefused([(None, "ไม่มีแถวคะแนนในไฟล์")])
    return ParsedSheet(rows)


def read_score_sheet(fileobj, filename, framework, *, sheet=None):
    """Read and check an uploaded score sheet (the active visible sheet, or ``sheet``) within
    the score sheet's bounds; the web preview and the command line both come through here."""
    return parse_score_sheet(read_table(fileobj, filename, sheet=sheet or None, limits=SCORE_LIMITS), framework)
