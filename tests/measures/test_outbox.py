"""Notices are recorded first and e-mailed after commit; a notice counts as e-mailed only
when the mail backend accepted it, and the sweep sends what the broker never received."""

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from measures import services
from measures.models import Notification
from measures.tasks import send_notification_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(org, staff):
    staff.email = "staff@example.org"
    staff.save()
    return Notification.objects.create(user=staff, organisation=org, key="test:1", message="ทดสอบ", url="/x/")


def test_a_mail_backend_error_of_any_kind_leaves_the_notice_unsent(notice, monkeypatch, inline_celery):
    def refuse(self, messages):
        raise ValueError("the SMTP server refused the message")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    with pytest.raises(ValueError):
        send_notification_email.apply(args=(notice.pk,), throw=True)
    notice.refresh_from_db()
    assert notice.emailed_at is None and notice.email_claimed_at is None


def test_a_notice_is_marked_e_mailed_once_the_backend_accepted_it(notice, inline_celery):
    assert send_notification_email.apply(args=(notice.pk,)).get() is True
    notice.refresh_from_db()
    assert notice.emailed_at is not None and len(mail.outbox) == 1
    assert send_notification_email.apply(args=(notice.pk,)).get() is False
    assert len(mail.outbox) == 1


def test_the_sweep_sends_notices_the_broker_never_received_once(notice, inline_celery):
    assert services.sweep_notifications() == 1
    notice.refresh_from_db()
    assert notice.emailed_at is not None and notice.handed_over_at is not None
    assert services.sweep_notifications() == 0
    assert len(mail.outbox) == 1


def test_the_sweep_skips_users_without_an_e_mail_address(org, staff, inline_celery):
    Notification.objects.create(user=staff, organisation=org, key="test:2", message="ทดสอบ")
    assert services.sweep_notifications() == 0
