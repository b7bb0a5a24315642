"""supervision.CycleStatus, the dashboard's derived rows: after each kind of write it equals
a recomputation from the source rows (supervision.status.source)."""

from datetime import date, timedelta

import pytest

from assessments.models import FiscalYear
from measures.models import FollowUpEntry, FollowUpRound, Plan
from supervision import status
from supervision.models import CycleStatus

pytestmark = pytest.mark.django_db


def stored():
    return {
        (row.pop("organisation_id"), row.pop("fiscal_year_id")): row
        for row in CycleStatus.objects.values("organisation_id", "fiscal_year_id", *status.FIELDS)
    }


def recomputed():
    return {
        (pk, fiscal_year.pk): values
        for fiscal_year in FiscalYear.objects.all()
        for pk, values in status.source(fiscal_year).items()
    }


def assert_in_step():
    assert stored() == recomputed()


def test_the_tree_is_in_step_with_its_sources(tree):
    assert_in_step()
    assert len(stored()) == 7  # the five agencies, t1 and far: a result each


def test_a_new_result_is_in_step(tree):
    from tests.factories import record
    from tests.supervision.conftest import scores

    record(tree["amphoe"], 2565, scores(60))
    assert_in_step()
    assert CycleStatus.objects.get(organisation=tree["amphoe"]).stage == "scores"


def test_a_changed_result_is_in_step(tree):
    from tests.factories import record
    from tests.supervision.conftest import scores

    record(tree["agencies"][4], 2565, scores(90))
    assert_in_step()


def test_a_deleted_result_is_in_step(tree):
    tree["agencies"][4].assessments.all().delete()
    assert_in_step()
    assert not CycleStatus.objects.filter(organisation=tree["agencies"][4]).exists()


def test_a_new_plan_is_in_step(tree):
    from tests.supervision.conftest import make_plan

    make_plan(tree["t1"])
    assert_in_step()
    assert CycleStatus.objects.get(organisation=tree["t1"]).stage == "drafted"


def test_a_plan_moving_state_is_in_step(tree):
    plan = Plan.objects.get(organisation=tree["agencies"][3])
    plan.state = Plan.State.SUBMITTED
    plan.save()
    assert_in_step()
    assert CycleStatus.objects.get(organisation=tree["agencies"][3]).stage == "submitted"


def test_a_deleted_plan_is_in_step(tree):
    Plan.objects.filter(organisation=tree["agencies"][0]).delete()
    assert_in_step()
    assert CycleStatus.objects.get(organisation=tree["agencies"][0]).stage == "scores"


def test_a_deleted_approved_revision_is_in_step(tree):
    plan = Plan.objects.get(organisation=tree["agencies"][1])
    plan.approved_revision.delete()
    assert_in_step()
    assert CycleStatus.objects.get(organisation=tree["agencies"][1]).stage == "approved"


def test_a_new_round_is_in_step(tree):
    plan = Plan.objects.get(organisation=tree["agencies"][3])
    FollowUpRound.objects.create(plan=plan, number=1, title="รอบที่ 1", due=date.today() - timedelta(days=1))
    assert_in_step()
    assert CycleStatus.objects.get(organisation=tree["agencies"][3]).unreported_due < date.today()


def test_a_round_reported_is_in_step(tree):
    round_ = FollowUpRound.objects.get(plan__organisation=tree["agencies"][1])
    FollowUpEntry.objects.create(round=round_, measure=round_.plan.measures.first(), status="done", percent=100)
    assert_in_step()
    assert CycleStatus.objects.get(organisation=tree["agencies"][1]).unreported_due is None


def test_a_report_withdrawn_is_in_step(tree):
    FollowUpEntry.objects.filter(round__plan__organisation=tree["agencies"][0]).delete()
    assert_in_step()


def test_a_deleted_agency_leaves_no_row(tree):
    tree["agencies"][0].delete()
    assert_in_step()
    assert not CycleStatus.objects.filter(organisation_id=tree["agencies"][0].pk).exists()


def test_a_bulk_score_load_is_in_step(tree):
    from io import BytesIO

    from assessments.bulk_scores import load_scores
    from tests.factories import fiscal_year, make_organisation

    make_organisation(code="a6", name="อบต.ที่ 6", org_type="อบต.", province="พิษณุโลก")
    rows = "".join(f"{code},ind{n},{60 + n}\n" for code in ("a6", "a5") for n in range(1, 11))
    load_scores(BytesIO(f"org,code,score\n{rows}".encode()), fiscal_year=fiscal_year(2565))  # no post_save
    assert_in_step()
    assert CycleStatus.objects.get(organisation__code="a6").stage == "scores"


def test_a_restored_agency_is_in_step(tree, settings, tmp_path):
    from io import BytesIO

    from assessments.portable import export_organisation, import_organisation

    settings.MEDIA_ROOT = str(tmp_path)
    buffer = BytesIO()
    export_organisation(tree["agencies"][0], buffer)
    buffer.seek(0)
    import_organisation(buffer, replace=True)  # rows inserted raw: no post_save
    assert_in_step()
    assert CycleStatus.objects.get(organisation__code="a1").stage == "published"


def test_rebuild_repairs_any_difference(tree):
    CycleStatus.objects.filter(organisation=tree["agencies"][0]).update(stage="none", total=None)
    CycleStatus.objects.filter(organisation=tree["t1"]).delete()
    status.rebuild()
    assert_in_step()


def test_the_rebuild_command_writes_every_row(tree):
    from django.core.management import call_command

    CycleStatus.objects.all().delete()
    call_command("rebuild_cycle_status")
    assert_in_step()


def test_a_first_score_sheet_is_in_step(tree):
    from io import BytesIO

    from assessments import services
    from tests.factories import fiscal_year

    text = "code,score\n" + "".join(f"ind{n},{60 + n}\n" for n in range(1, 11))
    services.import_scores(  # one INSERT statement on PostgreSQL: no post_save
        tree["amphoe"], fiscal_year=fiscal_year(2565), fileobj=BytesIO(text.encode()), filename="s.csv", by=None
    )
    assert_in_step()
    assert CycleStatus.objects.get(organisation=tree["amphoe"]).stage == "scores"


def test_a_subtree_moved_is_in_step(tree):
    """amphoe and its five agencies move from prov to far: their rows' paths follow."""
    tree["amphoe"].parent = tree["far"]
    tree["amphoe"].save()
    assert_in_step()
    assert CycleStatus.objects.get(organisation=tree["agencies"][0]).path.startswith(tree["far"].path)


def test_paths_rebuilt_after_a_bulk_move_are_in_step(tree):
    from assessments.models import Organisation, rebuild_paths

    Organisation.objects.filter(pk=tree["amphoe"].pk).update(parent=tree["far"])  # bypasses save()
    rebuild_paths()
    assert_in_step()
