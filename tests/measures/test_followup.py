"""Follow-up rounds, entries, evidence, reminders and carry-over."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from measures import services
from measures.models import FollowUpEntry, FollowUpRound, Notification, Plan

from .conftest import reload

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(submitted, approver, executive):
    services.record_decision(submitted, by=approver, kind="forward")
    return services.record_decision(reload(submitted), by=executive, kind="approve", permit_publish=True)


def test_default_rounds_are_6_and_12_months_of_the_fiscal_year(approved):
    rounds = services.ensure_rounds(approved)
    assert [(r.title, r.due) for r in rounds] == [("รอบ 6 เดือน", date(2023, 3, 31)), ("รอบ 12 เดือน", date(2023, 9, 30))]


def test_rounds_are_not_created_twice(approved):
    services.ensure_rounds(approved)
    services.ensure_rounds(approved)
    assert approved.rounds.count() == 2


def test_entry_records_status_percent_and_what_was_done(approved, staff):
    first, _ = services.ensure_rounds(approved)
    entry = services.record_followup(
        first, measure=approved.measures.get(), by=staff, status="in_progress", percent=50, done="ร่างแนวทางแล้ว"
    )
    assert (entry.status, entry.percent, entry.done) == ("in_progress", 50, "ร่างแนวทางแล้ว")


def test_percent_outside_0_to_100_is_refused(approved, staff):
    first, _ = services.ensure_rounds(approved)
    with pytest.raises(services.WorkflowError, match="0 ถึง 100"):
        services.record_followup(first, measure=approved.measures.get(), by=staff, status="done", percent=101)


def test_evidence_file_of_a_wrong_type_is_refused(approved, staff):
    first, _ = services.ensure_rounds(approved)
    entry = services.record_followup(first, measure=approved.measures.get(), by=staff, status="done", percent=100)
    with pytest.raises(services.WorkflowError, match="ไฟล์ชนิด .exe ใช้ไม่ได้"):
        services.add_evidence(entry, by=staff, upload=SimpleUploadedFile("virus.exe", b"MZ"))


def test_oversized_evidence_is_refused(approved, staff):
    first, _ = services.ensure_rounds(approved)
    entry = services.record_followup(first, measure=approved.measures.get(), by=staff, status="done", percent=100)
    big = SimpleUploadedFile("scan.pdf", b"0" * (services.MAX_EVIDENCE_BYTES + 1))
    with pytest.raises(services.WorkflowError, match="ใหญ่เกิน 10 MB"):
        services.add_evidence(entry, by=staff, upload=big)


def test_evidence_pdf_and_link_are_kept(approved, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first, _ = services.ensure_rounds(approved)
    entry = services.record_followup(first, measure=approved.measures.get(), by=staff, status="done", percent=100)
    services.add_evidence(entry, by=staff, upload=SimpleUploadedFile("ประกาศ.pdf", b"%PDF-1.4"), description="ประกาศ")
    services.add_evidence(entry, by=staff, url="https://example.go.th/ita/o43")
    assert entry.evidence.count() == 2


def test_reminder_before_due_is_sent_once(approved, staff):
    first, _ = services.ensure_rounds(approved)
    assert services.send_due_reminders(date(2023, 3, 28)) == 1
    assert services.send_due_reminders(date(2023, 3, 29)) == 0
    assert Notification.objects.filter(user=staff, key=f"round:{first.pk}:before").count() == 1


def test_reminder_after_due_names_unfinished_measures_once(approved, staff):
    first, _ = services.ensure_rounds(approved)
    assert services.send_due_reminders(date(2023, 4, 5)) == 1
    notice = Notification.objects.get(user=staff, key=f"round:{first.pk}:after")
    assert "ยังมี 1 มาตรการ" in notice.message
    assert services.send_due_reminders(date(2023, 4, 6)) == 0


def test_no_reminder_after_due_when_every_measure_is_done(approved, staff):
    first, _ = services.ensure_rounds(approved)
    services.record_followup(first, measure=approved.measures.get(), by=staff, status="done", percent=100)
    FollowUpRound.objects.filter(pk=first.pk).update(reminded_before_at="2023-03-25T00:00Z")
    assert services.send_due_reminders(date(2023, 4, 5)) == 0


def test_overdue_measure_is_known(approved):
    measure = approved.measures.get()
    assert measure.is_overdue(on=date(2023, 10, 2)) and not measure.is_overdue(on=date(2023, 9, 1))


def test_carry_over_copies_unfinished_measures_a_year_later(approved, staff):
    from tests.factories import fiscal_year

    first, _ = services.ensure_rounds(approved)
    services.record_followup(first, measure=approved.measures.get(), by=staff, status="in_progress", percent=40)
    plan, copied = services.carry_over(approved, to_year=fiscal_year(2567), by=staff)
    assert copied == 1
    copy = plan.measures.get()
    assert (copy.start, copy.end, copy.carried_from_id) == (
        date(2023, 10, 1),
        date(2024, 9, 30),
        approved.measures.get().pk,
    )
    assert services.carry_over(approved, to_year=fiscal_year(2567), by=staff)[1] == 0


def test_finished_measures_are_not_carried_over(approved, staff):
    from tests.factories import fiscal_year

    first, _ = services.ensure_rounds(approved)
    services.record_followup(first, measure=approved.measures.get(), by=staff, status="done", percent=100)
    assert services.carry_over(approved, to_year=fiscal_year(2567), by=staff)[1] == 0
    assert FollowUpEntry.objects.count() == 1 and Plan.objects.count() == 2


def test_late_reminder_counts_a_measure_unfinished_in_this_round_even_if_done_in_another(approved, staff):
    first, second = services.ensure_rounds(approved)
    measure = approved.measures.get()
    services.record_followup(first, measure=measure, by=staff, status="done", percent=100)
    services.record_followup(second, measure=measure, by=staff, status="delayed", percent=40)
    FollowUpRound.objects.filter(pk=first.pk).update(
        reminded_before_at="2023-03-25T00:00Z", reminded_after_at="2023-04-02T00:00Z"
    )
    FollowUpRound.objects.filter(pk=second.pk).update(reminded_before_at="2023-09-25T00:00Z")
    assert services.send_due_reminders(date(2023, 10, 5)) == 1
    assert Notification.objects.filter(key=f"round:{second.pk}:after").exists()
