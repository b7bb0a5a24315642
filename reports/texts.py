"""The agency's own words in each document: introduction, limitations (ข้อจำกัด), summary
and closing, kept per organisation, year and document (DocumentText), and for the
analysis where each indicator's analysis prints (the narrative, or the indicator table's
third column).

A document without a saved row prints its defaults (the analysis's usual opening
paragraph; nothing else); a saved empty section prints nothing. The measures document's
texts are frozen with the revision: ``snapshot_texts`` is what measures.services.plan_snapshot
stores under ``"texts"``, and an approved revision prints those, never today's.
"""

from django.db import transaction

from assessments.models import ChangeLog
from assessments.services import EditConflict, _by_name

from .models import DocumentText

SECTIONS = ("intro", "limitations", "summary", "closing")
KINDS = tuple(DocumentText.Kind.values)
SECTION_LABELS = {name: str(DocumentText._meta.get_field(name).verbose_name) for name in SECTIONS}
PLACEMENT = "indicator_analysis"


def defaults(kind: str, organisation, year: int) -> dict[str, str]:
    """What a document prints before anyone wrote its texts (the form opens with these)."""
    values = dict.fromkeys(SECTIONS, "")
    if kind == DocumentText.Kind.ANALYSIS:
        values["intro"] = (
            f"{organisation.name} ได้วิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ "
            f"ประจำปีงบประมาณ พ.ศ. {year} โดยจำแนกตามเครื่องมือการประเมิน และระบุประเด็นที่จะต้องพัฒนาให้ดีขึ้น "
            "และประเด็นที่เป็นข้อบกพร่องหรือจุดอ่อนที่จะต้องแก้ไขโดยเร่งด่วน มีรายละเอียดดังนี้"
        )
    values[PLACEMENT] = DocumentText.Placement.NARRATIVE
    return values


def _values(row: DocumentText) -> dict[str, str]:
    return {**{name: getattr(row, name) for name in SECTIONS}, PLACEMENT: row.indicator_analysis}


def texts_for(organisation, year: int, kind: str) -> dict[str, str]:
    """The document's texts as it prints them: {intro, limitations, summary, closing,
    indicator_analysis}; the defaults when nothing was saved."""
    row = DocumentText.objects.filter(organisation=organisation, year=year, kind=kind).first()
    return _values(row) if row is not None else defaults(kind, organisation, year)


def version_of(organisation, year: int, kind: str) -> str:
    row = DocumentText.objects.filter(organisation=organisation, year=year, kind=kind).first()
    return row.updated_at.isoformat() if row is not None else ""


def save_texts(organisation, year: int, kind: str, *, values: dict[str, str], by, based_on=None) -> dict:
    """Keep a document's texts. ``based_on`` is version_of as the form was opened: a row
    saved by someone else since is not overwritten (EditConflict). Returns {field: [old, new]}
    of what changed (logged, once, only when something did)."""
    new = {name: (values.get(name) or "").replace("\r\n", "\n").strip() for name in SECTIONS}
    new[PLACEMENT] = values.get(PLACEMENT) or DocumentText.Placement.NARRATIVE
    with transaction.atomic():
        from assessments.models import Organisation

        Organisation.objects.select_for_update().get(pk=organisation.pk)  # one writer at a time
        plan = _plan_shaped(organisation, year, kind, by)
        row = (
            DocumentText.objects.filter(organisation=organisation, year=year, kind=kind)
            .select_related("updated_by")
            .first()
        )
        current = row.updated_at.isoformat() if row is not None else ""
        if based_on is not None and current != based_on:
            raise EditConflict(
                f"ข้อความใน{DocumentText.Kind(kind).label} ปี {year} ถูกแก้ไขโดย{_by_name(row.updated_by if row else None)} "
                "หลังจากที่ท่านเปิดหน้านี้ จึงยังไม่ได้บันทึก (ข้อความที่ท่านพิมพ์ยังอยู่ครบ) "
                "ตรวจสอบแล้วหากต้องการบันทึกข้อความของท่านแทน กดบันทึกอีกครั้ง"
            )
        old = _values(row) if row is not None else defaults(kind, organisation, year)
        changes = {name: [old[name], new[name]] for name in new if old[name] != new[name]}
        if row is not None and not changes:
            return {}
        if row is None:
            row = DocumentText(organisation=organisation, year=year, kind=kind)
        for name in SECTIONS:
            setattr(row, name, new[name])
        row.indicator_analysis = new[PLACEMENT]
        row.updated_by = by
        row.save()
        if changes and plan is not None:
            from measures.services import _contribute

            _contribute(plan, by, "document.texts")  # shaped the revision: may not decide on it
        if changes:
            ChangeLog.objects.create(
                user=by,
                organisation=organisation,
                action="document.texts",
                summary=f"ข้อความใน{DocumentText.Kind(kind).label} ปี {year}",
                details={"year": year, "kind": kind, "changes": changes},
            )
    return changes


def _plan_shaped(organisation, year: int, kind: str, by):
    """The plan whose revision the measures document's texts belong to; they change only
    while it is a draft (or returned), as its measures do (WorkflowError otherwise)."""
    if kind != DocumentText.Kind.MEASURES:
        return None
    from measures.models import Plan
    from measures.services import _require_editable

    plan = Plan.objects.filter(organisation=organisation, fiscal_year__year=year).first()
    if plan is not None:
        _require_editable(plan)
    return plan


def snapshot_texts(plan) -> dict[str, str]:
    """The measures document's texts of a plan, for its revision snapshot (frozen at approval)."""
    values = texts_for(plan.organisation, plan.fiscal_year.year, DocumentText.Kind.MEASURES)
    return {name: values[name] for name in SECTIONS}
