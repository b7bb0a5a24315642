"""Every change is logged once, old → new, and only when something really changed."""

import pytest

from assessments.models import ChangeLog
from measures import services
from tests.factories import fiscal_year

pytestmark = pytest.mark.django_db


def test_a_measure_edit_logs_each_changed_field_old_and_new(plan, staff):
    measure = plan.measures.get()
    services.save_measure(plan, by=staff, measure=measure, title="มาตรการใหม่", monitoring="รายงานทุกไตรมาส")
    log = ChangeLog.objects.filter(action="measure.edit").get()
    assert log.details["changes"]["มาตรการ"] == ["จัดทำแนวทางปฏิบัติเกี่ยวกับการใช้ทรัพย์สินของราชการ", "มาตรการใหม่"]
    assert log.details["changes"]["การติดตามประเมินผล"][1] == "รายงานทุกไตรมาส"
    assert sorted(log.details["changes"]) == sorted(["การติดตามประเมินผล", "มาตรการ"])


def test_a_measure_saved_unchanged_logs_nothing(plan, staff):
    measure = plan.measures.get()
    before = ChangeLog.objects.count()
    services.save_measure(plan, by=staff, measure=measure, title=measure.title, start=measure.start)
    assert ChangeLog.objects.count() == before


def test_responsible_units_are_part_of_the_measure_log(plan, staff, org):
    unit, _ = services.add_unit(org, by=staff, name="กองคลัง")
    services.save_measure(plan, by=staff, measure=plan.measures.get(), units=[unit])
    log = ChangeLog.objects.filter(action="measure.edit").get()
    assert log.details["changes"]["ส่วนราชการที่รับผิดชอบ"] == ["–", "กองคลัง"]


def test_a_deleted_measure_keeps_its_content_in_the_log(plan, staff):
    services.delete_measure(plan.measures.get(), by=staff)
    log = ChangeLog.objects.get(action="measure.delete")
    assert log.details["old"]["title"] == "จัดทำแนวทางปฏิบัติเกี่ยวกับการใช้ทรัพย์สินของราชการ"


def test_units_and_people_are_logged(org, staff):
    unit, _ = services.add_unit(org, by=staff, name="สำนักปลัด")
    services.add_person(org, by=staff, name="นางมาลี เงินดี", position="ผู้อำนวยการกองคลัง", unit=unit)
    assert list(ChangeLog.objects.filter(organisation=org).values_list("action", flat=True).order_by("pk")) == [
        "unit.add",
        "person.add",
    ]


def test_an_existing_unit_is_not_added_or_logged_twice(org, staff):
    services.add_unit(org, by=staff, name="สำนักปลัด")
    _unit, created = services.add_unit(org, by=staff, name="  สำนักปลัด ")
    assert created is False
    assert ChangeLog.objects.filter(action="unit.add").count() == 1


def test_a_viewer_cannot_add_a_unit(org, viewer):
    with pytest.raises(services.WorkflowError, match="เฉพาะเจ้าหน้าที่"):
        services.add_unit(org, by=viewer, name="กองช่าง")


@pytest.fixture
def round_with_entry(submitted, approver, executive, staff):
    plan = services.record_decision(submitted, by=approver, kind="forward")
    plan = services.record_decision(plan, by=executive, kind="approve")
    first, _ = services.ensure_rounds(plan)
    services.record_followup(
        first, measure=plan.measures.get(), by=staff, status="in_progress", percent=50, done="เริ่มแล้ว"
    )
    return first


def test_saving_an_unchanged_follow_up_entry_writes_no_log(round_with_entry, staff):
    measure = round_with_entry.plan.measures.get()
    before = ChangeLog.objects.count()
    services.record_followup(
        round_with_entry, measure=measure, by=staff, status="in_progress", percent=50, done="เริ่มแล้ว"
    )
    assert ChangeLog.objects.count() == before


def test_a_follow_up_change_logs_old_and_new(round_with_entry, staff):
    measure = round_with_entry.plan.measures.get()
    services.record_followup(round_with_entry, measure=measure, by=staff, status="done", percent=100, done="เริ่มแล้ว")
    log = ChangeLog.objects.filter(action="followup.entry").latest("pk")
    assert log.details["changes"] == {"สถานะ": ["อยู่ระหว่างดำเนินการ", "ดำเนินการแล้วเสร็จ"], "ร้อยละความสำเร็จ": ["50", "100"]}


def test_saving_an_unchanged_round_summary_writes_no_log(round_with_entry, staff):
    services.save_round_summary(round_with_entry, by=staff, problems="งบประมาณจำกัด", suggestions="")
    before = ChangeLog.objects.count()
    services.save_round_summary(round_with_entry, by=staff, problems="งบประมาณจำกัด", suggestions="")
    assert ChangeLog.objects.count() == before


def test_a_narrative_saved_unchanged_writes_no_log(org, staff):
    from assessments import services as assessment_services
    from tests.factories import record

    record(org, 2565, {("indicator", "1", ""): "90"})
    assessment = org.assessments.get()
    assessment_services.save_narrative(assessment, indicator_number=1, text="ข้อความ", by=staff)
    assessment_services.save_narrative(assessment, indicator_number=1, text="ข้อความ", by=staff)
    logs = ChangeLog.objects.filter(action="narrative.save")
    assert logs.count() == 1 and logs.get().details["new"] == "ข้อความ"


def test_decisions_are_logged_with_acting(submitted, approver):
    services.record_decision(submitted, by=approver, kind="forward", acting="acting", acting_for="ปลัด")
    log = ChangeLog.objects.get(action="plan.forward")
    assert (log.details["acting"], log.details["acting_for"]) == ("acting", "ปลัด")


def test_carry_over_of_nothing_does_not_make_a_contributor(org, staff):
    plan = services.get_or_create_plan(org, fiscal_year=fiscal_year(2566))
    target, copied = services.carry_over(plan, to_year=fiscal_year(2567), by=staff)
    assert copied == 0 and not target.contributors.exists()
