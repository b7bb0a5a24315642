"""Pages for the agency's own words on its analysis: the analysis of an item, and the
assessors' recommendations edited, deleted and reordered. Staff of the organisation only
(ita_portal.access.require_edit); another organisation's rows are a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ita_portal.access import access_assessment, require_edit

from . import agency_words
from .forms import ItemAnalysisForm, RecommendationEditForm
from .frameworks import framework_for
from .models import ItemAnalysis, Recommendation
from .services import EditConflict


def _editable_assessment(request, code, year):
    organisation, fiscal_year, assessment = access_assessment(request.user, code, year)
    if assessment is None:
        raise Http404("ยังไม่มีผลการประเมินปีนี้")
    require_edit(organisation, request.user)
    return organisation, fiscal_year, assessment


def _analysis_url(code, year, anchor):
    return reverse("analysis", kwargs={"code": code, "year": year}) + anchor


@login_required
def item_analysis_edit(request, code, year, item):
    organisation, fiscal_year, assessment = _editable_assessment(request, code, year)
    framework = framework_for(assessment.edition)
    found = next((it for it in framework.items if it.code == item.lower()), None)
    if found is None:
        raise Http404("ไม่มีข้อนี้ในกรอบการประเมินของปีที่เลือก")
    saved = ItemAnalysis.objects.filter(assessment=assessment, item_code=found.code).first()
    status = 200
    if request.method == "POST":
        form = ItemAnalysisForm(request.POST)
        if form.is_valid():
            try:
                changed = agency_words.save_item_analysis(
                    assessment, item_code=found.code, label=found.label, text=form.cleaned_data["text"],
                    by=request.user, based_on=form.cleaned_data["based_on"],
                )  # fmt: skip
            except EditConflict as exc:
                data = request.POST.copy()
                data["based_on"] = agency_words.version_of(saved)  # saving again replaces it deliberately
                form = ItemAnalysisForm(data)
                form.add_error(None, str(exc))
                status = 409
            else:
                messages.success(request, f"บันทึกคำวิเคราะห์ข้อ {found.label} แล้ว" if changed else "ไม่มีการเปลี่ยนแปลง")
                return redirect(_analysis_url(code, year, "#item-words"))
        else:
            status = 400
    else:
        form = ItemAnalysisForm(
            initial={"text": saved.text if saved else "", "based_on": agency_words.version_of(saved)}
        )
    return render(
        request,
        "assessments/item_analysis_edit.html",
        {"organisation": organisation, "fiscal_year": fiscal_year, "item": found, "form": form},
        status=status,
    )


# A delete or a move says which version it saw; a request without it changes nothing.
STALE_PAGE = "ไม่ทราบว่าท่านเห็นข้อเสนอแนะฉบับใด จึงยังไม่ได้ทำรายการ กรุณาเปิดหน้าผลการวิเคราะห์ใหม่แล้วลองอีกครั้ง"


def _recommendation(assessment, pk):
    return get_object_or_404(Recommendation, pk=pk, assessment=assessment)


@login_required
def recommendation_edit(request, code, year, pk):
    organisation, fiscal_year, assessment = _editable_assessment(request, code, year)
    rec = _recommendation(assessment, pk)
    status = 200
    if request.method == "POST":
        form = RecommendationEditForm(request.POST)
        if form.is_valid():
            values = {k: form.cleaned_data[k] for k in agency_words.REC_FIELDS}
            try:
                changed = agency_words.edit_recommendation(
                    rec, by=request.user, based_on=form.cleaned_data["based_on"], **values
                )
            except EditConflict as exc:
                data = request.POST.copy()
                current = Recommendation.objects.filter(pk=rec.pk).first()
                data["based_on"] = agency_words.version_of(current)
                form = RecommendationEditForm(data)
                form.add_error(None, str(exc))
                status = 409
            else:
                messages.success(request, "แก้ไขข้อเสนอแนะแล้ว" if changed else "ไม่มีการเปลี่ยนแปลง")
                return redirect(_analysis_url(code, year, "#recommendations"))
        else:
            status = 400
    else:
        form = RecommendationEditForm(
            initial={"tool": rec.tool, "part": rec.part, "item_codes": rec.item_codes, "text": rec.text,
                     "based_on": agency_words.version_of(rec)}
        )  # fmt: skip
    return render(
        request,
        "assessments/recommendation_edit.html",
        {"organisation": organisation, "fiscal_year": fiscal_year, "recommendation": rec, "form": form},
        status=status,
    )


@login_required
@require_POST
def recommendation_delete(request, code, year, pk):
    _organisation, _fiscal_year, assessment = _editable_assessment(request, code, year)
    rec = _recommendation(assessment, pk)
    if not request.POST.get("based_on"):
        messages.error(request, STALE_PAGE)
        return redirect(_analysis_url(code, year, "#recommendations"))
    try:
        agency_words.delete_recommendation(rec, by=request.user, based_on=request.POST["based_on"])
    except EditConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "ลบข้อเสนอแนะแล้ว")
    return redirect(_analysis_url(code, year, "#recommendations"))


@login_required
@require_POST
def recommendation_move(request, code, year, pk):
    _organisation, _fiscal_year, assessment = _editable_assessment(request, code, year)
    rec = _recommendation(assessment, pk)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if not request.POST.get("based_on"):
        messages.error(request, STALE_PAGE)
        return redirect(_analysis_url(code, year, "#recommendations"))
    if offset is None:
        messages.error(request, "ไม่รู้จักทิศทางการเลื่อน (เลื่อนขึ้นหรือเลื่อนลงเท่านั้น)")
        return redirect(_analysis_url(code, year, "#recommendations"))
    try:
        agency_words.move_recommendation(rec, by=request.user, offset=offset, based_on=request.POST.get("based_on"))
    except EditConflict as exc:
        messages.error(request, str(exc))
    return redirect(_analysis_url(code, year, f"#rec-{rec.pk}"))
