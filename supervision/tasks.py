"""Background tasks for supervision (inline when REDIS_URL is not set)."""

from celery import shared_task


@shared_task(acks_late=True)
def send_chase_reminders():
    """Daily (Celery beat): remind agencies past a supervisor's deadline, once each."""
    from .services import send_chase_reminders as run

    return run()
