"""Pages for plans of measures, approval, follow-up, and the organisation's lists.

Every page goes through ``access_organisation`` (another organisation's plan is a
404); content changes need the staff role; decisions are checked by the services.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import CharField, DateField, DateTimeField, F, IntegerField, TextField, Value
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from assessments.codes import item_labels
from assessments.item_meta import measure_guidance
from assessments.models import FiscalYear, Item
from assessments.thai import clip, format_month_range
from ita_portal import access
from ita_portal.access import access_organisation, access_plan, require_edit
from ita_portal.compiled import Compiled

from . import fragments, round_queries, services, versions
from .forms import (
    DecisionForm,
    EntryForm,
    MeasureForm,
    PersonForm,
    RoundSummaryForm,
    StepForm,
    UnitForm,
    clean_posted_text,
)
from .models import (
    ApprovalStep,
    Decision,
    Evidence,
    FollowUpEntry,
    FollowUpRound,
    Measure,
    Notification,
    OrgUnit,
    Person,
    Plan,
    PlanRevision,
    responsible_in_order,
)
from .services import WorkflowError


def _round_months(raw):
    """ "6,12" or "๓, ๖, ๙, ๑๒" -> (6, 12); each 1–12, increasing."""
    from assessments.thai import to_arabic_digits

    parts = [p.strip() for p in to_arabic_digits(raw or "").replace(" ", ",").split(",") if p.strip()]
    if not parts or not all(re.fullmatch(r"[0-9]{1,2}", p) and 1 <= int(p) <= 12 for p in parts):
        raise WorkflowError("รอบการติดตามต้องเป็นจำนวนเดือน 1–12 คั่นด้วยจุลภาค เช่น 6,12")
    months = sorted({int(p) for p in parts})
    return tuple(months)


def _posted_id(request, name, *, default=None):
    """A posted id or year as an int; anything else (text, a huge number) is a 404, never a 500."""
    raw = (request.POST.get(name) or "").strip()
    if not raw and default is not None:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        raise Http404(f"ไม่พบรายการ “{clip(raw, 20)}”")
    return int(raw)


def _posted_text(request, name, *, label, max_length):
    """A free text posted outside a form, cleaned like every form field (WorkflowError if refused)."""
    try:
        return clean_posted_text(request.POST.get(name, ""), label=label, max_length=max_length)
    except ValueError as exc:
        raise WorkflowError(str(exc)) from None


def _responsible_query(plan_id: int):
    no_text, no_number = Value(None, output_field=CharField()), Value(None, output_field=IntegerField())
    units = (
        Measure.units.through.objects.filter(measure__plan_id=plan_id)
        .annotate(kind=Value("u"), person_position=no_text, person_unit=no_number)
        .values_list(
            "kind", "measure_id", "orgunit_id", "orgunit__organisation_id", "orgunit__name", "orgunit__order",
            "person_position", "person_unit",
        )
    )  # fmt: skip
    people = (
        Measure.people.through.objects.filter(measure__plan_id=plan_id)
        .annotate(kind=Value("p"), unit_order=no_number)
        .values_list(
            "kind", "measure_id", "person_id", "person__organisation_id", "person__name", "unit_order",
            "person__position", "person__unit_id",
        )
    )  # fmt: skip
    # The columns are named by the first query: a person has no unit order (all the same).
    return units.union(people, all=True).order_by("kind", "orgunit__order", "orgunit__name", "orgunit_id")


_RESPONSIBLE = Compiled(_responsible_query)


def _responsible(plan) -> tuple[dict[int, list], dict[int, list], tuple]:
    """{measure id: [units]} and {measure id: [people]} of a plan, and the rows as read (for a
    fragment's key): one query for both, the two link tables joined to their rows in a
    UNION ALL, no related manager per measure. Units in their model's order (order, name),
    people in theirs (name), then by id, as ``Meta.ordering`` would (without the join to
    the organisation it starts with: a plan's units and people are its organisation's)."""
    rows = tuple(_RESPONSIBLE.rows(plan.pk))
    by_unit, by_person = {}, {}
    unit_names = [f.attname for f in OrgUnit._meta.concrete_fields]
    person_names = [f.attname for f in Person._meta.concrete_fields]
    for kind, measure_id, pk, organisation_id, name, order, position, unit_id in rows:
        if kind == "u":
            values = {"id": pk, "organisation_id": organisation_id, "name": name, "order": order}
            by_unit.setdefault(measure_id, []).append(
                OrgUnit.from_db(None, unit_names, [values[n] for n in unit_names])
            )
        else:
            values = {"id": pk, "organisation_id": organisation_id, "name": name, "position": position,
                      "unit_id": unit_id}  # fmt: skip
            by_person.setdefault(measure_id, []).append(
                Person.from_db(None, person_names, [values[n] for n in person_names])
            )
    return by_unit, by_person, rows


def _measures_query(plan_id: int):
    return Measure.objects.filter(plan_id=plan_id).select_related("issue_area").order_by("order", "pk")


_MEASURES = Compiled(_measures_query)


def _measures_of(plan) -> list[Measure]:
    """The plan's measures in order, each with its issue area, as
    ``plan.measures.select_related("issue_area").order_by("order", "pk")`` gives them (one
    issue area object per measure, as there)."""
    return _MEASURES.objects(plan.pk)


def _plan_measures(plan) -> tuple[list[Measure], dict[int, list], tuple]:
    """The plan's measures, each one's units and people in order ({measure id: rows}), and the
    rows of units and people as read (for a fragment's key)."""
    measures = _measures_of(plan)
    units, people, rows = _responsible(plan)
    responsible = {
        m.pk: responsible_in_order(units.get(m.pk, ()), people.get(m.pk, ()), m.responsible_order) for m in measures
    }
    return measures, responsible, rows


def _chain_names() -> tuple[list[str], list[str]]:
    user_model = ApprovalStep.users.field.related_model
    return [f.attname for f in ApprovalStep._meta.concrete_fields], [
        f.attname for f in user_model._meta.concrete_fields
    ]


def _chain_query(organisation_id: int):
    step_names, user_names = _chain_names()
    return (
        ApprovalStep.objects.filter(organisation_id=organisation_id)
        .order_by("order", "users__id")
        .values_list(*step_names, *[f"users__{n}" for n in user_names])
    )


_CHAIN = Compiled(_chain_query)


def _chain_with_users(organisation) -> list[ApprovalStep]:
    """``services.chain_of`` in one query: the steps in order, each with its users (as
    ``prefetch_related("users")`` would leave them, so ``step.users.all()`` asks nothing),
    read by one LEFT JOIN instead of a query for the steps and one for their users."""
    user_model = ApprovalStep.users.field.related_model
    step_names, user_names = _chain_names()
    steps, users = {}, {}
    for row in _CHAIN.rows(organisation.pk):
        step_values, user_values = row[: len(step_names)], row[len(step_names) :]
        pk = step_values[0]
        if pk not in steps:
            steps[pk] = ApprovalStep.from_db(None, step_names, step_values)
            users[pk] = []
        if user_values[0] is not None:
            users[pk].append(user_model.from_db(None, user_names, user_values))
    for pk, step in steps.items():
        held = step.users.all()
        held._result_cache, held._prefetch_done = users[pk], True
        step._prefetched_objects_cache = {ApprovalStep.users.field.name: held}
    return list(steps.values())


# The plan page's history, as (model, its fields read) in the columns of _history's UNION ALL:
# only what the page prints (the other fields are deferred; reading one would ask).
_HISTORY = {
    "d": (Decision, ("id", "revision", "submission", "position", "signer_name", "signer_position", "acting",
                     "acting_for", "opinion", "kind", "at")),
    "r": (PlanRevision, ("id", "number", "approved_at")),
    "f": (FollowUpRound, ("id", "number", "title", "due")),
}  # fmt: skip


def _history_query(plan_id: int):
    """The plan's decisions, approved revisions and follow-up rounds: a UNION ALL whose columns
    are (kind, id, two numbers, seven texts, a moment, a day), each branch filling its own and
    typed NULLs in the rest (a bare NULL in every branch but one would be text to PostgreSQL,
    which then refuses the date)."""
    number, text, moment, day = IntegerField(), TextField(), DateTimeField(), DateField()

    def branch(queryset, kind, numbers, texts, at, due):
        """``numbers``/``texts``: field names, padded to 2 and 7 columns; ``at``/``due``: a name or None."""
        columns = {"h_kind": Value(kind, output_field=text)}
        names = [*numbers, *[None] * (2 - len(numbers)), *texts, *[None] * (7 - len(texts)), at, due]
        types = [number] * 2 + [text] * 7 + [moment, day]
        for n, (name, output) in enumerate(zip(names, types, strict=True)):
            columns[f"h_{n}"] = F(name) if name else Cast(Value(None), output)
        return queryset.order_by().annotate(**columns).values_list("h_kind", "id", *[f"h_{n}" for n in range(11)])

    decisions = branch(Decision.objects.filter(plan_id=plan_id), "d", ["revision", "submission"],
                       list(_HISTORY["d"][1][3:10]), "at", None)  # fmt: skip
    revisions = branch(PlanRevision.objects.filter(plan_id=plan_id), "r", ["number"], [], "approved_at", None)
    rounds = branch(FollowUpRound.objects.filter(plan_id=plan_id), "f", ["number"], ["title"], None, "due")
    # The analysed year's item codes as its framework writes them (assessments.codes.item_labels).
    analysed = Plan.objects.filter(pk=plan_id).values("analysis_year_id")
    labels = branch(Item.objects.filter(edition__fiscal_year_id__in=analysed), "l", [], ["code", "label"], None, None)
    return decisions.union(revisions, rounds, labels, all=True)


_HISTORY_QUERY = Compiled(_history_query)


def _history(plan) -> tuple[list[Decision], list[PlanRevision], list[FollowUpRound]]:
    return _history_and_labels(plan)[:3]


def _history_and_labels(plan) -> tuple[list[Decision], list[PlanRevision], list[FollowUpRound], dict[str, str]]:
    """The plan's decisions (by time), approved revisions and follow-up rounds (by number), and
    its analysed year's ``item_labels``, in one query instead of four (``_history_query``)."""
    read = {"d": [], "r": [], "f": []}
    labels = {}
    for kind, pk, *values in _HISTORY_QUERY.rows(plan.pk):
        numbers, texts, (at, due) = values[:2], values[2:9], values[9:]
        if kind == "l":
            labels[texts[0]] = texts[1]
            continue
        model, names = _HISTORY[kind]
        row = {"d": [pk, *numbers, *texts, at], "r": [pk, numbers[0], at], "f": [pk, numbers[0], texts[0], due]}[kind]
        read[kind].append(model.from_db(None, names, row))
    read["d"].sort(key=lambda d: (d.at, d.pk))
    read["r"].sort(key=lambda r: (r.number, r.pk))
    read["f"].sort(key=lambda r: (r.number, r.pk))
    return read["d"], read["r"], read["f"], labels


def _grouped(measures):
    groups = {}
    for m in measures:
        groups.setdefault(m.issue_area, []).append(m)
    return sorted(groups.items(), key=lambda pair: pair[0].number)


@login_required
def plan_page(request, code, year):
    organisation, fiscal_year, plan = access_plan(request.user, code, year)
    can_edit = organisation.can_edit(request.user)
    typed = None  # the document settings as typed, shown again when refused
    if request.method == "POST":
        require_edit(organisation, request.user)
        action = request.POST.get("action")
        try:
            if action == "draft":
                analysis_year = FiscalYear.objects.filter(
                    year=_posted_id(request, "analysis_year", default=year - 1)
                ).first()
                draft = services.draft_plan_from_analysis(
                    organisation, fiscal_year=fiscal_year, analysis_year=analysis_year, by=request.user
                )
                plan, added = draft
                messages.success(request, f"ร่างมาตรการจากผลการวิเคราะห์ปี {plan.analysis_year.year} แล้ว {added} มาตรการ")
                if draft.uncovered_text():
                    messages.warning(request, draft.uncovered_text())
            elif action == "submit" and plan:
                opinion = _posted_text(request, "opinion", label="ความเห็น", max_length=5_000)
                services.submit_plan(plan, by=request.user, opinion=opinion)
                messages.success(request, "เสนอแผนเพื่อพิจารณาแล้ว")
            elif action == "revise" and plan:
                services.start_revision(plan, by=request.user)
                messages.success(request, "เริ่มฉบับแก้ไขแล้ว ฉบับที่อนุมัติเดิมยังคงเผยแพร่อยู่จนกว่าฉบับใหม่จะได้รับอนุมัติ")
            elif action == "carry_over":
                previous = Plan.objects.filter(organisation=organisation, fiscal_year__year=year - 1).first()
                if previous is None:
                    raise WorkflowError(f"ไม่มีแผนมาตรการปี {year - 1} ให้ยกมา")
                plan, copied = services.carry_over(previous, to_year=fiscal_year, by=request.user)
                messages.success(request, f"ยกมาตรการที่ยังไม่แล้วเสร็จจากปี {year - 1} มา {copied} มาตรการ")
            elif action == "rounds" and plan:
                services.ensure_rounds(plan, months=_round_months(request.POST.get("months", "6,12")))
                messages.success(request, "สร้างรอบการติดตามแล้ว")
            elif action == "documents" and plan:
                typed = {"layout": request.POST.get("layout", ""), "memo_number": request.POST.get("memo_number", "")}
                services.set_plan_documents(plan, by=request.user, **typed)
                typed = None
                messages.success(request, "บันทึกรูปแบบเอกสารแล้ว")
            else:
                raise WorkflowError("ไม่รู้จักคำสั่งนี้")
        except WorkflowError as exc:
            messages.error(request, str(exc))
        if typed is None:
            return redirect("plan", code=code, year=year)
        plan.refresh_from_db()

    context = {"organisation": organisation, "fiscal_year": fiscal_year, "plan": plan, "can_edit": can_edit}
    if plan is not None:
        measures, responsible, responsible_rows = _plan_measures(plan)
        chain = _chain_with_users(organisation)
        step = next((s for s in chain if s.order == plan.current_step), None)
        refusal = access.decision_refusal(plan, request.user, chain=chain) if chain else "no chain"
        kinds = access.step_kinds(plan, chain=chain) if refusal is None else []
        signer_name, signer_position = services.signer_of(request.user, organisation)
        groups = _grouped(measures)
        decisions, revisions, rounds, labels = _history_and_labels(plan)
        labels = labels if any(m.items for m in measures) else {}  # only items need them
        plan._item_labels = labels  # read by the item_codes filter (measures.cells) once per plan
        key = fragments.key_of(
            "plan-measures", fragments.row_values(plan), fragments.row_values(organisation),
            fragments.row_values(fiscal_year), can_edit, tuple(sorted(labels.items())),
            tuple((fragments.row_values(m), fragments.row_values(m.issue_area)) for m in measures), responsible_rows,
        )  # fmt: skip
        measures_context = {"groups": groups, "plan": plan, "can_edit": can_edit, "organisation": organisation,
                            "responsible": responsible,
                            "fiscal_year": fiscal_year, "csrf_token": fragments.CSRF_PLACEHOLDER}  # fmt: skip
        measures_html = fragments.kept(key, lambda: render_to_string("measures/_plan_measures.html", measures_context))
        context.update(
            {
                "measures_html": fragments.with_csrf(measures_html, request),
                "measures": measures,
                "chain": chain,
                "step": step,
                "is_last_step": bool(chain) and step is chain[-1],
                "can_decide": bool(kinds),
                "decision_kinds": kinds,
                # Why not, shown to whoever sits on the current step but may not decide now.
                "decision_refusal": refusal if step and request.user in step.users.all() else None,
                "signer": {"name": signer_name, "position": signer_position or (step.title if step else "")},
                "decision_form": DecisionForm(kinds=kinds),
                "decisions": decisions,
                "revisions": revisions,  # the list: numbers, dates
                "rounds": rounds,
                "period": format_month_range(fiscal_year.start, fiscal_year.end, thai_digits=False),
                "today": timezone.localdate(),
                "documents": typed or {"layout": plan.layout, "memo_number": plan.memo_number},
                "layouts": Plan.Layout.choices,
            }
        )
    known = getattr(plan, "previous_exists", None)  # annotated by access_plan (not after a POST's new plan)
    context["previous_plan_exists"] = (
        known
        if known is not None
        else Plan.objects.filter(organisation=organisation, fiscal_year__year=year - 1).exists()
    )
    return render(request, "measures/plan_detail.html", context, status=400 if typed else 200)


@login_required
def measure_edit(request, code, year, pk=None):
    """Add or edit one measure; on a validation error everything typed stays in the form."""
    organisation, fiscal_year, plan = access_plan(request.user, code, year)
    require_edit(organisation, request.user)
    if pk is not None and plan is None:
        raise Http404("ไม่มีแผนมาตรการปีนี้")
    measure = get_object_or_404(Measure, pk=pk, plan=plan) if pk is not None else None
    conflict = False
    labels = item_labels(plan.analysis_year if plan else services.default_analysis_year(fiscal_year))
    bound = {"organisation": organisation, "fiscal_year": fiscal_year, "item_labels": labels}
    if request.method == "POST":
        form = MeasureForm(request.POST, **bound)
        if form.is_valid():
            try:
                if plan is None:  # the plan is created by the first measure saved, never by a GET
                    plan = services.get_or_create_plan(organisation, fiscal_year=fiscal_year)
                services.save_measure(plan, by=request.user, measure=measure, **form.cleaned_data)
            except services.EditConflict as exc:
                form.add_error(None, str(exc))
                # Saving again, after reading what changed, deliberately replaces the other edit.
                form.data = form.data.copy()
                form.data["version"] = exc.current_version
                conflict = True
            except WorkflowError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "บันทึกมาตรการแล้ว")
                return redirect("plan", code=code, year=year)
    else:
        if measure is not None:
            form = MeasureForm(initial=MeasureForm.initial_from(measure, labels), **bound)
        else:
            form = MeasureForm(initial={"start": fiscal_year.start, "end": fiscal_year.end, "issue_area": 1}, **bound)
    guidance = measure_guidance(plan, measure.items) if measure is not None else []
    return render(
        request,
        "measures/measure_form.html",
        {"organisation": organisation, "fiscal_year": fiscal_year, "plan": plan, "measure": measure, "form": form,
         "guidance": guidance},
        status=409 if conflict else 400 if request.method == "POST" else 200,
    )  # fmt: skip


@login_required
@require_POST
def measure_action(request, code, year, pk):
    organisation, fiscal_year, plan = access_plan(request.user, code, year)
    if plan is None:
        raise Http404("ไม่มีแผนมาตรการปีนี้")
    require_edit(organisation, request.user)
    measure = get_object_or_404(Measure, pk=pk, plan=plan)
    try:
        if request.POST.get("action") == "delete":
            services.delete_measure(measure, by=request.user)
            messages.success(request, "ลบมาตรการแล้ว")
        elif request.POST.get("action") in ("up", "down"):
            services.move_measure(measure, by=request.user, offset=-1 if request.POST["action"] == "up" else 1)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    return redirect("plan", code=code, year=year)


@login_required
@require_POST
def decide(request, code, year):
    organisation, fiscal_year, plan = access_plan(request.user, code, year)
    if plan is None:
        raise Http404("ไม่มีแผนมาตรการปีนี้")
    chain = services.chain_of(organisation)
    refusal = access.decision_refusal(plan, request.user, chain=chain) if chain else "หน่วยงานยังไม่ได้กำหนดสายการอนุมัติ"
    if refusal:
        messages.error(request, refusal)
        return redirect("plan", code=code, year=year)
    form = DecisionForm(request.POST, kinds=access.step_kinds(plan, chain=chain))  # refusal checked above
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request, error if field in ("__all__", "kind") else f"{form.fields[field].label}: {error}"
                )
        return redirect("plan", code=code, year=year)
    try:
        services.record_decision(plan, by=request.user, **form.cleaned_data)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"บันทึกการพิจารณาแล้ว: {Decision.Kind(form.cleaned_data['kind']).label}")
    return redirect("plan", code=code, year=year)


@login_required
@require_safe
def revision_page(request, code, year, number):
    organisation, fiscal_year, plan = access_plan(request.user, code, year)
    if plan is None:
        raise Http404("ไม่มีแผนมาตรการปีนี้")
    revision = get_object_or_404(plan.revisions, number=number)
    return render(
        request,
        "measures/revision_detail.html",
        {"organisation": organisation, "fiscal_year": fiscal_year, "plan": plan, "revision": revision},
    )


@login_required
@require_safe
def evidence_file(request, code, year, pk):
    """Download an evidence file: only for those who may see the organisation (404 otherwise)."""
    from django.http import FileResponse

    organisation, fiscal_year, plan = access_plan(request.user, code, year)
    if plan is None:
        raise Http404("ไม่มีแผนมาตรการปีนี้")
    evidence = get_object_or_404(Evidence, pk=pk, entry__round__plan=plan)
    if not evidence.file:
        raise Http404("หลักฐานนี้เป็นลิงก์ ไม่ใช่ไฟล์")
    # Content-Disposition carries the name as uploaded (RFC 5987 filename* for Thai).
    return FileResponse(evidence.file.open("rb"), as_attachment=False, filename=evidence.display_name)


ENTRY_FIELD_GROUPS = {
    "top": ("status", "percent"),
    "texts": ("done", "problems", "suggestions"),
    "evidence": ("evidence_file", "evidence_url", "evidence_description"),
}


@login_required
def followup(request, code, year, number):
    """One follow-up round: per measure status, percent, what was done, evidence."""
    organisation, fiscal_year, plan = access_plan(request.user, code, year)
    if plan is None:
        raise Http404("ไม่มีแผนมาตรการปีนี้")
    round_ = round_queries.round_of(plan, number)
    can_edit = organisation.can_edit(request.user)
    # Plain queries, grouped here: no related manager per measure or entry.
    measures = round_queries.measures_of(plan)
    units = round_queries.units_of(plan)
    found, evidence = round_queries.entries_and_evidence(round_)
    entries = {m.pk: found.get(m.pk) for m in measures}

    def initial(entry):
        values = versions.entry_values(entry)
        return {**values, "percent": str(values["percent"]), "version": entry.version if entry else 0,
                "loaded": versions.entry_fingerprint(values)}  # fmt: skip

    if request.method == "POST" and request.POST.get("action") == "report":
        require_edit(organisation, request.user)
        try:
            services.report_round(round_, by=request.user)
            messages.success(request, f"ส่งรายงานผล{round_.title}แล้ว เผยแพร่ในหน้าสาธารณะเมื่อแผนอนุญาตให้เผยแพร่")
        except WorkflowError as exc:
            messages.error(request, str(exc))
        return redirect("followup", code=code, year=year, number=number)
    conflicts = {}
    if request.method == "POST":
        require_edit(organisation, request.user)
        forms = {m.pk: EntryForm(request.POST, request.FILES, prefix=f"m{m.pk}") for m in measures}
        summary = RoundSummaryForm(request.POST, prefix="round")
        if all(f.is_valid() for f in forms.values()) and summary.is_valid():
            # Only what this person changed is saved, each entry against the version it saw.
            edits = []
            for m in measures:
                data = forms[m.pk].cleaned_data
                evidence = {"upload": data["evidence_file"], "url": data["evidence_url"],
                            "description": data["evidence_description"]}  # fmt: skip
                if versions.entry_fingerprint(data) != data["loaded"] or evidence["upload"] or evidence["url"]:
                    edits.append({"measure": m, "version": data["version"], "evidence": evidence,
                                  **{name: data[name] for name in versions.ENTRY_FIELDS}})  # fmt: skip
            shown = summary.cleaned_data
            changed_summary = versions.fingerprint(shown["problems"], shown["suggestions"]) != shown["loaded"]
            try:
                services.record_round(
                    round_, by=request.user, entries=edits,
                    summary={**shown} if changed_summary else None,
                )  # fmt: skip
            except services.EditConflicts as exc:
                conflicts = exc.conflicts
                messages.error(request, str(exc))
                status = 409
                # Saving again, after reading what changed, deliberately replaces the other edits.
                fresh = {e.measure_id: e for e in FollowUpEntry.objects.filter(round=round_)}
                data = request.POST.copy()
                for pk in conflicts:
                    if pk == "round":
                        round_.refresh_from_db()
                        data["round-loaded"] = versions.fingerprint(round_.problems, round_.suggestions)
                    else:
                        data[f"m{pk}-version"] = conflicts[pk].current_version
                        data[f"m{pk}-loaded"] = versions.entry_fingerprint(versions.entry_values(fresh.get(pk)))
                forms = {m.pk: EntryForm(data, request.FILES, prefix=f"m{m.pk}") for m in measures}
                summary = RoundSummaryForm(data, prefix="round")
                for pk, conflict in conflicts.items():
                    (summary if pk == "round" else forms[pk]).add_error(None, str(conflict))
            else:
                messages.success(request, f"บันทึกผล{round_.title}แล้ว")
                return redirect("followup", code=code, year=year, number=number)
        else:
            messages.error(request, "มีช่องที่กรอกไม่ถูกต้อง ยังไม่ได้บันทึก กรุณาแก้ไขช่องที่มีข้อความสีแดง")
            status = 400
    else:
        forms = summary = None  # built only when the cards are not kept (fragments)
        status = 200
    today = timezone.localdate()

    def cards(forms, summary) -> str:
        if forms is None:
            forms = {m.pk: EntryForm(initial=initial(entries[m.pk]), prefix=f"m{m.pk}") for m in measures}
        if summary is None:
            summary = RoundSummaryForm(
                initial={"problems": round_.problems, "suggestions": round_.suggestions,
                         "loaded": versions.fingerprint(round_.problems, round_.suggestions)},
                prefix="round",
            )  # fmt: skip
        rows = [
            {"measure": m, "form": forms[m.pk], "entry": entries[m.pk], "units": units.get(m.pk, ()),
             "evidence_rows": evidence.get(entries[m.pk].pk, ()) if entries[m.pk] else (), "overdue": m.end < today and not (
                entries[m.pk] and entries[m.pk].status in (FollowUpEntry.Status.DONE, FollowUpEntry.Status.CANCELLED)),
             # The card's three groups of fields, picked here once rather than by a loop over every field.
             **{group: [forms[m.pk][name] for name in names] for group, names in ENTRY_FIELD_GROUPS.items()}}
            for m in measures
        ]  # fmt: skip
        context = {"organisation": organisation, "fiscal_year": fiscal_year, "rows": rows, "summary": summary}
        return render_to_string("measures/_followup_cards.html", context)

    if forms is None:  # a GET: the cards show what is stored, the same for every reader until a write
        key = fragments.key_of(
            "followup-cards", fragments.row_values(organisation), fragments.row_values(fiscal_year),
            fragments.row_values(round_), today,
            tuple((fragments.row_values(m), fragments.rows_values(units.get(m.pk, ())),
                   fragments.row_values(entries[m.pk]),
                   fragments.rows_values(evidence.get(entries[m.pk].pk, ()) if entries[m.pk] else ())) for m in measures),
        )  # fmt: skip
        cards_html = fragments.kept(key, lambda: cards(None, None))
    else:  # posted: what was typed, and its errors, are this request's own
        cards_html = mark_safe(cards(forms, summary))  # noqa: S308 - the template engine's output
    return render(
        request,
        "measures/followup.html",
        {
            "organisation": organisation, "fiscal_year": fiscal_year, "plan": plan, "round": round_, "cards": cards_html,
            "can_edit": can_edit, "overdue_round": round_.due < today,
        },
        status=status,
    )  # fmt: skip


# --------------------------------------------------------------------------- #
# The organisation's approval chain, units and people
# --------------------------------------------------------------------------- #


@login_required
def chain_page(request, code):
    """The approval chain: read by every member, changed by the executive (or an administrator)."""
    organisation = access_organisation(request.user, code)
    can_configure = access.may_configure_chain(organisation, request.user)
    form = StepForm(organisation=organisation)
    status = 200
    if request.method == "POST":
        access.require_configure_chain(organisation, request.user)
        try:
            if request.POST.get("action") == "delete":
                step = get_object_or_404(ApprovalStep, pk=_posted_id(request, "step"), organisation=organisation)
                services.remove_step(step, by=request.user)
                messages.success(request, "ลบขั้นตอนแล้ว")
                return redirect("chain", code=code)
            form = StepForm(request.POST, organisation=organisation)
            if form.is_valid():
                step = services.add_step(organisation, by=request.user, **form.cleaned_data)
                messages.success(request, f"เพิ่มขั้นตอน {step.title} แล้ว")
                return redirect("chain", code=code)
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        status = 400
    return render(
        request,
        "measures/chain.html",
        {
            "organisation": organisation,
            "steps": services.chain_of(organisation),
            "form": form,
            "can_configure": can_configure,
            "under_consideration": access.chain_locked(organisation),
        },
        status=status,
    )


@login_required
def people_page(request, code):
    organisation = access_organisation(request.user, code)
    can_edit = organisation.can_edit(request.user)
    unit_form, person_form = UnitForm(prefix="unit"), PersonForm(organisation=organisation, prefix="person")
    if request.method == "POST":
        require_edit(organisation, request.user)
        try:
            if "add_unit" in request.POST:
                unit_form = UnitForm(request.POST, prefix="unit")
                if unit_form.is_valid():
                    unit, _ = services.add_unit(organisation, by=request.user, name=unit_form.cleaned_data["name"])
                    messages.success(request, f"เพิ่ม {unit.name} แล้ว")
                    return redirect("people", code=code)
            elif "add_person" in request.POST:
                person_form = PersonForm(request.POST, organisation=organisation, prefix="person")
                if person_form.is_valid():
                    person = services.add_person(organisation, by=request.user, **person_form.cleaned_data)
                    messages.success(request, f"เพิ่ม {person.name} แล้ว")
                    return redirect("people", code=code)
        except WorkflowError as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "measures/people.html",
        {
            "organisation": organisation,
            "units": OrgUnit.objects.filter(organisation=organisation),
            "people": Person.objects.filter(organisation=organisation).select_related("unit"),
            "unit_form": unit_form,
            "person_form": person_form,
            "can_edit": can_edit,
        },
    )


@login_required
def notifications(request):
    notices = Notification.objects.filter(user=request.user).select_related("organisation")[:100]
    if request.method == "POST":
        Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
        return redirect("notifications")
    return render(request, "measures/notifications.html", {"notices": notices})
