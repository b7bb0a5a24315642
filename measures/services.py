"""Plans, measures, the approval workflow and follow-up: every multi-row write.

Each function owns its transaction, locks the plan it changes, checks the state and
raises WorkflowError with a Thai message, writes the log/decision row, and queues
notifications with ``transaction.on_commit`` so nothing is sent for a rolled-back move.
"""

import calendar
import hashlib
import json
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import ChangeLog, FiscalYear, IssueArea, Membership, Role
from assessments.thai import format_date

from .models import (
    ApprovalStep,
    Decision,
    Evidence,
    FollowUpEntry,
    FollowUpRound,
    Measure,
    MeasureTemplate,
    Notification,
    OrgUnit,
    Plan,
    PlanRevision,
)


class WorkflowError(Exception):
    """A move that is not allowed now; the message is Thai, for the user."""


# Allowed moves: state -> decision kinds. Who may make them is checked in the functions.
MOVES = {
    Plan.State.DRAFT: {Decision.Kind.SUBMIT},
    Plan.State.RETURNED: {Decision.Kind.SUBMIT},
    Plan.State.REJECTED: {Decision.Kind.SUBMIT},
    Plan.State.SUBMITTED: {Decision.Kind.FORWARD, Decision.Kind.RETURN, Decision.Kind.APPROVE, Decision.Kind.REJECT},
    Plan.State.APPROVED: {Decision.Kind.REVISE},
}

ALLOWED_EVIDENCE = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx"}
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
DEFAULT_ROUNDS = (6, 12)


def _lock(plan):
    return Plan.objects.select_for_update().select_related("organisation", "fiscal_year").get(pk=plan.pk)


def _require(plan, kind):
    if kind not in MOVES.get(plan.state, set()):
        raise WorkflowError(
            f"ทำรายการ “{Decision.Kind(kind).label}” ไม่ได้ เพราะแผนอยู่ในสถานะ “{plan.get_state_display()}”"
        )


def _require_editable(plan):
    if not plan.is_editable:
        if plan.state == Plan.State.APPROVED:
            raise WorkflowError("แผนนี้อนุมัติแล้ว หากต้องการแก้ไขให้เริ่มฉบับแก้ไขใหม่ ซึ่งต้องขออนุมัติอีกครั้ง")
        raise WorkflowError("แผนอยู่ระหว่างการพิจารณา แก้ไขไม่ได้จนกว่าจะถูกส่งกลับ")


def _log(plan, by, action, summary, **details):
    ChangeLog.objects.create(
        user=by, organisation=plan.organisation, action=action, summary=summary,
        details={"year": plan.fiscal_year.year, "plan": plan.pk, **details},
    )  # fmt: skip


# --------------------------------------------------------------------------- #
# Plans and drafting
# --------------------------------------------------------------------------- #


def fiscal_month_bounds(fiscal_year, start_month, end_month):
    """Dates of months within fiscal year N (Oct of N-1 .. Sep of N): first and last day."""

    def year_of(month):
        return fiscal_year.start.year if month >= 10 else fiscal_year.end.year

    start = date(year_of(start_month), start_month, 1)
    end_year = year_of(end_month)
    end = date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])
    if end < start:
        end = fiscal_year.end
    return start, end


def get_or_create_plan(organisation, *, fiscal_year, analysis_year=None):
    """A new plan takes the table layout of the organisation's latest plan: the layout is the
    organisation's choice, kept from year to year."""
    analysis_year = analysis_year or FiscalYear.objects.filter(year=fiscal_year.year - 1).first() or fiscal_year
    latest = Plan.objects.filter(organisation=organisation).order_by("-fiscal_year__year").values("layout").first()
    plan, _ = Plan.objects.get_or_create(
        organisation=organisation,
        fiscal_year=fiscal_year,
        defaults={"analysis_year": analysis_year, **({"layout": latest["layout"]} if latest else {})},
    )
    return plan


def set_plan_documents(plan, *, by, layout, memo_number=""):
    """How the plan's documents are printed: the measures table grouped by issue area (seed
    001, six columns) or by indicator (seed 000, five columns), and the memo's ที่. Like the
    measures, they change only while the plan is being drafted: what was approved stays as signed."""
    if layout not in Plan.Layout.values:
        raise WorkflowError("ไม่รู้จักรูปแบบตารางนี้ เลือกได้: " + " หรือ ".join(f"“{label}”" for label in Plan.Layout.labels))
    memo_number = " ".join((memo_number or "").split())
    if len(memo_number) > 60:
        raise WorkflowError(f"เลขที่หนังสือยาวเกิน 60 ตัวอักษร ({len(memo_number)} ตัวอักษร)")
    with transaction.atomic():
        plan = _lock(plan)
        if not plan.organisation.can_edit(by):
            raise WorkflowError("เฉพาะเจ้าหน้าที่ของหน่วยงานจึงกำหนดรูปแบบเอกสารได้")
        _require_editable(plan)
        if (plan.layout, plan.memo_number) == (layout, memo_number):
            return plan
        old = {"layout": plan.layout, "memo_number": plan.memo_number}
        plan.layout, plan.memo_number = layout, memo_number
        plan.save(update_fields=["layout", "memo_number", "updated_at"])
        _log(plan, by, "plan.documents", f"รูปแบบเอกสาร: {plan.get_layout_display()}, ที่ {memo_number or '–'}",
             old=old, new={"layout": layout, "memo_number": memo_number})  # fmt: skip
    return plan


class Draft(tuple):
    """What drafting did: unpacks as ``(plan, added)``; ``uncovered`` names what no template
    answers (``{"indicators": [numbers], "items": [labels]}``), for the message and the CLI."""

    def __new__(cls, plan, added, uncovered):
        draft = super().__new__(cls, (plan, added))
        draft.plan, draft.added, draft.uncovered = plan, added, uncovered
        return draft

    def uncovered_text(self):
        """The uncovered indicators and items as one Thai sentence ("" when all is covered)."""
        parts = []
        if self.uncovered["indicators"]:
            parts.append("ตัวชี้วัดที่ " + ", ".join(str(n) for n in self.uncovered["indicators"]))
        if self.uncovered["items"]:
            parts.append("ข้อ " + ", ".join(self.uncovered["items"]))
        if not parts:
            return ""
        return "ยังไม่มีแม่แบบมาตรการสำหรับ " + " และ ".join(parts) + " กรุณาเพิ่มมาตรการสำหรับรายการเหล่านี้เอง"


def _template_rank(template):
    # A template written for topics (no years) first, then the one of the latest year.
    return (bool(template.years), -max(template.years or [0]), template.key)


def _item_templates(templates, code, topic, year):
    """The improve templates that answer one weak item of the analysis year: those written for
    its code (in that year, when they name years: 2565/2566), else the best one for its topic."""
    improve = [t for t in templates if t.kind == MeasureTemplate.Kind.IMPROVE]
    exact = [t for t in improve if code in t.items and (not t.years or year in t.years)]
    if exact:
        return exact
    if topic:
        by_topic = sorted((t for t in improve if topic in t.topics), key=_template_rank)
        return by_topic[:1]
    return []


def _indicator_template(templates, number, kind):
    """The indicator-level template (no items, no topics) of that kind, for any year."""
    candidates = [t for t in templates if t.kind == kind and t.indicator == number and not t.items and not t.topics]
    return min(candidates, key=_template_rank, default=None)


def draft_plan_from_analysis(organisation, *, fiscal_year, by, analysis_year=None, keep_standard=True):
    """Draft measures from the analysis of the analysis year: one for every weak or failed item
    that a template answers (by its code in 2565/2566, by its topic in any year), one for
    every weak indicator that no item measure answers (the indicator-level template), and a
    "keep the standard" measure for each strong indicator. Templates already used in the plan
    are skipped, so running it twice adds nothing. Returns a ``Draft``: ``(plan, added)`` with
    ``uncovered``, the weak indicators and items no template answers."""
    from assessments.item_meta import item_topics

    plan = get_or_create_plan(organisation, fiscal_year=fiscal_year, analysis_year=analysis_year)
    with transaction.atomic():
        plan = _lock(plan)
        _require_editable(plan)
        assessment = assessment_services.scored_assessment(organisation, plan.analysis_year)
        if assessment is None:
            raise WorkflowError(f"ยังไม่มีผลการประเมินปี {plan.analysis_year.year} จึงร่างมาตรการจากผลการวิเคราะห์ไม่ได้")
        result = assessment_services.analyse_assessment(assessment, with_previous=False)
        year = plan.analysis_year.year
        templates = list(MeasureTemplate.objects.select_related("issue_area"))
        topics = item_topics(plan.analysis_year)
        existing = set(plan.measures.exclude(template_key="").values_list("template_key", flat=True))
        chosen = {}  # template key -> (template, item codes, indicator numbers), in drafting order
        uncovered = {"indicators": [], "items": []}

        def pick(template, codes=(), number=None):
            if template.key in existing:
                return
            _, picked_codes, numbers = chosen.setdefault(template.key, (template, [], []))
            picked_codes.extend(c for c in codes if c not in picked_codes)
            if number is not None and number not in numbers:
                numbers.append(number)

        threshold = result.threshold
        ranked = result.weaknesses + list(result.strengths)
        # Indicators without a score of their own still count their items scored 0.
        unranked = [i for i in result.indicators if i.number not in {r.number for r in ranked}]
        for ind in ranked + unranked:
            covered = False
            for item in ind.weak_items(threshold):
                answering = _item_templates(templates, item.code, topics.get(item.code, ""), year)
                if not answering:
                    uncovered["items"].append(item.label)
                for template in answering:
                    pick(template, [item.code], ind.number)
                    covered = True
            if ind.status == "weak" and not covered:
                template = _indicator_template(templates, ind.number, MeasureTemplate.Kind.IMPROVE)
                if template is None:
                    uncovered["indicators"].append(ind.number)
                else:
                    pick(template, number=ind.number)
            if ind.status in ("strong", "good") and keep_standard and not covered:
                template = _indicator_template(templates, ind.number, MeasureTemplate.Kind.MAINTAIN)
                if template is not None:
                    pick(template, number=ind.number)
        order = (plan.measures.aggregate(m=Max("order"))["m"] or 0) + 1
        for template, codes, numbers in chosen.values():
            start, end = fiscal_month_bounds(plan.fiscal_year, template.start_month, template.end_month)
            measure = Measure.objects.create(
                plan=plan,
                order=order,
                issue_area=template.issue_area,
                indicators=numbers or [template.indicator],
                items=codes or list(template.items),
                title=template.title,
                method=template.method,
                steps=list(template.steps),
                start=start,
                end=end,
                monitoring=template.monitoring,
                target=template.target,
                template_key=template.key,
            )
            if template.responsible_unit:
                unit, _ = OrgUnit.objects.get_or_create(organisation=organisation, name=template.responsible_unit)
                measure.units.add(unit)
            order += 1
        _log(plan, by, "plan.draft", f"ร่างมาตรการจากผลการวิเคราะห์ปี {year}: {len(chosen)} มาตรการ",
             uncovered=uncovered)  # fmt: skip
    return Draft(plan, len(chosen), uncovered)


def save_measure(plan, *, by, measure=None, **fields):
    """Create or change one measure of an editable plan; units/people are lists of rows."""
    units = fields.pop("units", None)
    people = fields.pop("people", None)
    with transaction.atomic():
        plan = _lock(plan)
        _require_editable(plan)
        if fields.get("start") and fields.get("end") and fields["end"] < fields["start"]:
            raise WorkflowError("วันสิ้นสุดต้องไม่ก่อนวันเริ่ม")
        if measure is None:
            fields.setdefault("order", (plan.measures.aggregate(m=Max("order"))["m"] or 0) + 1)
            measure = Measure.objects.create(plan=plan, **fields)
            action = "measure.add"
        else:
            for name, value in fields.items():
                setattr(measure, name, value)
            measure.save()
            action = "measure.edit"
        if units is not None:
            measure.units.set(units)
        if people is not None:
            measure.people.set(people)
        _log(plan, by, action, f"มาตรการ: {measure.title[:80]}", measure=measure.pk)
    return measure


def delete_measure(measure, *, by):
    with transaction.atomic():
        plan = _lock(measure.plan)
        _require_editable(plan)
        title = measure.title
        measure.delete()
        _log(plan, by, "measure.delete", f"ลบมาตรการ: {title[:80]}")


def move_measure(measure, *, by, offset):
    """Move a measure up (-1) or down (+1) in the plan's order."""
    with transaction.atomic():
        plan = _lock(measure.plan)
        _require_editable(plan)
        ordered = list(plan.measures.order_by("order", "pk"))
        i = next(n for n, m in enumerate(ordered) if m.pk == measure.pk)
        j = i + offset
        if 0 <= j < len(ordered):
            ordered[i], ordered[j] = ordered[j], ordered[i]
            for n, m in enumerate(ordered, start=1):
                if m.order != n:
                    m.order = n
                    m.save(update_fields=["order"])
            _log(plan, by, "measure.move", f"เรียงลำดับมาตรการ: {measure.title[:60]}")


# --------------------------------------------------------------------------- #
# Approval workflow
# --------------------------------------------------------------------------- #


def chain_of(organisation):
    return list(ApprovalStep.objects.filter(organisation=organisation).prefetch_related("users").order_by("order"))


def plan_snapshot(plan):
    """The plan's content as plain, ordered data: what an approval freezes."""
    measures = plan.measures.select_related("issue_area").prefetch_related("units", "people").order_by("order", "pk")
    return {
        "organisation": plan.organisation.code,
        "fiscal_year": plan.fiscal_year.year,
        "analysis_year": plan.analysis_year.year,
        "revision": plan.revision,
        "layout": plan.layout,  # the table as it was signed
        "measures": [
            {
                "order": m.order,
                "issue_area": m.issue_area.number,
                "indicators": m.indicators,
                "items": m.items,
                "title": m.title,
                "method": m.method,
                "steps": m.steps,
                "units": [u.name for u in m.units.all()],
                "people": [{"name": p.name, "position": p.position} for p in m.people.all()],
                "start": m.start.isoformat(),
                "end": m.end.isoformat(),
                "monitoring": m.monitoring,
                "budget": str(m.budget) if m.budget is not None else None,
                "target": m.target,
            }
            for m in measures
        ],
    }


def snapshot_hash(snapshot):
    text = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _decide(plan, *, by, kind, to_state, step=None, opinion="", signer_name="", signer_position=""):
    return Decision.objects.create(
        plan=plan,
        revision=plan.revision,
        submission=plan.submission,
        step=step.order if step else None,
        position=step.title if step else "",
        user=by,
        signer_name=signer_name or (by.get_full_name() or by.username if by else ""),
        signer_position=signer_position,
        opinion=opinion,
        kind=kind,
        from_state=plan.state,
        to_state=to_state,
    )


def submit_plan(plan, *, by, opinion=""):
    """Staff submit the plan (again) to the first step of the organisation's chain."""
    with transaction.atomic():
        plan = _lock(plan)
        _require(plan, Decision.Kind.SUBMIT)
        if not plan.organisation.can_edit(by):
            raise WorkflowError("เฉพาะเจ้าหน้าที่ของหน่วยงานจึงเสนอแผนได้")
        if not plan.measures.exists():
            raise WorkflowError("แผนยังไม่มีมาตรการ กรุณาเพิ่มมาตรการก่อนเสนอ")
        chain = chain_of(plan.organisation)
        if not chain:
            raise WorkflowError("หน่วยงานยังไม่ได้กำหนดสายการอนุมัติ")
        plan.submission += 1
        _decide(plan, by=by, kind=Decision.Kind.SUBMIT, to_state=Plan.State.SUBMITTED, opinion=opinion,
                signer_position=_position_of(by, plan.organisation))  # fmt: skip
        plan.state = Plan.State.SUBMITTED
        plan.current_step = chain[0].order
        plan.save(update_fields=["state", "current_step", "submission", "updated_at"])
        _log(plan, by, "plan.submit", f"เสนอแผนมาตรการปี {plan.fiscal_year.year} ครั้งที่ {plan.submission}")
        _notify_step(plan, chain[0])
    return plan


def _position_of(user, organisation):
    membership = Membership.objects.filter(user=user, organisation=organisation).exclude(position="").first()
    return membership.position if membership else ""


def record_decision(plan, *, by, kind, opinion="", signer_name="", signer_position="", permit_publish=False):
    """The current step's user records an opinion and passes the plan on, returns it with a
    reason, or (last step) approves or does not approve it. Each user acts once per round."""
    with transaction.atomic():
        plan = _lock(plan)
        _require(plan, kind)
        chain = chain_of(plan.organisation)
        step = next((s for s in chain if s.order == plan.current_step), None)
        if step is None or by not in step.users.all():
            raise WorkflowError("ท่านไม่ใช่ผู้พิจารณาในขั้นตอนปัจจุบันของแผนนี้")
        if (
            Decision.objects.filter(plan=plan, revision=plan.revision, submission=plan.submission, user=by)
            .exclude(kind=Decision.Kind.SUBMIT)
            .exists()
        ):
            raise WorkflowError("ท่านได้พิจารณาแผนนี้ในรอบนี้แล้ว")
        last = step is chain[-1]
        opinion = (opinion or "").strip()
        signer_position = signer_position or _position_of(by, plan.organisation) or step.title
        if kind == Decision.Kind.FORWARD and last:
            raise WorkflowError("ขั้นตอนสุดท้ายต้องเลือกอนุมัติหรือไม่อนุมัติ")
        if kind in (Decision.Kind.APPROVE, Decision.Kind.REJECT) and not last:
            raise WorkflowError("อนุมัติหรือไม่อนุมัติได้เฉพาะขั้นตอนสุดท้าย")
        if kind == Decision.Kind.RETURN and not opinion:
            raise WorkflowError("กรุณาระบุเหตุผลที่ส่งกลับแก้ไข")
        if kind == Decision.Kind.FORWARD:
            following = chain[chain.index(step) + 1]
            _decide(plan, by=by, kind=kind, to_state=plan.state, step=step, opinion=opinion,
                    signer_name=signer_name, signer_position=signer_position)  # fmt: skip
            plan.current_step = following.order
            plan.save(update_fields=["current_step", "updated_at"])
            _notify_step(plan, following)
        elif kind == Decision.Kind.RETURN:
            _decide(plan, by=by, kind=kind, to_state=Plan.State.RETURNED, step=step, opinion=opinion,
                    signer_name=signer_name, signer_position=signer_position)  # fmt: skip
            plan.state = Plan.State.RETURNED
            plan.current_step = None
            plan.save(update_fields=["state", "current_step", "updated_at"])
            _notify_staff(plan, f"แผนมาตรการปี {plan.fiscal_year.year} ถูกส่งกลับแก้ไข: {opinion}", "returned")
        elif kind == Decision.Kind.APPROVE:
            _decide(plan, by=by, kind=kind, to_state=Plan.State.APPROVED, step=step, opinion=opinion,
                    signer_name=signer_name, signer_position=signer_position)  # fmt: skip
            snapshot = plan_snapshot(plan)
            revision = PlanRevision.objects.create(
                plan=plan, number=plan.revision, snapshot=snapshot, sha256=snapshot_hash(snapshot),
                layout=plan.layout, approved_at=timezone.now(), approved_by=by,
            )  # fmt: skip
            plan.state = Plan.State.APPROVED
            plan.current_step = None
            plan.approved_revision = revision
            plan.publish_permitted = bool(permit_publish)
            plan.save(update_fields=["state", "current_step", "approved_revision", "publish_permitted", "updated_at"])
            _notify_staff(plan, f"แผนมาตรการปี {plan.fiscal_year.year} ได้รับอนุมัติแล้ว", "approved")
        else:  # REJECT
            _decide(plan, by=by, kind=kind, to_state=Plan.State.REJECTED, step=step, opinion=opinion,
                    signer_name=signer_name, signer_position=signer_position)  # fmt: skip
            plan.state = Plan.State.REJECTED
            plan.current_step = None
            plan.save(update_fields=["state", "current_step", "updated_at"])
            _notify_staff(plan, f"แผนมาตรการปี {plan.fiscal_year.year} ไม่ได้รับอนุมัติ", "rejected")
        _log(plan, by, f"plan.{kind}", f"{Decision.Kind(kind).label}: {step.title}", step=step.order)
    return plan


def start_revision(plan, *, by):
    """Open an approved plan for changes as a new revision; the approved one stays readable
    (and published) until the new revision is approved."""
    with transaction.atomic():
        plan = _lock(plan)
        _require(plan, Decision.Kind.REVISE)
        if not plan.organisation.can_edit(by):
            raise WorkflowError("เฉพาะเจ้าหน้าที่ของหน่วยงานจึงแก้ไขแผนได้")
        _decide(plan, by=by, kind=Decision.Kind.REVISE, to_state=Plan.State.DRAFT)
        plan.revision += 1
        plan.submission = 0
        plan.state = Plan.State.DRAFT
        plan.save(update_fields=["revision", "submission", "state", "updated_at"])
        _log(plan, by, "plan.revise", f"เริ่มฉบับแก้ไขที่ {plan.revision}")
    return plan


# --------------------------------------------------------------------------- #
# Notifications (created in the transaction, e-mailed after commit, once)
# --------------------------------------------------------------------------- #


def _plan_url(plan):
    return reverse("plan", kwargs={"code": plan.organisation.code, "year": plan.fiscal_year.year})


def notify(users, *, organisation, key, message, url=""):
    """Create one in-app notice per user for this key (never twice) and e-mail it after commit."""
    from .tasks import send_notification_email

    created = []
    for user in users:
        notice, new = Notification.objects.get_or_create(
            user=user, key=key, defaults={"organisation": organisation, "message": message, "url": url}
        )
        if new:
            created.append(notice.pk)
    for pk in created:
        transaction.on_commit(lambda pk=pk: send_notification_email.delay(pk))
    return created


def _notify_step(plan, step):
    notify(
        step.users.all(),
        organisation=plan.organisation,
        key=f"plan:{plan.pk}:r{plan.revision}:s{plan.submission}:step{step.order}",
        message=f"แผนมาตรการปี {plan.fiscal_year.year} ของ{plan.organisation.name} รอการพิจารณาของท่าน ({step.title})",
        url=_plan_url(plan),
    )


def _staff_of(organisation):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(memberships__organisation=organisation, memberships__role=Role.STAFF, is_active=True)
        .distinct()
    )


def _notify_staff(plan, message, event):
    notify(
        _staff_of(plan.organisation),
        organisation=plan.organisation,
        key=f"plan:{plan.pk}:r{plan.revision}:s{plan.submission}:{event}",
        message=message,
        url=_plan_url(plan),
    )


# --------------------------------------------------------------------------- #
# Follow-up
# --------------------------------------------------------------------------- #


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


def record_followup(round_, *, measure, by, status, percent, done="", problems="", suggestions=""):
    """What was actually done for one measure in one round (status, percent, narrative)."""
    if not 0 <= int(percent) <= 100:
        raise WorkflowError("ร้อยละความสำเร็จต้องอยู่ระหว่าง 0 ถึง 100")
    if measure.plan_id != round_.plan_id:
        raise WorkflowError("มาตรการนี้ไม่อยู่ในแผนของรอบการติดตามนี้")
    with transaction.atomic():
        entry, _ = FollowUpEntry.objects.select_for_update().get_or_create(round=round_, measure=measure)
        entry.status, entry.percent = status, int(percent)
        entry.done, entry.problems, entry.suggestions = done, problems, suggestions
        entry.updated_by = by
        entry.save()
        _log(
            round_.plan,
            by,
            "followup.entry",
            f"{round_.title}: {measure.title[:60]} ({entry.get_status_display()} {percent}%)",
        )
    return entry


def evidence_problem(upload):
    """Why an uploaded evidence file is refused (Thai), or None: PDF, images, Office, ≤ 10 MB."""
    name = upload.name.lower()
    ext = name[name.rfind(".") :] if "." in name else ""
    if ext not in ALLOWED_EVIDENCE:
        return f"ไฟล์ชนิด {ext or 'ไม่ทราบ'} ใช้ไม่ได้ รับเฉพาะ PDF รูปภาพ และเอกสาร Office"
    if upload.size > MAX_EVIDENCE_BYTES:
        return f"ไฟล์ใหญ่เกิน 10 MB ({upload.size / 1024 / 1024:.1f} MB)"
    return None


def add_evidence(entry, *, by, upload=None, url="", description=""):
    """Attach a file (PDF, image or Office document up to 10 MB) or a link to an entry."""
    if upload is None and not url:
        raise WorkflowError("กรุณาเลือกไฟล์หรือใส่ลิงก์หลักฐาน")
    problem = evidence_problem(upload) if upload is not None else None
    if problem:
        raise WorkflowError(problem)
    with transaction.atomic():
        evidence = Evidence.objects.create(
            entry=entry, file=upload or "", url=url, description=description,
            size=upload.size if upload is not None else 0, uploaded_by=by,
        )  # fmt: skip
        _log(entry.round.plan, by, "followup.evidence", f"หลักฐาน: {description or url or upload.name}")
    return evidence


def save_round_summary(round_, *, by, problems, suggestions):
    with transaction.atomic():
        round_.problems, round_.suggestions = problems, suggestions
        round_.save(update_fields=["problems", "suggestions"])
        _log(round_.plan, by, "followup.round", f"{round_.title}: ปัญหาและข้อเสนอแนะ")


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


def carry_over(source, *, to_year, by):
    """Start next year's plan from this one: unfinished measures are copied, dates moved a year."""
    target = get_or_create_plan(source.organisation, fiscal_year=to_year, analysis_year=source.fiscal_year)
    with transaction.atomic():
        target = _lock(target)
        _require_editable(target)
        copied = 0
        existing = set(target.measures.exclude(carried_from=None).values_list("carried_from_id", flat=True))
        order = (target.measures.aggregate(m=Max("order"))["m"] or 0) + 1
        for m in source.measures.prefetch_related("units", "people", "followups__round"):
            latest = max(m.followups.all(), key=lambda e: e.round.number, default=None)
            if latest is not None and latest.status in (FollowUpEntry.Status.DONE, FollowUpEntry.Status.CANCELLED):
                continue
            if m.pk in existing:
                continue
            shift = to_year.year - source.fiscal_year.year
            copy = Measure.objects.create(
                plan=target, order=order, issue_area=m.issue_area, indicators=m.indicators, items=m.items,
                title=m.title, method=m.method, steps=m.steps, monitoring=m.monitoring, budget=m.budget,
                target=m.target, template_key=m.template_key, carried_from=m,
                start=_shift(m.start, shift), end=_shift(m.end, shift),
            )  # fmt: skip
            copy.units.set(m.units.all())
            copy.people.set(m.people.all())
            order += 1
            copied += 1
        _log(target, by, "plan.carry_over", f"ยกมาตรการที่ยังไม่แล้วเสร็จจากปี {source.fiscal_year.year}: {copied}")
    return target, copied


def _shift(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def issue_area(number):
    return IssueArea.objects.get(number=number)
