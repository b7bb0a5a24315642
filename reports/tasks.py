"""Report generation in the background (inline without a broker), and its upkeep."""

from celery import shared_task
from django.conf import settings

from .models import Report
from .services import TRANSIENT_ERRORS


@shared_task(
    bind=True, acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=5, max_retries=3,
    soft_time_limit=settings.ITA_REPORT_TIME_LIMIT, time_limit=settings.ITA_REPORT_TIME_LIMIT + 30,
)  # fmt: skip
def generate_report(self, report_id):
    """Build, render and store one requested report (under a lease renewed while it runs)."""
    from .services import generate

    report = Report.objects.filter(pk=report_id).select_related("organisation").first()
    if report is None:
        return None
    return generate(report, renew_lease=not self.request.is_eager).state


@shared_task(acks_late=True)
def freeze_approved_documents(revision_id):
    """Render and store the approved memo and measures PDFs of a revision (safe twice)."""
    from .frozen import freeze_approved_documents as freeze

    return sorted(d.sha256 for d in freeze(revision_id).values())


@shared_task(acks_late=True)
def sweep_reports():
    """Every minute (Celery beat): send builds that were never handed to the broker, take over
    builds whose worker stopped renewing its lease, and freeze approved documents still missing."""
    from .leases import sweep
    from .public import sweep_frozen

    return sweep() + sweep_frozen()


@shared_task(acks_late=True)
def delete_superseded_reports():
    """Hourly (Celery beat): delete the files of reports a newer build has replaced."""
    from .leases import delete_superseded

    return delete_superseded()
