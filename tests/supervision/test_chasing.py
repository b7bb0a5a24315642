"""Chasing: a supervisor's deadline, the agencies that missed it reminded once, one summary."""

from datetime import date, timedelta

import pytest

from assessments.models import ChangeLog
from measures.models import Notification
from supervision import services
from supervision.models import Chase
from tests.factories import fiscal_year

pytestmark = pytest.mark.django_db

YESTERDAY = date.today() - timedelta(days=1)


def chase(tree, supervisor, **overrides):
    values = {"kind": Chase.Kind.PUBLISH, "due": YESTERDAY, "round_number": None}
    values.update(overrides)
    return services.set_chase(tree["prov"], fiscal_year=fiscal_year(2566), by=supervisor, **values)


def test_agencies_that_have_not_published_are_listed(tree, province_supervisor):
    assert [o.code for o in services.laggards(chase(tree, province_supervisor))] == ["a3", "a4", "a5", "t1"]


def test_each_laggard_is_reminded_once_even_when_run_twice(tree, province_supervisor):
    chase(tree, province_supervisor)
    assert services.send_chase_reminders() == 4
    assert services.send_chase_reminders() == 0
    reminded = Notification.objects.filter(key__startswith="chase:").exclude(key__endswith="summary")
    assert sorted(reminded.values_list("organisation__code", flat=True)) == ["a3", "a4", "a5", "t1"]


def test_supervisor_gets_one_summary_naming_how_many(tree, province_supervisor):
    chase(tree, province_supervisor)
    services.send_chase_reminders()
    services.send_chase_reminders()
    [summary] = Notification.objects.filter(user=province_supervisor)
    assert "ยังไม่ดำเนินการ 4 หน่วยงาน" in summary.message


def test_nothing_is_sent_before_the_date(tree, province_supervisor):
    chase(tree, province_supervisor, due=date.today())
    assert services.send_chase_reminders() == 0
    assert not Notification.objects.exists()


def test_round_chase_lists_agencies_that_have_not_reported_it(tree, province_supervisor):
    late = services.laggards(chase(tree, province_supervisor, kind=Chase.Kind.REPORT, round_number=1))
    assert "a1" not in [o.code for o in late] and "a2" in [o.code for o in late]


def test_a_second_worker_cannot_claim_a_reminder_already_sent(tree, province_supervisor):
    from supervision.models import ChaseReminder

    c = chase(tree, province_supervisor)
    services.send_chase_reminders()
    Chase.objects.filter(pk=c.pk).update(summary_sent_at=None)  # as if the run died before its summary
    assert services.send_chase_reminders() == 0
    assert ChaseReminder.objects.filter(chase=c).count() == 4


def test_setting_a_chase_is_logged(tree, province_supervisor):
    chase(tree, province_supervisor)
    assert ChangeLog.objects.get(action="supervision.chase").organisation == tree["prov"]


def test_supervisor_sets_a_chase_from_the_dashboard(client, tree, province_supervisor):
    client.force_login(province_supervisor)
    response = client.post("/s/prov/2565/chase/", {"kind": "publish", "due": "31/12/2569"})
    assert response.status_code == 302
    assert Chase.objects.get().due == date(2026, 12, 31)


def test_report_chase_without_a_round_is_refused_with_a_message(client, tree, province_supervisor):
    client.force_login(province_supervisor)
    response = client.post("/s/prov/2565/chase/", {"kind": "report", "due": "31/12/2569"})
    assert response.status_code == 400 and "กรุณาระบุรอบที่ต้องรายงาน" in response.content.decode()
    assert not Chase.objects.exists()


def test_agency_staff_cannot_set_a_chase(client, tree):
    from django.contrib.auth.models import User

    client.force_login(User.objects.get(username="staff-a1"))
    assert client.post("/s/prov/2565/chase/", {"kind": "publish", "due": "31/12/2569"}).status_code == 404
