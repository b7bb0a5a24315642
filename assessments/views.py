"""Pages for organisations, score entry, imports and the analysis.

Every page fetches through ``visible_to(request.user)``: another organisation's data
is a 404. Changing scores needs the staff role of that organisation (403 otherwise).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ita_portal.access import access_assessment, access_organisation, require_edit

from . import peers, services
from .analysis import PART_LABELS
from .charts import chart_bars
from .forms import NarrativeForm, RecommendationForm, ScoresForm, UploadForm
from .frameworks import framework_for
from .models import Assessment, FiscalYear, Level, Organisation

# --------------------------------------------------------------------------- #
# Home and organisations
# --------------------------------------------------------------------------- #


@login_required
def home(request):
    """Own organisation's page; a list (with scores per year) for supervisors."""
    orgs = Organisation.objects.visible_to(request.user)
    supervises = []
    if not request.user.is_superuser:
        own = list(orgs.filter(memberships__user=request.user).exclude(memberships__role="supervisor")[:2])
        supervises = list(Organisation.objects.filter(memberships__user=request.user, memberships__role="supervisor"))
        if len(own) == 1 and not supervises:
            return redirect("organisation", code=own[0].code)
    query = (request.GET.get("q") or "").strip()
    if query:
        orgs = orgs.filter(Q(code__icontains=query) | Q(name__icontains=query) | Q(province__icontains=query))
    years = list(FiscalYear.objects.with_framework().prefetch_related("grade_bands").order_by("year"))
    page = Paginator(orgs.order_by("code"), 50).get_page(request.GET.get("page"))
    assessments = Assessment.objects.filter(organisation__in=list(page.object_list)).values_list(
        "organisation_id", "fiscal_year__year", "total_score", "mismatch_count"
    )
    table = {}
    for org_id, year, total, mismatches in assessments:
        table[(org_id, year)] = (total, mismatches)
    rows = [
        {
            "organisation": org,
            "cells": [
                {
                    "year": fy.year,
                    "total": (table.get((org.pk, fy.year)) or (None, 0))[0],
                    "standing": fy.standing((table.get((org.pk, fy.year)) or (None, 0))[0]),
                }
                for fy in years
            ],
        }
        for org in page.object_list
    ]
    return render(
        request,
        "assessments/home.html",
        {"page": page, "rows": rows, "years": years, "query": query, "supervises": supervises},
    )


@login_required
def organisation_page(request, code):
    organisation = access_organisation(request.user, code)
    years = list(FiscalYear.objects.with_framework().prefetch_related("grade_bands").order_by("-year"))
    by_year = {a.fiscal_year_id: a for a in organisation.assessments.all()}
    rows = [
        {
            "fiscal_year": fy,
            "assessment": by_year.get(fy.pk),
            "standing": fy.standing(getattr(by_year.get(fy.pk), "total_score", None)),
        }
        for fy in years
    ]
    from measures.models import Plan

    plans = {p.fiscal_year_id: p for p in Plan.objects.filter(organisation=organisation)}
    for row in rows:
        row["plan"] = plans.get(row["fiscal_year"].pk)
    awaiting = list(
        Plan.objects.awaiting_decision_by(request.user).filter(organisation=organisation).select_related("fiscal_year")
    )
    return render(
        request,
        "assessments/organisation_detail.html",
        {
            "organisation": organisation,
            "rows": rows,
            "awaiting": awaiting,
            "can_edit": organisation.can_edit(request.user),
        },
    )


# --------------------------------------------------------------------------- #
# Score entry
# --------------------------------------------------------------------------- #


def _current_scores(assessment):
    if assessment is None:
        return {}
    return services.scores_of([assessment.pk])[assessment.pk]


def _parts_of(framework, tool_code):
    return framework.tool(tool_code).parts


@login_required
def scores_overview(request, code, year):
    """The entry hub: indicators to fill, and the summary figures (tools, parts, total)."""
    organisation, fiscal_year, assessment = access_assessment(request.user, code, year)
    framework = framework_for(fiscal_year)
    can_edit = organisation.can_edit(request.user)
    slots = [(Level.TOTAL, "total", "", "คะแนนรวม")]
    for tool in framework.tools:
        slots.append((Level.TOOL, tool.code, "", f"{tool.code.upper()} {tool.name}"))
        for part, name in tool.parts:
            slots.append((Level.TOOL, tool.code, part, f"{tool.code.upper()} {PART_LABELS.get(part, name)}"))
    current = _current_scores(assessment)
    if request.method == "POST":
        require_edit(organisation, request.user)
        form = ScoresForm(request.POST, slots=slots, current=current)
        if form.is_valid():
            counts = services.record_scores(
                organisation, fiscal_year=fiscal_year, values=form.values(), by=request.user
            )
            messages.success(request, _saved_message(counts))
            return redirect("scores", code=code, year=year)
        messages.error(request, "มีช่องที่กรอกไม่ถูกต้อง ยังไม่ได้บันทึก กรุณาแก้ไขช่องที่มีข้อความสีแดง")
    else:
        form = ScoresForm(slots=slots, current=current)
    result = services.analyse_assessment(assessment, with_previous=False) if assessment else None
    computed = _computed_lookup(result)
    rows = [_row(form, name, computed) for name in form.slots]
    indicator_rows = [
        {"indicator": ind, "score": result.indicator(ind.number).score if result else None}
        for ind in framework.indicators
    ]
    return render(
        request,
        "assessments/scores_overview.html",
        {
            "organisation": organisation,
            "fiscal_year": fiscal_year,
            "assessment": assessment,
            "form": form,
            "rows": rows,
            "indicator_rows": indicator_rows,
            "can_edit": can_edit,
        },
    )


def _saved_message(counts):
    if not any(counts.values()):
        return "ไม่มีการเปลี่ยนแปลง"
    return f"บันทึกแล้ว: เพิ่ม {counts['added']} แก้ไข {counts['changed']} ลบ {counts['removed']} รายการ"


def _computed_lookup(result):
    """{(level, key, part): Figure} from an analysis, to show computed figures beside inputs."""
    if result is None:
        return {}
    out = {(Level.TOTAL, "total", ""): result.total}
    for tool in result.tools:
        out[(Level.TOOL, tool.code, "")] = tool.figure
        for part, fig in tool.parts.items():
            out[(Level.TOOL, tool.code, part)] = fig
    for ind in result.indicators:
        out[(Level.INDICATOR, str(ind.number), "")] = ind.figure
        for part, fig in ind.parts.items():
            out[(Level.INDICATOR, str(ind.number), part)] = fig
        for sub in ind.subindicators:
            out[(Level.SUBINDICATOR, sub.code, "")] = sub.figure
    return out


def _row(form, name, computed, **extra):
    slot = form.slots[name]
    figure = computed.get(slot)
    return {
        "field": form[name],
        "computed": figure.computed_rounded if figure is not None else None,
        "mismatch": figure.mismatch if figure is not None else False,
        **extra,
    }


@login_required
def indicator_scores(request, code, year, number):
    """Scores of one indicator: its items (per EIT part from 2566), sub-indicators, and the indicator."""
    organisation, fiscal_year, assessment = access_assessment(request.user, code, year)
    framework = framework_for(fiscal_year)
    indicator = next((i for i in framework.indicators if i.number == number), None)
    if indicator is None:
        raise Http404("ไม่มีตัวชี้วัดนี้ในปีที่เลือก")
    can_edit = organisation.can_edit(request.user)
    parts = _parts_of(framework, indicator.tool)
    part_codes = [p for p, _ in parts] or [""]
    slots = [(Level.INDICATOR, str(number), "", f"ตัวชี้วัดที่ {number} (ที่ประกาศ)")]
    for part, _name in parts:
        slots.append((Level.INDICATOR, str(number), part, f"ตัวชี้วัดที่ {number} {PART_LABELS[part]}"))
    for sub in framework.subindicators_of(number):
        slots.append((Level.SUBINDICATOR, sub.code, "", f"ตัวชี้วัดย่อย {sub.code} {sub.name}"))
    items = framework.items_of(number)
    for item in items:
        for part in part_codes:
            suffix = f" {PART_LABELS[part]}" if part else ""
            slots.append((Level.ITEM, item.code, part, f"ข้อ {item.label}{suffix}"))
    current = _current_scores(assessment)
    numbers = [i.number for i in framework.indicators]
    next_number = numbers[numbers.index(number) + 1] if numbers.index(number) + 1 < len(numbers) else None
    if request.method == "POST":
        require_edit(organisation, request.user)
        form = ScoresForm(request.POST, slots=slots, current=current)
        if form.is_valid():
            counts = services.record_scores(
                organisation, fiscal_year=fiscal_year, values=form.values(), by=request.user
            )
            messages.success(request, _saved_message(counts))
            if "save_next" in request.POST and next_number is not None:
                return redirect("indicator_scores", code=code, year=year, number=next_number)
            if "save_next" in request.POST:
                return redirect("scores", code=code, year=year)
            return redirect("indicator_scores", code=code, year=year, number=number)
        messages.error(request, "มีช่องที่กรอกไม่ถูกต้อง ยังไม่ได้บันทึก กรุณาแก้ไขช่องที่มีข้อความสีแดง")
    else:
        form = ScoresForm(slots=slots, current=current)
    result = services.analyse_assessment(assessment, with_previous=False) if assessment else None
    computed = _computed_lookup(result)
    names = list(form.slots)
    head_rows = [_row(form, n, computed) for n in names if form.slots[n][0] != Level.ITEM]
    item_rows = []
    for item in items:
        fields = [form[n] for n in names if form.slots[n][0] == Level.ITEM and form.slots[n][1] == item.code]
        item_rows.append({"item": item, "fields": fields})
    return render(
        request,
        "assessments/indicator_scores.html",
        {
            "organisation": organisation,
            "fiscal_year": fiscal_year,
            "indicator": indicator,
            "form": form,
            "head_rows": head_rows,
            "item_rows": item_rows,
            "part_labels": [PART_LABELS[p] for p in part_codes if p] or ["คะแนน"],
            "indicators": framework.indicators,
            "next_number": next_number,
            "can_edit": can_edit,
        },
    )


# --------------------------------------------------------------------------- #
# Import
# --------------------------------------------------------------------------- #

SESSION_KEY = "score_import"


@login_required
def import_scores(request, code, year):
    """Upload a sheet, see every row checked against the framework, then confirm."""
    organisation, fiscal_year, assessment = access_assessment(request.user, code, year)
    require_edit(organisation, request.user)
    form = UploadForm(max_bytes=settings.ITA_MAX_IMPORT_BYTES)
    context = {"organisation": organisation, "fiscal_year": fiscal_year, "form": form}
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.get(SESSION_KEY) or {}
        if (
            pending.get("token") != request.POST.get("token")
            or pending.get("org") != code
            or pending.get("year") != year
        ):
            messages.error(request, "ไม่พบข้อมูลที่ตรวจสอบไว้ หรือหมดอายุแล้ว กรุณาอัปโหลดไฟล์อีกครั้ง")
            return redirect("import_scores", code=code, year=year)
        values = {(lv, k, p): Decimal(v) for lv, k, p, v, _row, _label in pending["rows"]}
        counts = services.record_scores(
            organisation, fiscal_year=fiscal_year, values=values, by=request.user, source="import"
        )
        del request.session[SESSION_KEY]
        messages.success(request, f"นำเข้าไฟล์ {pending['filename']} แล้ว: " + _saved_message(counts))
        return redirect("analysis", code=code, year=year)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, max_bytes=settings.ITA_MAX_IMPORT_BYTES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                sheet = services.parse_score_sheet(services.read_table(upload, upload.name), framework_for(fiscal_year))
            except services.ImportRefused as exc:
                context["errors"] = exc.lines()
                context["filename"] = upload.name
                return render(request, "assessments/import_scores.html", context, status=400)
            current = _current_scores(assessment)
            token = uuid.uuid4().hex
            request.session[SESSION_KEY] = {
                "token": token,
                "org": code,
                "year": year,
                "filename": upload.name,
                "rows": [[r.level, r.key, r.part, str(r.value), r.row, r.label] for r in sheet.rows],
            }
            preview = []
            for r in sheet.rows:
                old = current.get((r.level, r.key, r.part))
                status = "new" if old is None else ("same" if old == r.value else "changed")
                preview.append({"row": r, "old": old, "status": status})
            context.update(
                {
                    "preview": preview,
                    "token": token,
                    "filename": upload.name,
                    "counts": {s: sum(1 for p in preview if p["status"] == s) for s in ("new", "changed", "same")},
                }
            )
    return render(request, "assessments/import_scores.html", context)


# --------------------------------------------------------------------------- #
# Analysis
# --------------------------------------------------------------------------- #


@login_required
def analysis_page(request, code, year):
    organisation, fiscal_year, assessment = access_assessment(request.user, code, year)
    if not services.has_scores(assessment):
        return render(
            request,
            "assessments/analysis_empty.html",
            {"organisation": organisation, "fiscal_year": fiscal_year, "can_edit": organisation.can_edit(request.user)},
        )
    return render(
        request, "assessments/analysis.html", _analysis_context(request, organisation, fiscal_year, assessment)
    )


def _analysis_context(request, organisation, fiscal_year, assessment, recommendation_form=None):
    result = services.analyse_assessment(assessment)
    weak_by_indicator = [
        {"indicator": ind, "items": ind.weak_items(result.threshold)}
        for ind in result.indicators
        if ind.tool != "oit" and ind.weak_items(result.threshold)
    ]
    return {
        "organisation": organisation,
        "fiscal_year": fiscal_year,
        "assessment": assessment,
        "a": result,
        "chart": chart_bars([(i.number, i.score, i.status, i.previous) for i in result.indicators], result.threshold),
        "weak_by_indicator": weak_by_indicator,
        "recommendations": list(assessment.recommendations.all()),
        "recommendation_form": recommendation_form or RecommendationForm(),
        "can_edit": organisation.can_edit(request.user),
        "part_labels": PART_LABELS,
        **peers.context(assessment, result),
    }


@login_required
def narrative_edit(request, code, year, number):
    organisation, fiscal_year, assessment = access_assessment(request.user, code, year)
    if assessment is None:
        raise Http404("ยังไม่มีผลการประเมินปีนี้")
    require_edit(organisation, request.user)
    result = services.analyse_assessment(assessment)
    indicator = next((i for i in result.indicators if i.number == number), None)
    if indicator is None:
        raise Http404("ไม่มีตัวชี้วัดนี้")
    if request.method == "POST":
        form = NarrativeForm(request.POST)
        if form.is_valid():
            services.save_narrative(
                assessment, indicator_number=number, text=form.cleaned_data["text"], by=request.user
            )
            messages.success(request, f"บันทึกคำอธิบายตัวชี้วัดที่ {number} แล้ว")
            return redirect(reverse("analysis", kwargs={"code": code, "year": year}) + f"#ind-{number}")
    else:
        form = NarrativeForm(initial={"text": indicator.narrative})
    return render(
        request,
        "assessments/narrative_edit.html",
        {"organisation": organisation, "fiscal_year": fiscal_year, "indicator": indicator, "form": form},
    )


@login_required
@require_POST
def recommendation_add(request, code, year):
    organisation, fiscal_year, assessment = access_assessment(request.user, code, year)
    if assessment is None:
        raise Http404("ยังไม่มีผลการประเมินปีนี้")
    require_edit(organisation, request.user)
    form = RecommendationForm(request.POST)
    if form.is_valid():
        services.add_recommendation(assessment, by=request.user, **form.cleaned_data)
        messages.success(request, "เพิ่มข้อเสนอแนะแล้ว")
        return redirect(reverse("analysis", kwargs={"code": code, "year": year}) + "#recommendations")
    messages.error(request, "กรุณากรอกข้อเสนอแนะ")
    context = _analysis_context(request, organisation, fiscal_year, assessment, recommendation_form=form)
    return render(request, "assessments/analysis.html", context, status=400)
