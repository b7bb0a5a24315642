"""Report generation in the background (inline without REDIS_URL)."""

from celery import shared_task

from .models import Report


@shared_task(acks_late=True)
def generate_report(report_id):
    """Build, render and store one requested report."""
    from .services import generate

    report = Report.objects.filter(pk=report_id).select_related("organisation").first()
    if report is None:
        return None
    return generate(report).state


@shared_task(acks_late=True)
def freeze_approved_documents(revision_id):
    """Render and store the approved memo and measures PDFs of a revision (safe twice)."""
    from .frozen import freeze_approved_documents as freeze

    return sorted(d.sha256 for d in freeze(revision_id).values())
