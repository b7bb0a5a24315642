"""Public documents built ahead by a real worker: after approval and after a round is reported
the files are there before anyone asks; readers get them with ETag (304 on a match), and ten
readers at once of a round whose data changed make no build in the web process and one row."""

import threading
from datetime import date

import pytest
from django.db import connections
from django.test import Client

from measures import services as plans
from measures.models import ApprovalStep, FollowUpEntry
from reports import pdf
from reports.models import ApprovedDocument, Report
from tests.factories import fiscal_year
from tests.waiting import wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("bundled_frameworks"),
]


@pytest.fixture
def renders(monkeypatch):
    """PDFs rendered in this (the web's) process; the worker is another process."""
    calls = []
    real = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


@pytest.fixture
def published(celery_worker_process, org, staff, executive):
    """A 2566 plan of one measure approved with permission to publish, its first round reported."""
    ApprovalStep.objects.create(organisation=org, order=1, title="นายก").users.add(executive)
    plan = plans.get_or_create_plan(org, fiscal_year=fiscal_year(2566))
    measure = plans.save_measure(
        plan, by=staff, issue_area=plans.issue_area(4), indicators=[4], items=["i23"], title="จัดทำแนวทางปฏิบัติ",
        start=date(2022, 10, 1), end=date(2023, 9, 30),
    )  # fmt: skip
    plans.submit_plan(plan, by=staff)
    plan = plans.record_decision(plan, by=executive, kind="approve", opinion="อนุมัติ", permit_publish=True)
    first, _second = plans.ensure_rounds(plan)
    plans.record_followup(first, measure=measure, by=staff, status="in_progress", percent=50, done="เริ่มแล้ว")
    plans.report_round(first, by=staff)
    return plan


def followup_built(org):
    return Report.objects.filter(organisation=org, kind="followup", round_number=1, state="done").first()


def test_after_approval_and_reporting_the_worker_has_built_the_public_pdfs(published, org, renders):
    wait_for(lambda: ApprovedDocument.objects.filter(revision__plan=published).count() == 2, what="the frozen PDFs")
    report = wait_for(lambda: followup_built(org), what="the round's public PDF")
    assert report.requested_by is None and report.file.read(4) == b"%PDF"
    assert renders == []


def test_readers_get_the_stored_pdfs_with_etag_and_304_on_a_match(published, org, renders):
    wait_for(lambda: followup_built(org), what="the round's public PDF")
    wait_for(lambda: ApprovedDocument.objects.filter(revision__plan=published, kind="measures").exists(),
             what="the frozen measures PDF")  # fmt: skip
    for url in (f"/p/{org.code}/2566/measures.pdf", f"/p/{org.code}/2566/followup-1.pdf"):
        first = Client().get(url)
        assert first.status_code == 200 and b"".join(first.streaming_content)[:4] == b"%PDF"
        again = Client().get(url, headers={"if-none-match": first["ETag"]})
        assert again.status_code == 304
    assert renders == []


def test_ten_readers_at_once_of_a_changed_round_make_no_build_in_the_web_and_one_row(published, org, renders):
    wait_for(lambda: followup_built(org), what="the round's public PDF")
    FollowUpEntry.objects.filter(round__plan=published).update(done="แก้ไขแล้ว")  # changed behind the services
    barrier = threading.Barrier(10)
    answers = []

    def fetch():
        try:
            barrier.wait(timeout=30)
            answers.append(Client().get(f"/p/{org.code}/2566/followup-1.pdf").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fetch) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(answers) == 10 and set(answers) <= {200, 503} and 503 in answers and renders == []
    wait_for(lambda: Client().get(f"/p/{org.code}/2566/followup-1.pdf").status_code == 200, what="the rebuilt PDF")
    rows = Report.objects.filter(organisation=org, kind="followup", round_number=1)
    assert rows.count() == 2 and renders == []  # the first build and exactly one for the changed data
