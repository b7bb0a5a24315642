"""Background tasks for plans: notification e-mail and follow-up reminders."""

from celery import shared_task
from django.core.mail import send_mail
from django.utils import timezone

from ita_portal.links import site_url

from .models import Notification


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_notification_email(notification_id):
    """E-mail one notice to its user, once: the row is claimed before sending."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if claimed != 1:
        return False
    notice = Notification.objects.select_related("user").get(pk=notification_id)
    if not notice.user.email:
        return False
    try:
        # The in-app notice keeps the site path; the e-mail needs the full address (SITE_URL).
        body = f"{notice.message}\n\n{site_url(notice.url)}" if notice.url else notice.message
        send_mail("ITA Portal: " + notice.message[:60], body, None, [notice.user.email])
    except OSError:
        # Give the claim back so the retry can send it.
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    return True


@shared_task(acks_late=True)
def send_due_reminders():
    """Daily (Celery beat): remind staff before and after follow-up rounds are due."""
    from .services import send_due_reminders as run

    return run()
