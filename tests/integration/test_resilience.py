"""Background work that never sticks and nothing lost when the broker is away.

Real worker processes on Redis and the PostgreSQL test database: a worker killed with
SIGKILL in the middle of a build leaves a lease that expires, and the next request hands
the build to another worker; ten identical requests at once make one build; with Redis at
a closed port a decision and a report request answer at once with the change saved, and
the sweep sends the e-mail (once) and builds the report when the broker is back.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import date
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.utils import timezone

from assessments.models import Role
from measures import services as plans
from measures.models import ApprovalStep, Notification, Plan
from measures.tasks import sweep_notifications
from reports import leases
from reports import services as reports
from reports.models import Report
from reports.tasks import generate_report, sweep_reports
from tests.conftest import ROOT, _database_url
from tests.factories import fiscal_year, make_organisation, make_user
from tests.waiting import wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("bundled_frameworks"),
]

LEASE_QUEUE = "itatest-lease"  # only the worker that is going to be killed reads it


def report_row(pk):
    return Report.objects.get(pk=pk)


@pytest.fixture
def org():
    return make_organisation(code=f"ops{uuid.uuid4().hex[:6]}", name="องค์การบริหารส่วนตำบลไม่หายไม่ค้าง")


@pytest.fixture
def staff(org):
    return make_user(organisation=org, role=Role.STAFF, username=f"{org.code}-staff", email="staff@example.org")


@pytest.fixture
def approver(org):
    return make_user(organisation=org, role=Role.APPROVER, username=f"{org.code}-approver", email="boss@example.org")


@pytest.fixture
def plan(org, staff, approver):
    """A 2566 draft plan of one measure and a one-step chain."""
    ApprovalStep.objects.create(organisation=org, order=1, title="นายก").users.add(approver)
    plan = plans.get_or_create_plan(org, fiscal_year=fiscal_year(2566))
    plans.save_measure(
        plan, by=staff, issue_area=plans.issue_area(4), indicators=[4], items=["i23"],
        title="จัดทำแนวทางปฏิบัติเกี่ยวกับการใช้ทรัพย์สินของราชการ", method="ประชาสัมพันธ์แนวทาง",
        steps=["ร่างแนวทาง", "ประกาศใช้"], start=date(2022, 10, 1), end=date(2023, 9, 30),
    )  # fmt: skip
    return plan


def start_worker(name, *, queues, **extra_env):
    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": settings.REDIS_URL, "PYTHONUNBUFFERED": "1"}
    env.update({k: str(v) for k, v in extra_env.items()})
    log = open(ROOT / ".pytest_cache" / f"celery-worker-{name}.log", "w")  # noqa: SIM115 - closed by stop()
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ita_portal", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-gossip", "--without-mingle", f"--hostname={name}@%h", f"--queues={queues}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    from ita_portal.celery import app

    def answered():
        if proc.poll() is not None:
            raise AssertionError(f"the worker {name} exited ({proc.returncode})")
        return any(host.startswith(f"{name}@") for reply in app.control.ping(timeout=1) for host in reply)

    wait_for(answered, timeout=60, what=f"the worker {name} to answer")

    def stop():
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)
        log.close()

    return proc, stop


@pytest.mark.parametrize("taker", ["request", "sweep"])
def test_a_worker_killed_mid_build_leaves_a_lease_that_the_next_request_or_sweep_hands_to_another_worker(
    celery_worker_process, plan, staff, taker
):
    from ita_portal.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(LEASE_QUEUE)
    # This worker pauses every build after claiming it, renewing a 2-second lease meanwhile.
    doomed, stop = start_worker(
        "itatest-doomed", queues=LEASE_QUEUE, ITA_REPORT_TEST_PAUSE=300, ITA_REPORT_LEASE_SECONDS=2
    )
    try:
        context = reports.builders.build("measures", plan.organisation, 2566)
        report = Report.objects.create(
            organisation=plan.organisation, kind="measures", year=2566, fmt="pdf",
            source_hash=reports.builders.source_hash(context), requested_by=staff, handed_over_at=timezone.now(),
        )  # fmt: skip
        generate_report.apply_async((report.pk,), queue=LEASE_QUEUE, ignore_result=True)

        def claimed_by_doomed():
            row = report_row(report.pk)
            return row.state == Report.State.RUNNING and row.lease_owner.split(":")[1] == str(doomed.pid)

        wait_for(claimed_by_doomed, what="the doomed worker to claim the build")
        os.kill(doomed.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        doomed.wait(timeout=20)
        row = report_row(report.pk)
        assert row.state == Report.State.RUNNING  # what a crash used to leave forever
        wait_for(lambda: Report.objects.filter(leases.stale(), pk=report.pk).exists(), what="the lease to expire")

        if taker == "request":  # the next request for the same report gets the same row, sent again
            again = reports.request_report(plan.organisation, kind="measures", year=2566, fmt="pdf", by=staff)
            assert again.pk == report.pk
        else:  # beat's sweep, run by the other worker
            assert sweep_reports.delay().get(timeout=60) >= 1
        wait_for(lambda: report_row(report.pk).state == Report.State.DONE, what="the report to be built")
        print(f"killed mid-build, taken over by the {taker}: done {time.monotonic() - killed_at:.1f} s after SIGKILL")
        row = report_row(report.pk)
        assert row.attempts == 2 and row.lease_owner == "" and row.file.open("rb").read(4) == b"%PDF"
        assert Report.objects.filter(organisation=plan.organisation).count() == 1
    finally:
        stop()


def test_ten_identical_requests_at_once_make_one_row_and_one_build(celery_worker_process, plan, staff):
    barrier = threading.Barrier(10)
    answers = []

    def request():
        try:
            client = Client()
            client.force_login(staff)
            barrier.wait(timeout=30)
            response = client.post(
                f"/o/{plan.organisation.code}/reports/2566/request/", {"kind": "measures", "fmt": "pdf"}
            )
            answers.append((response.status_code, response.url))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(answers) == 10 and {status for status, _ in answers} == {302}
    assert len({url for _, url in answers}) == 1  # all ten are sent to the same progress page
    (report,) = Report.objects.filter(organisation=plan.organisation)
    wait_for(lambda: report_row(report.pk).state == Report.State.DONE, what="the report to be built")
    assert report_row(report.pk).attempts == 1  # built once


# --------------------------------------------------------------------------- #
# The broker away: a web process whose Redis is a closed port
# --------------------------------------------------------------------------- #


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def web_without_broker():
    """``manage.py runserver`` on the test database with REDIS_URL pointing at a closed port."""
    port, closed = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": f"redis://127.0.0.1:{closed}/8",
           "DEBUG": "0", "ITA_EMBEDDED": "1", "ALLOWED_HOSTS": "127.0.0.1", "PYTHONUNBUFFERED": "1"}  # fmt: skip
    log = open(ROOT / ".pytest_cache" / "web-without-broker.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip

    def listening():
        if proc.poll() is not None:
            raise AssertionError("the web server exited; see .pytest_cache/web-without-broker.log")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    wait_for(listening, timeout=60, what="the web server")
    warm = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    warm.request("GET", "/login/")  # loads the URLconf and templates: the timings below are the requests'
    warm.getresponse().read()
    warm.close()
    yield port
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def post(port, path, user, data):
    """POST as a logged-in user (a session made by the test client); returns (status, seconds)."""
    client = Client()
    client.force_login(user)
    token = "t" * 32  # an unmasked CSRF secret, sent as cookie and field
    cookies = f"sessionid={client.cookies['sessionid'].value}; csrftoken={token}"
    body = urlencode({**data, "csrfmiddlewaretoken": token})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.monotonic()
    conn.request("POST", path, body, {"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    elapsed = time.monotonic() - started
    conn.close()
    return response.status, elapsed


def test_with_redis_away_a_decision_and_a_report_request_answer_at_once_and_nothing_is_lost(
    celery_worker_process, web_without_broker, plan, staff, approver
):
    code = plan.organisation.code
    submit_status, submit_seconds = post(web_without_broker, f"/o/{code}/plans/2566/", staff, {"action": "submit"})
    report_status, report_seconds = post(
        web_without_broker, f"/o/{code}/reports/2566/request/", staff, {"kind": "measures", "fmt": "pdf"}
    )
    print(f"broker down: submit answered in {submit_seconds:.3f} s, report request in {report_seconds:.3f} s")

    assert (submit_status, report_status) == (302, 302)
    assert submit_seconds < 2 and report_seconds < 2
    # The changes are saved, the work recorded and not handed over.
    assert Plan.objects.get(pk=plan.pk).state == Plan.State.SUBMITTED
    notice = Notification.objects.get(user=approver, organisation=plan.organisation)
    assert notice.handed_over_at is None and notice.emailed_at is None
    report = Report.objects.get(organisation=plan.organisation)
    assert report.state == Report.State.QUEUED and report.handed_over_at is None

    # Redis is back (for the beat's sweeps, which run here through the real broker).
    assert sweep_notifications.delay().get(timeout=60) >= 1
    assert sweep_reports.delay().get(timeout=60) >= 1
    wait_for(lambda: report_row(report.pk).state == Report.State.DONE, what="the report to be built")
    wait_for(lambda: Notification.objects.get(pk=notice.pk).emailed_at, what="the e-mail to be sent")
    # A second sweep sends nothing again: the e-mail went out once.
    sweep_notifications.delay().get(timeout=60)
    sweep_reports.delay().get(timeout=60)
    sent = [
        log.read_text(encoding="utf-8", errors="replace").count(f"/o/{code}/plans/2566/")
        for log in sorted((ROOT / ".pytest_cache").glob("celery-worker*.log"))
    ]
    assert sum(sent) == 1, sent
    assert Report.objects.filter(organisation=plan.organisation).count() == 1


def test_ten_anonymous_requests_of_a_public_pdf_at_once_make_no_build_in_the_web(
    celery_worker_process, plan, staff, approver, monkeypatch
):
    from reports import pdf

    rendered = []
    real = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda *a, **k: rendered.append(1) or real(*a, **k))  # counts only
    submitted = plans.submit_plan(plan, by=staff)
    plans.record_decision(submitted, by=approver, kind="approve", opinion="อนุมัติ", permit_publish=True)
    barrier = threading.Barrier(10)
    answers = []

    def fetch():
        try:
            barrier.wait(timeout=30)
            response = Client().get(f"/p/{plan.organisation.code}/2566/measures.pdf")
            answers.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fetch) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # Each reader got the stored file or the waiting page; none rendered in the web process.
    assert len(answers) == 10 and set(answers) <= {200, 503} and rendered == []
    from reports.models import ApprovedDocument

    wait_for(lambda: Client().get(f"/p/{plan.organisation.code}/2566/measures.pdf").status_code == 200,
             what="the worker's frozen measures PDF")  # fmt: skip
    (document,) = ApprovedDocument.objects.filter(revision__plan=plan, kind="measures")
    assert document.sha256 and rendered == []
