"""Background tasks for plans: notification e-mail and follow-up reminders."""

from datetime import timedelta

from celery import shared_task
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone

from ita_portal.links import site_url

from .models import Notification

# A claim older than this belongs to a worker that died before sending: taken over.
CLAIM_EXPIRES = timedelta(minutes=10)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_notification_email(notification_id):
    """E-mail one notice to its user, once: the row is claimed before sending and marked
    e-mailed only when the mail backend accepted it."""
    now = timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_id, emailed_at__isnull=True)
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - CLAIM_EXPIRES))
        .update(email_claimed_at=now)
    )
    if claimed != 1:
        return False
    notice = Notification.objects.select_related("user").get(pk=notification_id)
    if not notice.user.email:
        return False
    try:
        # The in-app notice keeps the site path; the e-mail needs the full address (SITE_URL).
        body = f"{notice.message}\n\n{site_url(notice.url)}" if notice.url else notice.message
        send_mail("ITA Portal: " + notice.message[:60], body, None, [notice.user.email])
    except Exception:
        # Not accepted by the backend, whatever the error: give the claim back so a retry
        # (or the sweep) can send it; it is never marked sent.
        Notification.objects.filter(pk=notification_id).update(email_claimed_at=None)
        raise
    # Sent only now that the backend accepted it.
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())
    return True


@shared_task(acks_late=True)
def send_due_reminders():
    """Daily (Celery beat): remind staff before and after follow-up rounds are due."""
    from .services import send_due_reminders as run

    return run()


@shared_task(acks_late=True)
def sweep_notifications():
    """Every minute (Celery beat): e-mail notices the broker never received."""
    from .services import sweep_notifications as run

    return run()
