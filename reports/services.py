"""Requesting and generating reports: stored as rows, rebuilt only when their data changed."""

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from assessments.models import ChangeLog

from . import builders, leases
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


def request_report(organisation, *, kind, year, fmt, by, round_number=None, inline=True):
    """A report for the web: the stored one when its data has not changed since, otherwise a
    new row queued for the worker. Refuses at once (ReportError, Thai) what cannot be built.

    However many identical requests arrive at once, one row (and one build) per kind,
    parameters and data: the database's unique constraint decides, the losers get the winner's
    row. A row nobody is building (never handed over, or its worker died) is sent again.
    ``inline=False`` (anonymous requests) never builds in this process, even with Celery inline."""
    if fmt not in Report.Format.values:
        raise builders.ReportError(f"ไม่รู้จักรูปแบบไฟล์ “{fmt}”")
    if fmt == Report.Format.PDF:
        from .frozen import frozen_document_for

        document = frozen_document_for(organisation, year, kind)
        if document is not None:
            return frozen_report(document, by=by)
    context = builders.build(kind, organisation, year, round_number=round_number)
    digest = builders.source_hash(context)
    same = Report.objects.filter(
        organisation=organisation, kind=kind, year=year, round_number=round_number, fmt=fmt,
        source_hash=digest, state__in=Report.LIVE_STATES,
    )  # fmt: skip
    existing = same.first()
    if existing is None:
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    organisation=organisation, kind=kind, year=year, round_number=round_number, fmt=fmt,
                    source_hash=digest, requested_by=by,
                )  # fmt: skip
                ChangeLog.objects.create(
                    user=by, organisation=organisation, action="report.request",
                    summary=f"ขอรายงาน{report.get_kind_display()} ปี {year} ({fmt})", details={"report": report.pk},
                )  # fmt: skip
                # Recorded first, handed over after commit with a short try: a broker that is
                # away leaves the row for the sweep, and this request still answers at once.
                transaction.on_commit(lambda: leases.hand_over(report.pk, inline=inline))
            return report
        except IntegrityError:  # an identical request committed first: use its row
            existing = same.get()
    leases.resume_if_stale(existing, inline=inline)
    return existing


TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError)


def generate(report, *, renew_lease=False):
    """Build and render one report row under a lease; safe to run twice (a row that is
    finished, or being built under a live lease, is left alone).

    Transient errors (database, disk) give the row back to the queue and are raised for the
    task to retry; anything else fails the row with a Thai message."""
    owner = leases.new_owner()
    if not leases.claim(report.pk, owner, renewed=renew_lease):
        return Report.objects.get(pk=report.pk)
    report.refresh_from_db()
    mine = leases.held(report.pk, owner)
    with leases.renewed(report.pk, owner, enabled=renew_lease):
        try:
            if settings.ITA_REPORT_TEST_PAUSE:
                leases.pause_for_tests(report.pk)
            context = builders.build(report.kind, report.organisation, report.year, round_number=report.round_number)
            mine.update(progress=40)
            data = render(context, report.fmt)
            report.file.save(report.filename, ContentFile(data), save=False)
            done = {"file": report.file.name, "state": Report.State.DONE, "progress": 100,
                    "finished_at": timezone.now(), "lease_owner": "", "lease_expires_at": None}  # fmt: skip
            try:
                with transaction.atomic():
                    kept = mine.update(source_hash=builders.source_hash(context), **done)
            except IntegrityError:  # the data changed meanwhile and another row holds the new build
                kept = 0
                mine.update(state=Report.State.SUPERSEDED, lease_owner="", lease_expires_at=None)
            if not kept:  # the lease was lost (taken over) or superseded: this file is not needed
                report.file.storage.delete(report.file.name)
        except SoftTimeLimitExceeded:
            mine.update(
                state=Report.State.FAILED, lease_owner="", finished_at=timezone.now(),
                error="สร้างรายงานนานเกินกำหนด จึงหยุดไว้ กรุณาลองอีกครั้ง หรือแจ้งผู้ดูแลระบบหากเป็นซ้ำ",
            )  # fmt: skip
        except builders.ReportError as exc:
            mine.update(state=Report.State.FAILED, error=str(exc), lease_owner="", finished_at=timezone.now())
        except TRANSIENT_ERRORS:
            leases.release(report.pk, owner)
            raise
        except Exception as exc:  # a broken template must show as a failed report, never a stuck one
            mine.update(
                state=Report.State.FAILED, error=f"สร้างรายงานไม่สำเร็จ ({exc.__class__.__name__})",
                lease_owner="", finished_at=timezone.now(),
            )  # fmt: skip
            raise
    return Report.objects.get(pk=report.pk)
