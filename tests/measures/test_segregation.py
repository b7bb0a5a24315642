"""Segregation of duties: nobody approves what they drafted, edited or submitted, and only
the executive builds the chain, out of approvers and executives (PRODUCT.md §4)."""

from datetime import date

import pytest

from assessments.models import ChangeLog, Membership, Role
from measures import services
from measures.models import ApprovalStep, Decision, Plan, PlanContributor
from tests.factories import fiscal_year, make_user

from .conftest import reload

pytestmark = pytest.mark.django_db


def _measure(plan, by, title="มาตรการทดสอบ"):
    return services.save_measure(
        plan, by=by, issue_area=services.issue_area(1), indicators=[1], items=[], title=title,
        start=date(2022, 10, 1), end=date(2023, 9, 30),
    )  # fmt: skip


@pytest.fixture
def clerk_executive(org):
    """A small agency's clerk who also holds the executive role (two memberships)."""
    user = make_user(organisation=org, role=Role.STAFF, username="both", first_name="สมหญิง", last_name="สองหน้าที่")
    Membership.objects.create(user=user, organisation=org, role=Role.EXECUTIVE, position="นายก")
    return user


def test_staff_cannot_build_the_chain(org, staff, approver):
    with pytest.raises(services.WorkflowError, match="เฉพาะผู้บริหารของหน่วยงาน"):
        services.add_step(org, by=staff, title="หัวหน้าสำนักปลัด", users=[approver])


def test_approver_cannot_build_the_chain(org, approver):
    with pytest.raises(services.WorkflowError, match="เฉพาะผู้บริหารของหน่วยงาน"):
        services.add_step(org, by=approver, title="หัวหน้าสำนักปลัด", users=[approver])


def test_executive_builds_the_chain(org, executive, approver):
    step = services.add_step(org, by=executive, title="หัวหน้าสำนักปลัด", users=[approver])
    assert (step.order, list(step.users.all())) == (1, [approver])


def test_a_step_refuses_a_staff_member(org, executive, staff):
    with pytest.raises(services.WorkflowError, match="ไม่มีบทบาทผู้พิจารณาหรือผู้บริหาร"):
        services.add_step(org, by=executive, title="นายก", users=[staff])


def test_a_step_refuses_a_viewer(org, executive, viewer):
    with pytest.raises(services.WorkflowError, match="ไม่มีบทบาทผู้พิจารณาหรือผู้บริหาร"):
        services.add_step(org, by=executive, title="นายก", users=[viewer])


def test_a_step_refuses_an_approver_of_another_organisation(org, other_org, executive):
    foreign = make_user(organisation=other_org, role=Role.APPROVER, username="foreign")
    with pytest.raises(services.WorkflowError, match="ไม่มีบทบาทผู้พิจารณา"):
        services.add_step(org, by=executive, title="นายก", users=[foreign])


def test_one_person_holds_one_step(org, executive, approver):
    services.add_step(org, by=executive, title="หัวหน้าสำนักปลัด", users=[approver])
    with pytest.raises(services.WorkflowError, match="อยู่ในขั้นตอน “หัวหน้าสำนักปลัด” แล้ว"):
        services.add_step(org, by=executive, title="ปลัด", users=[approver])


def test_chain_cannot_change_while_a_plan_is_under_consideration(submitted, org, executive, deputy):
    with pytest.raises(services.WorkflowError, match="มีแผนอยู่ระหว่างพิจารณา"):
        services.add_step(org, by=executive, title="รองปลัด", users=[deputy])


def test_removing_a_step_is_refused_while_a_plan_is_under_consideration(submitted, org, executive, chain):
    with pytest.raises(services.WorkflowError, match="มีแผนอยู่ระหว่างพิจารณา"):
        services.remove_step(chain[0], by=executive)
    assert ApprovalStep.objects.filter(organisation=org).count() == 2


def test_chain_changes_are_logged_with_the_chain_before_and_after(org, executive, approver):
    services.add_step(org, by=executive, title="หัวหน้าสำนักปลัด", users=[approver])
    log = ChangeLog.objects.get(action="chain.add")
    assert log.user == executive
    assert log.details["old"] == []
    assert log.details["new"] == [{"order": 1, "title": "หัวหน้าสำนักปลัด", "users": ["approver"]}]


def test_removing_a_step_renumbers_the_rest_and_is_logged(org, executive, chain, deputy):
    services.remove_step(chain[0], by=executive)
    assert list(ApprovalStep.objects.filter(organisation=org).values_list("order", "title")) == [(1, "นายก")]
    assert ChangeLog.objects.filter(action="chain.remove", user=executive).count() == 1


def test_editing_a_measure_makes_the_editor_a_contributor_of_the_revision(plan, staff):
    assert PlanContributor.objects.filter(plan=plan, revision=1, user=staff).exists()


def test_the_submitter_is_a_contributor(submitted, staff):
    assert PlanContributor.objects.filter(plan=submitted, revision=1, user=staff).exists()


def test_an_executive_who_edited_the_plan_cannot_approve_it(org, clerk_executive, approver, executive):
    services.add_step(org, by=executive, title="หัวหน้าสำนักปลัด", users=[approver])
    services.add_step(org, by=executive, title="นายก", users=[clerk_executive, executive])
    plan = services.get_or_create_plan(org, fiscal_year=fiscal_year(2566))
    _measure(plan, clerk_executive)
    plan = services.submit_plan(plan, by=clerk_executive)
    plan = services.record_decision(plan, by=approver, kind="forward")
    with pytest.raises(services.WorkflowError, match="ผู้จัดทำ แก้ไข หรือเสนอแผนฉบับนี้"):
        services.record_decision(reload(plan), by=clerk_executive, kind="approve", permit_publish=True)
    assert reload(plan).state == Plan.State.SUBMITTED


def test_another_holder_of_the_step_approves_what_the_editor_could_not(org, clerk_executive, approver, executive):
    services.add_step(org, by=executive, title="นายก", users=[clerk_executive, executive])
    plan = services.get_or_create_plan(org, fiscal_year=fiscal_year(2566))
    _measure(plan, clerk_executive)
    plan = services.submit_plan(plan, by=clerk_executive)
    plan = services.record_decision(plan, by=executive, kind="approve")
    assert plan.state == Plan.State.APPROVED


def test_submitting_is_refused_when_only_the_editor_holds_a_step(org, clerk_executive):
    services.add_step(org, by=clerk_executive, title="นายก", users=[clerk_executive])
    plan = services.get_or_create_plan(org, fiscal_year=fiscal_year(2566))
    _measure(plan, clerk_executive)
    with pytest.raises(services.WorkflowError, match="ขั้นตอน “นายก” มีเพียงผู้ที่จัดทำ"):
        services.submit_plan(plan, by=clerk_executive)
    assert reload(plan).state == Plan.State.DRAFT


def test_self_approval_by_a_clerk_fails_at_the_chain(org, staff):
    """The defect found: a clerk made a one-step chain of themselves and approved."""
    with pytest.raises(services.WorkflowError, match="เฉพาะผู้บริหารของหน่วยงาน"):
        services.add_step(org, by=staff, title="นายก", users=[staff])


def test_self_approval_by_a_clerk_fails_even_when_an_administrator_builds_the_chain(org, staff, admin_user):
    with pytest.raises(services.WorkflowError, match="ไม่มีบทบาทผู้พิจารณาหรือผู้บริหาร"):
        services.add_step(org, by=admin_user, title="นายก", users=[staff])


def test_a_clerk_put_on_a_step_directly_in_the_database_still_cannot_decide(plan, staff, chain):
    chain[0].users.add(staff)  # bypassing the rules (e.g. data from before them)
    chain[0].users.remove(*[u for u in chain[0].users.all() if u != staff])
    with pytest.raises(services.WorkflowError, match="ยังไม่มีผู้พิจารณาที่มีบทบาท"):
        services.submit_plan(plan, by=staff)


def test_decision_refused_for_someone_who_lost_the_approver_role(submitted, approver, org):
    Membership.objects.filter(user=approver, organisation=org).update(role=Role.VIEWER)
    with pytest.raises(services.WorkflowError, match="ไม่มีบทบาทผู้พิจารณาหรือผู้บริหารของหน่วยงานนี้แล้ว"):
        services.record_decision(submitted, by=approver, kind="forward")


def test_an_intermediate_step_cannot_approve(submitted, approver):
    with pytest.raises(services.WorkflowError, match="อนุมัติหรือไม่อนุมัติได้เฉพาะขั้นตอนสุดท้าย"):
        services.record_decision(submitted, by=approver, kind="approve")


def test_the_last_step_cannot_forward(submitted, approver, executive):
    plan = services.record_decision(submitted, by=approver, kind="forward")
    with pytest.raises(services.WorkflowError, match="ขั้นตอนสุดท้ายต้องเลือก"):
        services.record_decision(plan, by=executive, kind="forward")


def test_the_signer_name_and_position_come_from_the_account(submitted, approver, org):
    approver.first_name, approver.last_name = "สมชาย", "รักงาน"
    approver.save()
    Membership.objects.filter(user=approver, organisation=org).update(position="หัวหน้าสำนักปลัด อบต.บึงกอก")
    services.record_decision(submitted, by=approver, kind="forward", opinion="เห็นควรเสนอ")
    d = Decision.objects.get(kind="forward")
    assert (d.signer_name, d.signer_position) == ("สมชาย รักงาน", "หัวหน้าสำนักปลัด อบต.บึงกอก")


def test_the_service_takes_no_typed_signer_name(submitted, approver):
    with pytest.raises(TypeError):
        services.record_decision(submitted, by=approver, kind="forward", signer_name="นายกคนอื่น")


def test_acting_for_another_position_is_recorded(submitted, approver, executive):
    plan = services.record_decision(submitted, by=approver, kind="forward")
    services.record_decision(plan, by=executive, kind="approve", acting="acting", acting_for="นายกองค์การบริหารส่วนตำบล")
    d = Decision.objects.get(kind="approve")
    assert (d.acting, d.get_acting_display(), d.acting_for) == ("acting", "รักษาราชการแทน", "นายกองค์การบริหารส่วนตำบล")


def test_acting_without_a_position_defaults_to_the_step(submitted, approver):
    services.record_decision(submitted, by=approver, kind="forward", acting="deputising")
    assert Decision.objects.get(kind="forward").acting_for == "หัวหน้าสำนักปลัด"


def test_an_unknown_acting_choice_is_refused(submitted, approver):
    with pytest.raises(services.WorkflowError, match="ไม่รู้จักรูปแบบการลงนามแทน"):
        services.record_decision(submitted, by=approver, kind="forward", acting="boss")


def test_publish_permission_is_recorded_by_the_last_step(submitted, approver, executive):
    plan = services.record_decision(submitted, by=approver, kind="forward")
    plan = services.record_decision(plan, by=executive, kind="approve", permit_publish=True)
    assert plan.publish_permitted is True


def test_a_person_on_two_steps_from_older_data_is_refused_at_submission(plan, staff, chain, approver):
    chain[1].users.add(approver)  # written before the rule, directly in the database
    with pytest.raises(services.WorkflowError, match="อยู่ทั้งขั้นตอน “หัวหน้าสำนักปลัด” และ “นายก”"):
        services.submit_plan(plan, by=staff)


def test_the_plan_pages_chain_holds_each_steps_users_read_in_one_query(
    org, executive, approver, django_assert_num_queries
):
    from measures.views import _chain_with_users

    first = services.add_step(org, by=executive, title="หัวหน้าสำนักปลัด", users=[approver, executive])
    ApprovalStep.objects.create(organisation=org, order=2, title="ปลัด")  # nobody holds it (yet)
    with django_assert_num_queries(1):
        chain = _chain_with_users(org)
        held = [(s.pk, s.order, s.title, sorted(u.pk for u in s.users.all())) for s in chain]
    assert held == [(s.pk, s.order, s.title, sorted(u.pk for u in s.users.all())) for s in services.chain_of(org)]
    assert held[0] == (first.pk, 1, "หัวหน้าสำนักปลัด", sorted([approver.pk, executive.pk]))
    assert held[1][3] == []
