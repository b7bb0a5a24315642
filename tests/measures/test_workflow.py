"""Every allowed and forbidden move of the approval workflow."""

import pytest

from measures import services
from measures.models import Decision, Notification, Plan
from tests.factories import fiscal_year

from .conftest import reload

pytestmark = pytest.mark.django_db


def test_staff_submit_to_the_first_step(submitted, approver):
    assert submitted.state == Plan.State.SUBMITTED and submitted.current_step == 1
    assert Notification.objects.filter(user=approver).count() == 1


def test_empty_plan_cannot_be_submitted(org, staff, chain):
    plan = services.get_or_create_plan(org, fiscal_year=fiscal_year(2566))
    with pytest.raises(services.WorkflowError, match="ยังไม่มีมาตรการ"):
        services.submit_plan(plan, by=staff)


def test_plan_without_chain_cannot_be_submitted(plan, staff):
    with pytest.raises(services.WorkflowError, match="ยังไม่ได้กำหนดสายการอนุมัติ"):
        services.submit_plan(plan, by=staff)


def test_viewer_cannot_submit(plan, viewer, chain):
    with pytest.raises(services.WorkflowError, match="เฉพาะเจ้าหน้าที่"):
        services.submit_plan(plan, by=viewer)


def test_submitted_plan_cannot_be_submitted_again(submitted, staff):
    with pytest.raises(services.WorkflowError, match="อยู่ในสถานะ “อยู่ระหว่างพิจารณา”"):
        services.submit_plan(submitted, by=staff)


def test_first_step_forwards_with_opinion(submitted, approver, executive):
    plan = services.record_decision(submitted, by=approver, kind="forward", opinion="เห็นควรเสนอ")
    assert plan.current_step == 2
    d = plan.decisions.get(kind="forward")
    assert (d.step, d.position, d.opinion, d.signer_name) == (1, "หัวหน้าสำนักปลัด", "เห็นควรเสนอ", "approver")
    assert Notification.objects.filter(user=executive).count() == 1


def test_acting_out_of_turn_is_refused(submitted, executive):
    with pytest.raises(services.WorkflowError, match="ไม่ใช่ผู้พิจารณาในขั้นตอนปัจจุบัน"):
        services.record_decision(submitted, by=executive, kind="approve")


def test_staff_cannot_decide(submitted, staff):
    with pytest.raises(services.WorkflowError, match="ไม่ใช่ผู้พิจารณา"):
        services.record_decision(submitted, by=staff, kind="forward")


def test_nobody_acts_twice_in_one_round(submitted, approver, chain):
    chain[1].users.add(approver)  # the same person also sits on the last step
    services.record_decision(submitted, by=approver, kind="forward")
    with pytest.raises(services.WorkflowError, match="พิจารณาแผนนี้ในรอบนี้แล้ว"):
        services.record_decision(reload(submitted), by=approver, kind="approve")


def test_return_needs_a_reason(submitted, approver):
    with pytest.raises(services.WorkflowError, match="เหตุผลที่ส่งกลับ"):
        services.record_decision(submitted, by=approver, kind="return", opinion="  ")


def test_returned_plan_can_be_edited_and_resubmitted(submitted, approver, staff):
    services.record_decision(submitted, by=approver, kind="return", opinion="ให้ระบุผู้รับผิดชอบ")
    plan = reload(submitted)
    assert plan.state == Plan.State.RETURNED and plan.is_editable
    measure = plan.measures.get()
    services.save_measure(plan, by=staff, measure=measure, title="มาตรการที่แก้ไขแล้ว")
    plan = services.submit_plan(plan, by=staff)
    assert (plan.state, plan.submission, plan.current_step) == (Plan.State.SUBMITTED, 2, 1)


def test_the_same_approver_acts_again_on_a_new_round(submitted, approver, staff):
    services.record_decision(submitted, by=approver, kind="return", opinion="แก้ไข")
    plan = services.submit_plan(reload(submitted), by=staff)
    services.record_decision(plan, by=approver, kind="forward")
    assert reload(plan).current_step == 2


def test_forward_is_not_allowed_at_the_last_step(submitted, approver, executive):
    services.record_decision(submitted, by=approver, kind="forward")
    with pytest.raises(services.WorkflowError, match="ขั้นตอนสุดท้ายต้องเลือกอนุมัติหรือไม่อนุมัติ"):
        services.record_decision(reload(submitted), by=executive, kind="forward")


def test_approve_is_only_for_the_last_step(submitted, approver):
    with pytest.raises(services.WorkflowError, match="เฉพาะขั้นตอนสุดท้าย"):
        services.record_decision(submitted, by=approver, kind="approve")


def approve(plan, approver, executive, publish=True):
    services.record_decision(plan, by=approver, kind="forward")
    return services.record_decision(reload(plan), by=executive, kind="approve", opinion="อนุมัติ", permit_publish=publish)


def test_last_step_approves_and_freezes_a_snapshot(submitted, approver, executive):
    plan = approve(submitted, approver, executive)
    assert plan.state == Plan.State.APPROVED and plan.publish_permitted
    revision = plan.approved_revision
    assert revision.number == 1 and len(revision.sha256) == 64
    assert revision.snapshot["measures"][0]["title"] == "จัดทำแนวทางปฏิบัติเกี่ยวกับการใช้ทรัพย์สินของราชการ"
    assert revision.sha256 == services.snapshot_hash(revision.snapshot)


def test_last_step_can_refuse(submitted, approver, executive):
    services.record_decision(submitted, by=approver, kind="forward")
    plan = services.record_decision(reload(submitted), by=executive, kind="reject", opinion="ไม่อนุมัติ")
    assert plan.state == Plan.State.REJECTED and plan.approved_revision is None


def test_approved_plan_cannot_be_edited(submitted, approver, executive, staff):
    plan = approve(submitted, approver, executive)
    with pytest.raises(services.WorkflowError, match="อนุมัติแล้ว"):
        services.save_measure(plan, by=staff, measure=plan.measures.get(), title="แก้")


def test_submitted_plan_cannot_be_edited(submitted, staff):
    with pytest.raises(services.WorkflowError, match="อยู่ระหว่างการพิจารณา"):
        services.delete_measure(submitted.measures.get(), by=staff)


def test_editing_an_approved_plan_starts_a_new_revision_needing_approval(submitted, approver, executive, staff):
    plan = approve(submitted, approver, executive)
    first_hash = plan.approved_revision.sha256
    plan = services.start_revision(plan, by=staff)
    assert (plan.state, plan.revision) == (Plan.State.DRAFT, 2)
    services.save_measure(plan, by=staff, measure=plan.measures.get(), title="ฉบับแก้ไข")
    plan = reload(plan)
    assert plan.approved_revision.number == 1 and plan.approved_revision.sha256 == first_hash
    assert plan.approved_revision.snapshot["measures"][0]["title"] != "ฉบับแก้ไข"
    plan = services.submit_plan(plan, by=staff)
    plan = approve(plan, approver, executive)
    assert plan.approved_revision.number == 2 and plan.approved_revision.sha256 != first_hash
    assert list(plan.revisions.values_list("number", flat=True)) == [1, 2]


def test_history_is_append_only_and_complete(submitted, approver, executive, staff):
    approve(submitted, approver, executive)
    kinds = list(Decision.objects.filter(plan=submitted).order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["submit", "forward", "approve"]


def test_notifications_are_not_duplicated_for_the_same_event(submitted, approver):
    services._notify_step(submitted, submitted.organisation.approval_steps.get(order=1))
    assert Notification.objects.filter(user=approver).count() == 1


def test_notification_email_is_sent_once_after_commit(
    org, staff, chain, approver, mailoutbox, django_capture_on_commit_callbacks, inline_celery
):
    approver.email = "approver@example.org"
    approver.save()
    plan = services.get_or_create_plan(org, fiscal_year=fiscal_year(2566))
    from datetime import date

    services.save_measure(
        plan, by=staff, issue_area=services.issue_area(1), title="ม1", start=date(2022, 10, 1), end=date(2023, 9, 30)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_plan(plan, by=staff)
    assert [m.to for m in mailoutbox] == [["approver@example.org"]]
    from measures.tasks import send_notification_email

    assert send_notification_email(Notification.objects.get(user=approver).pk) is False
    assert len(mailoutbox) == 1
