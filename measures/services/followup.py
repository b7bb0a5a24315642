"""Follow-up: rounds, entries with evidence, the round's report and reminders."""

import calendar
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import ChangeLog
from assessments.thai import format_date

from .. import versions
from ..evidence import content_problem as evidence_content_problem
from ..evidence import display_name as evidence_display_name
from ..models import (
    Evidence,
    FollowUpEntry,
    FollowUpRound,
    Plan,
)
from .common import (
    ALLOWED_EVIDENCE,
    DEFAULT_ROUNDS,
    MAX_EVIDENCE_BYTES,
    EditConflict,
    EditConflicts,
    WorkflowError,
    _lock,
    _log,
)
from .notifications import _staff_of, notify


def round_due(fiscal_year, months):
    """Due date of an n-month round: the last day of the n-th month of the fiscal year."""
    start = fiscal_year.start
    month_index = start.month - 1 + months - 1
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, calendar.monthrange(year, month)[1])


def ensure_rounds(plan, *, months=DEFAULT_ROUNDS):
    """Create the plan's follow-up rounds (default 6 and 12 months) if missing."""
    with transaction.atomic():
        for number, n in enumerate(months, start=1):
            FollowUpRound.objects.get_or_create(
                plan=plan,
                number=number,
                defaults={"title": f"รอบ {n} เดือน", "due": round_due(plan.fiscal_year, n)},
            )
    return list(plan.rounds.order_by("number"))


def record_followup(round_, *, measure, by, status, percent, done="", problems="", suggestions="", version=None):
    """What was actually done for one measure in one round (status, percent, narrative).

    Each entry stands alone, so several units can report their measures in one round.
    ``version`` is the entry's version the edit was based on (0: there was no entry yet);
    an entry saved by someone else since is refused with EditConflict."""
    if not 0 <= int(percent) <= 100:
        raise WorkflowError("ร้อยละความสำเร็จต้องอยู่ระหว่าง 0 ถึง 100")
    if measure.plan_id != round_.plan_id:
        raise WorkflowError("มาตรการนี้ไม่อยู่ในแผนของรอบการติดตามนี้")
    with transaction.atomic():
        entry, created = FollowUpEntry.objects.select_for_update().get_or_create(
            round=round_, measure=measure, defaults={"measure_key": measure.pk, "measure_title": measure.title}
        )
        current = 0 if created else entry.version
        if version is not None and version != current:
            newer = ChangeLog.objects.filter(
                organisation=round_.plan.organisation, action="followup.entry", details__entry=entry.pk,
                details__version__gt=version,
            ).select_related("user").order_by("at", "pk")  # fmt: skip
            raise EditConflict(
                versions.conflict_message(f"ผลของมาตรการ “{measure.title[:60]}” ใน{round_.title} ", newer),
                current_version=current,
            )
        before = versions.entry_values(None if created else entry)
        after = {"status": status, "percent": int(percent), "done": done, "problems": problems,
                 "suggestions": suggestions}  # fmt: skip
        changes = versions.entry_changes(before, after)
        if not changes and not created:
            return entry  # saving an unchanged entry writes nothing
        entry.status, entry.percent = status, int(percent)
        entry.done, entry.problems, entry.suggestions = done, problems, suggestions
        entry.updated_by = by
        entry.version = current + 1
        entry.save()
        _log(round_.plan, by, "followup.entry",
             f"{round_.title}: {measure.title[:60]} ({entry.get_status_display()} {percent}%)",
             round=round_.number, entry=entry.pk, measure=measure.pk, version=entry.version,
             changes=changes)  # fmt: skip
        _build_public_ahead(round_)
    return entry


def record_round(round_, *, by, entries, summary=None):
    """Save the entries someone changed on a round's page, all or none: when any of them was
    saved by someone else after the page was opened, nothing is saved and EditConflicts maps
    each refused measure id to its conflict. ``entries``: dicts with measure, version, the
    entry's fields and optionally evidence (upload, url, description). ``summary``: the
    round's problems and suggestions with the values the page was opened with, or None."""
    from reports.public import batched

    conflicts = {}
    with transaction.atomic(), batched():  # the round's public PDF queued once, not per entry
        for edit in entries:
            fields = {name: edit[name] for name in versions.ENTRY_FIELDS}
            try:
                entry = record_followup(round_, measure=edit["measure"], by=by, version=edit["version"], **fields)
            except EditConflict as exc:
                conflicts[edit["measure"].pk] = exc
                continue
            evidence = edit.get("evidence") or {}
            if evidence.get("upload") or evidence.get("url"):
                add_evidence(entry, by=by, **evidence)
        if summary is not None:
            round_ = FollowUpRound.objects.select_for_update().get(pk=round_.pk)
            loaded = summary.pop("loaded")
            if loaded and versions.fingerprint(round_.problems, round_.suggestions) != loaded:  # no token: no check
                conflicts["round"] = EditConflict(
                    "ปัญหาและข้อเสนอแนะในภาพรวมถูกแก้ไขโดยผู้อื่นหลังจากที่ท่านเปิดหน้านี้ จึงยังไม่ได้บันทึก ค่าปัจจุบัน: "
                    f"ปัญหา “{versions.shown(round_.problems)}” ข้อเสนอแนะ “{versions.shown(round_.suggestions)}”",
                    current_version=0,
                )
            else:
                save_round_summary(round_, by=by, **summary)
        if conflicts:
            raise EditConflicts(conflicts)
    return round_


def evidence_problem(upload):
    """Why an uploaded evidence file is refused (Thai), or None: PDF, images, Office, ≤ 10 MB,
    and bytes that really are of the type the name claims (measures/evidence.py)."""
    name = upload.name.lower()
    ext = name[name.rfind(".") :] if "." in name else ""
    if ext not in ALLOWED_EVIDENCE:
        return f"ไฟล์ชนิด {ext or 'ไม่ทราบ'} ใช้ไม่ได้ รับเฉพาะ PDF รูปภาพ และเอกสาร Office"
    if upload.size > MAX_EVIDENCE_BYTES:
        return f"ไฟล์ใหญ่เกิน 10 MB ({upload.size / 1024 / 1024:.1f} MB)"
    return evidence_content_problem(upload, ext)


def add_evidence(entry, *, by, upload=None, url="", description=""):
    """Attach a file (PDF, image or Office document up to 10 MB) or a link to an entry."""
    if upload is None and not url:
        raise WorkflowError("กรุณาเลือกไฟล์หรือใส่ลิงก์หลักฐาน")
    problem = evidence_problem(upload) if upload is not None else None
    if problem:
        raise WorkflowError(problem)
    with transaction.atomic():
        filename = evidence_display_name(upload.name) if upload is not None else ""
        evidence = Evidence.objects.create(
            entry=entry, file=upload or "", filename=filename, url=url, description=description,
            size=upload.size if upload is not None else 0, uploaded_by=by,
        )  # fmt: skip
        _log(entry.round.plan, by, "followup.evidence", f"หลักฐาน: {description or url or filename}")
        _build_public_ahead(entry.round)
    return evidence


def _build_public_ahead(round_) -> None:
    """A reported round is public: its PDF is rebuilt in the background after each change."""
    from reports.public import build_ahead_round

    build_ahead_round(round_)


def report_round(round_, *, by) -> FollowUpRound:
    """ "ส่งรายงานผลรอบนี้": staff declare the round's results final for publishing. Only a
    reported round is public, printed against the revision approved at that moment."""
    with transaction.atomic():
        plan = _lock(round_.plan)
        round_ = FollowUpRound.objects.select_for_update().get(pk=round_.pk)
        if not plan.organisation.can_edit(by):
            raise WorkflowError("เฉพาะเจ้าหน้าที่ของหน่วยงานจึงส่งรายงานผลการดำเนินการได้")
        if plan.approved_revision_id is None:
            raise WorkflowError("แผนมาตรการยังไม่ได้รับอนุมัติ จึงยังส่งรายงานผลการดำเนินการไม่ได้")
        if round_.reported_at is not None:
            raise WorkflowError(f"{round_.title}ส่งรายงานแล้วเมื่อ {format_date(timezone.localdate(round_.reported_at))}")
        round_.reported_at, round_.reported_by = timezone.now(), by
        round_.reported_revision_id = plan.approved_revision_id
        round_.save(update_fields=["reported_at", "reported_by", "reported_revision"])
        _log(plan, by, "followup.report", f"ส่งรายงานผล{round_.title} (ตามฉบับที่อนุมัติ {plan.approved_revision.number})",
             round=round_.number, revision=plan.approved_revision.number)  # fmt: skip
        _build_public_ahead(round_)  # its public PDF, in the background after commit
    return round_


def save_round_summary(round_, *, by, problems, suggestions):
    """The round's overall problems and suggestions; an unchanged save writes nothing."""
    with transaction.atomic():
        round_ = (
            FollowUpRound.objects.select_for_update()
            .select_related("plan__organisation", "plan__fiscal_year")
            .get(pk=round_.pk)
        )
        changed = {
            name: {"old": getattr(round_, name), "new": value}
            for name, value in (("problems", problems), ("suggestions", suggestions))
            if getattr(round_, name) != value
        }
        if not changed:
            return
        round_.problems, round_.suggestions = problems, suggestions
        round_.save(update_fields=["problems", "suggestions"])
        _log(round_.plan, by, "followup.round", f"{round_.title}: ปัญหาและข้อเสนอแนะ", round=round_.number,
             changes=changed)  # fmt: skip
        _build_public_ahead(round_)


def send_due_reminders(today=None, *, days_before=7):
    """Remind staff of rounds due within ``days_before`` days and of rounds past due with
    unfinished measures — each round at most once before and once after, even with two
    workers: each reminder is claimed by a conditional UPDATE first."""
    today = today or timezone.localdate()
    sent = 0
    now = timezone.now()
    soon = FollowUpRound.objects.filter(
        reminded_before_at__isnull=True, due__gte=today, due__lte=today + timedelta(days=days_before),
        plan__state=Plan.State.APPROVED,
    ).select_related("plan__organisation", "plan__fiscal_year")  # fmt: skip
    for round_ in soon:
        with transaction.atomic():
            if (
                FollowUpRound.objects.filter(pk=round_.pk, reminded_before_at__isnull=True).update(
                    reminded_before_at=now
                )
                != 1
            ):
                continue
            plan = round_.plan
            notify(
                _staff_of(plan.organisation), organisation=plan.organisation, key=f"round:{round_.pk}:before",
                message=f"ใกล้ถึงกำหนดรายงาน{round_.title} ของแผนมาตรการปี {plan.fiscal_year.year} "
                f"(ภายใน {format_date(round_.due, thai_digits=False)})",
                url=reverse("followup", kwargs={"code": plan.organisation.code, "year": plan.fiscal_year.year, "number": round_.number}),
            )  # fmt: skip
            sent += 1
    late = FollowUpRound.objects.filter(
        reminded_after_at__isnull=True, due__lt=today, plan__state=Plan.State.APPROVED
    ).select_related("plan__organisation", "plan__fiscal_year")
    for round_ in late:
        # One subquery for "finished in this round": an exclude() over two conditions on a
        # multi-valued relation would also skip measures finished in another round.
        finished = FollowUpEntry.objects.filter(
            round=round_, status__in=[FollowUpEntry.Status.DONE, FollowUpEntry.Status.CANCELLED]
        ).values("measure_id")
        unfinished = round_.plan.measures.exclude(pk__in=finished).count()
        if not unfinished:
            continue
        with transaction.atomic():
            if (
                FollowUpRound.objects.filter(pk=round_.pk, reminded_after_at__isnull=True).update(reminded_after_at=now)
                != 1
            ):
                continue
            plan = round_.plan
            notify(
                _staff_of(plan.organisation), organisation=plan.organisation, key=f"round:{round_.pk}:after",
                message=f"เลยกำหนดรายงาน{round_.title} แล้ว ยังมี {unfinished} มาตรการที่ยังไม่แล้วเสร็จหรือยังไม่รายงาน",
                url=reverse("followup", kwargs={"code": plan.organisation.code, "year": plan.fiscal_year.year, "number": round_.number}),
            )  # fmt: skip
            sent += 1
    return sent
