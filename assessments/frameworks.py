"""The ITA framework as data: read it for analysis, load it from fixtures or a spreadsheet.

A year's framework travels as one "payload" dict (the format of
``fixtures/frameworks/<year>.json``). The admin's spreadsheet import and the data
migration both turn their input into a payload, validate it, then ``install`` it.
"""

import json
import threading
from collections import OrderedDict
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from . import analysis
from .thai import normalise_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


class FrameworkError(ValueError):
    """A framework file that cannot be installed; ``errors`` lists every reason in Thai."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


# --------------------------------------------------------------------------- #
# Reading for analysis
# --------------------------------------------------------------------------- #


_built = OrderedDict()  # (fiscal year pk, framework token) -> analysis.Framework
_built_lock = threading.Lock()
_BUILT_KEPT = 32


def framework_for(fiscal_year):
    """The fiscal year's framework as plain, immutable data.

    Built once per process and framework token (9 queries, ~20 ms), then kept: any change to
    the framework gives the year a new token (assessments/signals.py), so a kept framework is
    never used once stale, in this process or another."""
    key = (fiscal_year.pk, fiscal_year.framework_token)
    framework = _built.get(key)
    if framework is None:
        framework = build_framework(fiscal_year)
        with _built_lock:
            _built[key] = framework
            while len(_built) > _BUILT_KEPT:
                _built.popitem(last=False)
    return framework


def forget_built_frameworks():
    """Drop the kept frameworks (tests that count a cold request's queries)."""
    with _built_lock:
        _built.clear()


def build_framework(fiscal_year):
    """The fiscal year's framework read from the database (a fixed number of queries)."""
    from .models import IssueArea

    tools = list(fiscal_year.tools.prefetch_related("parts"))
    indicators = list(fiscal_year.indicators.select_related("tool").prefetch_related("issue_areas"))
    subindicators = list(_subindicators(fiscal_year))
    items = list(fiscal_year.items.select_related("indicator", "subindicator").prefetch_related("issue_areas"))
    bands = list(fiscal_year.grade_bands.order_by("-min_score"))
    areas = list(IssueArea.objects.order_by("number"))
    return analysis.Framework(
        year=fiscal_year.year,
        tools=tuple(
            analysis.ToolDef(
                code=t.code,
                name=t.name_th,
                weight=t.weight,
                parts=tuple((p.code, p.name_th) for p in t.parts.all()),
            )
            for t in tools
        ),
        indicators=tuple(
            analysis.IndicatorDef(
                number=i.number,
                name=i.name_th,
                tool=i.tool.code,
                description=i.description_th,
                issue_areas=tuple(sorted(a.number for a in i.issue_areas.all())),
            )
            for i in indicators
        ),
        subindicators=tuple(
            analysis.SubIndicatorDef(code=s.code, name=s.name_th, indicator=s.indicator.number) for s in subindicators
        ),
        items=tuple(
            analysis.ItemDef(
                code=i.code,
                label=i.label,
                title=i.title_th,
                indicator=i.indicator.number,
                subindicator=i.subindicator.code if i.subindicator_id else None,
                issue_areas=tuple(sorted(a.number for a in i.issue_areas.all())),
                uncertain=i.uncertain,
            )
            for i in items
        ),
        pass_score=fiscal_year.pass_score,
        excellent_score=fiscal_year.excellent_score,
        strength_threshold=fiscal_year.strength_threshold,
        eit_gap_threshold=fiscal_year.eit_gap_threshold,
        result_mode=fiscal_year.result_mode,
        eit_combination=fiscal_year.eit_combination,
        grade_bands=tuple((b.grade, b.min_score) for b in bands),
        issue_areas=tuple((a.number, a.name_th) for a in areas),
    )


def _subindicators(fiscal_year):
    from .models import SubIndicator

    return (
        SubIndicator.objects.filter(indicator__fiscal_year=fiscal_year)
        .select_related("indicator")
        .order_by("indicator__number", "code")
    )


# --------------------------------------------------------------------------- #
# Payload validation
# --------------------------------------------------------------------------- #


def _decimal(value, where, errors, *, low=Decimal("0"), high=Decimal("100")):
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, AttributeError):
        errors.append(f"{where}: “{value}” ไม่ใช่ตัวเลข")
        return None
    if number < low or number > high:
        errors.append(f"{where}: {number} ต้องอยู่ระหว่าง {low} ถึง {high}")
        return None
    return number


def _date(value, where, errors):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        errors.append(f"{where}: “{value}” ไม่ใช่วันที่รูปแบบ YYYY-MM-DD (ค.ศ.)")
        return None


def canonical_item_code(code):
    return normalise_text(code).lower()


def validate_payload(payload):
    """Check a framework payload and return it cleaned; raise FrameworkError listing every problem."""
    errors = []
    if not isinstance(payload, dict):
        raise FrameworkError(["ไฟล์กรอบการประเมินต้องเป็นออบเจ็กต์เดียวต่อปี"])
    clean = {}
    try:
        clean["fiscal_year"] = int(payload.get("fiscal_year"))
        if not 2500 <= clean["fiscal_year"] <= 2700:
            errors.append(f"ปีงบประมาณ {clean['fiscal_year']} ต้องเป็นปี พ.ศ. (เช่น 2569)")
    except (TypeError, ValueError):
        errors.append(f"ปีงบประมาณ “{payload.get('fiscal_year')}” ต้องเป็นเลขปี พ.ศ.")
        clean["fiscal_year"] = None
    clean["start"] = _date(payload.get("start"), "วันเริ่มต้น", errors)
    clean["end"] = _date(payload.get("end"), "วันสิ้นสุด", errors)
    if clean["start"] and clean["end"] and clean["end"] <= clean["start"]:
        errors.append("วันสิ้นสุดต้องอยู่หลังวันเริ่มต้น")
    for name, label, default in [
        ("pass_score", "เกณฑ์ผ่าน", "85"),
        ("excellent_score", "เกณฑ์ดีเยี่ยม", "95"),
        ("strength_threshold", "เกณฑ์แบ่งจุดแข็ง/จุดอ่อน", "85"),
        ("eit_gap_threshold", "ส่วนต่าง EIT", "10"),
    ]:
        clean[name] = _decimal(payload.get(name, default), label, errors)
    clean["result_mode"] = payload.get("result_mode", "pass_fail")
    if clean["result_mode"] not in ("grade", "pass_fail"):
        errors.append(f"result_mode “{clean['result_mode']}” ต้องเป็น grade หรือ pass_fail")
    clean["eit_combination"] = payload.get("eit_combination", "mean_of_indicators")
    if clean["eit_combination"] not in ("mean_of_indicators", "mean_of_parts"):
        errors.append(f"eit_combination “{clean['eit_combination']}” ต้องเป็น mean_of_indicators หรือ mean_of_parts")
    for flag in ("uncertain", "eit_combination_uncertain", "weights_uncertain"):
        clean[flag] = bool(payload.get(flag, False))
    clean["source"] = normalise_text(payload.get("source", ""))

    clean["grade_bands"] = []
    for n, band in enumerate(payload.get("grade_bands") or [], start=1):
        minimum = _decimal(band.get("min"), f"ระดับผลการประเมินแถวที่ {n}", errors)
        grade = normalise_text(band.get("grade"))
        if not grade:
            errors.append(f"ระดับผลการประเมินแถวที่ {n}: ไม่มีชื่อระดับ")
        clean["grade_bands"].append({"grade": grade, "min": minimum})

    tools = payload.get("tools") or []
    if not tools:
        errors.append("ไม่มีเครื่องมือการประเมิน (tools)")
    clean["tools"] = []
    tool_codes = set()
    weight_sum = Decimal("0")
    for n, tool in enumerate(tools, start=1):
        code = normalise_text(tool.get("code")).lower()
        if not code:
            errors.append(f"เครื่องมือแถวที่ {n}: ไม่มีรหัส")
        elif code in tool_codes:
            errors.append(f"เครื่องมือ {code}: รหัสซ้ำ")
        tool_codes.add(code)
        weight = _decimal(tool.get("weight"), f"น้ำหนักของเครื่องมือ {code}", errors, high=Decimal("1"))
        weight_sum += weight or 0
        parts = []
        for part in tool.get("parts") or []:
            part_code = normalise_text(part.get("code")).lower()
            if part_code not in ("public", "survey"):
                errors.append(f"ส่วนของเครื่องมือ {code}: “{part_code}” ต้องเป็น public หรือ survey")
            parts.append({"code": part_code, "name_th": normalise_text(part.get("name_th")) or part_code})
        clean["tools"].append(
            {
                "code": code,
                "name_th": normalise_text(tool.get("name_th")) or code.upper(),
                "name_en": normalise_text(tool.get("name_en")),
                "weight": weight,
                "order": int(tool.get("order") or n),
                "parts": parts,
            }
        )
    if tools and weight_sum != Decimal("1"):
        errors.append(f"น้ำหนักของเครื่องมือรวมกันต้องเท่ากับ 1 (ได้ {weight_sum})")

    clean["indicators"] = []
    numbers = set()
    for n, ind in enumerate(payload.get("indicators") or [], start=1):
        try:
            number = int(ind.get("number"))
        except (TypeError, ValueError):
            errors.append(f"ตัวชี้วัดแถวที่ {n}: หมายเลข “{ind.get('number')}” ไม่ใช่ตัวเลข")
            continue
        if number in numbers:
            errors.append(f"ตัวชี้วัดที่ {number}: หมายเลขซ้ำ")
        numbers.add(number)
        tool = normalise_text(ind.get("tool")).lower()
        if tool not in tool_codes:
            errors.append(f"ตัวชี้วัดที่ {number}: ไม่รู้จักเครื่องมือ “{tool}”")
        if not normalise_text(ind.get("name_th")):
            errors.append(f"ตัวชี้วัดที่ {number}: ไม่มีชื่อตัวชี้วัด")
        clean["indicators"].append(
            {
                "number": number,
                "tool": tool,
                "name_th": normalise_text(ind.get("name_th")),
                "name_en": normalise_text(ind.get("name_en")),
                "description_th": normalise_text(ind.get("description_th")),
                "issue_areas": _areas(ind.get("issue_areas"), f"ตัวชี้วัดที่ {number}", errors),
            }
        )
    if not clean["indicators"]:
        errors.append("ไม่มีตัวชี้วัด (indicators)")

    clean["subindicators"] = []
    sub_codes = {}
    for n, sub in enumerate(payload.get("subindicators") or [], start=1):
        code = normalise_text(sub.get("code"))
        try:
            indicator = int(sub.get("indicator"))
        except (TypeError, ValueError):
            indicator = None
        if indicator not in numbers:
            errors.append(f"ตัวชี้วัดย่อย {code or n}: ไม่รู้จักตัวชี้วัด “{sub.get('indicator')}”")
        if code in sub_codes:
            errors.append(f"ตัวชี้วัดย่อย {code}: รหัสซ้ำ")
        sub_codes[code] = indicator
        clean["subindicators"].append(
            {
                "code": code,
                "indicator": indicator,
                "name_th": normalise_text(sub.get("name_th")),
                "uncertain": bool(sub.get("uncertain", False)),
            }
        )

    clean["items"] = []
    item_codes = set()
    for n, item in enumerate(payload.get("items") or [], start=1):
        label = normalise_text(item.get("code"))
        code = canonical_item_code(label)
        if not code or code[0] not in "ieo" or not code[1:].isdigit():
            errors.append(f"ข้อแถวที่ {n}: รหัส “{label}” ต้องขึ้นต้นด้วย i, e หรือ o ตามด้วยตัวเลข")
        if code in item_codes:
            errors.append(f"ข้อ {label}: รหัสซ้ำ")
        item_codes.add(code)
        try:
            indicator = int(item.get("indicator"))
        except (TypeError, ValueError):
            indicator = None
        if indicator not in numbers:
            errors.append(f"ข้อ {label}: ไม่รู้จักตัวชี้วัด “{item.get('indicator')}”")
        sub = item.get("subindicator")
        sub = normalise_text(sub) if sub not in (None, "") else None
        if sub is not None and sub_codes.get(sub, "missing") != indicator:
            errors.append(f"ข้อ {label}: ตัวชี้วัดย่อย “{sub}” ไม่อยู่ในตัวชี้วัดที่ {indicator}")
        if not normalise_text(item.get("title_th")):
            errors.append(f"ข้อ {label}: ไม่มีข้อคำถาม/ชื่อรายการ")
        clean["items"].append(
            {
                "code": code,
                "label": label,
                "indicator": indicator,
                "subindicator": sub,
                "title_th": normalise_text(item.get("title_th")),
                "uncertain": bool(item.get("uncertain", False)),
                "issue_areas": _areas(item.get("issue_areas"), f"ข้อ {label}", errors),
                "order": n,
            }
        )
    if errors:
        raise FrameworkError(errors)
    return clean


def _areas(value, where, errors):
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").split(",") if v.strip()]
    numbers = []
    for v in value:
        try:
            number = int(str(v).strip())
        except ValueError:
            errors.append(f"{where}: ประเด็น “{v}” ไม่ใช่ตัวเลข 1–7")
            continue
        if not 1 <= number <= 7:
            errors.append(f"{where}: ประเด็น {number} ต้องอยู่ระหว่าง 1 ถึง 7")
        numbers.append(number)
    return numbers


# --------------------------------------------------------------------------- #
# Installing
# --------------------------------------------------------------------------- #


def install(payload, *, models=None, replace=False):
    """Install a validated payload as the year's framework.

    ``models`` maps model names to classes (historical models in a migration);
    by default the current ones. An existing year is refused unless ``replace``,
    and a year that already has scores is never replaced (its scores would lose
    their meaning).
    """
    if models is None:
        from django.apps import apps

        models = {name: apps.get_model("assessments", name) for name in MODEL_NAMES}
    p = validate_payload(payload)
    FiscalYear = models["FiscalYear"]
    with transaction.atomic():
        existing = FiscalYear.objects.filter(year=p["fiscal_year"]).first()
        if existing is not None:
            if not replace:
                raise FrameworkError([f"มีกรอบการประเมินปี {p['fiscal_year']} อยู่แล้ว"])
            if models["Assessment"].objects.filter(fiscal_year=existing).exists():
                raise FrameworkError([f"ปี {p['fiscal_year']} มีคะแนนของหน่วยงานบันทึกไว้แล้ว จึงแทนที่กรอบการประเมินไม่ได้"])
            existing.delete()
        fy = FiscalYear.objects.create(
            year=p["fiscal_year"],
            start=p["start"],
            end=p["end"],
            pass_score=p["pass_score"],
            excellent_score=p["excellent_score"],
            strength_threshold=p["strength_threshold"],
            eit_gap_threshold=p["eit_gap_threshold"],
            result_mode=p["result_mode"],
            eit_combination=p["eit_combination"],
            uncertain=p["uncertain"],
            eit_combination_uncertain=p["eit_combination_uncertain"],
            weights_uncertain=p["weights_uncertain"],
            source=p["source"],
        )
        for band in p["grade_bands"]:
            models["GradeBand"].objects.create(fiscal_year=fy, grade=band["grade"], min_score=band["min"])
        tools = {}
        for t in p["tools"]:
            tool = models["Tool"].objects.create(
                fiscal_year=fy,
                code=t["code"],
                name_th=t["name_th"],
                name_en=t["name_en"],
                weight=t["weight"],
                order=t["order"],
            )
            for order, part in enumerate(t["parts"], start=1):
                models["ToolPart"].objects.create(tool=tool, code=part["code"], name_th=part["name_th"], order=order)
            tools[t["code"]] = tool
        areas = {a.number: a for a in models["IssueArea"].objects.all()}
        indicators = {}
        for i in p["indicators"]:
            ind = models["Indicator"].objects.create(
                fiscal_year=fy,
                tool=tools[i["tool"]],
                number=i["number"],
                name_th=i["name_th"],
                name_en=i["name_en"],
                description_th=i["description_th"],
            )
            ind.issue_areas.set([areas[n] for n in i["issue_areas"] if n in areas])
            indicators[i["number"]] = ind
        subs = {}
        for s in p["subindicators"]:
            subs[s["code"]] = models["SubIndicator"].objects.create(
                indicator=indicators[s["indicator"]], code=s["code"], name_th=s["name_th"], uncertain=s["uncertain"]
            )
        Item = models["Item"]
        created = Item.objects.bulk_create(
            [
                Item(
                    fiscal_year=fy,
                    indicator=indicators[i["indicator"]],
                    subindicator=subs.get(i["subindicator"]) if i["subindicator"] else None,
                    code=i["code"],
                    label=i["label"],
                    title_th=i["title_th"],
                    order=i["order"],
                    uncertain=i["uncertain"],
                )
                for i in p["items"]
            ]
        )
        if not all(obj.pk for obj in created):  # backends without RETURNING ids
            created = list(Item.objects.filter(fiscal_year=fy).order_by("order"))
        links = [
            Item.issue_areas.through(item_id=obj.pk, issuearea_id=areas[n].pk)
            for obj, spec in zip(created, p["items"], strict=True)
            for n in spec["issue_areas"]
            if n in areas
        ]
        Item.issue_areas.through.objects.bulk_create(links)
    return fy


MODEL_NAMES = (
    "FiscalYear",
    "GradeBand",
    "Tool",
    "ToolPart",
    "Indicator",
    "SubIndicator",
    "Item",
    "IssueArea",
    "Assessment",
)


def install_issue_areas(*, models=None):
    """Create or update the seven issue areas from fixtures/issue_areas.json."""
    if models is None:
        from django.apps import apps

        IssueArea = apps.get_model("assessments", "IssueArea")
    else:
        IssueArea = models["IssueArea"]
    for area in json.loads((FIXTURES / "issue_areas.json").read_text(encoding="utf-8")):
        IssueArea.objects.update_or_create(number=area["number"], defaults={"name_th": area["name_th"]})


def bundled_years():
    return sorted(int(p.stem) for p in (FIXTURES / "frameworks").glob("*.json"))


def bundled_payload(year):
    return json.loads((FIXTURES / "frameworks" / f"{year}.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- #
# Spreadsheet form (admin import / export)
# --------------------------------------------------------------------------- #

SHEETS = {
    "year": ["key", "value"],
    "tools": ["code", "name_th", "name_en", "weight", "order", "parts"],
    "indicators": ["number", "tool", "name_th", "name_en", "description_th", "issue_areas"],
    "subindicators": ["code", "indicator", "name_th", "uncertain"],
    "items": ["code", "indicator", "subindicator", "title_th", "uncertain", "issue_areas"],
    "grade_bands": ["grade", "min"],
}
YEAR_KEYS = [
    "fiscal_year",
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


def _truthy(value):
    return str(value).strip().lower() in {"1", "true", "yes", "y", "ใช่", "x"}


def payload_from_workbook(fileobj):
    """Read a framework workbook (sheets year, tools, indicators, subindicators, items, grade_bands)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-xlsx file
        raise FrameworkError([f"อ่านไฟล์ Excel ไม่ได้: {exc.__class__.__name__}"]) from exc
    missing = [name for name in SHEETS if name not in wb.sheetnames and name != "grade_bands"]
    if missing:
        raise FrameworkError([f"ไม่พบชีต “{name}”" for name in missing])

    def rows(name):
        if name not in wb.sheetnames:
            return []
        it = wb[name].iter_rows(values_only=True)
        header = [normalise_text(h).lower() if h is not None else "" for h in next(it, [])]
        wanted = SHEETS[name]
        absent = [
            h
            for h in wanted
            if h not in header and h not in ("order", "name_en", "description_th", "uncertain", "issue_areas", "parts")
        ]
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
    return payload


def workbook_from_fiscal_year(fiscal_year):
    """A framework workbook for one year, in the form the import reads (also a template)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "year"
    ws.append(SHEETS["year"])
    values = {
        "fiscal_year": fiscal_year.year,
        "start": fiscal_year.start.isoformat(),
        "end": fiscal_year.end.isoformat(),
        "pass_score": fiscal_year.pass_score,
        "excellent_score": fiscal_year.excellent_score,
        "strength_threshold": fiscal_year.strength_threshold,
        "eit_gap_threshold": fiscal_year.eit_gap_threshold,
        "result_mode": fiscal_year.result_mode,
        "eit_combination": fiscal_year.eit_combination,
        "uncertain": int(fiscal_year.uncertain),
        "eit_combination_uncertain": int(fiscal_year.eit_combination_uncertain),
        "weights_uncertain": int(fiscal_year.weights_uncertain),
        "source": fiscal_year.source,
    }
    for key in YEAR_KEYS:
        value = values[key]
        ws.append([key, float(value) if isinstance(value, Decimal) else value])
    sheet = wb.create_sheet("tools")
    sheet.append(SHEETS["tools"])
    for t in fiscal_year.tools.prefetch_related("parts"):
        sheet.append([t.code, t.name_th, t.name_en, float(t.weight), t.order, ",".join(p.code for p in t.parts.all())])
    sheet = wb.create_sheet("indicators")
    sheet.append(SHEETS["indicators"])
    for i in fiscal_year.indicators.select_related("tool").prefetch_related("issue_areas"):
        areas = ",".join(str(a.number) for a in i.issue_areas.all())
        sheet.append([i.number, i.tool.code, i.name_th, i.name_en, i.description_th, areas])
    sheet = wb.create_sheet("subindicators")
    sheet.append(SHEETS["subindicators"])
    for s in _subindicators(fiscal_year):
        sheet.append([s.code, s.indicator.number, s.name_th, int(s.uncertain)])
    sheet = wb.create_sheet("items")
    sheet.append(SHEETS["items"])
    for i in fiscal_year.items.select_related("indicator", "subindicator").prefetch_related("issue_areas"):
        areas = ",".join(str(a.number) for a in i.issue_areas.all())
        sheet.append(
            [
                i.label,
                i.indicator.number,
                i.subindicator.code if i.subindicator_id else "",
                i.title_th,
                int(i.uncertain),
                areas,
            ]
        )
    sheet = wb.create_sheet("grade_bands")
    sheet.append(SHEETS["grade_bands"])
    for b in fiscal_year.grade_bands.order_by("-min_score"):
        sheet.append([b.grade, float(b.min_score)])
    return wb
