"""Check a framework payload (the format of fixtures/frameworks/<year>.json) and clean it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ..thai import normalise_text
from .errors import FrameworkError
from .ladder import clean_ladder, clean_tiers

SCHEMES = ("nacc", "ovec", "obec", "moit")  # models.Scheme


def _decimal(
    value: Any, where: str, errors: list[str], *, low: Decimal = Decimal("0"), high: Decimal = Decimal("100")
) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, AttributeError):
        errors.append(f"{where}: “{value}” ไม่ใช่ตัวเลข")
        return None
    if number < low or number > high:
        errors.append(f"{where}: {number} ต้องอยู่ระหว่าง {low} ถึง {high}")
        return None
    return number


def _date(value: Any, where: str, errors: list[str]) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        errors.append(f"{where}: “{value}” ไม่ใช่วันที่รูปแบบ YYYY-MM-DD (ค.ศ.)")
        return None


def canonical_item_code(code: Any) -> str:
    return normalise_text(code).lower()


def validate_payload(payload: Any) -> dict[str, Any]:
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
    clean["scheme"] = normalise_text(payload.get("scheme") or "nacc").lower()
    if clean["scheme"] not in SCHEMES:
        errors.append(f"ชุดการประเมิน (scheme) “{clean['scheme']}” ต้องเป็นหนึ่งใน {', '.join(SCHEMES)}")
    clean["name_th"] = normalise_text(payload.get("name_th", ""))
    clean["rating_ladder"] = clean_ladder(payload.get("rating_ladder"), errors)
    clean["status_tiers"] = clean_tiers(payload.get("status_tiers"), errors)

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
                **{f: normalise_text(item.get(f)) for f in META_FIELDS if item.get(f) not in (None, "")},
            }
        )
    _check_item_meta(clean["items"], errors)
    clean["calendar"] = _calendar(payload.get("calendar") or [], errors)
    if errors:
        raise FrameworkError(errors)
    return clean


META_FIELDS = ("role", "topic", "criteria", "example")


def _check_item_meta(items: list[dict], errors: list[str]) -> None:
    """Roles, topics and guidance given in the workbook follow the rules of fixtures/item_meta
    (known roles, one item per role, topics as slugs): one checker for both."""
    from assessments.item_meta import ItemMetaError, validate_item_meta

    meta = {i["label"]: {f: i[f] for f in META_FIELDS if f in i} for i in items if any(f in i for f in META_FIELDS)}
    try:
        validate_item_meta(meta)
    except ItemMetaError as exc:
        errors.extend(exc.errors)


def _calendar(rows: list[dict], errors: list[str]) -> list[dict]:
    """The year's ITAS milestones: a known kind, start and end dates, the end not before the start."""
    from datetime import date, datetime

    from assessments.models import Milestone

    def day(value):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            return None

    out = []
    for n, row in enumerate(rows, start=2):
        kind = normalise_text(row.get("kind")).lower()
        start, end = day(row.get("start")), day(row.get("end"))
        if kind not in Milestone.Kind.values:
            errors.append(f"ชีต calendar แถวที่ {n}: ไม่รู้จักขั้นตอน “{kind}” (ใช้ได้: {', '.join(Milestone.Kind.values)})")
        if start is None or end is None:
            errors.append(f"ชีต calendar แถวที่ {n}: วันเริ่มและวันสิ้นสุดต้องเป็นวันที่ (ปปปป-ดด-วว ค.ศ. ในไฟล์)")
        elif end < start:
            errors.append(f"ชีต calendar แถวที่ {n}: วันสิ้นสุดก่อนวันเริ่ม")
        out.append({"kind": kind, "title": normalise_text(row.get("title")), "start": start, "end": end,
                    "uncertain": bool(row.get("uncertain", False))})  # fmt: skip
    return out


def _areas(value: Any, where: str, errors: list[str]) -> list[int]:
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
