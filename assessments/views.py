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
from django.views.decorators.http import require_POST, require_safe

from ita_portal.access import (
    access_assessment,
    access_edition,
    access_organisation,
    may_configure_documents,
    may_read_audit,
    require_edit,
)

from . import itas_calendar, peers, services
from .analysis import PART_LABELS
from .charts import chart_bars
from .codes import item_labels
from .forms import NarrativeForm, RecommendationForm, ScoresForm, UploadForm, field_name
from .frameworks import framework_for
from .item_meta import guidance_for, item_changes_for
from .models import Assessment, FiscalYear, IndicatorNarrative, Level, Organisation
from .thai import normalise_text

# --------------------------------------------------------------------------- #
# Home and organisations
# --------------------------------------------------------------------------- #


@login_required
@require_safe
def home(request):
    """Own organisation's page; a list (with scores per year) for supervisors."""
    orgs = Organisation.objects.visible_to(request.user)
    supervises = []
    if not request.user.is_superuser:
        own = list(orgs.filter(memberships__user=request.user).exclude(memberships__role="supervisor")[:2])
        supervises = list(Organisation.objects.filter(memberships__user=request.user, memberships__role="supervisor"))
        if len(own) == 1 and not supervises:
            return redirect("organisation", code=own[0].code)
    query = normalise_text(request.GET.get("q"))[:100]  # a NUL or a novel-length query is no search
    if query:
        orgs = orgs.filter(Q(code__icontains=query) | Q(name__icontains=query) | Q(province__icontains=query))
    # The latest three assessed years: a list a phone can show (every year is on each agency's page).
    years = list(FiscalYear.objects.with_framework().prefetch_related("editions__grade_bands").order_by("-year")[:3])[
        ::-1
    ]
    page = Paginator(orgs.order_by("code"), 50).get_page(request.GET.get("page"))
    assessments = Assessment.objects.filter(organisation__in=list(page.object_list)).values_list(
        "organisation_id", "fiscal_year__year", "total_score", "edition_id"
    )
    table = {(org_id, year): (total, edition_id) for org_id, year, total, edition_id in assessments}
    editions = {e.pk: e for fy in years for e in fy.editions.all()}
    rows = []
    for org in page.object_list:
        cells = []
        for fy in years:
            total, edition_id = table.get((org.pk, fy.year)) or (None, None)
            edition = editions.get(edition_id) or fy.edition(org.scheme)
            cells.append({"year": fy.year, "total": total, "standing": edition.standing(total) if edition else None})
        rows.append({"organisation": org, "cells": cells})
    return render(
        request,
        "assessments/home.html",
        {"page": page, "rows": rows, "years": years, "query": query, "supervises": supervises},
    )


@login_required
@require_safe
def organisation_page(request, code):
    organisation = access_organisation(request.user, code)
    years = list(FiscalYear.objects.with_framework().prefetch_related("editions__grade_bands").order_by("-year"))
    by_year = {a.fiscal_year_id: a for a in organisation.assessments.select_related("edition")}
    rows = []
    for fy in years:
        assessment = by_year.get(fy.pk)
        edition = assessment.edition if assessment else fy.edition(organisation.scheme)
        if edition is None:
            continue  # the year has no framework for the organisation's scheme
        total = getattr(assessment, "total_score", None)
        rows.append(
            {
                "year": fy.year,
                "fiscal_year": fy,
                "edition": edition,
                "assessment": assessment,
                "standing": edition.standing(total),
            }
        )
    from measures.models import Plan

    plans = {
        p.fiscal_year.year: p for p in Plan.objects.filter(organisation=organisation).select_related("fiscal_year")
    }
    for row in rows:
        row["plan"] = plans.get(row["year"])
    # Plan years beyond the frameworks: a year that has a plan, and next year's plan as soon as a year has scores.
    shown = {row["year"] for row in rows}
    plan_only = {year for year in plans if year not in shown}
    scored = [row["year"] for row in rows if row["assessment"] is not None]
    if scored and max(scored) + 1 not in shown:
        plan_only.add(max(scored) + 1)
    rows += [
        {"year": year, "fiscal_year": {"year": year}, "plan_only": True, "plan": plans.get(year)} for year in plan_only
    ]
    rows.sort(key=lambda row: -row["year"])
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
            "can_read_audit": may_read_audit(organisation, request.user),
            "can_configure_documents": may_configure_documents(organisation, request.user),
            "milestones": itas_calendar.upcoming(),
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
    edition = access_edition(organisation, fiscal_year)
    framework = framework_for(edition)
    can_edit = organisation.can_edit(request.user)
    slots = [(Level.TOTAL, "total", "", "คะแนนรวม")]
    for tool in framework.tools:
        slots.append((Level.TOOL, tool.code, "", f"{tool.code.upper()} {tool.name}"))
        for part, name in tool.parts:
            slots.append((Level.TOOL, tool.code, part, f"{tool.code.upper()} {PART_LABELS.get(part, name)}"))
    current = _current_scores(assessment)
    status = 200
    if request.method == "POST":
        require_edit(organisation, request.user)
        form = ScoresForm(request.POST, slots=slots, current=current)
        try:
            counts = _record_edits(form, organisation, fiscal_year, request.user)
        except services.EditConflict as exc:
            form, status = _conflicting(form, exc, slots, current), 409
            messages.error(request, str(exc))
        else:
            if counts is not None:
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
            "edition": edition,
            "assessment": assessment,
            "form": form,
            "rows": rows,
            "indicator_rows": indicator_rows,
            "can_edit": can_edit,
        },
        status=status,
    )


def _record_edits(form, organisation, fiscal_year, user):
    """Save the figures this person changed (None when the form has errors)."""
    if not form.is_valid():
        return None
    values, expected = form.edits()
    return services.record_scores(organisation, fiscal_year=fiscal_year, values=values, by=user, expected=expected)


def _conflicting(form, exc, slots, current):
    """The refused form again, what was typed kept, with the figures now stored as the ones
    it is based on in the refused fields: saving again deliberately replaces them."""
    data = form.data.copy()
    for (level, key, part), value in exc.current.items():
        data[form.add_initial_prefix(field_name(level, key, part))] = "" if value is None else f"{value:.2f}"
    return ScoresForm(data, slots=slots, current=current)


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
    edition = access_edition(organisation, fiscal_year)
    framework = framework_for(edition)
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
    status = 200
    if request.method == "POST":
        require_edit(organisation, request.user)
        form = ScoresForm(request.POST, slots=slots, current=current)
        try:
            counts = _record_edits(form, organisation, fiscal_year, request.user)
        except services.EditConflict as exc:
            form, status = _conflicting(form, exc, slots, current), 409
            messages.error(request, str(exc))
        else:
            if counts is not None:
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
    guidance = guidance_for(fiscal_year, [item.code for item in items])
    item_rows = []
    for item in items:
        fields = [form[n] for n in names if form.slots[n][0] == Level.ITEM and form.slots[n][1] == item.code]
        item_rows.append({"item": item, "fields": fields, "guide": guidance.get(item.code)})
    return render(
        request,
        "assessments/indicator_scores.html",
        {
            "organisation": organisation,
            "fiscal_year": fiscal_year,
            "edition": edition,
            "indicator": indicator,
            "form": form,
            "head_rows": head_rows,
            "item_rows": item_rows,
            "part_labels": [PART_LABELS[p] for p in part_codes if p] or ["คะแนน"],
            "indicators": framework.indicators,
            "next_number": next_number,
            "can_edit": can_edit,
        },
        status=status,
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
    edition = access_edition(organisation, fiscal_year)
    form = UploadForm(max_bytes=settings.ITA_MAX_IMPORT_BYTES)
    context = {"organisation": organisation, "fiscal_year": fiscal_year, "edition": edition, "form": form}
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
                sheet = services.read_score_sheet(
                    upload, upload.name, framework_for(edition), sheet=form.cleaned_data["sheet"]
                )
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
@require_safe
def analysis_page(request, code, year):
    organisation, fiscal_year, assessment = access_assessment(request.user, code, year)
    if not services.has_scores(assessment):
        return render(
            request,
            "assessments/analysis_empty.html",
            {"organisation": organisation, "fiscal_year": fiscal_year, "can_edit": organisation.can_edit(request.user)},
        )
    return _analysis_response(request, organisation, fiscal_year, assessment)


def _analysis_response(request, organisation, fiscal_year, assessment, recommendation_form=None, status=200):
    """The analysis page; its body from analysis_cache (kept until anything it shows changes),
    rendered anew when it shows a form's errors."""
    from django.template.context_processors import csrf

    from . import analysis_cache

    can_edit = organisation.can_edit(request.user)
    csrf_token = csrf(request)["csrf_token"]  # lazy, as the context processor's: one token for the page
    body = analysis_cache.content(
        assessment, csrf_token=csrf_token, can_edit=can_edit, cacheable=recommendation_form is None,
        build=lambda: _analysis_context(organisation, fiscal_year, assessment, recommendation_form, can_edit=can_edit),
    )  # fmt: skip
    context = {"organisation": organisation, "fiscal_year": fiscal_year, "content": body, "csrf_token": csrf_token}
    return render(request, "assessments/analysis.html", context, status=status)


def _analysis_context(organisation, fiscal_year, assessment, recommendation_form=None, *, can_edit: bool):
    loaded = {}  # last year's assessment and the scores: read once for the analysis and the item changes
    result = services.analyse_assessment(assessment, loaded=loaded)
    weak_by_indicator = [
        {"indicator": ind, "items": ind.weak_items(result.threshold)}
        for ind in result.indicators
        if ind.tool != "oit" and ind.weak_items(result.threshold)
    ]
    recommendations = list(assessment.recommendations.all())
    return {
        "organisation": organisation,
        "fiscal_year": fiscal_year,
        "assessment": assessment,
        "a": result,
        "chart": chart_bars([(i.number, i.score, i.status, i.previous) for i in result.indicators], result.threshold),
        "weak_by_indicator": weak_by_indicator,
        "recommendations": recommendations,
        **_words_context(assessment, result, recommendations),
        "recommendation_form": recommendation_form or RecommendationForm(),
        "can_edit": can_edit,
        "part_labels": PART_LABELS,
        "item_changes": item_changes_for(assessment, current=result, loaded=loaded),
        **peers.context(assessment, result),
        "item_hrefs": _item_edit_hrefs(organisation, fiscal_year, result),
    }


def _item_edit_hrefs(organisation, fiscal_year, result) -> dict[str, str]:
    """{item code: its analysis editor's address}: one reverse() for the page instead of one
    {% url %} per item link (three lists; 88 items on a 2565 page). Codes are slugs, which
    reverse() writes unchanged, so the addresses are the ones it would give."""
    marker = "item-code-marker"
    base = reverse("item_analysis_edit", args=[organisation.code, fiscal_year.year, marker])
    head, tail = base.split(marker)
    return {it.code: f"{head}{it.code}{tail}" for ind in result.indicators for it in ind.items}


def _words_context(assessment, result, recommendations):
    """The agency's own words shown on the analysis page: its item analyses, every item to
    write one for, and the recommendations under their tools."""
    from .agency_words import TOOL_LABELS, item_analyses

    texts = item_analyses(assessment)
    items = [it for ind in result.indicators for it in ind.items]
    groups = {}
    for rec in recommendations:
        groups.setdefault(rec.tool or "", []).append(rec)
    return {
        "item_words": [{"item": it, "text": texts[it.code]} for it in items if it.code in texts],
        "word_items": [{"indicator": ind, "items": ind.items} for ind in result.indicators if ind.items],
        "recommendation_groups": [
            {"tool": t, "label": TOOL_LABELS[t], "rows": groups[t]} for t in ("iit", "eit", "oit", "") if t in groups
        ],
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
    saved = IndicatorNarrative.objects.filter(assessment=assessment, indicator_number=number).first()
    status = 200
    if request.method == "POST":
        form = NarrativeForm(request.POST)
        if form.is_valid():
            # A form posted without the token (an old page) is saved unchecked, as before.
            based_on = form.cleaned_data["based_on"] if "based_on" in request.POST else None
            try:
                services.save_narrative(
                    assessment, indicator_number=number, text=form.cleaned_data["text"], by=request.user,
                    based_on=based_on,
                )  # fmt: skip
            except services.EditConflict as exc:
                data = request.POST.copy()
                data["based_on"] = services.narrative_token(saved)  # saving again replaces it deliberately
                form = NarrativeForm(data)
                form.add_error(None, str(exc))
                status = 409
            else:
                messages.success(request, f"บันทึกคำอธิบายตัวชี้วัดที่ {number} แล้ว")
                return redirect(reverse("analysis", kwargs={"code": code, "year": year}) + f"#ind-{number}")
    else:
        form = NarrativeForm(initial={"text": indicator.narrative, "based_on": services.narrative_token(saved)})
    return render(
        request,
        "assessments/narrative_edit.html",
        {"organisation": organisation, "fiscal_year": fiscal_year, "indicator": indicator, "form": form},
        status=status,
    )


@login_required
@require_POST
def recommendation_add(request, code, year):
    organisation, fiscal_year, assessment = access_assessment(request.user, code, year)
    if assessment is None:
        raise Http404("ยังไม่มีผลการประเมินปีนี้")
    require_edit(organisation, request.user)
    form = RecommendationForm(request.POST, item_labels=item_labels(fiscal_year))
    if form.is_valid():
        services.add_recommendation(assessment, by=request.user, **form.cleaned_data)
        messages.success(request, "เพิ่มข้อเสนอแนะแล้ว")
        return redirect(reverse("analysis", kwargs={"code": code, "year": year}) + "#recommendations")
    messages.error(request, form.errors.get("item_codes", ["กรุณากรอกข้อเสนอแนะ"])[0])
    return _analysis_response(request, organisation, fiscal_year, assessment, recommendation_form=form, status=400)
