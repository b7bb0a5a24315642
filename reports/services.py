"""Requesting and generating reports: stored as rows, rebuilt only when their data changed."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from assessments.models import ChangeLog

from . import builders
from .models import Report


def render(context, fmt):
    """The file bytes of a built context in a format (the one rendering path)."""
    if fmt == Report.Format.PDF:
        from .pdf import render_pdf

        return render_pdf(context)
    from .excel import render_xlsx

    return render_xlsx(context)


def frozen_report(document, *, by=None):
    """A finished report row that serves an approved document's stored file (never rebuilt)."""
    plan = document.revision.plan
    report = Report.objects.filter(
        organisation=plan.organisation, kind=document.kind, year=plan.fiscal_year.year, round_number=None,
        fmt=Report.Format.PDF, state=Report.State.DONE, source_hash=document.sha256,
    ).first()  # fmt: skip
    if report is None:
        report = Report.objects.create(
            organisation=plan.organisation, kind=document.kind, year=plan.fiscal_year.year, fmt=Report.Format.PDF,
            state=Report.State.DONE, progress=100, source_hash=document.sha256, file=document.file.name,
            requested_by=by, finished_at=timezone.now(),
        )  # fmt: skip
    return report


def request_report(organisation, *, kind, year, fmt, by, round_number=None):
    """A report for the web: the stored one when its data has not changed since, otherwise a
    new row queued for the worker. Refuses at once (ReportError, Thai) what cannot be built."""
    if fmt not in Report.Format.values:
        raise builders.ReportError(f"ไม่รู้จักรูปแบบไฟล์ “{fmt}”")
    if fmt == Report.Format.PDF:
        from .frozen import frozen_document_for

        document = frozen_document_for(organisation, year, kind)
        if document is not None:
            return frozen_report(document, by=by)
    context = builders.build(kind, organisation, year, round_number=round_number)
    digest = builders.source_hash(context)
    existing = (
        Report.objects.filter(organisation=organisation, kind=kind, year=year, round_number=round_number, fmt=fmt)
        .exclude(state=Report.State.FAILED)
        .filter(source_hash=digest)
        .first()
    )
    if existing is not None:
        return existing
    with transaction.atomic():
        report = Report.objects.create(
            organisation=organisation, kind=kind, year=year, round_number=round_number, fmt=fmt,
            source_hash=digest, requested_by=by,
        )  # fmt: skip
        ChangeLog.objects.create(
            user=by, organisation=organisation, action="report.request",
            summary=f"ขอรายงาน{report.get_kind_display()} ปี {year} ({fmt})", details={"report": report.pk},
        )  # fmt: skip
        from .tasks import generate_report

        transaction.on_commit(lambda: generate_report.delay(report.pk))
    return report


def generate(report):
    """Build and render one report row; safe to run twice (a finished row is left alone)."""
    claimed = Report.objects.filter(pk=report.pk, state=Report.State.QUEUED).update(
        state=Report.State.RUNNING, progress=10
    )
    if not claimed:
        return Report.objects.get(pk=report.pk)
    report.refresh_from_db()
    try:
        context = builders.build(report.kind, report.organisation, report.year, round_number=report.round_number)
        Report.objects.filter(pk=report.pk).update(progress=40)
        data = render(context, report.fmt)
        report.file.save(report.filename, ContentFile(data), save=False)
        report.state, report.progress, report.finished_at = Report.State.DONE, 100, timezone.now()
        report.source_hash = builders.source_hash(context)
        report.save(update_fields=["file", "state", "progress", "finished_at", "source_hash"])
    except builders.ReportError as exc:
        Report.objects.filter(pk=report.pk).update(
            state=Report.State.FAILED, error=str(exc), finished_at=timezone.now()
        )
    except Exception as exc:  # a broken template must show as a failed report, never a stuck one
        Report.objects.filter(pk=report.pk).update(
            state=Report.State.FAILED, error=f"สร้างรายงานไม่สำเร็จ ({exc.__class__.__name__})", finished_at=timezone.now()
        )
        raise
    return Report.objects.get(pk=report.pk)
