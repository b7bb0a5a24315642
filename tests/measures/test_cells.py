"""The plan page's measure cells written in Python (measures.cells) give the bytes of the
template they replace, measures/_measure_cells.html."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string

from measures.cells import measure_cells
from measures.models import Measure, OrgUnit, Person, Plan

pytestmark = pytest.mark.django_db


def by_template(measure, plan):
    return render_to_string("measures/_measure_cells.html", {"m": measure, "plan": plan})


@pytest.fixture
def plan(settings, tmp_path):
    from io import StringIO

    settings.MEDIA_ROOT = tmp_path
    call_command("ita_demo", stdout=StringIO())
    return Plan.objects.get(organisation__code="demo", fiscal_year__year=2566)


def test_every_demo_measure_gives_the_templates_bytes(plan):
    measures = list(plan.measures.prefetch_related("units", "people"))
    assert measures
    for measure in measures:
        assert measure_cells(measure, plan) == by_template(measure, plan)


def test_markup_typed_in_a_measure_is_escaped_as_the_template_escapes_it(plan):
    organisation = plan.organisation
    unit = OrgUnit.objects.create(organisation=organisation, name="กอง <ก&ข>")
    person = Person.objects.create(organisation=organisation, name='นาย "ก"', position="<ผอ.>")
    measure = Measure.objects.create(
        plan=plan, issue_area=plan.measures.first().issue_area, title="<script>x</script> & ก",
        method="วิธี <b>", steps=["๑. ขั้น <1>", "๑) ย่อย & 2", "- จุด", "ขั้นสอง"], target="เป้า > 80 %",
        budget=Decimal("1234567.50"), indicators=[1, 4], items=["i19", "o34"], monitoring="รายงาน <ทุกเดือน>",
        start=date(2022, 10, 1), end=date(2023, 9, 30),
    )  # fmt: skip
    measure.units.add(unit)
    measure.people.add(person)
    measure = Measure.objects.prefetch_related("units", "people").get(pk=measure.pk)
    assert measure_cells(measure, plan) == by_template(measure, plan)
    assert "&lt;script&gt;" in measure_cells(measure, plan)


def test_a_bare_measure_gives_the_templates_bytes(plan):
    measure = Measure.objects.create(
        plan=plan, issue_area=plan.measures.first().issue_area, title="มาตรการเปล่า",
        start=date(2022, 10, 1), end=date(2023, 9, 30),
    )  # fmt: skip
    assert measure_cells(measure, plan) == by_template(measure, plan)


def test_plan_page_rows_give_the_templates_bytes_with_units_and_people_in_their_order(plan):
    from tests.factories import client_for

    organisation = plan.organisation
    first = OrgUnit.objects.create(organisation=organisation, name="กองทดสอบหนึ่ง", order=1)
    second = OrgUnit.objects.create(organisation=organisation, name="กองทดสอบสอง", order=2)
    person = Person.objects.create(organisation=organisation, name="นางสาวสมใจ", position="ผู้อำนวยการกองคลัง")
    measure = Measure.objects.create(
        plan=plan, issue_area=plan.measures.first().issue_area, title="มาตรการเรียงผู้รับผิดชอบ",
        start=date(2022, 10, 1), end=date(2023, 9, 30), responsible_order=[f"u{second.pk}", f"p{person.pk}"],
    )  # fmt: skip
    measure.units.add(first, second)
    measure.people.add(person)
    html = client_for(organisation.memberships.get(role="staff").user).get("/o/demo/plans/2566/").content.decode()
    for m in plan.measures.prefetch_related("units", "people"):
        assert by_template(m, plan) in html


def test_plan_page_rows_without_an_order_list_units_then_people_in_their_models_order(plan):
    """Units and people are read in one UNION ALL: units by (order, name), people by name, as
    the related managers list them."""
    from tests.factories import client_for

    organisation = plan.organisation
    late = OrgUnit.objects.create(organisation=organisation, name="กองค", order=5)
    early_b = OrgUnit.objects.create(organisation=organisation, name="กองข", order=0)
    early_a = OrgUnit.objects.create(organisation=organisation, name="กองก", order=0)
    people = [
        Person.objects.create(organisation=organisation, name=name, position=position, unit=unit)
        for name, position, unit in [("นายข", "", None), ("นายก", "หัวหน้า", late), ("นายก", "ผู้ช่วย", early_a)]
    ]
    measure = Measure.objects.create(
        plan=plan, issue_area=plan.measures.first().issue_area, title="มาตรการไม่เรียงผู้รับผิดชอบ",
        start=date(2022, 10, 1), end=date(2023, 9, 30),
    )  # fmt: skip
    measure.units.add(late, early_b, early_a)
    measure.people.add(*people)
    html = client_for(organisation.memberships.get(role="staff").user).get("/o/demo/plans/2566/").content.decode()
    expected = by_template(Measure.objects.prefetch_related("units", "people").get(pk=measure.pk), plan)
    assert expected in html
    cell = expected.split("<td>")[1].split("</td>")[0]  # the third cell: who is responsible
    assert re.findall(r"<div>([^<]+?)(?: <span|</div>)", cell) == ["กองก", "กองข", "กองค", "นายก", "นายก", "นายข"]
