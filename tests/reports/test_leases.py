"""Report builds under a lease: taken over when it expires, one build per data, failures
with a Thai message and a way to try again, superseded files deleted."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from reports import builders, leases, services
from reports.models import Report

pytestmark = pytest.mark.django_db


def queued(demo, kind="memo", year=2566, **fields):
    context = builders.build(kind, demo, year)
    values = {
        "organisation": demo,
        "kind": kind,
        "year": year,
        "fmt": "pdf",
        "source_hash": builders.source_hash(context),
    }
    return Report.objects.create(**{**values, **fields})


def test_a_build_whose_lease_expired_is_taken_over_and_finished(demo):
    report = queued(
        demo, state=Report.State.RUNNING, lease_owner="dead-host:1:x", attempts=1,
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )  # fmt: skip
    built = services.generate(report)
    assert built.state == Report.State.DONE and built.attempts == 2 and built.lease_owner == ""
    assert built.file.read(4) == b"%PDF"


def test_a_build_under_a_live_lease_is_left_to_its_owner(demo):
    report = queued(
        demo, state=Report.State.RUNNING, lease_owner="busy-host:1:x", attempts=1,
        lease_expires_at=timezone.now() + timedelta(minutes=1),
    )  # fmt: skip
    assert services.generate(report).state == Report.State.RUNNING
    assert Report.objects.get(pk=report.pk).attempts == 1


def test_a_build_tried_too_often_fails_with_a_thai_message(demo, settings):
    report = queued(
        demo, state=Report.State.RUNNING, attempts=settings.ITA_REPORT_MAX_ATTEMPTS,
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )  # fmt: skip
    failed = services.generate(report)
    assert failed.state == Report.State.FAILED and "หลังพยายาม 3 ครั้ง" in failed.error


def test_a_second_live_row_for_the_same_data_is_refused_by_the_database(demo):
    first = queued(demo)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(
            organisation=demo, kind=first.kind, year=first.year, fmt="pdf", source_hash=first.source_hash
        )


def test_a_failed_row_does_not_block_a_new_build_of_the_same_data(demo):
    # The analysis, not the memo: an approved plan's memo is the document frozen at approval.
    first = queued(demo, kind="analysis", year=2565, state=Report.State.FAILED, error="เสีย")
    second = services.request_report(demo, kind="analysis", year=2565, fmt="pdf", by=None)
    assert second.pk != first.pk and second.source_hash == first.source_hash


def test_a_failed_report_shows_the_reason_and_a_button_to_try_again(demo):
    report = queued(demo, state=Report.State.FAILED, error="สร้างรายงานไม่สำเร็จ (ValueError)")
    client = Client()
    client.force_login(get_user_model().objects.get(username="staff"))
    page = client.get(f"/o/demo/reports/file/{report.pk}/").content.decode()
    assert "สร้างรายงานไม่สำเร็จ (ValueError)" in page and "ลองสร้างอีกครั้ง" in page
    again = client.post("/o/demo/reports/2566/request/", {"kind": "memo", "fmt": "pdf"})
    assert again.status_code == 302 and again.url != f"/o/demo/reports/file/{report.pk}/"


def test_a_request_meeting_a_row_never_handed_over_sends_it_again(demo, inline_celery):
    report = queued(demo, kind="analysis", year=2565)
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    again = services.request_report(demo, kind="analysis", year=2565, fmt="pdf", by=None)
    assert again.pk == report.pk
    report.refresh_from_db()
    assert report.state == Report.State.DONE and report.handed_over_at is not None


def test_the_sweep_builds_rows_never_handed_over(demo, inline_celery):
    report = queued(demo)
    assert leases.sweep() == 1
    report.refresh_from_db()
    assert report.state == Report.State.DONE
    assert leases.sweep() == 0


def test_superseded_files_are_deleted_after_the_grace_and_the_page_says_so(demo, inline_celery):
    old = services.generate(queued(demo, kind="analysis", year=2565))
    name, storage = old.file.name, old.file.storage
    Report.objects.filter(pk=old.pk).update(source_hash="older-data", finished_at=timezone.now() - timedelta(hours=3))
    new = services.generate(queued(demo, kind="analysis", year=2565))
    assert leases.delete_superseded(grace=timedelta(hours=1)) == 0  # the newer one is too fresh
    Report.objects.filter(pk=new.pk).update(finished_at=timezone.now() - timedelta(hours=2))

    assert leases.delete_superseded(grace=timedelta(hours=1)) == 1
    old.refresh_from_db()
    assert old.state == Report.State.SUPERSEDED and not old.file
    assert not storage.exists(name)
    assert Report.objects.get(pk=new.pk).file.read(4) == b"%PDF"
    client = Client()
    client.force_login(get_user_model().objects.get(username="staff"))
    assert "ขอฉบับล่าสุด" in client.get(f"/o/demo/reports/file/{old.pk}/").content.decode()


def test_workers_are_recycled_after_the_configured_number_of_tasks(settings):
    from ita_portal.celery import app

    assert app.conf.worker_max_tasks_per_child == settings.CELERY_WORKER_MAX_TASKS_PER_CHILD == 50


def test_a_superseded_row_of_an_approved_document_keeps_the_documents_file(demo):
    from reports.frozen import approved_document
    from reports.models import ApprovedDocument
    from reports.services import frozen_report

    revision = demo.plans.get(fiscal_year__year=2566).approved_revision
    document = approved_document(revision, ApprovedDocument.Kind.MEASURES)
    old = frozen_report(document)
    Report.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(hours=3))
    newer = services.generate(queued(demo, kind="measures"))
    Report.objects.filter(pk=newer.pk).update(finished_at=timezone.now() - timedelta(hours=2))

    assert leases.delete_superseded(grace=timedelta(hours=1)) == 1
    assert Report.objects.get(pk=old.pk).state == Report.State.SUPERSEDED
    assert document.file.storage.exists(document.file.name)
    with document.file.open("rb") as f:
        assert f.read(4) == b"%PDF"


def test_the_status_pages_check_of_the_row_read_agrees_with_the_query(demo):
    """seems_to_need_hand_over (Python, on the row the page read) answers as needs_hand_over (SQL)."""
    now = timezone.now()
    long_ago, just_now = now - timedelta(hours=1), now - timedelta(seconds=1)
    cases = [
        {"state": Report.State.QUEUED},  # just created, never handed over: within the grace
        {"state": Report.State.QUEUED, "created_at": long_ago},  # never handed over, past the grace
        {"state": Report.State.QUEUED, "created_at": long_ago, "handed_over_at": just_now},
        {"state": Report.State.QUEUED, "created_at": long_ago, "handed_over_at": long_ago},  # message lost?
        {"state": Report.State.RUNNING, "lease_expires_at": now + timedelta(minutes=5)},
        {"state": Report.State.RUNNING, "lease_expires_at": just_now},
        {"state": Report.State.RUNNING},  # no lease at all
        {"state": Report.State.DONE},
        {"state": Report.State.FAILED},
    ]
    answers = []
    for n, fields in enumerate(cases):
        created_at = fields.pop("created_at", None)
        report = Report.objects.create(
            organisation=demo, kind="memo", year=2566, fmt="pdf", source_hash=f"c{n}", **fields
        )
        if created_at:
            Report.objects.filter(pk=report.pk).update(created_at=created_at)
        report.refresh_from_db()
        in_sql = (
            Report.objects.filter(pk=report.pk).filter(leases.needs_hand_over(grace=leases.HAND_OVER_GRACE)).exists()
        )
        in_python = leases.seems_to_need_hand_over(report, grace=leases.HAND_OVER_GRACE)
        assert in_python == in_sql, (fields, created_at)
        answers.append(in_python)
    assert answers == [False, True, False, True, False, True, True, False, False]
