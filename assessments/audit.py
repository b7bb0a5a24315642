"""The organisation's audit trail: every recorded change, read by its executive.

The change log is written by the services (scores, narratives, measures, decisions,
follow-up, the chain, units and people) and by the admin (memberships, organisations);
this page only reads it, filtered by who and by what.
"""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ita_portal.access import access_organisation, may_read_audit

from .models import ChangeLog

# What was changed: the action's first word → its Thai name (in the order the filter shows).
TOPICS = {
    "scores": "คะแนน",
    "narrative": "คำอธิบายผลการวิเคราะห์",
    "recommendation": "ข้อเสนอแนะของผู้ตรวจประเมิน",
    "plan": "แผนและการพิจารณา",
    "measure": "มาตรการ",
    "followup": "การติดตามผล",
    "chain": "สายการอนุมัติ",
    "unit": "ส่วนราชการ",
    "person": "ผู้รับผิดชอบ",
    "membership": "สมาชิกและบทบาท",
    "organisation": "ข้อมูลหน่วยงาน",
    "report": "เอกสาร",
    "document": "ข้อความในเอกสาร",
    "signoff": "ช่องลงนามในเอกสาร",
}
PAGE_SIZE = 50

# Field names as the change log stores them → what the page calls them.
FIELD_LABELS = {
    "issue_area": "ประเด็น", "indicators": "ตัวชี้วัด", "items": "ข้อการประเมิน", "title": "มาตรการ",
    "method": "วิธีการ", "steps": "ขั้นตอน", "units": "ส่วนราชการที่รับผิดชอบ", "people": "ผู้รับผิดชอบ",
    "start": "วันเริ่ม", "end": "วันสิ้นสุด", "monitoring": "การติดตามประเมินผล", "budget": "งบประมาณ",
    "target": "เป้าหมาย", "status": "สถานะ", "percent": "ร้อยละ", "done": "การดำเนินการ",
    "problems": "ปัญหาอุปสรรค", "suggestions": "ข้อเสนอแนะ", "user": "ผู้ใช้", "role": "บทบาท",
    "position": "ตำแหน่ง", "name": "ชื่อ", "unit": "ส่วนราชการ", "layout": "รูปแบบตาราง",
    "memo_number": "ที่ (เลขที่หนังสือ)",
    "intro": "บทนำ", "limitations": "ข้อจำกัด", "summary": "สรุป", "closing": "ส่วนท้าย",
    "indicator_analysis": "ผลการวิเคราะห์รายตัวชี้วัดพิมพ์", "text": "ข้อความ", "tool": "เครื่องมือ", "part": "ส่วน",
    "item_codes": "ข้อที่เกี่ยวข้อง", "order": "ลำดับ",
    # The memo's parts (reports/memo.py), the organisation's document settings and sign-off blocks.
    "memo_department": "ส่วนราชการ", "memo_date": "วันที่", "memo_subject": "เรื่อง",
    "memo_to": "เรียน", "memo_background": "เรื่องเดิม", "memo_facts": "ข้อเท็จจริง", "memo_law": "ข้อกฎหมาย/ระเบียบ",
    "memo_consideration": "ข้อพิจารณา/ข้อเสนอ", "memo_closing": "คำลงท้าย", "emblem": "ตราหน่วยงาน",
    "doc_number_prefix": "รหัสเลขที่หนังสือ", "signoff_mode": "ช่องลงนาม", "signoff_reporter": "ผู้รายงาน",
    "signoff_certifier": "ผู้รับรอง", "signoff_endorser": "ผู้เห็นชอบ",
}  # fmt: skip


@functools.cache
def _value_labels() -> dict[str, str]:
    from measures.models import FollowUpEntry
    from reports.models import DocumentText

    from .models import Role

    return {**dict(FollowUpEntry.Status.choices), **dict(Role.choices), **dict(DocumentText.Placement.choices)}


def topic_of(action: str) -> str:
    """The Thai name of what an action changed ("measure.edit" → "มาตรการ")."""
    return TOPICS.get(action.split(".", 1)[0], action)


@login_required
@require_safe
def audit_page(request, code):
    """Who changed what, when, old → new; newest first, filtered by user and topic."""
    organisation = access_organisation(request.user, code)
    if not may_read_audit(organisation, request.user):
        raise PermissionDenied("เฉพาะผู้บริหารของหน่วยงานหรือผู้ดูแลระบบจึงอ่านบันทึกการเปลี่ยนแปลงได้")
    logs = ChangeLog.objects.filter(organisation=organisation).select_related("user")
    user_ids = ChangeLog.objects.filter(organisation=organisation).exclude(user=None).values("user_id").distinct()
    people = list(get_user_model().objects.filter(pk__in=user_ids).order_by("first_name", "username"))
    who = request.GET.get("who", "")
    what = request.GET.get("what", "")
    if who.isdigit() and len(who) < 12:
        logs = logs.filter(user_id=int(who))
    if what in TOPICS:
        logs = logs.filter(action__startswith=f"{what}.")
    page = Paginator(logs.order_by("-at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"log": log, "topic": topic_of(log.action), "changes": _changes(log.details)} for log in page.object_list]
    return render(
        request,
        "assessments/audit.html",
        {
            "organisation": organisation,
            "page": page,
            "rows": rows,
            "people": people,
            "topics": TOPICS.items(),
            "who": who,
            "what": what,
        },
    )


def _changes(details: dict) -> list[tuple[str, str, str]]:
    """(field, old, new) rows from a log entry's details, in Thai, for the page."""
    return [(FIELD_LABELS.get(f, f), _label(old), _label(new)) for f, old, new in _raw_changes(details)]


def _label(text: str) -> str:
    return _value_labels().get(text, text)


def _raw_changes(details: dict) -> list[tuple[str, str, str]]:
    details = details or {}
    if isinstance(details.get("changes"), dict):  # {field: [old, new]} as the services write it
        return [(name, _text(old), _text(new)) for name, (old, new) in details["changes"].items()]
    if details and all(isinstance(v, list) and len(v) == 2 for v in details.values()):  # organisations
        return [(name, _text(old), _text(new)) for name, (old, new) in details.items()]
    old, new = details.get("old"), details.get("new")
    if isinstance(old, dict) or isinstance(new, dict):
        keys = list(dict.fromkeys([*(old or {}), *(new or {})]))
        return [(k, _text((old or {}).get(k)), _text((new or {}).get(k))) for k in keys]
    if old is not None or new is not None:
        return [("", _text(old), _text(new))]
    return []


def _text(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value) or "–"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)
