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
