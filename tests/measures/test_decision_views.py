"""The plan and chain pages ask the same rules as the services: the buttons shown are the
decisions allowed, and a refused move is a Thai message, never a silent success."""

import pytest

from assessments.models import Membership, Role
from measures.models import ApprovalStep, Decision
from tests.factories import log_in_verified, make_user

pytestmark = pytest.mark.django_db

PLAN = "/o/bungkok/plans/2566/"
CHAIN = "/o/bungkok/chain/"


def _buttons(response):
    import re

    return re.findall(r'name="kind" value="(\w+)"', response.content.decode())


def test_intermediate_step_sees_forward_and_return_only(client, submitted, approver):
    log_in_verified(client, approver)
    assert _buttons(client.get(PLAN)) == ["forward", "return"]


def test_last_step_sees_approve_reject_and_return(client, submitted, approver, executive):
    from measures import services

    services.record_decision(submitted, by=approver, kind="forward")
    log_in_verified(client, executive)
    assert _buttons(client.get(PLAN)) == ["approve", "reject", "return"]


def test_posting_approve_at_an_intermediate_step_is_refused(client, submitted, approver):
    log_in_verified(client, approver)
    response = client.post(PLAN + "decide/", {"kind": "approve", "opinion": "อนุมัติ"}, follow=True)
    assert "ท่านทำรายการนี้ไม่ได้ในขั้นตอนนี้" in response.content.decode()
    assert not Decision.objects.filter(kind="approve").exists()


def test_a_typed_signer_name_is_ignored(client, submitted, approver):
    log_in_verified(client, approver)
    client.post(PLAN + "decide/", {"kind": "forward", "signer_name": "นายกคนอื่น", "signer_position": "นายก"})
    d = Decision.objects.get(kind="forward")
    assert (d.signer_name, d.signer_position) == ("approver", "หัวหน้าสำนักปลัด")


def test_the_decision_box_shows_the_signer_from_the_account(client, submitted, approver, org):
    approver.first_name, approver.last_name = "สมชาย", "รักงาน"
    approver.save()
    Membership.objects.filter(user=approver).update(position="หัวหน้าสำนักปลัด อบต.บึงกอก")
    log_in_verified(client, approver)
    body = client.get(PLAN).content.decode()
    assert "สมชาย รักงาน" in body and "หัวหน้าสำนักปลัด อบต.บึงกอก" in body
    assert 'name="signer_name"' not in body


def test_a_contributor_on_the_step_sees_why_they_cannot_decide(client, org, plan, staff, chain):
    both = make_user(organisation=org, role=Role.APPROVER, username="both")
    Membership.objects.create(user=both, organisation=org, role=Role.STAFF)
    chain[1].users.add(both)
    from measures import services

    services.save_measure(plan, by=both, measure=plan.measures.get(), title="แก้ไขโดยผู้พิจารณา")
    plan = services.submit_plan(plan, by=staff)
    services.record_decision(plan, by=chain[0].users.get(), kind="forward")
    log_in_verified(client, both)
    response = client.get(PLAN)
    assert _buttons(response) == []
    assert "การแบ่งแยกหน้าที่" in response.content.decode()


def test_staff_cannot_post_to_the_chain_page(client, org, staff, approver):
    client.force_login(staff)
    response = client.post(CHAIN, {"title": "นายก", "users": [staff.pk]})
    assert response.status_code == 403
    assert not ApprovalStep.objects.filter(organisation=org).exists()


def test_staff_see_no_chain_form(client, org, staff):
    client.force_login(staff)
    body = client.get(CHAIN).content.decode()
    assert "เพิ่มขั้นตอน" not in body and "สายการอนุมัติกำหนดโดยผู้บริหาร" in body


def test_the_chain_form_offers_only_approvers_and_executives(client, org, executive, approver, staff, viewer):
    log_in_verified(client, executive)
    body = client.get(CHAIN).content.decode()
    assert f'value="{approver.pk}"' in body and f'value="{executive.pk}"' in body
    assert f'value="{staff.pk}"' not in body and f'value="{viewer.pk}"' not in body


def test_executive_adds_a_step_on_the_page(client, org, executive, approver):
    log_in_verified(client, executive)
    response = client.post(CHAIN, {"title": "หัวหน้าสำนักปลัด", "users": [approver.pk]})
    assert response.status_code == 302
    assert list(ApprovalStep.objects.filter(organisation=org).values_list("title", flat=True)) == ["หัวหน้าสำนักปลัด"]


def test_a_second_step_for_the_same_person_is_refused_on_the_page(client, org, executive, approver):
    log_in_verified(client, executive)
    client.post(CHAIN, {"title": "หัวหน้าสำนักปลัด", "users": [approver.pk]})
    response = client.post(CHAIN, {"title": "ปลัด", "users": [approver.pk]})
    assert response.status_code == 400
    assert "หนึ่งคนอยู่ได้เพียงหนึ่งขั้นตอน" in response.content.decode()


def test_a_non_numeric_step_id_is_a_404(client, org, executive, chain):
    log_in_verified(client, executive)
    assert client.post(CHAIN, {"action": "delete", "step": "abc"}).status_code == 404
    assert client.post(CHAIN, {"action": "delete", "step": "9" * 30}).status_code == 404
