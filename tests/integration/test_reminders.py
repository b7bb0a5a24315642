"""Reminders and notification e-mail are sent once even with two workers racing for them.

Two real Celery worker processes take tasks from the same Redis queue and write to the
same PostgreSQL test database; every reminder and every e-mail is claimed by a
conditional UPDATE before it is sent, so only one of the workers may win.
"""

import os
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from assessments.models import Milestone, Role
from assessments.tasks import send_deadline_reminders
from measures import services
from measures.models import ApprovalStep, FollowUpRound, Notification
from measures.tasks import send_due_reminders, send_notification_email
from tests.conftest import ROOT, _database_url
from tests.factories import fiscal_year, make_organisation, make_user

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("bundled_frameworks"),
]

WORKERS = ("itatest-a", "itatest-b")
# The racing tasks go to a queue only these two workers read (another worker of the
# session may be up too); both still read the default queue for the e-mails the
# services queue on commit.
RACE_QUEUE = "itatest-race"


def _log_path(name):
    return ROOT / ".pytest_cache" / f"celery-worker-{name}.log"


@pytest.fixture(scope="module")
def two_workers(django_db_setup, django_db_blocker):
    """Two worker processes with their own hostnames, both on the test database and Redis."""
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.fail("integration tests need DATABASE_URL (PostgreSQL) and REDIS_URL: run scripts/test")
    from ita_portal.celery import app

    app.control.purge()
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(RACE_QUEUE)
    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": settings.REDIS_URL, "PYTHONUNBUFFERED": "1"}
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    logs, procs = [], []
    for name in WORKERS:
        log = open(_log_path(name), "w")  # noqa: SIM115 - closed below
        logs.append(log)
        command = [sys.executable, "-m", "celery", "-A", "ita_portal", "worker", "--pool=solo",
                   "--loglevel=INFO", "--without-gossip", "--without-mingle", f"--hostname={name}@%h",
                   f"--queues=celery,{RACE_QUEUE}"]  # fmt: skip
        procs.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))

    def stop():
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)
        for log in logs:
            log.close()

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for name, proc in zip(WORKERS, procs, strict=True):
            if proc.poll() is not None:
                stop()
                pytest.fail(f"the Celery worker {name} exited ({proc.returncode}); see {_log_path(name)}")
        answered = {host.split("@")[0] for reply in app.control.ping(timeout=1) for host in reply}
        if answered >= set(WORKERS):
            break
    else:
        stop()
        pytest.fail("the two Celery workers did not both answer within 60 s")
    yield procs
    stop()


def worker_logs():
    return {name: _log_path(name).read_text(encoding="utf-8", errors="replace") for name in WORKERS}


def all_worker_logs():
    """Logs of these two workers and of the session's worker (tests/conftest.py)."""
    return sorted((ROOT / ".pytest_cache").glob("celery-worker*.log"))


def received_by_each_worker(task_name):
    return {name: text.count(f"Task {task_name}[") for name, text in worker_logs().items()}


@pytest.fixture
def org():
    return make_organisation(code="reminders", name="องค์การบริหารส่วนตำบลเตือนครั้งเดียว")


@pytest.fixture
def staff_members(org):
    return [
        make_user(organisation=org, role=Role.STAFF, username="rm-staff1", email="staff1@example.org"),
        make_user(organisation=org, role=Role.STAFF, username="rm-staff2", email="staff2@example.org"),
    ]


@pytest.fixture
def approved_plan(org, staff_members):
    """An approved 2566 plan of one measure, through a two-step chain."""
    staff = staff_members[0]
    approver = make_user(organisation=org, role=Role.APPROVER, username="rm-approver")
    executive = make_user(organisation=org, role=Role.EXECUTIVE, username="rm-executive")
    ApprovalStep.objects.create(organisation=org, order=1, title="หัวหน้าสำนักปลัด").users.add(approver)
    ApprovalStep.objects.create(organisation=org, order=2, title="นายก").users.add(executive)
    plan = services.get_or_create_plan(org, fiscal_year=fiscal_year(2566))
    services.save_measure(
        plan, by=staff, issue_area=services.issue_area(4), indicators=[4], items=["i23"],
        title="จัดทำแนวทางปฏิบัติเกี่ยวกับการใช้ทรัพย์สินของราชการ", method="ประชาสัมพันธ์แนวทาง",
        steps=["ร่างแนวทาง", "ประกาศใช้"], start=date(2022, 10, 1), end=date(2023, 9, 30),
    )  # fmt: skip
    plan = services.submit_plan(plan, by=staff)
    plan = services.record_decision(plan, by=approver, kind="forward", opinion="เห็นควรเสนอต่อ")
    return services.record_decision(plan, by=executive, kind="approve", opinion="อนุมัติ", permit_publish=True)


def test_twenty_concurrent_reminder_runs_on_two_workers_remind_each_staff_member_once(
    two_workers, approved_plan, staff_members
):
    six_months, twelve_months = services.ensure_rounds(approved_plan)
    FollowUpRound.objects.filter(pk=six_months.pk).update(due=timezone.localdate() + timedelta(days=3))
    before = received_by_each_worker("measures.tasks.send_due_reminders")

    results = [send_due_reminders.apply_async(queue=RACE_QUEUE) for _ in range(20)]
    sent = [result.get(timeout=60) for result in results]

    # One "due soon" reminder for the 6-month round, one "past due" for the 12-month round
    # (its due date, 30 Sep 2023, is long past with the measure unreported): twice in all.
    assert sum(sent) == 2
    reminded = Notification.objects.filter(key=f"round:{six_months.pk}:before")
    assert sorted(reminded.values_list("user_id", flat=True)) == sorted(u.pk for u in staff_members)
    late = Notification.objects.filter(key=f"round:{twelve_months.pk}:after")
    assert sorted(late.values_list("user_id", flat=True)) == sorted(u.pk for u in staff_members)
    six_months.refresh_from_db()
    assert six_months.reminded_before_at is not None
    assert six_months.reminded_after_at is None
    # Both workers took part, so the claims really raced.
    after = received_by_each_worker("measures.tasks.send_due_reminders")
    assert all(after[name] > before[name] for name in WORKERS), after


def test_one_notification_queued_twenty_times_on_two_workers_is_e_mailed_once(two_workers, org, staff_members):
    marker = f"/notifications/once-{uuid.uuid4().hex}"
    notice = Notification.objects.create(
        user=staff_members[0], organisation=org, key=f"test:{marker}", message="ทดสอบส่งอีเมลครั้งเดียว", url=marker
    )
    before = received_by_each_worker("measures.tasks.send_notification_email")

    results = [send_notification_email.apply_async((notice.pk,), queue=RACE_QUEUE) for _ in range(20)]
    outcomes = [result.get(timeout=60) for result in results]

    assert outcomes.count(True) == 1
    assert outcomes.count(False) == 19
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    # The console e-mail backend writes each message to the worker's log: exactly one.
    assert sum(log.read_text(encoding="utf-8", errors="replace").count(marker) for log in all_worker_logs()) == 1
    after = received_by_each_worker("measures.tasks.send_notification_email")
    assert all(after[name] > before[name] for name in WORKERS), after


def test_twenty_concurrent_deadline_reminder_runs_on_two_workers_remind_each_staff_member_once(
    two_workers, staff_members
):
    Milestone.objects.update(reminded_at=timezone.now())
    today = timezone.localdate()
    closing = Milestone.objects.create(
        fiscal_year=2599,
        kind=Milestone.Kind.CLARIFICATION,
        start=today - timedelta(days=5),
        end=today + timedelta(days=2),
    )
    before = received_by_each_worker("assessments.tasks.send_deadline_reminders")

    results = [send_deadline_reminders.apply_async(queue=RACE_QUEUE) for _ in range(20)]
    sent = [result.get(timeout=60) for result in results]

    assert sum(sent) == 1
    reminded = Notification.objects.filter(key=f"milestone:{closing.pk}")
    assert sorted(reminded.values_list("user_id", flat=True)) == sorted(u.pk for u in staff_members)
    after = received_by_each_worker("assessments.tasks.send_deadline_reminders")
    assert all(after[name] > before[name] for name in WORKERS), after
