"""The plan page reads its decisions, approved revisions and follow-up rounds in one UNION
ALL (measures.views._history): the same rows, values and order as the three queries it
replaced."""

from datetime import UTC, date, datetime, timedelta

import pytest

from assessments.codes import item_labels
from measures.models import Decision, FollowUpRound, PlanRevision
from measures.views import _HISTORY, _history, _history_and_labels

pytestmark = pytest.mark.django_db


def shown(rows, kind):
    return [tuple(getattr(r, name) for name in _HISTORY[kind][1]) for r in rows]


def test_history_gives_what_the_three_queries_gave(plan, approver, django_assert_num_queries):
    at = datetime(2023, 1, 5, 9, 30, 15, 123456, tzinfo=UTC)
    for n, (kind, acting) in enumerate([("submit", ""), ("forward", "acting"), ("approve", "")]):
        d = Decision.objects.create(
            plan=plan, revision=1, submission=1 + n // 2, step=n or None, position=f"ขั้น <{n}>", user=approver,
            signer_name="นาย ก", signer_position="หัวหน้า & ผู้ช่วย", acting=acting, acting_for="ปลัด" * n,
            opinion="ความเห็น\nสองบรรทัด", kind=kind, from_state="draft", to_state="submitted",
        )  # fmt: skip
        Decision.objects.filter(pk=d.pk).update(at=at + timedelta(hours=1 - n) if n < 2 else at)  # a tie at `at`
    for number in (2, 1):
        PlanRevision.objects.create(plan=plan, number=number, snapshot={"measures": []}, sha256=f"{number:064d}",
                                    approved_at=at + timedelta(days=number))  # fmt: skip
    for number, due in ((2, date(2023, 9, 30)), (1, date(2023, 3, 31))):
        FollowUpRound.objects.create(plan=plan, number=number, title=f"รอบที่ {number}", due=due)
    with django_assert_num_queries(1):
        decisions, revisions, rounds = _history(plan)
        read = (shown(decisions, "d"), shown(revisions, "r"), shown(rounds, "f"))
    assert read == (
        shown(plan.decisions.order_by("at", "pk"), "d"),
        shown(plan.revisions.order_by("number"), "r"),
        shown(plan.rounds.order_by("number"), "f"),
    )
    assert [r.number for r in revisions] == [1, 2] and [r.number for r in rounds] == [1, 2]
    assert decisions[0].get_acting_display() == Decision.objects.get(pk=decisions[0].pk).get_acting_display()


def test_a_plan_without_history_gives_empty_lists(plan):
    assert _history(plan) == ([], [], [])


def test_the_plans_measures_are_read_as_select_related_reads_them(plan, staff, django_assert_num_queries):
    from measures import services
    from measures.fragments import row_values
    from measures.views import _measures_of

    services.save_measure(
        plan, by=staff, issue_area=services.issue_area(1), indicators=[1, 2], items=["i1"], title="มาตรการที่สอง",
        steps=["๑. ขั้น", "๑) ย่อย"], start=date(2022, 10, 1), end=date(2023, 3, 31), budget="1500.50",
    )  # fmt: skip
    expected = list(plan.measures.select_related("issue_area").order_by("order", "pk"))
    with django_assert_num_queries(1):
        measures = _measures_of(plan)
        read = [(row_values(m), row_values(m.issue_area)) for m in measures]
    assert read == [(row_values(m), row_values(m.issue_area)) for m in expected]
    assert len(read) == 2


def test_the_analysed_years_item_codes_come_with_the_history(plan, django_assert_num_queries):
    expected = item_labels(plan.analysis_year)
    assert expected  # the framework's items: the same codes and spelling as item_labels gives
    with django_assert_num_queries(1):
        labels = _history_and_labels(plan)[3]
    assert labels == expected
