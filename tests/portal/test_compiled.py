"""ita_portal.compiled: a values_list query compiled once, run with each value, gives the
ORM's own rows (converted values included)."""

from datetime import date

import pytest

from ita_portal import compiled
from measures.models import FollowUpRound, Plan

pytestmark = pytest.mark.django_db


def rounds_of(plan_id):
    return FollowUpRound.objects.filter(plan_id=plan_id).order_by("number").values_list("number", "title", "due")


def test_each_value_gives_the_orms_rows(plan, org):
    from tests.factories import fiscal_year

    other = Plan.objects.create(organisation=org, fiscal_year=fiscal_year(2567), analysis_year=plan.analysis_year)
    FollowUpRound.objects.create(plan=plan, number=1, title="รอบ 6 เดือน", due=date(2023, 3, 31))
    FollowUpRound.objects.create(plan=other, number=2, title="รอบ 12 เดือน", due=date(2024, 9, 30))
    query = compiled.Compiled(rounds_of)
    for p in (plan, other, plan):
        assert query.rows(p.pk) == list(rounds_of(p.pk))
    assert isinstance(query.rows(plan.pk)[0][2], date)  # converted as the ORM converts (a string on SQLite)


def test_the_sql_is_compiled_once_per_thread(plan):
    built = []
    query = compiled.Compiled(lambda plan_id: built.append(plan_id) or rounds_of(plan_id))
    query.rows(plan.pk)
    query.rows(plan.pk + 1)
    assert built == [compiled.MARKER]


def test_a_query_that_ignores_its_value_is_refused(plan):
    with pytest.raises(ValueError, match="does not use the value it was built with"):
        compiled.Compiled(lambda plan_id: rounds_of(plan.pk)).rows(plan.pk)


def test_several_values_each_take_their_markers_place(plan):
    FollowUpRound.objects.create(plan=plan, number=1, title="รอบ 6 เดือน", due=date(2023, 3, 31))
    FollowUpRound.objects.create(plan=plan, number=2, title="รอบ 12 เดือน", due=date(2023, 9, 30))
    query = compiled.Compiled(
        lambda plan_id, title: FollowUpRound.objects.filter(plan_id=plan_id, title=title).values_list("number"),
        markers=(compiled.MARKER, "\x00any title\x00"),
    )
    assert query.rows(plan.pk, "รอบ 12 เดือน") == [(2,)]
    assert query.rows(plan.pk, "รอบ 6 เดือน") == [(1,)]


def test_a_value_written_into_the_sql_instead_of_a_parameter_is_refused(plan):
    def inlined(plan_id):
        return FollowUpRound.objects.extra(
            where=[f"plan_id = {plan_id} OR plan_id = %s"], params=[plan_id]
        ).values_list("number")

    with pytest.raises(ValueError, match="does not use the value"):
        compiled.Compiled(inlined).rows(plan.pk)


def test_objects_gives_the_orms_instances_with_their_related_rows_and_annotations(plan, staff):
    from django.db.models import Count

    from measures.fragments import row_values

    FollowUpRound.objects.create(plan=plan, number=1, title="รอบ 6 เดือน", due=date(2023, 3, 31), reported_by=staff)
    FollowUpRound.objects.create(plan=plan, number=2, title="รอบ 12 เดือน", due=date(2023, 9, 30))

    def build(plan_id):
        return (
            FollowUpRound.objects.filter(plan_id=plan_id)
            .select_related("reported_by", "plan__organisation")
            .defer("problems")
            .annotate(entries_count=Count("entries"))
            .order_by("number")
        )

    def state(r):
        cached = {name: row_values(o) for name, o in r._state.fields_cache.items()}
        return row_values(r), r.get_deferred_fields(), cached, r.entries_count, r._state.db, r._state.adding

    read = compiled.Compiled(build).objects(plan.pk)
    assert [state(r) for r in read] == [state(r) for r in build(plan.pk)]
    assert read[0].plan.organisation.code == plan.organisation.code and read[1].reported_by is None


def test_a_small_integer_fields_value_takes_its_markers_place(plan):
    FollowUpRound.objects.create(plan=plan, number=2, title="รอบ 12 เดือน", due=date(2023, 9, 30))
    query = compiled.Compiled(
        lambda number: FollowUpRound.objects.filter(number=number).values_list("title"), markers=(compiled.YEAR_MARKER,)
    )  # on PostgreSQL the ORM wraps a small integer field's value (psycopg's Int2)
    assert query.rows(2) == [("รอบ 12 เดือน",)]
    assert query.rows(1) == []
