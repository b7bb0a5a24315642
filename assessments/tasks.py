"""Background tasks for assessments (inline when REDIS_URL is not set)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def refresh_summaries(year):
    """Recompute the stored total and mismatch count of every assessment of a fiscal year.

    Run after an administrator changes a year's rules (weights, thresholds). Safe to
    run twice: it only rewrites derived figures, never a published one.
    """
    return services.refresh_summaries(year)


@shared_task(acks_late=True)
def send_deadline_reminders():
    """Daily (Celery beat): remind staff before the OIT answering and clarification deadlines."""
    from .itas_calendar import send_deadline_reminders as run

    return run()
