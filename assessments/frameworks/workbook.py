"""The framework as a spreadsheet: the admin's import (workbook -> payload) and export."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..thai import normalise_text
from .cache import edition_subindicators
from .errors import FrameworkError

SHEETS = {
    "year": ["key", "value"],
    "tools": ["code", "name_th", "name_en", "weight", "order", "parts"],
    "indicators": ["number", "tool", "name_th", "name_en", "description_th", "issue_areas"],
    "subindicators": ["code", "indicator", "name_th", "uncertain"],
    "items": [
        "code",
        "indicator",
        "subindicator",
        "title_th",
        "uncertain",
        "issue_areas",
        "role",
        "topic",
        "criteria",
        "example",
    ],  # fmt: skip
    "calendar": ["kind", "title", "start", "end", "uncertain"],
    "grade_bands": ["grade", "min"],
    "rating_ladder": ["label", "min_total", "below", "min_tool"],
    "status_tiers": ["code", "label", "min"],
}
OPTIONAL_SHEETS = ("grade_bands", "rating_ladder", "status_tiers", "calendar")
# Columns a workbook may leave out (older templates): the items' role, topic and guidance.
OPTIONAL_COLUMNS = ("order", "name_en", "description_th", "uncertain", "issue_areas", "parts", "below", "min_tool",
                    "role", "topic", "criteria", "example", "title")  # fmt: skip
YEAR_KEYS = [
    "fiscal_year",
    "scheme",
    "name_th",
    "start",
    "end",
    "pass_score",
    "excellent_score",
    "strength_threshold",
    "eit_gap_threshold",
    "result_mode",
    "eit_combination",
    "uncertain",
    "eit_combination_uncertain",
    "weights_uncertain",
    "source",
]
PART_NAMES = {"public": "ส่วนที่ ๑ ผู้รับบริการหรือติดต่อราชการเข้าตอบด้วยตนเอง (EIT Public)",
              "survey": "ส่วนที่ ๒ ผู้ประเมินจัดเก็บข้อมูล (EIT Survey)"}  # fmt: skip


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "y", "ใช่", "x"}


def payload_from_workbook(fileobj: Any) -> dict[str, Any]:
    """Read a framework workbook (sheets year, tools, indicators, subindicators, items, grade_bands)."""
    from assessments import sheets

    try:
        # Read within bounds (zip members, decompressed size, XML without entities, rows).
        wb = sheets.open_workbook_safely(fileobj, filename=getattr(fileobj, "name", None) or "framework.xlsx")
    except sheets.ImportRefused as exc:
        raise FrameworkError(["อ่านไฟล์ Excel ไม่ได้", *exc.lines()]) from exc
    missing = [name for name in SHEETS if name not in wb.sheetnames and name not in OPTIONAL_SHEETS]
    if missing:
        raise FrameworkError([f"ไม่พบชีต “{name}”" for name in missing])

    def rows(name):
        if name not in wb.sheetnames:
            return []
        it = wb[name].iter_rows(values_only=True)
        header = [normalise_text(h).lower() if h is not None else "" for h in next(it, [])]
        wanted = SHEETS[name]
        absent = [h for h in wanted if h not in header and h not in OPTIONAL_COLUMNS]
        if absent:
            raise FrameworkError([f"ชีต “{name}” ไม่มีคอลัมน์ {', '.join(absent)}"])
        out = []
        for values in it:
            if values is None or all(v in (None, "") for v in values):
                continue
            out.append({h: v for h, v in zip(header, values, strict=False) if h})
        return out

    year = {str(r.get("key") or "").strip(): r.get("value") for r in rows("year")}
    payload = {k: year.get(k) for k in YEAR_KEYS if k in year}
    for flag in ("uncertain", "eit_combination_uncertain", "weights_uncertain"):
        payload[flag] = _truthy(year.get(flag, ""))
    payload["tools"] = [
        {
            **r,
            "parts": [
                {"code": c.strip().lower(), "name_th": PART_NAMES.get(c.strip().lower(), c)}
                for c in str(r.get("parts") or "").split(",")
                if c.strip()
            ],
        }
        for r in rows("tools")
    ]
    payload["indicators"] = rows("indicators")
    payload["subindicators"] = [
        {**r, "code": str(r.get("code") or ""), "uncertain": _truthy(r.get("uncertain", ""))}
        for r in rows("subindicators")
    ]
    payload["items"] = [
        {
            **r,
            "subindicator": (str(r["subindicator"]) if r.get("subindicator") not in (None, "") else None),
            "uncertain": _truthy(r.get("uncertain", "")),
        }
        for r in rows("items")
    ]
    payload["grade_bands"] = rows("grade_bands")
    payload["rating_ladder"] = rows("rating_ladder")
    payload["status_tiers"] = rows("status_tiers")
    payload["calendar"] = [{**r, "uncertain": _truthy(r.get("uncertain", ""))} for r in rows("calendar")]
    return payload


def workbook_from_fiscal_year(fiscal_year: Any, scheme: str = "nacc") -> Any:
    """The workbook of a year's edition for a scheme (default NACC general)."""
    return workbook_from_edition(fiscal_year.editions.get(scheme=scheme))


def workbook_from_edition(edition: Any) -> Any:
    """A framework workbook for one edition, in the form the import reads (also a template)."""
    from openpyxl import Workbook

    fiscal_year = edition.fiscal_year

    wb = Workbook()
    ws = wb.active
    ws.title = "year"
    ws.append(SHEETS["year"])
    values = {
        "fiscal_year": fiscal_year.year,
        "scheme": edition.scheme,
        "name_th": edition.name_th,
        "start": fiscal_year.start.isoformat(),
        "end": fiscal_year.end.isoformat(),
        "pass_score": edition.pass_score,
        "excellent_score": edition.excellent_score,
        "strength_threshold": edition.strength_threshold,
        "eit_gap_threshold": edition.eit_gap_threshold,
        "result_mode": edition.result_mode,
        "eit_combination": edition.eit_combination,
        "uncertain": int(edition.uncertain),
        "eit_combination_uncertain": int(edition.eit_combination_uncertain),
        "weights_uncertain": int(edition.weights_uncertain),
        "source": edition.source,
    }
    for key in YEAR_KEYS:
        value = values[key]
        ws.append([key, float(value) if isinstance(value, Decimal) else value])
    sheet = wb.create_sheet("tools")
    sheet.append(SHEETS["tools"])
    for t in edition.tools.prefetch_related("parts"):
        sheet.append([t.code, t.name_th, t.name_en, float(t.weight), t.order, ",".join(p.code for p in t.parts.all())])
    sheet = wb.create_sheet("indicators")
    sheet.append(SHEETS["indicators"])
    for i in edition.indicators.select_related("tool").prefetch_related("issue_areas"):
        areas = ",".join(str(a.number) for a in i.issue_areas.all())
        sheet.append([i.number, i.tool.code, i.name_th, i.name_en, i.description_th, areas])
    sheet = wb.create_sheet("subindicators")
    sheet.append(SHEETS["subindicators"])
    for s in edition_subindicators(edition):
        sheet.append([s.code, s.indicator.number, s.name_th, int(s.uncertain)])
    sheet = wb.create_sheet("items")
    sheet.append(SHEETS["items"])
    for i in edition.items.select_related("indicator", "subindicator").prefetch_related("issue_areas"):
        areas = ",".join(str(a.number) for a in i.issue_areas.all())
        sheet.append(
            [
                i.label,
                i.indicator.number,
                i.subindicator.code if i.subindicator_id else "",
                i.title_th,
                int(i.uncertain),
                areas,
                i.role,
                i.topic,
                i.criteria,
                i.example,
            ]
        )
    sheet = wb.create_sheet("grade_bands")
    sheet.append(SHEETS["grade_bands"])
    for b in edition.grade_bands.order_by("-min_score"):
        sheet.append([b.grade, float(b.min_score)])
    sheet = wb.create_sheet("rating_ladder")
    sheet.append(SHEETS["rating_ladder"])
    for r in edition.rating_ladder:
        sheet.append(
            [r["label"], *(None if r.get(k) is None else float(r[k]) for k in ("min_total", "below", "min_tool"))]
        )
    sheet = wb.create_sheet("status_tiers")
    sheet.append(SHEETS["status_tiers"])
    for t in edition.status_tiers:
        sheet.append([t["code"], t["label"], float(t["min"])])
    from ..models import Milestone

    sheet = wb.create_sheet("calendar")  # the year's ITAS calendar (shared by every edition)
    sheet.append(SHEETS["calendar"])
    for m in Milestone.objects.filter(fiscal_year=fiscal_year.year).order_by("start", "pk"):
        sheet.append([m.kind, m.title, m.start.isoformat(), m.end.isoformat(), int(m.uncertain)])
    return wb
