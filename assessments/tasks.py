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


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_invitation(user_id):
    """E-mail a new user the link to set their password (Django's password-reset token).

    Sent only while the account has no usable password, so a retry after the user has
    already set one sends nothing."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail

    from .onboarding import invitation_message

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or user.has_usable_password() or not user.email:
        return False
    subject, body = invitation_message(user, site_url=settings.SITE_URL)
    send_mail(subject, body, None, [user.email])
    return True
