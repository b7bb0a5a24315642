"""Requesting reports with visible progress, downloading them, and the public pages.

Everything goes through ``access_organisation`` (another organisation: 404). The
public address of a plan and its follow-up needs no login and exists only once the
last approver granted permission to publish.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessments.item_meta import evidence_item
from assessments.models import Organisation
from assessments.thai import format_date
from ita_portal.access import access_organisation
from measures.models import Plan

from . import builders, services
from .models import Report

KINDS_NEED_PLAN = {"measures", "memo", "followup", "annual"}


@login_required
def reports_page(request, code, year):
    organisation = access_organisation(request.user, code)
    plan = Plan.objects.filter(organisation=organisation, fiscal_year__year=year).first()
    rounds = list(plan.rounds.order_by("number")) if plan else []
    recent = Report.objects.filter(organisation=organisation, year=year).select_related("requested_by")[:20]
    return render(
        request,
        "reports/reports_page.html",
        {"organisation": organisation, "year": year, "plan": plan, "rounds": rounds, "recent": recent,
         "kinds": Report.Kind.choices},
    )  # fmt: skip


@login_required
@require_POST
def request_report(request, code, year):
    organisation = access_organisation(request.user, code)
    kind, fmt = request.POST.get("kind", ""), request.POST.get("fmt", "pdf")
    round_number = request.POST.get("round") or None
    try:
        round_number = int(round_number) if round_number else None
        if kind not in Report.Kind.values:
            raise builders.ReportError(f"ไม่รู้จักรายงานชนิด “{kind}”")
        report = services.request_report(
            organisation, kind=kind, year=year, fmt=fmt, by=request.user, round_number=round_number
        )
    except (builders.ReportError, ValueError) as exc:
        messages.error(request, str(exc) if isinstance(exc, builders.ReportError) else "รอบการติดตามต้องเป็นตัวเลข")
        return redirect("reports", code=code, year=year)
    return redirect("report_status", code=code, pk=report.pk)


@login_required
def report_status(request, code, pk):
    organisation = access_organisation(request.user, code)
    report = get_object_or_404(Report, pk=pk, organisation=organisation)
    return render(request, "reports/report_status.html", {"organisation": organisation, "report": report})


@login_required
def report_download(request, code, pk):
    organisation = access_organisation(request.user, code)
    report = get_object_or_404(Report, pk=pk, organisation=organisation)
    if report.state != Report.State.DONE or not report.file:
        messages.info(request, "รายงานยังสร้างไม่เสร็จ")
        return redirect("report_status", code=code, pk=pk)
    return FileResponse(report.file.open("rb"), as_attachment=report.fmt == "xlsx", filename=report.filename)


# --------------------------------------------------------------------------- #
# Public (no login): the approved plan and its follow-up reports
# --------------------------------------------------------------------------- #


def _published_plan(code, year):
    organisation = get_object_or_404(Organisation, code=code)
    plan = get_object_or_404(Plan.objects.published(), organisation=organisation, fiscal_year__year=year)
    return organisation, plan


def public_plan(request, code, year):
    organisation, plan = _published_plan(code, year)
    context = builders.build_measures(organisation, year, approved_only=True)
    evidence, evidence_exact = evidence_item(year, "measures")
    return render(
        request,
        "reports/public_plan.html",
        {"organisation": organisation, "plan": plan, "ctx": context, "rounds": plan.rounds.order_by("number"),
         "pdf_url": reverse("public_plan_pdf", kwargs={"code": code, "year": year}),
         "evidence": evidence, "evidence_exact": evidence_exact,
         "approved_on": format_date(timezone.localtime(plan.approved_revision.approved_at), thai_digits=False)},
    )  # fmt: skip


def _public_file(organisation, kind, year, round_number=None):
    """The stored PDF if up to date, else built now (public readers do not wait on a queue)."""
    context = builders.build(kind, organisation, year, round_number=round_number, approved_only=True)
    digest = builders.source_hash(context)
    report = Report.objects.filter(
        organisation=organisation, kind=kind, year=year, round_number=round_number, fmt="pdf",
        state=Report.State.DONE, source_hash=digest,
    ).first()  # fmt: skip
    if report is None:
        report = Report.objects.create(
            organisation=organisation, kind=kind, year=year, round_number=round_number, fmt="pdf", source_hash=digest
        )
        report = services.generate(report)
    if report.state != Report.State.DONE:
        raise Http404(report.error)
    return FileResponse(report.file.open("rb"), filename=report.filename, content_type="application/pdf")


def public_plan_pdf(request, code, year):
    organisation, _plan = _published_plan(code, year)
    return _public_file(organisation, "measures", year)


def public_followup_pdf(request, code, year, number):
    organisation, plan = _published_plan(code, year)
    get_object_or_404(plan.rounds, number=number)
    return _public_file(organisation, "followup", year, number)
