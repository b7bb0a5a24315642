"""Notifications: created in the transaction, e-mailed after commit, once."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from assessments.models import Role
from ita_portal.access import forget_unread

from ..models import (
    Notification,
)


def _plan_url(plan):
    return reverse("plan", kwargs={"code": plan.organisation.code, "year": plan.fiscal_year.year})


def notify(users, *, organisation, key, message, url=""):
    """Create one in-app notice per user for this key (never twice) and e-mail it after commit."""
    from ..tasks import send_notification_email

    created = []
    for user in users:
        notice, new = Notification.objects.get_or_create(
            user=user, key=key, defaults={"organisation": organisation, "message": message, "url": url}
        )
        if new:
            created.append(notice.pk)
            forget_unread(user)  # this request's header (if it is theirs) counts again
    for pk in created:
        transaction.on_commit(lambda pk=pk: hand_over_notification(pk, task=send_notification_email))
    return created


def hand_over_notification(pk, *, task):
    """Give one notice's e-mail to the broker with a short try; remember when it was taken.
    A broker that is away leaves ``handed_over_at`` empty for the sweep (never an error)."""
    from ita_portal.celery import hand_over

    if hand_over(task, pk):
        Notification.objects.filter(pk=pk).update(handed_over_at=timezone.now())


# A notice handed over but still not e-mailed after this long is sent again (its message may
# have been lost); older than NOTICE_MAX_AGE it is left alone.
NOTICE_RESEND_AFTER = timedelta(minutes=10)
NOTICE_MAX_AGE = timedelta(days=3)


def sweep_notifications(limit=500):
    """Periodic (Celery beat): e-mail notices that were never handed to the broker (it was
    away after the commit) or handed over long ago and still not sent. Returns how many."""
    from ..tasks import send_notification_email

    now = timezone.now()
    pending = (
        Notification.objects.filter(emailed_at__isnull=True, created_at__gte=now - NOTICE_MAX_AGE)
        .exclude(user__email="")
        .filter(Q(handed_over_at__isnull=True) | Q(handed_over_at__lt=now - NOTICE_RESEND_AFTER))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in pending:
        hand_over_notification(pk, task=send_notification_email)
        sent += 1
    return sent


def _notify_step(plan, step):
    notify(
        step.users.all(),
        organisation=plan.organisation,
        key=f"plan:{plan.pk}:r{plan.revision}:s{plan.submission}:step{step.order}",
        message=f"แผนมาตรการปี {plan.fiscal_year.year} ของ{plan.organisation.name} รอการพิจารณาของท่าน ({step.title})",
        url=_plan_url(plan),
    )


def _staff_of(organisation):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(memberships__organisation=organisation, memberships__role=Role.STAFF, is_active=True)
        .distinct()
    )


def _notify_staff(plan, message, event):
    notify(
        _staff_of(plan.organisation),
        organisation=plan.organisation,
        key=f"plan:{plan.pk}:r{plan.revision}:s{plan.submission}:{event}",
        message=message,
        url=_plan_url(plan),
    )
