"""Pages for plans of measures, approval, follow-up, and the organisation's lists.

Every page goes through ``access_organisation`` (another organisation's plan is a
404); content changes need the staff role; decisions are checked by the services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessments.item_meta import measure_guidance
from assessments.models import FiscalYear, Role
from assessments.thai import format_month_range
from ita_portal.access import access_organisation, access_plan, require_edit

from . import services
from .forms import DecisionForm, EntryForm, MeasureForm, PersonForm, RoundSummaryForm, StepForm, UnitForm
from .models import ApprovalStep, Decision, Evidence, FollowUpEntry, Measure, Notification, OrgUnit, Person, Plan
from .services import WorkflowError


def _round_months(raw):
    """ "6,12" or "๓, ๖, ๙, ๑๒" -> (6, 12); each 1–12, increasing."""
    from assessments.thai import to_arabic_digits

    parts = [p.strip() for p in to_arabic_digits(raw or "").replace(" ", ",").split(",") if p.strip()]
    if not parts or not all(p.isdigit() and 1 <= int(p) <= 12 for p in parts):
        raise WorkflowError("รอบการติดตามต้องเป็นจำนวนเดือน 1–12 คั่นด้วยจุลภาค เช่น 6,12")
    months = sorted({int(p) for p in parts})
    return tuple(months)


def _measures(plan):
    return list(plan.measures.select_related("issue_area").prefetch_related("units", "people").order_by("order", "pk"))


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
                analysis_year = FiscalYear.objects.filter(year=request.POST.get("analysis_year") or year - 1).first()
                draft = services.draft_plan_from_analysis(
                    organisation, fiscal_year=fiscal_year, analysis_year=analysis_year, by=request.user
                )
                plan, added = draft
                messages.success(request, f"ร่างมาตรการจากผลการวิเคราะห์ปี {plan.analysis_year.year} แล้ว {added} มาตรการ")
                if draft.uncovered_text():
                    messages.warning(request, draft.uncovered_text())
            elif action == "submit" and plan:
                services.submit_plan(plan, by=request.user, opinion=request.POST.get("opinion", ""))
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
        measures = _measures(plan)
        chain = services.chain_of(organisation)
        step = next((s for s in chain if s.order == plan.current_step), None)
        acted = plan.decisions.filter(revision=plan.revision, submission=plan.submission, user=request.user).exclude(
            kind=Decision.Kind.SUBMIT
        )
        can_decide = (
            plan.state == Plan.State.SUBMITTED
            and step is not None
            and request.user in step.users.all()
            and not acted.exists()
        )
        membership = request.user.memberships.filter(organisation=organisation).exclude(position="").first()
        context.update(
            {
                "groups": _grouped(measures),
                "measures": measures,
                "chain": chain,
                "step": step,
                "is_last_step": bool(chain) and step is chain[-1],
                "can_decide": can_decide,
                "decision_form": DecisionForm(
                    initial={
                        "signer_name": request.user.get_full_name() or request.user.username,
                        "signer_position": membership.position if membership else (step.title if step else ""),
                    }
                ),
                "decisions": list(plan.decisions.select_related("user").order_by("at", "pk")),
                "revisions": list(plan.revisions.order_by("number")),
                "rounds": list(plan.rounds.order_by("number")),
                "period": format_month_range(fiscal_year.start, fiscal_year.end, thai_digits=False),
                "today": timezone.localdate(),
                "documents": typed or {"layout": plan.layout, "memo_number": plan.memo_number},
                "layouts": Plan.Layout.choices,
            }
        )
    context["previous_plan_exists"] = Plan.objects.filter(
        organisation=organisation, fiscal_year__year=year - 1
    ).exists()
    return render(request, "measures/plan_detail.html", context, status=400 if typed else 200)


@login_required
def measure_edit(request, code, year, pk=None):
    """Add or edit one measure; on a validation error everything typed stays in the form."""
    organisation, fiscal_year, plan = access_plan(request.user, code, year)
    require_edit(organisation, request.user)
    if plan is None:
        plan = services.get_or_create_plan(organisation, fiscal_year=fiscal_year)
    measure = get_object_or_404(Measure, pk=pk, plan=plan) if pk else None
    if request.method == "POST":
        form = MeasureForm(request.POST, organisation=organisation)
        if form.is_valid():
            try:
                services.save_measure(plan, by=request.user, measure=measure, **form.cleaned_data)
            except WorkflowError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "บันทึกมาตรการแล้ว")
                return redirect("plan", code=code, year=year)
    else:
        if measure is not None:
            form = MeasureForm(initial=MeasureForm.initial_from(measure), organisation=organisation)
        else:
            form = MeasureForm(
                initial={"start": fiscal_year.start, "end": fiscal_year.end, "issue_area": 1}, organisation=organisation
            )
    guidance = measure_guidance(plan, measure.items) if measure is not None else []
    return render(
        request,
        "measures/measure_form.html",
        {"organisation": organisation, "fiscal_year": fiscal_year, "plan": plan, "measure": measure, "form": form,
         "guidance": guidance},
        status=400 if request.method == "POST" else 200,
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
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, error if field == "__all__" else f"{form.fields[field].label}: {error}")
        return redirect("plan", code=code, year=year)
    try:
        services.record_decision(plan, by=request.user, **form.cleaned_data)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"บันทึกการพิจารณาแล้ว: {Decision.Kind(form.cleaned_data['kind']).label}")
    return redirect("plan", code=code, year=year)


@login_required
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
def evidence_file(request, code, year, pk):
    """Download an evidence file: only for those who may see the organisation (404 otherwise)."""
    from django.http import FileResponse

    organisation, fiscal_year, plan = access_plan(request.user, code, year)
    if plan is None:
        raise Http404("ไม่มีแผนมาตรการปีนี้")
    evidence = get_object_or_404(Evidence, pk=pk, entry__round__plan=plan)
    if not evidence.file:
        raise Http404("หลักฐานนี้เป็นลิงก์ ไม่ใช่ไฟล์")
    return FileResponse(evidence.file.open("rb"), as_attachment=False, filename=evidence.file.name.rsplit("/", 1)[-1])


@login_required
def followup(request, code, year, number):
    """One follow-up round: per measure status, percent, what was done, evidence."""
    organisation, fiscal_year, plan = access_plan(request.user, code, year)
    if plan is None:
        raise Http404("ไม่มีแผนมาตรการปีนี้")
    round_ = get_object_or_404(plan.rounds, number=number)
    can_edit = organisation.can_edit(request.user)
    measures = list(
        plan.measures.select_related("issue_area").prefetch_related(
            "units",
            Prefetch("followups", queryset=FollowUpEntry.objects.filter(round=round_).prefetch_related("evidence")),
        )
    )
    entries = {m.pk: (m.followups.all()[0] if m.followups.all() else None) for m in measures}

    def initial(entry):
        if entry is None:
            return {"status": FollowUpEntry.Status.NOT_STARTED, "percent": "0"}
        return {f: getattr(entry, f) for f in ("status", "percent", "done", "problems", "suggestions")}

    if request.method == "POST":
        require_edit(organisation, request.user)
        forms = {m.pk: EntryForm(request.POST, request.FILES, prefix=f"m{m.pk}") for m in measures}
        summary = RoundSummaryForm(request.POST, prefix="round")
        if all(f.is_valid() for f in forms.values()) and summary.is_valid():
            for m in measures:
                data = forms[m.pk].cleaned_data
                entry = services.record_followup(
                    round_, measure=m, by=request.user, status=data["status"], percent=data["percent"],
                    done=data["done"], problems=data["problems"], suggestions=data["suggestions"],
                )  # fmt: skip
                if data["evidence_file"] or data["evidence_url"]:
                    services.add_evidence(
                        entry, by=request.user, upload=data["evidence_file"], url=data["evidence_url"],
                        description=data["evidence_description"],
                    )  # fmt: skip
            services.save_round_summary(round_, by=request.user, **summary.cleaned_data)
            messages.success(request, f"บันทึกผล{round_.title}แล้ว")
            return redirect("followup", code=code, year=year, number=number)
        messages.error(request, "มีช่องที่กรอกไม่ถูกต้อง ยังไม่ได้บันทึก กรุณาแก้ไขช่องที่มีข้อความสีแดง")
        status = 400
    else:
        forms = {m.pk: EntryForm(initial=initial(entries[m.pk]), prefix=f"m{m.pk}") for m in measures}
        summary = RoundSummaryForm(
            initial={"problems": round_.problems, "suggestions": round_.suggestions}, prefix="round"
        )
        status = 200
    today = timezone.localdate()
    rows = [
        {"measure": m, "form": forms[m.pk], "entry": entries[m.pk], "overdue": m.end < today and not (
            entries[m.pk] and entries[m.pk].status in (FollowUpEntry.Status.DONE, FollowUpEntry.Status.CANCELLED))}
        for m in measures
    ]  # fmt: skip
    return render(
        request,
        "measures/followup.html",
        {
            "organisation": organisation, "fiscal_year": fiscal_year, "plan": plan, "round": round_, "rows": rows,
            "summary": summary, "can_edit": can_edit, "overdue_round": round_.due < today,
        },
        status=status,
    )  # fmt: skip


# --------------------------------------------------------------------------- #
# The organisation's approval chain, units and people
# --------------------------------------------------------------------------- #


def _require_configure(organisation, user):
    if not (user.is_superuser or organisation.role_of(user) & {Role.STAFF, Role.EXECUTIVE}):
        raise PermissionDenied("เฉพาะเจ้าหน้าที่หรือผู้บริหารของหน่วยงานจึงกำหนดสายการอนุมัติได้")


@login_required
def chain_page(request, code):
    organisation = access_organisation(request.user, code)
    can_configure = request.user.is_superuser or bool(organisation.role_of(request.user) & {Role.STAFF, Role.EXECUTIVE})
    form = StepForm(organisation=organisation)
    if request.method == "POST":
        _require_configure(organisation, request.user)
        if request.POST.get("action") == "delete":
            step = get_object_or_404(ApprovalStep, pk=request.POST.get("step"), organisation=organisation)
            if Plan.objects.filter(organisation=organisation, state=Plan.State.SUBMITTED).exists():
                messages.error(request, "มีแผนอยู่ระหว่างพิจารณา จึงแก้ไขสายการอนุมัติไม่ได้ในขณะนี้")
            else:
                step.delete()
                for n, s in enumerate(
                    ApprovalStep.objects.filter(organisation=organisation).order_by("order"), start=1
                ):
                    ApprovalStep.objects.filter(pk=s.pk).update(order=n)
                messages.success(request, "ลบขั้นตอนแล้ว")
            return redirect("chain", code=code)
        form = StepForm(request.POST, organisation=organisation)
        if form.is_valid():
            if Plan.objects.filter(organisation=organisation, state=Plan.State.SUBMITTED).exists():
                messages.error(request, "มีแผนอยู่ระหว่างพิจารณา จึงแก้ไขสายการอนุมัติไม่ได้ในขณะนี้")
            else:
                step = form.save(commit=False)
                step.organisation = organisation
                step.order = ApprovalStep.objects.filter(organisation=organisation).count() + 1
                step.save()
                form.save_m2m()
                messages.success(request, f"เพิ่มขั้นตอน {step.title} แล้ว")
                return redirect("chain", code=code)
    return render(
        request,
        "measures/chain.html",
        {
            "organisation": organisation,
            "steps": services.chain_of(organisation),
            "form": form,
            "can_configure": can_configure,
        },
    )


@login_required
def people_page(request, code):
    organisation = access_organisation(request.user, code)
    can_edit = organisation.can_edit(request.user)
    unit_form, person_form = UnitForm(prefix="unit"), PersonForm(organisation=organisation, prefix="person")
    if request.method == "POST":
        require_edit(organisation, request.user)
        if "add_unit" in request.POST:
            unit_form = UnitForm(request.POST, prefix="unit")
            if unit_form.is_valid():
                name = unit_form.cleaned_data["name"].strip()
                OrgUnit.objects.get_or_create(organisation=organisation, name=name)
                messages.success(request, f"เพิ่ม {name} แล้ว")
                return redirect("people", code=code)
        elif "add_person" in request.POST:
            person_form = PersonForm(request.POST, organisation=organisation, prefix="person")
            if person_form.is_valid():
                person = person_form.save(commit=False)
                person.organisation = organisation
                person.save()
                messages.success(request, f"เพิ่ม {person.name} แล้ว")
                return redirect("people", code=code)
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
