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
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import ChangeLog, FiscalYear, IssueArea, Membership, Role
from assessments.thai import format_date, normalise_text
from ita_portal import access

from . import layouts, versions
from .evidence import content_problem as evidence_content_problem
from .evidence import display_name as evidence_display_name
from .models import (
    Acting,
    ApprovalStep,
    Decision,
    Evidence,
    FollowUpEntry,
    FollowUpRound,
    Measure,
    MeasureTemplate,
    Notification,
    OrgUnit,
    Person,
    Plan,
    PlanContributor,
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


def _contribute(plan, by, action):
    """Record that ``by`` shaped the plan's current revision: they may not decide on it."""
    if by is not None and by.is_authenticated:
        PlanContributor.objects.get_or_create(
            plan=plan, revision=plan.revision, user=by, defaults={"first_action": action}
        )


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


def default_analysis_year(fiscal_year):
    """The year whose results a new plan of ``fiscal_year`` answers: the year before, else itself."""
    return FiscalYear.objects.filter(year=fiscal_year.year - 1).first() or fiscal_year


def get_or_create_plan(organisation, *, fiscal_year, analysis_year=None):
    """A new plan takes the table layout of the organisation's latest plan: the layout is the
    organisation's choice, kept from year to year."""
    analysis_year = analysis_year or default_analysis_year(fiscal_year)
    latest = (
        Plan.objects.filter(organisation=organisation)
        .order_by("-fiscal_year__year")
        .values("layout", "table", "followup_group")
        .first()
    )
    plan, _ = Plan.objects.get_or_create(
        organisation=organisation,
        fiscal_year=fiscal_year,
        defaults={"analysis_year": analysis_year, **(latest or {})},
    )
    return plan


def set_plan_documents(plan, *, by, layout, memo_number=""):
    """How the plan's documents are printed: the measures table grouped by issue area (seed
    001, six columns) or by indicator (seed 000, five columns), and the memo's ที่. Like the
    measures, they change only while the plan is being drafted: what was approved stays as signed."""
    if layout not in Plan.Layout.values:
        raise WorkflowError("ไม่รู้จักรูปแบบตารางนี้ เลือกได้: " + " หรือ ".join(f"“{label}”" for label in Plan.Layout.labels))
    if "\x00" in (memo_number or ""):
        raise WorkflowError("เลขที่หนังสือมีอักขระ NUL ซึ่งใช้ไม่ได้")
    memo_number = normalise_text(memo_number)
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
        if layout != plan.layout:  # a preset chosen: its columns replace the plan's own
            plan.table = layouts.preset(layout) if layout in layouts.PRESETS else plan.table
        plan.layout, plan.memo_number = layout, memo_number
        plan.save(update_fields=["layout", "table", "memo_number", "updated_at"])
        _contribute(plan, by, "plan.documents")
        _log(plan, by, "plan.documents", f"รูปแบบเอกสาร: {plan.get_layout_display()}, ที่ {memo_number or '–'}",
             old=old, new={"layout": layout, "memo_number": memo_number})  # fmt: skip
    return plan


def set_table_layout(plan, *, by, spec):
    """The measures table's columns, headers, grouping and numbering (a preset or the
    organisation's own). Part of what is approved: only while the plan is a draft; an
    approved plan needs a new revision first (start_revision)."""
    try:
        spec = layouts.validate(spec)
    except layouts.LayoutError as exc:
        raise WorkflowError(str(exc)) from exc
    with transaction.atomic():
        plan = _lock(plan)
        if not plan.organisation.can_edit(by):
            raise WorkflowError("เฉพาะเจ้าหน้าที่ของหน่วยงานจึงกำหนดรูปแบบตารางได้")
        _require_editable(plan)
        name = layouts.preset_of(spec)
        if layouts.resolve(plan.layout, plan.table) == spec and plan.layout == name:
            return plan
        old = {"layout": plan.layout, "table": layouts.resolve(plan.layout, plan.table)}
        plan.layout, plan.table = name, spec
        plan.save(update_fields=["layout", "table", "updated_at"])
        _contribute(plan, by, "plan.table")
        _log(plan, by, "plan.table", f"รูปแบบตารางมาตรการ: {plan.get_layout_display()} ("
             + " | ".join(c["header"] for c in spec["columns"]) + ")", old=old, new={"layout": name, "table": spec})  # fmt: skip
    return plan


def set_followup_group(plan, *, by, group):
    """How the follow-up report groups its rows (issue area, indicator, none). The report is
    not approved, so it may change at any time."""
    if group not in Plan.Grouping.values:
        raise WorkflowError("ไม่รู้จักการจัดกลุ่มนี้ เลือกได้: " + " หรือ ".join(Plan.Grouping.labels))
    with transaction.atomic():
        plan = _lock(plan)
        if not plan.organisation.can_edit(by):
            raise WorkflowError("เฉพาะเจ้าหน้าที่ของหน่วยงานจึงกำหนดรูปแบบรายงานได้")
        if plan.followup_group == group:
            return plan
        old = plan.followup_group
        plan.followup_group = group
        plan.save(update_fields=["followup_group", "updated_at"])
        _log(plan, by, "plan.followup_group", f"จัดกลุ่มรายงานผลการดำเนินการตาม{plan.get_followup_group_display()}",
             old=old, new=group)  # fmt: skip
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
        if chosen:
            _contribute(plan, by, "plan.draft")
        _log(plan, by, "plan.draft", f"ร่างมาตรการจากผลการวิเคราะห์ปี {year}: {len(chosen)} มาตรการ",
             uncovered=uncovered)  # fmt: skip
    return Draft(plan, len(chosen), uncovered)


class EditConflict(WorkflowError):
    """Someone else saved the row after this edit was opened; the message (Thai) says what
    they changed. Nothing was saved; the form keeps what was typed."""

    def __init__(self, message, *, current_version):
        super().__init__(message)
        self.current_version = current_version


def save_measure(plan, *, by, measure=None, version=None, **fields):
    """Create or change one measure of an editable plan; units/people are lists of rows.

    ``version`` is the measure's version the edit was based on: when someone saved the
    measure since, the change is refused (EditConflict) with what they changed."""
    units = fields.pop("units", None)
    people = fields.pop("people", None)
    units = list(units) if units is not None else None
    people = list(people) if people is not None else None
    # units and people keep the order given (lists), or the order named by responsible_order
    responsible_order = fields.pop("responsible_order", None)
    if responsible_order is None and (units is not None or people is not None):
        responsible_order = [f"u{u.pk}" for u in units or []] + [f"p{p.pk}" for p in people or []]
    with transaction.atomic():
        plan = _lock(plan)
        _require_editable(plan)
        if fields.get("start") and fields.get("end") and fields["end"] < fields["start"]:
            raise WorkflowError("วันสิ้นสุดต้องไม่ก่อนวันเริ่ม")
        changes = {}
        if measure is None:
            fields.setdefault("order", (plan.measures.aggregate(m=Max("order"))["m"] or 0) + 1)
            measure = Measure.objects.create(plan=plan, **fields)
            action, before = "measure.add", {}
        else:
            measure = Measure.objects.select_for_update().get(pk=measure.pk, plan=plan)
            if version is not None and version != measure.version:
                newer = ChangeLog.objects.filter(
                    organisation=plan.organisation, action="measure.edit", details__measure=measure.pk,
                    details__version__gt=version,
                ).select_related("user").order_by("at", "pk")  # fmt: skip
                raise EditConflict(versions.conflict_message("มาตรการนี้", newer), current_version=measure.version)
            before = versions.measure_values(measure)
            for name, value in fields.items():
                setattr(measure, name, value)
            after = {**{name: getattr(measure, name) for name in before}}
            after["units"] = [u.name for u in units] if units is not None else before["units"]
            after["people"] = [str(p) for p in people] if people is not None else before["people"]
            if responsible_order is not None:
                after["units"], after["people"] = _ordered_names(
                    units if units is not None else measure.units.all(),
                    people if people is not None else measure.people.all(), responsible_order)  # fmt: skip
            changes = versions.measure_changes(before, after)
            if not changes:
                return measure  # saving an unchanged measure writes nothing, not even a version
            measure.version += 1
            measure.save()
            action = "measure.edit"
        if units is not None:
            measure.units.set(units)
        if people is not None:
            measure.people.set(people)
        if responsible_order is not None and responsible_order != measure.responsible_order:
            kept = [k for k in measure.responsible_order or [] if k not in responsible_order]
            measure.responsible_order = list(responsible_order) + kept
            measure.save(update_fields=["responsible_order"])
        if action == "measure.add" or changes:
            _contribute(plan, by, action)
            _log(plan, by, action, f"มาตรการ: {measure.title[:80]}", measure=measure.pk, version=measure.version,
                 changes=changes)  # fmt: skip
    return measure


def _ordered_names(units, people, order):
    rank = {key: n for n, key in enumerate(order)}
    units = sorted(units, key=lambda u: rank.get(f"u{u.pk}", len(rank)))
    people = sorted(people, key=lambda p: rank.get(f"p{p.pk}", len(rank)))
    return [u.name for u in units], [str(p) for p in people]


def delete_measure(measure, *, by):
    """Delete a measure of an editable plan. What was reported for it under an approved
    revision stays: its follow-up entries keep the measure's snapshot id and title (the
    foreign key is SET_NULL), and their evidence files stay."""
    with transaction.atomic():
        plan = _lock(measure.plan)
        _require_editable(plan)
        title = measure.title
        old = {k: versions.shown(v) for k, v in versions.measure_values(measure).items()}
        measure.delete()
        _contribute(plan, by, "measure.delete")
        _log(plan, by, "measure.delete", f"ลบมาตรการ: {title[:80]}", old=old)


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
            _contribute(plan, by, "measure.move")
            _log(plan, by, "measure.move", f"เรียงลำดับมาตรการ: {measure.title[:60]}")


# --------------------------------------------------------------------------- #
# Approval workflow
# --------------------------------------------------------------------------- #


def chain_of(organisation):
    return list(ApprovalStep.objects.filter(organisation=organisation).prefetch_related("users").order_by("order"))


def plan_snapshot(plan):
    """The plan's content as plain, ordered data: what an approval freezes."""
    from reports.memo import memo_snapshot

    measures = plan.measures.select_related("issue_area").prefetch_related("units", "people").order_by("order", "pk")
    return {
        "organisation": plan.organisation.code,
        "fiscal_year": plan.fiscal_year.year,
        "analysis_year": plan.analysis_year.year,
        "revision": plan.revision,
        "layout": plan.layout,  # the table as it was signed: its preset, and its columns
        "table": layouts.resolve(plan.layout, plan.table),
        "memo_number": plan.memo_number,
        "texts": _document_texts(plan),  # the measures document's own words, as signed
        "memo": memo_snapshot(plan),  # what staff wrote in the memo, as submitted
        "measures": [
            {
                "id": m.pk,  # stable: follow-up entries find their measure by it
                "order": m.order,
                "issue_area": m.issue_area.number,
                "indicators": m.indicators,
                "items": m.items,
                "title": m.title,
                "method": m.method,
                "steps": m.steps,
                # in the order staff gave them, units and people each, and together
                "units": [row.name for kind, row in m.responsible_of() if kind == "unit"],
                "people": [
                    {"name": row.name, "position": row.position} for kind, row in m.responsible_of() if kind == "person"
                ],
                "responsible": [
                    {"kind": kind, "name": row.name, "position": getattr(row, "position", "")}
                    for kind, row in m.responsible_of()
                ],
                "start": m.start.isoformat(),
                "end": m.end.isoformat(),
                # Only when not months, so snapshots of month periods hash as before.
                **({"period_kind": m.period_kind} if m.period_kind != Measure.PeriodKind.MONTHS else {}),
                "monitoring": m.monitoring,
                "budget": str(m.budget) if m.budget is not None else None,
                "target": m.target,
            }
            for m in measures
        ],
    }


def _document_texts(plan):
    from reports.texts import snapshot_texts

    return snapshot_texts(plan)


def snapshot_hash(snapshot):
    text = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def signer_of(user, organisation) -> tuple[str, str]:
    """The name and position a decision is signed with: from the user's account and their
    membership of the organisation (a step role's position first), never typed at decision time."""
    name = user.get_full_name() or user.username
    if "memberships" in getattr(organisation, "_prefetched_objects_cache", {}):
        # access_organisation read the user's memberships already: no second query
        memberships = [m for m in organisation.memberships.all() if m.user_id == user.pk and m.position]
    else:
        memberships = list(Membership.objects.filter(user=user, organisation=organisation).exclude(position=""))
    memberships.sort(key=lambda m: m.role not in access.STEP_ROLES)
    return name, (memberships[0].position if memberships else "")


def _decide(plan, *, by, kind, to_state, step=None, opinion="", acting=Acting.NONE, acting_for=""):
    name, position = signer_of(by, plan.organisation) if by else ("", "")
    return Decision.objects.create(
        plan=plan,
        revision=plan.revision,
        submission=plan.submission,
        step=step.order if step else None,
        position=step.title if step else "",
        user=by,
        signer_name=name,
        signer_position=position or (step.title if step else ""),
        acting=acting,
        acting_for=acting_for if acting else "",
        opinion=opinion,
        kind=kind,
        from_state=plan.state,
        to_state=to_state,
    )


def submit_plan(plan, *, by, opinion=""):
    """Staff submit the plan (again) to the first step of the organisation's chain. Refused
    when a step has nobody who may decide on it: only approvers and executives who neither
    drafted, edited nor submitted this revision decide, so a clerk never approves their own plan."""
    with transaction.atomic():
        plan = _lock(plan)
        _require(plan, Decision.Kind.SUBMIT)
        if not plan.organisation.can_edit(by):
            raise WorkflowError("เฉพาะเจ้าหน้าที่ของหน่วยงานจึงเสนอแผนได้")
        if not plan.measures.exists():
            raise WorkflowError("แผนยังไม่มีมาตรการ กรุณาเพิ่มมาตรการก่อนเสนอ")
        chain = chain_of(plan.organisation)
        contributors = access.contributors_of(plan) | {by.pk}
        problem = access.chain_refusal_at_submit(plan, chain=chain, contributors=contributors)
        if problem:
            raise WorkflowError(problem)
        _contribute(plan, by, "plan.submit")
        plan.submission += 1
        _decide(plan, by=by, kind=Decision.Kind.SUBMIT, to_state=Plan.State.SUBMITTED, opinion=opinion)
        plan.state = Plan.State.SUBMITTED
        plan.current_step = chain[0].order
        plan.save(update_fields=["state", "current_step", "submission", "updated_at"])
        _log(plan, by, "plan.submit", f"เสนอแผนมาตรการปี {plan.fiscal_year.year} ครั้งที่ {plan.submission}")
        _notify_step(plan, chain[0])
    return plan


def record_decision(plan, *, by, kind, opinion="", acting=Acting.NONE, acting_for="", permit_publish=False):
    """The current step's user records an opinion and passes the plan on, returns it with a
    reason, or (last step) approves or does not approve it. Who may decide, and which
    decisions they have, is ita_portal.access.decision_refusal/decision_kinds: the same rule
    the plan page uses for its buttons. The signer's name and position come from their
    account; signing for another position (รักษาราชการแทน / ปฏิบัติราชการแทน) is explicit."""
    with transaction.atomic():
        plan = _lock(plan)
        _require(plan, kind)
        chain = chain_of(plan.organisation)
        problem = access.decision_refusal(plan, by, chain=chain)
        if problem:
            raise WorkflowError(problem)
        step = next(s for s in chain if s.order == plan.current_step)
        last = step is chain[-1]
        if kind not in access.step_kinds(plan, chain=chain):  # the refusal was checked just above
            if kind == Decision.Kind.FORWARD:
                raise WorkflowError("ขั้นตอนสุดท้ายต้องเลือกอนุมัติหรือไม่อนุมัติ")
            raise WorkflowError("อนุมัติหรือไม่อนุมัติได้เฉพาะขั้นตอนสุดท้าย")
        opinion = (opinion or "").strip()
        if kind == Decision.Kind.RETURN and not opinion:
            raise WorkflowError("กรุณาระบุเหตุผลที่ส่งกลับแก้ไข")
        if acting not in Acting.values:
            raise WorkflowError("ไม่รู้จักรูปแบบการลงนามแทนนี้")
        acting_for = " ".join((acting_for or "").split())[:255]
        if acting and not acting_for:
            acting_for = step.title
        to_state = {
            Decision.Kind.FORWARD: plan.state,
            Decision.Kind.RETURN: Plan.State.RETURNED,
            Decision.Kind.APPROVE: Plan.State.APPROVED,
            Decision.Kind.REJECT: Plan.State.REJECTED,
        }[kind]
        _decide(plan, by=by, kind=kind, to_state=to_state, step=step, opinion=opinion,
                acting=acting, acting_for=acting_for)  # fmt: skip
        if kind == Decision.Kind.FORWARD:
            following = chain[chain.index(step) + 1]
            plan.current_step = following.order
            plan.save(update_fields=["current_step", "updated_at"])
            _notify_step(plan, following)
        else:
            plan.state = to_state
            plan.current_step = None
            fields = ["state", "current_step", "updated_at"]
            if kind == Decision.Kind.APPROVE:
                snapshot = plan_snapshot(plan)
                plan.approved_revision = PlanRevision.objects.create(
                    plan=plan, number=plan.revision, snapshot=snapshot, sha256=snapshot_hash(snapshot),
                    layout=plan.layout, approved_at=timezone.now(), approved_by=by,
                )  # fmt: skip
                plan.publish_permitted = bool(permit_publish) and last
                fields += ["approved_revision", "publish_permitted"]
            plan.save(update_fields=fields)
            if kind == Decision.Kind.APPROVE:
                from ita_portal.celery import hand_over
                from reports.tasks import freeze_approved_documents  # the memo and measures PDFs, frozen

                revision_pk = plan.approved_revision.pk
                # robust: a failure (e.g. a certificate that does not open) never turns the committed
                # approval into an error page; the first request for the documents tries again.
                transaction.on_commit(lambda: hand_over(freeze_approved_documents, revision_pk), robust=True)
            message = {
                Decision.Kind.RETURN: f"แผนมาตรการปี {plan.fiscal_year.year} ถูกส่งกลับแก้ไข: {opinion}",
                Decision.Kind.APPROVE: f"แผนมาตรการปี {plan.fiscal_year.year} ได้รับอนุมัติแล้ว",
                Decision.Kind.REJECT: f"แผนมาตรการปี {plan.fiscal_year.year} ไม่ได้รับอนุมัติ",
            }[kind]
            _notify_staff(plan, message, {"return": "returned", "approve": "approved", "reject": "rejected"}[kind])
        _log(plan, by, f"plan.{kind}", f"{Decision.Kind(kind).label}: {step.title}", step=step.order,
             acting=acting, acting_for=acting_for)  # fmt: skip
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
# The approval chain, units and people: locked, checked and logged like the plans
# --------------------------------------------------------------------------- #


def _lock_organisation(organisation):
    """Serialise changes to one organisation's lists (two "add step" at once would both take
    the same order number)."""
    from assessments.models import Organisation

    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _chain_log(organisation, by, action, summary, **details):
    ChangeLog.objects.create(user=by, organisation=organisation, action=action, summary=summary, details=details)


def _chain_as_data(organisation):
    return [
        {"order": s.order, "title": s.title, "users": sorted(u.username for u in s.users.all())}
        for s in chain_of(organisation)
    ]


def _require_chain_open(organisation):
    if access.chain_locked(organisation):
        raise WorkflowError("มีแผนอยู่ระหว่างพิจารณา จึงแก้ไขสายการอนุมัติไม่ได้ในขณะนี้")


def add_step(organisation, *, by, title, users):
    """Append a step to the chain. Only the executive (or an administrator) configures it; a
    step holds approvers and executives only, one person one step; refused while a plan is
    under consideration. Logged with the chain before and after."""
    title = " ".join((title or "").split())
    if not title:
        raise WorkflowError("กรุณาระบุตำแหน่งผู้พิจารณาของขั้นตอน")
    if not access.may_configure_chain(organisation, by):
        raise WorkflowError("เฉพาะผู้บริหารของหน่วยงานหรือผู้ดูแลระบบจึงกำหนดสายการอนุมัติได้")
    with transaction.atomic():
        organisation = _lock_organisation(organisation)
        _require_chain_open(organisation)
        chain = chain_of(organisation)
        users = list(users)
        if not users:
            raise WorkflowError("กรุณาเลือกผู้มีสิทธิ์พิจารณาอย่างน้อยหนึ่งคน")
        for user in users:
            problem = access.step_holder_refusal(organisation, user, chain=chain)
            if problem:
                raise WorkflowError(problem)
        before = _chain_as_data(organisation)
        step = ApprovalStep.objects.create(organisation=organisation, order=len(chain) + 1, title=title)
        step.users.set(users)
        _chain_log(organisation, by, "chain.add", f"เพิ่มขั้นตอน {step.order}. {title}",
                   old=before, new=_chain_as_data(organisation))  # fmt: skip
    return step


def remove_step(step, *, by):
    """Remove a step and renumber the rest; same rules and log as add_step."""
    organisation = step.organisation
    if not access.may_configure_chain(organisation, by):
        raise WorkflowError("เฉพาะผู้บริหารของหน่วยงานหรือผู้ดูแลระบบจึงกำหนดสายการอนุมัติได้")
    with transaction.atomic():
        organisation = _lock_organisation(organisation)
        _require_chain_open(organisation)
        before = _chain_as_data(organisation)
        title = step.title
        ApprovalStep.objects.filter(pk=step.pk).delete()
        for n, s in enumerate(ApprovalStep.objects.filter(organisation=organisation).order_by("order"), start=1):
            if s.order != n:
                ApprovalStep.objects.filter(pk=s.pk).update(order=n)
        _chain_log(organisation, by, "chain.remove", f"ลบขั้นตอน {title}", old=before, new=_chain_as_data(organisation))


def add_unit(organisation, *, by, name):
    """Add a unit to the organisation's list (logged; an existing name is not added twice)."""
    name = " ".join((name or "").split())
    if not name:
        raise WorkflowError("กรุณาระบุชื่อส่วนราชการ")
    if not access.may_edit(organisation, by):
        raise WorkflowError("เฉพาะเจ้าหน้าที่ของหน่วยงานจึงแก้ไขรายชื่อได้")
    with transaction.atomic():
        organisation = _lock_organisation(organisation)
        order = (OrgUnit.objects.filter(organisation=organisation).aggregate(m=Max("order"))["m"] or 0) + 1
        unit, created = OrgUnit.objects.get_or_create(organisation=organisation, name=name, defaults={"order": order})
        if created:
            _chain_log(organisation, by, "unit.add", f"เพิ่มส่วนราชการ {name}", new={"name": name})
    return unit, created


def add_person(organisation, *, by, name, position="", unit=None):
    """Add a responsible person (name, position, unit) to the organisation's list (logged)."""
    name = " ".join((name or "").split())
    if not name:
        raise WorkflowError("กรุณาระบุชื่อ-สกุล")
    if not access.may_edit(organisation, by):
        raise WorkflowError("เฉพาะเจ้าหน้าที่ของหน่วยงานจึงแก้ไขรายชื่อได้")
    if unit is not None and unit.organisation_id != organisation.pk:
        raise WorkflowError("ส่วนราชการนี้ไม่ใช่ของหน่วยงานนี้")
    with transaction.atomic():
        organisation = _lock_organisation(organisation)
        person = Person.objects.create(organisation=organisation, name=name, position=position or "", unit=unit)
        _chain_log(organisation, by, "person.add", f"เพิ่มผู้รับผิดชอบ {name}",
                   new={"name": name, "position": person.position, "unit": unit.name if unit else ""})  # fmt: skip
    return person


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
        transaction.on_commit(lambda pk=pk: hand_over_notification(pk, task=send_notification_email))
    return created


def hand_over_notification(pk, *, task):
    """Give one notice's e-mail to the broker with a short try; remember when it was taken.
    A broker that is away leaves ``handed_over_at`` empty for the sweep (never an error)."""
    from ita_portal.celery import hand_over

    if hand_over(task, pk):
        Notification.objects.filter(pk=pk).update(handed_over_at=timezone.now())


# A notice handed over but still not e-mailed after this long is sent again (its message may
# have been lost); older than NOTICE_MAX_AGE it is left alone.
NOTICE_RESEND_AFTER = timedelta(minutes=10)
NOTICE_MAX_AGE = timedelta(days=3)


def sweep_notifications(limit=500):
    """Periodic (Celery beat): e-mail notices that were never handed to the broker (it was
    away after the commit) or handed over long ago and still not sent. Returns how many."""
    from .tasks import send_notification_email

    now = timezone.now()
    pending = (
        Notification.objects.filter(emailed_at__isnull=True, created_at__gte=now - NOTICE_MAX_AGE)
        .exclude(user__email="")
        .filter(Q(handed_over_at__isnull=True) | Q(handed_over_at__lt=now - NOTICE_RESEND_AFTER))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in pending:
        hand_over_notification(pk, task=send_notification_email)
        sent += 1
    return sent


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


class EditConflicts(WorkflowError):
    """Several refused edits of one page: {measure id or "round": EditConflict}."""

    def __init__(self, conflicts):
        super().__init__("มีรายการที่ผู้อื่นแก้ไขไปก่อน จึงยังไม่ได้บันทึกทั้งหน้า ข้อมูลที่ท่านกรอกยังอยู่ครบ")
        self.conflicts = conflicts


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
                start=_shift(m.start, shift), end=_shift(m.end, shift), period_kind=m.period_kind,
            )  # fmt: skip
            copy.units.set(m.units.all())
            copy.people.set(m.people.all())
            if m.responsible_order:
                copy.responsible_order = list(m.responsible_order)
                copy.save(update_fields=["responsible_order"])
            order += 1
            copied += 1
        if copied:
            _contribute(target, by, "plan.carry_over")
        _log(target, by, "plan.carry_over", f"ยกมาตรการที่ยังไม่แล้วเสร็จจากปี {source.fiscal_year.year}: {copied}")
    return target, copied


def _shift(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def issue_area(number):
    return IssueArea.objects.get(number=number)
