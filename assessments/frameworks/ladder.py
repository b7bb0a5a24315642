"""Checks for an edition's rating ladder and status tiers (both data, per edition).

A ladder is a list of rungs, highest first: ``{"label", "min_total", "below", "min_tool"}``.
A rung holds when min_total ≤ total (< below, when given) and, with ``min_tool``, every
tool scores at least that. The rungs without a tool condition must tile 0–100 exactly
(no overlap, no gap); a rung with one narrows a tiled rung (NACC 2567: ผ่านดี and
ผ่านดีเยี่ยม narrow ผ่าน).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from ..thai import normalise_text

HUNDRED = Decimal("100")
TIER_CODES = ("strong", "good", "weak")


def _number(value: Any, where: str, errors: list[str]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors.append(f"{where}: “{value}” ไม่ใช่ตัวเลข")
        return None
    if not 0 <= number <= HUNDRED:
        errors.append(f"{where}: {number} ต้องอยู่ระหว่าง 0 ถึง 100")
        return None
    return number


def clean_ladder(value: Any, errors: list[str]) -> list[dict[str, Any]]:
    """The ladder cleaned (numbers as strings, JSON-ready); every problem appended to ``errors``."""
    if value in (None, "", []):
        return []
    if not isinstance(value, list):
        errors.append("ระดับผลการประเมิน (rating_ladder) ต้องเป็นรายการขั้น")
        return []
    rungs = []
    for n, raw in enumerate(value, start=1):
        where = f"ระดับผลการประเมินขั้นที่ {n}"
        label = normalise_text((raw or {}).get("label"))
        if not label:
            errors.append(f"{where}: ไม่มีชื่อระดับ")
        min_total = _number(raw.get("min_total"), f"{where} คะแนนรวมขั้นต่ำ", errors)
        below = _number(raw.get("below"), f"{where} คะแนนรวมต่ำกว่า", errors)
        min_tool = _number(raw.get("min_tool"), f"{where} คะแนนขั้นต่ำของทุกเครื่องมือ", errors)
        if min_total is None:
            min_total = Decimal("0")
        if below is not None and below <= min_total:
            errors.append(f"{where} ({label}): คะแนนรวมต่ำกว่า {below} ต้องมากกว่าคะแนนขั้นต่ำ {min_total}")
        rungs.append({"label": label, "min_total": min_total, "below": below, "min_tool": min_tool or None})
    labels = [r["label"] for r in rungs]
    for label in sorted({x for x in labels if labels.count(x) > 1}):
        errors.append(f"ระดับผลการประเมิน “{label}” ซ้ำ")
    _check_tiling(rungs, errors)
    return [
        {
            "label": r["label"],
            "min_total": str(r["min_total"]),
            "below": None if r["below"] is None else str(r["below"]),
            "min_tool": None if r["min_tool"] is None else str(r["min_tool"]),
        }
        for r in rungs
    ]


def _top(rung: dict[str, Any]) -> Decimal:
    return HUNDRED if rung["below"] is None else rung["below"]


def _check_tiling(rungs: list[dict[str, Any]], errors: list[str]) -> None:
    base = sorted((r for r in rungs if r["min_tool"] is None), key=lambda r: r["min_total"])
    if not base:
        if rungs:
            errors.append("ระดับผลการประเมินต้องมีขั้นที่ไม่มีเงื่อนไขรายเครื่องมือ ครอบคลุมคะแนนรวม 0–100")
        return
    if base[0]["min_total"] > 0:
        errors.append(f"ระดับผลการประเมินเว้นช่วง: คะแนนรวม 0 ถึงต่ำกว่า {base[0]['min_total']} ไม่มีระดับ")
    for lower, upper in zip(base, base[1:], strict=False):
        top = _top(lower)
        if top > upper["min_total"]:
            errors.append(
                f"ระดับผลการประเมินซ้อนกัน: “{lower['label']}” และ “{upper['label']}” "
                f"ครอบคลุมคะแนนรวม {upper['min_total']}–{top} ทั้งคู่"
            )
        elif top < upper["min_total"]:
            errors.append(f"ระดับผลการประเมินเว้นช่วง: คะแนนรวม {top} ถึงต่ำกว่า {upper['min_total']} ไม่มีระดับ")
    if base[-1]["below"] is not None:
        errors.append(f"ระดับผลการประเมินเว้นช่วง: คะแนนรวม {base[-1]['below']}–100 ไม่มีระดับ")
    # Rungs with a tool condition narrow one base rung, and rank above it in the list.
    for n, rung in enumerate(rungs):
        if rung["min_tool"] is None:
            continue
        home = next(
            (b for b in base if b["min_total"] <= rung["min_total"] and _top(rung) <= _top(b)),
            None,
        )
        if home is None:
            errors.append(f"ระดับผลการประเมิน “{rung['label']}”: ช่วงคะแนนรวมคร่อมหลายขั้น")
        elif rungs.index(home) < n:
            errors.append(f"ระดับผลการประเมิน “{rung['label']}” ต้องอยู่เหนือ “{home['label']}” ในรายการ")
        for other in rungs[n + 1 :]:
            if other["min_tool"] is not None and (other["min_total"], other["min_tool"]) >= (
                rung["min_total"],
                rung["min_tool"],
            ):
                errors.append(f"ระดับผลการประเมินซ้อนกัน: “{other['label']}” เข้มกว่าหรือเท่ากับ “{rung['label']}” ที่อยู่เหนือกว่า")


def clean_tiers(value: Any, errors: list[str], where: str = "ระดับสถานะของตัวชี้วัด") -> list[dict[str, Any]]:
    """Status tiers cleaned: exactly strong, good, weak (in that order), cut-offs falling, weak at 0."""
    if value in (None, "", []):
        return []
    if not isinstance(value, list) or [(t or {}).get("code") for t in value] != list(TIER_CODES):
        errors.append(f"{where}: ต้องมีสามระดับตามลำดับ strong, good, weak")
        return []
    tiers = []
    for tier in value:
        label = normalise_text(tier.get("label"))
        if not label:
            errors.append(f"{where} {tier['code']}: ไม่มีชื่อระดับ")
        minimum = _number(tier.get("min", 0), f"{where} {tier['code']}", errors)
        tiers.append({"code": tier["code"], "label": label, "min": minimum})
    mins = [t["min"] for t in tiers]
    if None not in mins:
        if not mins[0] > mins[1]:
            errors.append(f"{where}: เกณฑ์ของ {tiers[0]['label']} ต้องสูงกว่าเกณฑ์ของ {tiers[1]['label']}")
        if mins[2] != 0:
            errors.append(f"{where}: ระดับ {tiers[2]['label']} ต้องเริ่มที่ 0")
    return [{**t, "min": str(t["min"])} for t in tiers]
