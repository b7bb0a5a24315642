"""The agency's own words on its analysis: an analysis text per item, and the assessors'
recommendations edited, deleted and reordered by staff.

Every write is optimistic (``based_on`` is the version the form was opened with: a row
changed by someone else since is not overwritten, EditConflict with a Thai message) and
logged in the change log, only when something really changed.
"""

import re

from django.db import transaction
from django.utils import timezone

from .models import Assessment, ChangeLog, ItemAnalysis, Recommendation
from .services import EditConflict, _by_name

TOOL_LABELS = {"iit": "IIT", "eit": "EIT", "oit": "OIT", "": "ไม่ระบุเครื่องมือ"}


def version_of(row) -> str:
    """The version of a saved row a form is based on ("" when there is no row yet)."""
    return row.updated_at.isoformat() if row is not None and row.updated_at else ""


def item_analyses(assessment: Assessment) -> dict[str, str]:
    """{item code: the agency's analysis text} of a year's result."""
    return dict(assessment.item_analyses.values_list("item_code", "text"))


def save_item_analysis(assessment: Assessment, *, item_code: str, label: str, text: str, by, based_on=None) -> bool:
    """Keep the agency's analysis of one item; an empty text removes it. True when it changed."""
    text = (text or "").strip()
    with transaction.atomic():
        Assessment.objects.select_for_update().get(pk=assessment.pk)
        current = (
            ItemAnalysis.objects.filter(assessment=assessment, item_code=item_code).select_related("updated_by").first()
        )
        if based_on is not None and version_of(current) != based_on:
            now = f"“{current.text}” (โดย {_by_name(current.updated_by)})" if current else "ว่าง (ถูกลบแล้ว)"
            raise EditConflict(
                f"คำวิเคราะห์ข้อ {label} ถูกแก้ไขโดยผู้อื่นหลังจากที่ท่านเปิดหน้านี้ จึงยังไม่ได้บันทึก "
                f"(ข้อความที่ท่านพิมพ์ยังอยู่ครบ) ตอนนี้เป็น: {now} ตรวจสอบแล้วหากต้องการบันทึกข้อความของท่านแทน กดบันทึกอีกครั้ง"
            )
        old = current.text if current else ""
        if old == text:
            return False
        if text:
            ItemAnalysis.objects.update_or_create(
                assessment=assessment, item_code=item_code, defaults={"text": text, "updated_by": by}
            )
        else:
            current.delete()
        ChangeLog.objects.create(
            user=by,
            organisation=assessment.organisation,
            action="narrative.item",
            summary=f"คำวิเคราะห์ข้อ {label} ปี {assessment.fiscal_year.year}",
            details={"year": assessment.fiscal_year.year, "item": item_code, "changes": {"text": [old, text]}},
        )
    return True


# --------------------------------------------------------------------------- #
# Recommendations
# --------------------------------------------------------------------------- #

REC_FIELDS = ("tool", "part", "item_codes", "text")


def _locked_recommendation(rec: Recommendation, based_on) -> Recommendation:
    Assessment.objects.select_for_update().get(pk=rec.assessment_id)
    current = Recommendation.objects.filter(pk=rec.pk).first()
    if current is None:
        raise EditConflict("ข้อเสนอแนะนี้ถูกลบโดยผู้อื่นแล้ว จึงยังไม่ได้บันทึก (ข้อความที่ท่านพิมพ์ยังอยู่ครบ)")
    if based_on is not None and version_of(current) != based_on:
        raise EditConflict(
            "ข้อเสนอแนะนี้ถูกแก้ไขโดยผู้อื่นหลังจากที่ท่านเปิดหน้านี้ จึงยังไม่ได้บันทึก (ข้อความที่ท่านพิมพ์ยังอยู่ครบ) "
            f"ตอนนี้เป็น: “{current.text}” ตรวจสอบแล้วหากต้องการบันทึกข้อความของท่านแทน กดบันทึกอีกครั้ง"
        )
    return current


def _rec_log(rec, by, action, summary, **details):
    ChangeLog.objects.create(
        user=by,
        organisation=rec.assessment.organisation,
        action=f"recommendation.{action}",
        summary=f"{summary} ปี {rec.assessment.fiscal_year.year}",
        details={"year": rec.assessment.fiscal_year.year, "id": rec.pk, **details},
    )


def edit_recommendation(rec: Recommendation, *, by, based_on=None, **values) -> bool:
    """Change a recommendation's tool, part, items or text. True when something changed."""
    values["text"] = (values.get("text") or "").strip()
    if not values["text"]:
        raise ValueError("กรุณากรอกข้อเสนอแนะ")
    with transaction.atomic():
        current = _locked_recommendation(rec, based_on)
        changes = {
            name: [getattr(current, name), values[name]]
            for name in REC_FIELDS
            if name in values and getattr(current, name) != values[name]
        }
        if not changes:
            return False
        for name, (_old, new) in changes.items():
            setattr(current, name, new)
        current.save()
        _rec_log(current, by, "edit", "แก้ไขข้อเสนอแนะของผู้ตรวจประเมิน", changes=changes)
    return True


def delete_recommendation(rec: Recommendation, *, by, based_on=None) -> None:
    with transaction.atomic():
        current = _locked_recommendation(rec, based_on)
        _rec_log(current, by, "delete", "ลบข้อเสนอแนะของผู้ตรวจประเมิน", changes={"text": [current.text, ""]})
        current.delete()
        _renumber(current.assessment)


def _renumber(assessment):
    rows = list(assessment.recommendations.order_by("order", "pk"))
    for n, row in enumerate(rows, start=1):
        if row.order != n:
            Recommendation.objects.filter(pk=row.pk).update(order=n)


def move_recommendation(rec: Recommendation, *, by, offset: int, based_on=None) -> bool:
    """Move a recommendation up (-1) or down (+1) among those of its tool; True when it moved."""
    with transaction.atomic():
        current = _locked_recommendation(rec, based_on)
        _renumber(current.assessment)
        rows = list(current.assessment.recommendations.filter(tool=current.tool).order_by("order", "pk"))
        index = next(i for i, r in enumerate(rows) if r.pk == current.pk)
        other = index + offset
        if not 0 <= other < len(rows):
            return False
        a, b = rows[index], rows[other]
        Recommendation.objects.filter(pk=a.pk).update(order=b.order)
        Recommendation.objects.filter(pk=b.pk).update(order=a.order)
        Recommendation.objects.filter(pk__in=[a.pk, b.pk]).update(updated_at=timezone.now())
        _rec_log(current, by, "move", "เรียงลำดับข้อเสนอแนะของผู้ตรวจประเมิน",
                 changes={"order": [str(index + 1), str(other + 1)]})  # fmt: skip
    return True


# A recommendation's own leading number as agencies copy it ("๑.๑ ", "1) ", "3.2. "): the
# document prints that number instead of adding its own, so nothing is numbered twice.
_OWN_NUMBER = re.compile(r"^\s*(?:[0-9๐-๙]+[.)](?:[0-9๐-๙]+[.)]?)*|\([0-9๐-๙]+\)|[-•])\s+")


def has_own_number(text: str) -> bool:
    return bool(_OWN_NUMBER.match(text or ""))


def recommendation_groups(recommendations: list[dict]) -> list[dict]:
    """The recommendations under their tool's heading (IIT, EIT, OIT, then those without a
    tool), each numbered once: "๒.๓" (the tool's number, then its place), or the number
    the agency typed at its start."""
    order = ["iit", "eit", "oit", ""]
    headings = {
        "iit": "แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายใน (Internal Integrity and Transparency Assessment: IIT)",
        "eit": "แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายนอก (External Integrity and Transparency Assessment: EIT)",
        "oit": "แบบตรวจการเปิดเผยข้อมูลสาธารณะ (Open Integrity and Transparency Assessment: OIT)",
        "": "ข้อเสนอแนะอื่น",
    }
    groups = []
    for tool in order:
        members = [r for r in recommendations if (r.get("tool") or "") == tool]
        if not members:
            continue
        number = len(groups) + 1
        parts = [p for p in PART_HEADINGS if any((r.get("part") or "") == p for r in members)]
        if parts == [""]:
            parts = []
        subgroups = []
        for k, part in enumerate(parts or [""], start=1):
            prefix = f"{number}.{k}" if parts else f"{number}"
            rows = [
                {**r, "number": "" if has_own_number(r["text"]) else f"{prefix}.{n}"}
                for n, r in enumerate((r for r in members if not parts or (r.get("part") or "") == part), start=1)
            ]
            subgroups.append({"number": prefix if parts else "", "heading": PART_HEADINGS[part] if parts else "",
                              "rows": rows})  # fmt: skip
        groups.append({"tool": tool, "number": number, "heading": headings[tool], "parts": subgroups,
                       "rows": [r for sub in subgroups for r in sub["rows"]]})  # fmt: skip
    return groups


# EIT's parts as seed 001 heads its recommendations (in this order; "" = no part given).
PART_HEADINGS = {
    "public": "ส่วนที่ 1 ผู้รับบริการหรือติดต่อราชการเข้าตอบด้วยตนเอง (EIT Public)",
    "survey": "ส่วนที่ 2 ผู้ประเมินจัดเก็บข้อมูล (EIT Survey)",
    "": "ส่วนอื่น",
}
