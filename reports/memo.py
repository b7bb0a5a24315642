"""The memo (บันทึกข้อความ) for approving a plan's measures: the text the portal prefills
from the data, and what staff wrote instead, part by part.

Every part can be edited while the plan is editable (Plan.is_editable); a part left as
prefilled keeps following the data (the number of measures, the chain's last step). The
edits are part of the plan's snapshot (``memo_snapshot``), so an approved revision keeps
the memo it was approved with; changing it afterwards needs a new revision.
"""

import re
from datetime import date
from types import SimpleNamespace

from django.db import transaction

from assessments.models import Assessment, ChangeLog

# The parts in the order the memo prints them, with their Thai names.
PARTS = ("department", "number", "subject", "to", "background", "facts", "law", "consideration", "closing")
LABELS = {
    "department": "ส่วนราชการ",
    "number": "ที่",
    "date": "วันที่",
    "subject": "เรื่อง",
    "to": "เรียน",
    "background": "เรื่องเดิม",
    "facts": "ข้อเท็จจริง",
    "law": "ข้อกฎหมาย/ระเบียบ",
    "consideration": "ข้อพิจารณา/ข้อเสนอ",
    "closing": "คำลงท้าย",
}
# One-line parts; the others are paragraphs (ข้อกฎหมาย: one law or rule a line).
ONE_LINE = frozenset({"department", "number", "subject", "to", "closing"})
MAX_LENGTH = {"department": 500, "number": 100, "subject": 1_000, "to": 500, "closing": 500}
MAX_PARAGRAPHS = 10_000

_LEADING_NUMBER = re.compile(r"^\s*[0-9๐-๙]{1,3}\s*[.)]\s*")


class MemoError(ValueError):
    """A memo edit that is not allowed now; the message is Thai, for the user."""


class MemoConflict(MemoError):
    """Someone saved the memo after this edit was opened; nothing was saved."""

    def __init__(self, message, *, current_version):
        super().__init__(message)
        self.current_version = current_version


def log_key(part: str) -> str:
    """The change log's name of a part (assessments/audit.py FIELD_LABELS)."""
    return f"memo_{part}"


def memo_unit(organisation):
    """The office the memo comes from: สำนักปลัด where the agency has one."""
    units = list(organisation.units.order_by("order", "name"))
    return next((u for u in units if u.name.startswith("สำนักปลัด")), None) or next(
        (u for u in units if "/" not in u.name and not u.name.startswith("ทุก")), None
    )


def document_number(prefix: str, number: str) -> str:
    """ที่: the organisation's prefix and the plan's number ("นก ๕๒๐๐๑.๒/๑๒๓"); with the
    prefix alone the number is left to be written in ("นก ๕๒๐๐๑.๒/")."""
    prefix, number = (prefix or "").strip(), (number or "").strip()
    if prefix and number and not number.startswith(prefix):
        return f"{prefix}/{number}"
    return number or (f"{prefix}/" if prefix else "")


def prefilled(organisation, plan, year: int, *, to: str, measure_count: int, number: str) -> dict[str, str]:
    """The memo's text as the portal writes it from the data (every part a string; the laws
    one a line)."""
    unit = memo_unit(organisation)
    analysis_year = plan.analysis_year.year
    assessment = Assessment.objects.filter(organisation=organisation, fiscal_year=plan.analysis_year).first()
    total = float(assessment.total_score) if assessment and assessment.total_score is not None else None
    return {
        "department": f"{unit.name} {organisation.name}" if unit else organisation.name,
        "number": number,
        "subject": f"รายงานการจัดทำมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. {year} "
        f"และการวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ ประจำปีงบประมาณ พ.ศ. {analysis_year}",
        "to": to,
        "background": f"ตามที่สำนักงาน ป.ป.ช. ได้ประกาศผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ "
        f"(ITA) ประจำปีงบประมาณ พ.ศ. {analysis_year} ซึ่ง{organisation.name} ได้รับผลการประเมิน"
        + (f" {total:.2f} คะแนน" if total is not None else "")
        + " และกำหนดให้หน่วยงานนำผลการประเมินไปวิเคราะห์เพื่อจัดทำมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
        "facts": f"{organisation.name} ได้วิเคราะห์ผลการประเมินประจำปีงบประมาณ พ.ศ. {analysis_year} จำแนกตามตัวชี้วัดและประเด็นการประเมิน "
        f"และจัดทำมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. {year} จำนวน {measure_count} มาตรการ "
        "พร้อมผู้รับผิดชอบ ระยะเวลาดำเนินการ และการติดตามประเมินผล รายละเอียดตามเอกสารแนบ",
        "law": "\n".join(
            [
                f"ประกาศสำนักงาน ป.ป.ช. เรื่อง ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ ประจำปีงบประมาณ พ.ศ. {analysis_year}",
                f"คู่มือการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ ประจำปีงบประมาณ พ.ศ. {year}",
            ]
        ),
        "consideration": "เพื่อให้การดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงานเป็นไปด้วยความเรียบร้อย "
        "และเผยแพร่มาตรการดังกล่าวบนเว็บไซต์ของหน่วยงานตามหลักเกณฑ์การประเมิน จึงเห็นควรพิจารณาอนุมัติมาตรการ "
        "และอนุญาตให้เผยแพร่บนเว็บไซต์ของหน่วยงาน",
        "closing": "จึงเรียนมาเพื่อโปรดพิจารณา",
    }


def draft_prefilled(plan) -> dict[str, str]:
    """The prefilled text of a plan being drafted: addressed to the chain's last step."""
    from measures.services import chain_of

    chain = chain_of(plan.organisation)
    return prefilled(
        plan.organisation, plan, plan.fiscal_year.year, to=chain[-1].title if chain else "",
        measure_count=plan.measures.count(),
        number=document_number(plan.organisation.doc_number_prefix, plan.memo_number),
    )  # fmt: skip


def law_lines(text: str) -> list[str]:
    """ข้อกฎหมาย as printed: one a line, numbered by the document (a number typed in front is dropped)."""
    return [_LEADING_NUMBER.sub("", line).strip() for line in (text or "").split("\n") if line.strip()]


def edits_of(plan) -> dict:
    """What staff wrote in the plan's memo: {"texts": {part: text}, "date": ISO date or None}."""
    from .models import PlanMemo

    memo = PlanMemo.objects.filter(plan=plan).first()
    if memo is None:
        return {"texts": {}, "date": None}
    return {"texts": dict(memo.texts), "date": memo.date.isoformat() if memo.date else None}


def memo_snapshot(plan) -> dict:
    """The memo's part of a plan snapshot: the edits and the document-number prefix, as submitted."""
    return {**edits_of(plan), "number_prefix": plan.organisation.doc_number_prefix}


def resolve(defaults: dict[str, str], edits: dict) -> dict:
    """The memo's parts as printed: each edited part replaces the prefilled one; ``law`` a list."""
    texts = (edits or {}).get("texts") or {}
    out = {part: texts.get(part, defaults.get(part, "")) for part in PARTS}
    out["law"] = law_lines(out["law"])
    out["edited"] = sorted(p for p in texts if p in PARTS)
    return out


def chosen_date(edits: dict) -> date | None:
    raw = (edits or {}).get("date")
    return date.fromisoformat(raw) if raw else None


def _same(a: str, b: str) -> bool:
    return (a or "").replace("\r\n", "\n").strip() == (b or "").replace("\r\n", "\n").strip()


def _lock_memo(plan):
    from .models import PlanMemo

    memo, _ = PlanMemo.objects.get_or_create(plan=plan)
    return PlanMemo.objects.select_for_update().get(pk=memo.pk)


def _check(plan, by, memo, version):
    from measures.services import WorkflowError, _require_editable

    if not plan.organisation.can_edit(by):
        raise MemoError("เฉพาะเจ้าหน้าที่ของหน่วยงานจึงแก้ไขบันทึกข้อความได้")
    try:
        _require_editable(plan)
    except WorkflowError as exc:
        raise MemoError(str(exc)) from None
    if version is not None and version != memo.version:
        from assessments.audit import FIELD_LABELS
        from measures.versions import conflict_message

        newer = (
            ChangeLog.objects.filter(
                organisation=plan.organisation, action="plan.memo", details__plan=plan.pk, details__version__gt=version
            )
            .select_related("user")
            .order_by("at", "pk")
        )
        shown = [
            SimpleNamespace(user=e.user, at=e.at, details={"changes": {
                FIELD_LABELS.get(k, k): v for k, v in (e.details.get("changes") or {}).items()}})
            for e in newer
        ]  # fmt: skip
        raise MemoConflict(conflict_message("บันทึกข้อความนี้", shown), current_version=memo.version)


def save_memo(plan, *, by, values: dict[str, str], date_: date | None, version: int | None, reset=()):
    """Keep what staff wrote in the memo: a part typed as prefilled (or listed in ``reset``)
    follows the data again; the others are kept as typed. Refused when the plan is not
    editable or the memo changed since ``version``; logged with old → new per part."""
    from measures.models import Plan
    from measures.services import _contribute, _log

    with transaction.atomic():
        plan = Plan.objects.select_for_update().select_related("organisation", "fiscal_year").get(pk=plan.pk)
        memo = _lock_memo(plan)
        _check(plan, by, memo, version)
        defaults = draft_prefilled(plan)
        before = resolve(defaults, {"texts": memo.texts})
        texts = {}
        for part in PARTS:
            typed = values.get(part)
            if part in reset:
                continue
            if typed is None:  # not sent: keep what was there
                if part in memo.texts:
                    texts[part] = memo.texts[part]
            elif not _same(typed, defaults[part]):
                texts[part] = typed
        after = resolve(defaults, {"texts": texts})
        changes = {}
        for part in PARTS:
            old, new = before[part], after[part]
            if part == "law":
                old, new = "\n".join(old), "\n".join(new)
            if old != new:
                changes[log_key(part)] = [old or "–", new or "–"]
        if memo.date != date_:
            from assessments.thai import format_date

            changes[log_key("date")] = [
                format_date(memo.date, thai_digits=False) if memo.date else "วันที่เสนอแผน",
                format_date(date_, thai_digits=False) if date_ else "วันที่เสนอแผน",
            ]
        if not changes and texts == memo.texts:
            return memo
        memo.texts, memo.date, memo.updated_by = texts, date_, by
        memo.version += 1
        memo.save()
        _contribute(plan, by, "plan.memo")
        what = ", ".join(LABELS[k.removeprefix("memo_")] for k in changes) or "บันทึกซ้ำ"
        _log(plan, by, "plan.memo", f"แก้ไขบันทึกข้อความ: {what}", version=memo.version, changes=changes)
    return memo


def reset_memo(plan, *, by, version: int | None):
    """Every part back to the prefilled text, the date back to the submission day."""
    return save_memo(plan, by=by, values={}, date_=None, version=version, reset=PARTS)
