"""Optimistic locking helpers: what changed between two versions of a row, as people read
it, fingerprints of what a form showed, and the Thai message refusing a stale edit."""

import hashlib
from datetime import date

from django.utils import timezone

from assessments.thai import format_date

from .models import FollowUpEntry, Measure


def shown(value):
    """A value as people read it in a conflict message."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, date):
        return format_date(value, thai_digits=False)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def measure_values(measure):
    values = {name: getattr(measure, name) for name in MEASURE_FIELDS if name not in ("units", "people")}
    # in the order staff gave them: reordering is a change (it is printed)
    ordered = measure.responsible_of()
    values["units"] = [str(row) for kind, row in ordered if kind == "unit"]
    values["people"] = [str(row) for kind, row in ordered if kind == "person"]
    return values


MEASURE_FIELDS = ("issue_area", "indicators", "items", "title", "method", "steps", "units", "people", "start",
                  "end", "monitoring", "budget", "target")  # fmt: skip


def measure_changes(before, after):
    """{field label: [old, new]} of what differs, as people read the values."""
    out = {}
    for name, old in before.items():
        new = after.get(name, old)
        if shown(old) != shown(new):
            out[str(Measure._meta.get_field(name).verbose_name)] = [shown(old), shown(new)]
    return out


def conflict_message(subject, entries):
    """The Thai refusal of a stale edit: who changed what since the version it was based on.
    ``entries`` are ChangeLog rows whose details carry ``changes`` {label: [old, new]}."""
    lines = [f"{subject}ถูกแก้ไขโดยผู้อื่นหลังจากที่ท่านเปิดแบบฟอร์มนี้ จึงยังไม่ได้บันทึกสิ่งที่ท่านกรอก (ข้อมูลที่กรอกยังอยู่ครบ)"]
    for entry in entries:
        who = (entry.user.get_full_name() or entry.user.username) if entry.user else "ระบบ"
        changed = entry.details.get("changes") or {}
        what = "; ".join(f"{label}: “{old}” → “{new}”" for label, (old, new) in changed.items()) or "บันทึกซ้ำ"
        lines.append(f"• {who} เมื่อ {format_date(timezone.localtime(entry.at).date(), thai_digits=False)} "
                     f"{timezone.localtime(entry.at):%H:%M} น.: {what}")  # fmt: skip
    lines.append("ตรวจสอบแล้วหากต้องการบันทึกค่าของท่านแทน กดบันทึกอีกครั้ง")
    return "\n".join(lines)


ENTRY_FIELDS = ("status", "percent", "done", "problems", "suggestions")


def fingerprint(*values):
    """A short digest of values as shown in a form: tells whether the person changed them
    at all (textareas come back with CRLF line ends)."""
    parts = [("" if value is None else str(value)).replace("\r\n", "\n").strip() for value in values]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def entry_fingerprint(values):
    return fingerprint(*(values.get(name) for name in ENTRY_FIELDS))


def entry_values(entry):
    """An entry's values for its form (the defaults when nothing was reported yet)."""
    if entry is None:
        return {"status": FollowUpEntry.Status.NOT_STARTED, "percent": 0, "done": "", "problems": "", "suggestions": ""}
    return {name: getattr(entry, name) for name in ENTRY_FIELDS}


def entry_changes(before, after):
    out = {}
    for name in ENTRY_FIELDS:
        old, new = before[name], after[name]
        if name == "status":
            old, new = FollowUpEntry.Status(old).label, FollowUpEntry.Status(new).label
        if str(old) != str(new):
            out[str(FollowUpEntry._meta.get_field(name).verbose_name)] = [shown(old), shown(new)]
    return out
