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
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from assessments.item_meta import evidence_item
from assessments.models import Organisation
from ita_portal.access import access_organisation, access_plan, access_report
from measures.models import FollowUpRound, Plan

from . import builders, leases, public, services, verification
from .frozen import approved_document
from .models import ApprovedDocument, Report

KINDS_NEED_PLAN = {"measures", "memo", "followup", "annual"}


@login_required
@require_safe
def reports_page(request, code, year):
    organisation = access_organisation(request.user, code)
    # the plan's rounds with the plan in one query; the plan alone when it has no round yet
    rounds = list(
        FollowUpRound.objects.filter(plan__organisation=organisation, plan__fiscal_year__year=year)
        .select_related("plan")
        .order_by("number")
    )
    plan = rounds[0].plan if rounds else Plan.objects.filter(organisation=organisation, fiscal_year__year=year).first()
    recent = Report.objects.filter(organisation=organisation, year=year)[:20]  # who asked is not shown
    return render(
        request,
        "reports/reports_page.html",
        {"organisation": organisation, "year": year, "plan": plan, "rounds": rounds, "recent": recent,
         "kinds": Report.Kind.choices, "can_edit": organisation.can_edit(request.user), "text_kinds": _text_kinds()},
    )  # fmt: skip


def _text_kinds():
    from .models import DocumentText

    return DocumentText.Kind.choices


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
@require_safe
def report_status(request, code, pk):
    organisation, report = access_report(request.user, code, pk)
    # the row just read says whether anyone must build it: no second query for a build under way
    if leases.seems_to_need_hand_over(report, grace=leases.HAND_OVER_GRACE) and leases.resume_if_stale(report):
        report.refresh_from_db()  # nobody was building it (its worker died): sent again
    return render(request, "reports/report_status.html", {"organisation": organisation, "report": report})


@login_required
@require_safe
def report_download(request, code, pk):
    organisation, report = access_report(request.user, code, pk)
    if report.state != Report.State.DONE or not report.file:
        messages.info(request, "รายงานยังสร้างไม่เสร็จ")
        return redirect("report_status", code=code, pk=pk)
    return FileResponse(report.file.open("rb"), as_attachment=report.fmt == "xlsx", filename=report.filename)


@login_required
@require_safe
def revision_document(request, code, year, number, kind):
    """The memo or measures PDF of an approved revision, as stored at approval."""
    organisation, _fiscal_year, plan = access_plan(request.user, code, year)
    if plan is None or kind not in ApprovedDocument.Kind.values:
        raise Http404("ไม่มีเอกสารนี้")
    revision = get_object_or_404(plan.revisions, number=number)
    try:
        document = approved_document(revision, kind)
    except builders.ReportError as exc:
        messages.error(request, str(exc))
        return redirect("revision", code=code, year=year, number=number)
    return FileResponse(document.file.open("rb"), filename=document.filename, content_type="application/pdf")


# --------------------------------------------------------------------------- #
# Public (no login): the approved plan and its follow-up reports
# --------------------------------------------------------------------------- #


def _published_plan(code, year):
    organisation = get_object_or_404(Organisation, code=code)
    plan = get_object_or_404(Plan.objects.published(), organisation=organisation, fiscal_year__year=year)
    return organisation, plan


@require_safe
def public_plan(request, code, year):
    """The approved revision's measures as approved (never a newer draft) and the reported rounds."""
    organisation, plan = _published_plan(code, year)
    context = builders.build_measures(organisation, year, approved_only=True)
    from assessments.models import Item

    # The measures item of the organisation's own scheme (a college's list is not NACC's).
    evidence, evidence_exact = evidence_item(
        year, "measures", items=Item.objects.filter(edition__scheme=organisation.scheme)
    )
    return render(
        request,
        "reports/public_plan.html",
        {"organisation": organisation, "plan": plan, "ctx": context,
         "rounds": plan.rounds.filter(reported_at__isnull=False).order_by("number"),
         "pdf_url": reverse("public_plan_pdf", kwargs={"code": code, "year": year}),
         "verify_url": reverse("verify_hash", kwargs={"sha256": plan.approved_revision.sha256}),
         "evidence": evidence, "evidence_exact": evidence_exact},
    )  # fmt: skip


@require_safe
def public_plan_pdf(request, code, year):
    """The measures PDF frozen at approval, byte for byte (built ahead, never in this request)."""
    _organisation, plan = _published_plan(code, year)
    return public.frozen_measures(request, plan)


@require_safe
def public_followup_pdf(request, code, year, number):
    """A reported round only (an unreported one is not public); its stored build, never rendered here."""
    _organisation, plan = _published_plan(code, year)
    get_object_or_404(plan.rounds, number=number, reported_at__isnull=False)
    try:
        return public.followup(request, plan, number)
    except builders.ReportError as exc:
        raise Http404(str(exc)) from None


# --------------------------------------------------------------------------- #
# Public verification of approved documents (no login)
# --------------------------------------------------------------------------- #


def _hash_upload(request, handler):
    """SHA-256 of the uploaded "file" (hashed while it arrives, never stored), or a Thai
    reason it cannot be read; (None, None) when no file was sent."""
    upload = request.FILES.get("file")
    if getattr(handler, "too_large", False):
        return None, "ไฟล์ใหญ่เกิน 50 MB จึงไม่ใช่เอกสารที่ระบบนี้จัดเก็บ"
    if upload is None:
        return None, None
    if not upload.size:
        return None, "ไฟล์ที่เลือกว่างเปล่า"
    return upload.sha256, None


def _hashing(request):
    """Hash uploads instead of keeping them. Set before anything reads the body, so the
    views are csrf_exempt outside and csrf_protect inside (Django's documented pattern)."""
    handler = verification.HashingUploadHandler(request)
    request.upload_handlers = [handler]
    return handler


@csrf_exempt
def verify(request):
    """/verify/: upload a file or paste a SHA-256."""
    return _verify(request, _hashing(request))


@csrf_protect
def _verify(request, handler):
    typed, error = "", None
    if request.method == "POST":
        digest, error = _hash_upload(request, handler)
        if digest:
            found = verification.lookup(digest)
            return render(
                request, "reports/verify.html",
                {"found": found, "digest": digest, "uploaded": True, "matches": found is not None},
            )  # fmt: skip
        if error is None:
            typed = request.POST.get("sha256", "")
            digest = verification.normalise_hash(typed)
            if digest:
                return redirect("verify_hash", sha256=digest)
            error = (
                "รหัส SHA-256 ต้องเป็นเลขฐานสิบหก 64 ตัว (0–9, a–f)" if typed.strip()
                else "กรุณาเลือกไฟล์ หรือวางรหัส SHA-256 ของเอกสาร"
            )  # fmt: skip
    return render(request, "reports/verify.html", {"error": error, "typed": typed}, status=400 if error else 200)


@csrf_exempt
def verify_hash(request, sha256):
    """/verify/<sha256>/: what the hash belongs to; a file uploaded here is compared with it."""
    return _verify_hash(request, sha256, _hashing(request))


@csrf_protect
def _verify_hash(request, sha256, handler):
    sha256 = sha256.lower()
    found = verification.lookup(sha256)
    context = {"found": found, "digest": sha256}
    if request.method == "POST":
        uploaded, error = _hash_upload(request, handler)
        if error or uploaded is None:
            context["error"] = error or "กรุณาเลือกไฟล์ที่จะตรวจสอบ"
        else:
            context.update(uploaded=True, uploaded_digest=uploaded,
                           matches=uploaded == sha256 or (found is not None and uploaded in
                                                          {d.sha256 for d in found["documents"]}))  # fmt: skip
            if context["matches"] and uploaded != sha256:
                context["found"] = verification.lookup(uploaded)
    return render(request, "reports/verify.html", context, status=404 if found is None else 200)


@login_required
def document_texts(request, code, year, doc):
    """The agency's own words in one document of the year: introduction, summary,
    limitations, closing (and, for the analysis, where each indicator's analysis prints)."""
    from assessments.services import EditConflict
    from ita_portal.access import require_edit
    from measures.services import WorkflowError

    from . import texts
    from .forms import DocumentTextsForm
    from .models import DocumentText

    organisation = access_organisation(request.user, code)
    if doc not in texts.KINDS:
        raise Http404("ไม่มีเอกสารชนิดนี้")
    require_edit(organisation, request.user)
    label = DocumentText.Kind(doc).label
    status = 200
    if request.method == "POST":
        form = DocumentTextsForm(request.POST, kind=doc)
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "based_on"}
            try:
                changes = texts.save_texts(organisation, year, doc, values=values, by=request.user,
                                           based_on=form.cleaned_data["based_on"])  # fmt: skip
            except (EditConflict, WorkflowError) as exc:
                data = request.POST.copy()
                if isinstance(exc, EditConflict):
                    data["based_on"] = texts.version_of(organisation, year, doc)  # saving again replaces it
                form = DocumentTextsForm(data, kind=doc)
                form.is_valid()
                form.add_error(None, str(exc))
                status = 409
            else:
                messages.success(request, f"บันทึกข้อความใน{label}แล้ว" if changes else "ไม่มีการเปลี่ยนแปลง")
                return redirect("document_texts", code=code, year=year, doc=doc)
        else:
            status = 400
    else:
        form = DocumentTextsForm(
            initial={**texts.texts_for(organisation, year, doc), "based_on": texts.version_of(organisation, year, doc)},
            kind=doc,
        )
    return render(
        request,
        "reports/document_texts.html",
        {"organisation": organisation, "year": year, "doc": doc, "label": label, "form": form,
         "kinds": [(k, DocumentText.Kind(k).label) for k in texts.KINDS]},
        status=status,
    )  # fmt: skip
