"""Tasks go through Redis to a real worker, which writes to PostgreSQL."""

from decimal import Decimal

import pytest
from django.conf import settings

from assessments.models import Assessment
from assessments.tasks import refresh_summaries
from tests.factories import make_organisation, record

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("bundled_frameworks"),
]


def test_tasks_are_not_run_inline_when_redis_is_configured():
    assert settings.CELERY_TASK_ALWAYS_EAGER is False


def test_worker_recomputes_stale_summaries_of_a_year(celery_worker_process):
    org = make_organisation(code="wk1")
    record(org, 2566, {("indicator", str(n), ""): "90" for n in range(1, 11)})
    Assessment.objects.filter(organisation=org).update(total_score=None)

    result = refresh_summaries.delay(2566)

    assert result.get(timeout=60) == 1
    assert Assessment.objects.get(organisation=org).total_score == Decimal("90.00")


def test_running_the_task_twice_gives_the_same_figures(celery_worker_process):
    org = make_organisation(code="wk2")
    record(org, 2565, {("tool", "iit", ""): "80", ("tool", "eit", ""): "90", ("tool", "oit", ""): "85"})
    refresh_summaries.delay(2565).get(timeout=60)
    refresh_summaries.delay(2565).get(timeout=60)
    assert Assessment.objects.get(organisation=org).total_score == Decimal("85.00")


def test_requested_report_is_built_by_the_worker(celery_worker_process, settings):
    from io import StringIO

    from django.core.management import call_command

    from assessments.models import Organisation
    from reports import services as reports
    from reports.models import Report

    call_command("ita_demo", stdout=StringIO())
    org = Organisation.objects.get(code="demo")
    report = reports.request_report(org, kind="memo", year=2566, fmt="pdf", by=None)
    # The task was queued after commit; the worker process renders and stores the file.
    import time

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.state in (Report.State.DONE, Report.State.FAILED):
            break
        time.sleep(0.5)
    assert report.state == Report.State.DONE, report.error
    assert report.file.open("rb").read(4) == b"%PDF"
