"""How the measures table is laid out: column sets, grouping, numbering, and steps.

A *table spec* is plain data kept on the plan (``Plan.table``) and inside every approved
snapshot, so a revision prints exactly as it was signed:

    {"form": "table" | "list",             # a table, or seed 002's labelled list per measure
     "columns": [{"field": "title", "header": "มาตรการ"}, ...],   # order as printed
     "group": "issue_area" | "indicator" | "none",
     "numbering": "group" | "continuous" | "none",               # restart per group or not
     "style": "dot" | "paren"}                                   # "๑." or "(๑)"

Presets reproduce every layout of the seeds; an organisation may change any part.
Steps are stored as the lines staff typed; ``step_tree`` reads their nesting back from the
markers they typed ("๑." a step, "๑)" or "-" a sub-step of the line before).
"""

from __future__ import annotations

import re
from copy import deepcopy
from typing import Any

from assessments.thai import normalise_text

# field -> (default Thai header, relative width in a table)
FIELDS: dict[str, tuple[str, float]] = {
    "title": ("มาตรการ", 18),
    "items": ("ข้อ", 6),
    "indicators": ("ตัวชี้วัด", 12),
    "issue_area": ("ประเด็นการประเมิน", 13),
    "method": ("วิธีการนำผลวิเคราะห์ไปสู่การปฏิบัติ", 22),
    "method_steps": ("วิธีการดำเนินการ", 36),
    "steps": ("ขั้นตอนหรือวิธีดำเนินการ", 26),
    "responsible": ("ผู้รับผิดชอบ", 15),
    "period": ("ระยะเวลาดำเนินการ", 10),
    "monitoring": ("การติดตามประเมินผล", 14),
    "budget": ("งบประมาณ (บาท)", 9),
    "target": ("เป้าหมาย/ตัวชี้วัดความสำเร็จ", 14),
}
FIELD_LABELS: dict[str, str] = {
    "title": "ชื่อมาตรการ/โครงการ (พร้อมลำดับและข้อการประเมิน)",
    "items": "ข้อการประเมิน",
    "indicators": "ตัวชี้วัด",
    "issue_area": "ประเด็นการประเมิน",
    "method": "วิธีการนำผลวิเคราะห์ไปสู่การปฏิบัติ",
    "method_steps": "วิธีการ และขั้นตอนในช่องเดียวกัน",
    "steps": "ขั้นตอนหรือวิธีดำเนินการ",
    "responsible": "ส่วนราชการและผู้รับผิดชอบ",
    "period": "ระยะเวลาดำเนินการ",
    "monitoring": "การติดตามประเมินผล",
    "budget": "งบประมาณ",
    "target": "ผลผลิต/ตัวชี้วัดความสำเร็จ",
}
GROUPS: dict[str, str] = {"issue_area": "ประเด็นการประเมิน (๗ ประเด็น)", "indicator": "ตัวชี้วัด", "none": "ไม่จัดกลุ่ม"}
NUMBERING: dict[str, str] = {"group": "เริ่มใหม่ทุกกลุ่ม", "continuous": "ต่อเนื่องทุกกลุ่ม", "none": "ไม่ใส่ลำดับ"}
STYLES: dict[str, str] = {"dot": "๑. ๒. ๓.", "paren": "(๑) (๒) (๓)"}
FORMS: dict[str, str] = {"table": "ตาราง", "list": "รายการมีหัวข้อ (๑)–(๔) ต่อมาตรการ"}
MAX_COLUMNS, MAX_HEADER = 10, 120


def _cols(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"field": f, "header": h} for f, h in pairs]


PRESETS: dict[str, dict[str, Any]] = {
    # seed 001 (อบจ.อ่างทอง): six columns under the seven issue areas, "๑." per area
    "issue_area": {
        "form": "table", "group": "issue_area", "numbering": "group", "style": "dot",
        "columns": _cols(("title", "มาตรการยกระดับคะแนน"), ("method", "วิธีการนำผลวิเคราะห์ไปสู่การปฏิบัติ"),
                         ("responsible", "ผู้รับผิดชอบ"), ("period", "ระยะเวลาดำเนินการ"),
                         ("steps", "ขั้นตอนหรือวิธีดำเนินการปฏิบัติ"), ("monitoring", "แนวทางกำกับติดตาม")),
    },
    # seed 000 part 2 (อบต.บึงกอก): five columns, (๑)…(๘) straight through
    "indicator": {
        "form": "table", "group": "indicator", "numbering": "continuous", "style": "paren",
        "columns": _cols(("title", "มาตรการ/แนวทาง"), ("method_steps", "วิธีการดำเนินการ"), ("responsible", "ผู้รับผิดชอบ"),
                         ("period", "ระยะเวลาดำเนินการ"), ("monitoring", "การติดตามประเมินผล")),
    },
    # seed 002 (เทศบาลเมืองบึงกาฬ): per issue area, each measure a labelled list (๑)–(๔)
    "labelled": {
        "form": "list", "group": "issue_area", "numbering": "none", "style": "paren",
        "columns": _cols(("title", "กิจกรรม/โครงการ"), ("responsible", "ผู้รับผิดชอบ"),
                         ("steps", "ขั้นตอน/วิธีการปฏิบัติ"), ("period", "ระยะเวลา")),
    },
    # indicator | project | analysis | steps | period | responsible
    "indicator_project": {
        "form": "table", "group": "none", "numbering": "continuous", "style": "dot",
        "columns": _cols(("indicators", "ตัวชี้วัด"), ("title", "โครงการ/กิจกรรม"),
                         ("method", "ผลการวิเคราะห์และแนวทางการนำไปสู่การปฏิบัติ"), ("steps", "ขั้นตอนการดำเนินงาน"),
                         ("period", "ระยะเวลา"), ("responsible", "ผู้รับผิดชอบ")),
    },
}  # fmt: skip
PRESET_LABELS: dict[str, str] = {
    "issue_area": "๖ คอลัมน์ จัดกลุ่มตาม ๗ ประเด็น (แบบ อบจ.อ่างทอง)",
    "indicator": "๕ คอลัมน์ จัดกลุ่มตามตัวชี้วัด ลำดับ (๑)…(๘) ต่อเนื่อง (แบบ อบต.บึงกอก)",
    "labelled": "รายการตามประเด็น หัวข้อ (๑)–(๔) ต่อมาตรการ (แบบ เทศบาลเมืองบึงกาฬ)",
    "indicator_project": "ตัวชี้วัด | โครงการ | ผลการวิเคราะห์ | ขั้นตอน | ระยะเวลา | ผู้รับผิดชอบ",
}
CUSTOM = "custom"


def preset(name: str) -> dict[str, Any]:
    return deepcopy(PRESETS[name])


def resolve(layout: str, table: dict | None) -> dict[str, Any]:
    """The spec a plan or revision prints with: its own when it has one, else its preset's
    (revisions approved before column sets carry only the preset's name)."""
    if table and table.get("columns"):
        spec = deepcopy(table)
        for key, default in (("form", "table"), ("group", "issue_area"), ("numbering", "group"), ("style", "dot")):
            spec.setdefault(key, default)
        return spec
    return preset(layout if layout in PRESETS else "issue_area")


class LayoutError(ValueError):
    """A table spec that cannot be used; the message is Thai and names what is wrong."""


def validate(spec: dict[str, Any]) -> dict[str, Any]:
    """A clean spec or LayoutError: known fields once each, headers cleaned, known choices."""
    columns = []
    seen = set()
    for n, col in enumerate(spec.get("columns") or [], start=1):
        field = col.get("field", "")
        if field not in FIELDS:
            raise LayoutError(f"คอลัมน์ที่ {n}: ไม่รู้จักข้อมูล “{field}”")
        if field in seen:
            raise LayoutError(f"คอลัมน์ที่ {n}: “{FIELD_LABELS[field]}” เลือกซ้ำ แต่ละข้อมูลใช้ได้คอลัมน์เดียว")
        if (
            field == "method_steps"
            and ({"method", "steps"} & seen)
            or field in ("method", "steps")
            and ("method_steps" in seen)
        ):
            raise LayoutError(f"คอลัมน์ที่ {n}: วิธีการและขั้นตอนพิมพ์อยู่แล้วในช่อง “{FIELD_LABELS['method_steps']}”")
        seen.add(field)
        header = normalise_text(col.get("header", "")) or FIELDS[field][0]
        if len(header) > MAX_HEADER:
            raise LayoutError(f"คอลัมน์ที่ {n}: หัวคอลัมน์ยาวเกิน {MAX_HEADER} ตัวอักษร ({len(header)} ตัวอักษร)")
        columns.append({"field": field, "header": header})
    if not columns:
        raise LayoutError("กรุณาเลือกคอลัมน์อย่างน้อยหนึ่งคอลัมน์")
    if len(columns) > MAX_COLUMNS:
        raise LayoutError(f"ตารางมีได้ไม่เกิน {MAX_COLUMNS} คอลัมน์ (เลือกมา {len(columns)} คอลัมน์)")
    out = {"columns": columns}
    for key, choices, label in (("form", FORMS, "รูปแบบ"), ("group", GROUPS, "การจัดกลุ่ม"),
                                ("numbering", NUMBERING, "การลำดับเลข"), ("style", STYLES, "รูปแบบเลขลำดับ")):  # fmt: skip
        value = spec.get(key) or next(iter(choices))
        if value not in choices:
            raise LayoutError(f"{label}: ไม่รู้จัก “{value}”")
        out[key] = value
    return out


def preset_of(spec: dict[str, Any]) -> str:
    """The preset a spec equals, else "custom"."""
    return next((name for name, p in PRESETS.items() if p == spec), CUSTOM)


def widths(spec: dict[str, Any]) -> list[float]:
    """Column widths in per cent, from the fields' relative widths."""
    weights = [FIELDS[c["field"]][1] for c in spec["columns"]]
    total = sum(weights)
    return [round(100 * w / total, 2) for w in weights]


# --------------------------------------------------------------------------- #
# Steps: the nesting staff typed
# --------------------------------------------------------------------------- #

_NUMBER = "0-9๐-๙"
_DOT = re.compile(rf"^([{_NUMBER}]{{1,3}})\s*[.]\s*(?=\S)")  # "๑. ขั้นตอน"  (not "1.5 ล้าน")
_PAREN = re.compile(rf"^\(?([{_NUMBER}]{{1,3}})\)\s*")  # "๑) ขั้นตอนย่อย", "(1) ..."
_DASH = re.compile(r"^[-–•●▪]\s*")
RANKS = {"dot": 1, "paren": 2, "dash": 3}


def _marker(line: str) -> tuple[str, str]:
    """("dot" | "paren" | "dash" | "", text without the marker)."""
    m = _DOT.match(line)
    if m and not re.match(rf"[{_NUMBER}]", line[m.end() :]):
        return "dot", line[m.end() :].strip()
    for kind, pattern in (("paren", _PAREN), ("dash", _DASH)):
        m = pattern.match(line)
        if m and line[m.end() :].strip():
            return kind, line[m.end() :].strip()
    return "", line.strip()


def step_tree(lines: list[str]) -> list[dict[str, Any]]:
    """The steps as staff nested them: each node {"label", "text", "children"}.

    A plain line or one typed "๑." is a step, numbered in order (the typed number is not
    kept, so inserting a line never leaves two "๓."); a line typed "๑)" is a sub-step of the
    step above it, numbered "1)" within it; a line typed "-" is a point under the line
    above, printed "-". A sub-step with nothing above it stands on its own level."""
    roots: list[dict[str, Any]] = []
    stack: list[tuple[int, dict[str, Any]]] = []  # (rank, node) of the open ancestors
    for raw in lines or []:
        if not str(raw).strip():
            continue
        kind, text = _marker(normalise_text(raw))
        rank = RANKS.get(kind, 1)
        node = {"kind": kind or "dot", "text": text, "children": []}
        while stack and stack[-1][0] >= rank:
            stack.pop()
        siblings = stack[-1][1]["children"] if stack else roots
        siblings.append(node)
        stack.append((rank, node))
    _label(roots, top=True)
    return roots


def _label(nodes: list[dict[str, Any]], *, top: bool) -> None:
    counters = {"dot": 0, "paren": 0}
    lone = top and len(nodes) == 1 and nodes[0]["kind"] == "dot"
    for node in nodes:
        kind = node.pop("kind")
        if kind == "dash":
            node["label"] = "-"
        else:
            counters[kind] += 1
            node["label"] = "" if lone else (f"{counters[kind]}." if kind == "dot" else f"{counters[kind]})")
        _label(node["children"], top=False)


def steps_text(lines: list[str], *, indent: str = "   ") -> str:
    """The steps as text lines with their numbers and indentation (Excel cells)."""
    out: list[str] = []

    def walk(nodes, depth):
        for node in nodes:
            out.append(f"{indent * depth}{node['label'] + ' ' if node['label'] else ''}{node['text']}")
            walk(node["children"], depth + 1)

    walk(step_tree(lines), 0)
    return "\n".join(out)


def number_label(n: int, style: str) -> str:
    return f"({n})" if style == "paren" else f"{n}."
