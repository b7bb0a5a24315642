"""Plans and drafting: the plan of a year, its documents and layout, drafting from the analysis, measures saved, moved, deleted and carried over."""

import calendar
from datetime import date

from django.db import transaction
from django.db.models import Max

from assessments import services as assessment_services
from assessments.models import ChangeLog, FiscalYear, IssueArea
from assessments.thai import normalise_text

from .. import layouts, versions
from ..models import (
    FollowUpEntry,
    Measure,
    MeasureTemplate,
    OrgUnit,
    Plan,
)
from .common import EditConflict, WorkflowError, _contribute, _lock, _log, _require_editable


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
