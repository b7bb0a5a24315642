from datetime import date

import pytest

from assessments.models import Role
from measures import services
from measures.models import ApprovalStep, Plan
from tests.factories import fiscal_year, make_user


@pytest.fixture
def chain(org, approver, executive):
    """Two steps: หัวหน้าสำนักปลัด (approver) then นายก (executive)."""
    first = ApprovalStep.objects.create(organisation=org, order=1, title="หัวหน้าสำนักปลัด")
    first.users.add(approver)
    last = ApprovalStep.objects.create(organisation=org, order=2, title="นายก")
    last.users.add(executive)
    return [first, last]


@pytest.fixture
def plan(org, staff):
    plan = services.get_or_create_plan(org, fiscal_year=fiscal_year(2566))
    services.save_measure(
        plan, by=staff, issue_area=services.issue_area(4), indicators=[4], items=["i23"],
        title="จัดทำแนวทางปฏิบัติเกี่ยวกับการใช้ทรัพย์สินของราชการ", method="ประชาสัมพันธ์แนวทาง",
        steps=["ร่างแนวทาง", "ประกาศใช้"], start=date(2022, 10, 1), end=date(2023, 9, 30),
        monitoring="รายงานผล ณ สิ้นปีงบประมาณ",
    )  # fmt: skip
    return plan


@pytest.fixture
def submitted(plan, staff, chain):
    return services.submit_plan(plan, by=staff)


@pytest.fixture
def deputy(org):
    return make_user(organisation=org, role=Role.APPROVER, username="deputy")


def reload(plan):
    return Plan.objects.get(pk=plan.pk)
