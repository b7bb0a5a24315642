"""The approval's task freezes the memo and measures PDFs in a real worker."""

import time
from datetime import date

import pytest

from measures import services
from measures.models import ApprovalStep
from reports.models import ApprovedDocument
from tests.factories import fiscal_year

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("bundled_frameworks"),  # a transactional test before may have flushed them
]


def test_the_worker_stores_the_approved_documents_once(celery_worker_process, org, staff, approver, executive):
    for order, (title, user) in enumerate((("หัวหน้าสำนักปลัด", approver), ("นายก", executive)), start=1):
        ApprovalStep.objects.create(organisation=org, order=order, title=title).users.add(user)
    plan = services.get_or_create_plan(org, fiscal_year=fiscal_year(2566))
    services.save_measure(
        plan, by=staff, issue_area=services.issue_area(4), indicators=[4], items=["i23"], title="จัดทำแนวทางปฏิบัติ",
        start=date(2022, 10, 1), end=date(2023, 9, 30),
    )  # fmt: skip
    services.submit_plan(plan, by=staff)
    services.record_decision(plan, by=approver, kind="forward", opinion="เห็นควรเสนอนายก")
    plan = services.record_decision(plan, by=executive, kind="approve", opinion="อนุมัติ")

    deadline = time.monotonic() + 60
    while ApprovedDocument.objects.filter(revision=plan.approved_revision).count() < 2:
        assert time.monotonic() < deadline, "the worker did not freeze the documents within 60 s"
        time.sleep(0.2)
    documents = {d.kind: d for d in ApprovedDocument.objects.filter(revision=plan.approved_revision)}
    assert set(documents) == {"memo", "measures"}
    with documents["memo"].file.open("rb") as f:
        assert f.read(4) == b"%PDF"
