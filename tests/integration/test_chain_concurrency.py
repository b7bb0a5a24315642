"""Two executives adding a step at the same moment both succeed, one after the other: the
organisation row is locked, so they never take the same order number (it was a 500)."""

import threading

import pytest
from django.db import connection

from assessments.models import Role
from measures import services
from measures.models import ApprovalStep
from tests.factories import make_user

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_concurrent_add_step_gives_consecutive_orders(org, executive, approver):
    deputy = make_user(organisation=org, role=Role.APPROVER, username="deputy")
    barrier = threading.Barrier(2)
    errors = []

    def add(title, user):
        try:
            barrier.wait(timeout=30)
            services.add_step(org, by=executive, title=title, users=[user])
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=args) for args in (("หัวหน้าสำนักปลัด", approver), ("รองปลัด", deputy))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(ApprovalStep.objects.filter(organisation=org).values_list("order", flat=True)) == [1, 2]
