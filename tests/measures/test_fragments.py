"""Kept fragments (measures.fragments): a follow-up round's cards are rendered once and shown
again until anything they show changes; a write is seen by the very next view."""

import re

import pytest

from measures import fragments, services
from measures.models import FollowUpEntry, FollowUpRound, Measure, OrgUnit
from tests.factories import client_for

from .conftest import reload

pytestmark = pytest.mark.django_db

ROUND = "/o/bungkok/plans/2566/rounds/1/"


@pytest.fixture
def approved_with_rounds(submitted, approver, executive):
    services.record_decision(submitted, by=approver, kind="forward")
    plan = services.record_decision(reload(submitted), by=executive, kind="approve", permit_publish=True)
    services.ensure_rounds(plan)
    return plan


def page(client) -> str:
    response = client.get(ROUND)
    assert response.status_code == 200
    html = response.content.decode()
    return re.sub(r'(name="csrfmiddlewaretoken" value="|nonce=")[^"]+"', r"\1…", html)


def entry_post(plan, **overrides):
    m = plan.measures.get()
    data = {f"m{m.pk}-status": "in_progress", f"m{m.pk}-percent": "50", f"m{m.pk}-done": "ดำเนินการแล้วบางส่วน",
            "round-problems": "", "round-suggestions": ""}  # fmt: skip
    data.update({f"m{m.pk}-{k}": v for k, v in overrides.items()})
    return data


def test_second_view_of_a_round_shows_the_kept_cards_byte_for_byte(approved_with_rounds, staff):
    client = client_for(staff)
    fragments.clear()
    first = page(client)
    hits = fragments.stats["hits"]
    assert page(client) == first
    assert fragments.stats["hits"] == hits + 1


def test_kept_cards_equal_the_cards_rendered_without_keeping(approved_with_rounds, staff, settings):
    client = client_for(staff)
    page(client)
    kept = page(client)
    settings.DEBUG = True  # nothing kept: rendered by the template engine
    assert page(client) == kept


def test_saved_entry_shows_on_the_next_view_of_the_round(approved_with_rounds, staff):
    client = client_for(staff)
    assert "ดำเนินการแล้วบางส่วน" not in page(client)
    assert client.post(ROUND, entry_post(approved_with_rounds)).status_code == 302
    html = page(client)
    assert "ดำเนินการแล้วบางส่วน" in html and 'value="50"' in html


def test_entry_changed_by_an_update_query_shows_on_the_next_view(approved_with_rounds, staff):
    client = client_for(staff)
    client.post(ROUND, entry_post(approved_with_rounds))
    page(client)
    FollowUpEntry.objects.update(done="แก้ไขโดยตรงในฐานข้อมูล")  # no save(), no signal
    assert "แก้ไขโดยตรงในฐานข้อมูล" in page(client)


def test_renamed_unit_shows_on_the_next_view_of_the_round(approved_with_rounds, staff, org):
    unit = OrgUnit.objects.create(organisation=org, name="กองคลัง")
    approved_with_rounds.measures.get().units.add(unit)
    client = client_for(staff)
    assert "กองคลัง" in page(client)
    OrgUnit.objects.filter(pk=unit.pk).update(name="กองการเจ้าหน้าที่")
    html = page(client)
    assert "กองการเจ้าหน้าที่" in html and "กองคลัง" not in html


def test_measure_retitled_shows_on_the_next_view_of_the_round(approved_with_rounds, staff):
    client = client_for(staff)
    page(client)
    Measure.objects.update(title="ชื่อมาตรการใหม่")
    assert "ชื่อมาตรการใหม่" in page(client)


def test_added_evidence_link_shows_on_the_next_view_of_the_round(approved_with_rounds, staff):
    client = client_for(staff)
    client.post(ROUND, entry_post(approved_with_rounds))
    page(client)
    entry = FollowUpEntry.objects.get()
    services.add_evidence(entry, by=staff, url="https://example.go.th/ita/o43", description="ประกาศ")
    assert 'href="https://example.go.th/ita/o43"' in page(client)


def test_round_summary_changed_shows_on_the_next_view_of_the_round(approved_with_rounds, staff):
    client = client_for(staff)
    page(client)
    FollowUpRound.objects.filter(number=1).update(problems="ปัญหาในภาพรวมที่แก้แล้ว")
    assert "ปัญหาในภาพรวมที่แก้แล้ว" in page(client)


def test_refused_input_is_not_kept_for_the_next_view(approved_with_rounds, staff):
    client = client_for(staff)
    page(client)
    response = client.post(ROUND, entry_post(approved_with_rounds, percent="150", done="พิมพ์แล้วถูกปฏิเสธ"))
    assert response.status_code == 400 and "พิมพ์แล้วถูกปฏิเสธ" in response.content.decode()
    assert "พิมพ์แล้วถูกปฏิเสธ" not in page(client)


def test_nothing_is_kept_with_debug_on(approved_with_rounds, staff, settings):
    settings.DEBUG = True  # templates are reloaded as they are edited
    client = client_for(staff)
    fragments.clear()
    page(client)
    hits = fragments.stats["hits"]
    page(client)
    assert fragments.stats["hits"] == hits


# --------------------------------------------------------------------------- #
# The plan page's measures tables
# --------------------------------------------------------------------------- #

PLAN = "/o/bungkok/plans/2566/"


def plan_page(client) -> str:
    response = client.get(PLAN)
    assert response.status_code == 200
    return re.sub(r'(name="csrfmiddlewaretoken" value="|nonce=")[^"]+"', r"\1…", response.content.decode())


def test_kept_measures_tables_equal_the_tables_rendered_without_keeping(plan, staff, settings):
    client = client_for(staff)
    plan_page(client)
    kept = plan_page(client)
    settings.DEBUG = True
    assert plan_page(client) == kept


def test_second_view_of_a_plan_shows_the_kept_tables(plan, staff):
    client = client_for(staff)
    plan_page(client)
    hits = fragments.stats["hits"]
    plan_page(client)
    assert fragments.stats["hits"] == hits + 1


def test_kept_rows_carry_the_requests_own_csrf_token(plan, staff):
    client = client_for(staff)
    client.get(PLAN)
    client.handler.enforce_csrf_checks = True
    html = client.get(PLAN).content.decode()
    assert fragments.CSRF_PLACEHOLDER not in html
    m = plan.measures.get()
    form = re.search(rf'action="/o/bungkok/plans/2566/measures/{m.pk}/[^"]*"[^>]*>(<input[^>]+>)', html).group(1)
    token = re.search(r'value="([^"]+)"', form).group(1)
    response = client.post(f"/o/bungkok/plans/2566/measures/{m.pk}/action/", {"csrfmiddlewaretoken": token,
                                                                               "action": "down"})  # fmt: skip
    assert response.status_code == 302


def test_saved_measure_shows_on_the_next_view_of_the_plan(plan, staff):
    client = client_for(staff)
    plan_page(client)
    m = plan.measures.get()
    services.save_measure(plan, by=staff, measure=m, version=m.version, title="ชื่อที่แก้แล้ว", issue_area=m.issue_area,
                          start=m.start, end=m.end)  # fmt: skip
    assert "ชื่อที่แก้แล้ว" in plan_page(client)


def test_renamed_person_shows_on_the_next_view_of_the_plan(plan, staff, org):
    from measures.models import Person

    person = Person.objects.create(organisation=org, name="นายสมชาย", position="ปลัด")
    plan.measures.get().people.add(person)
    client = client_for(staff)
    assert "ปลัด" in plan_page(client)
    Person.objects.filter(pk=person.pk).update(position="รองปลัด")
    assert "รองปลัด" in plan_page(client)


def test_relabelled_item_shows_on_the_next_view_of_the_plan(plan, staff):
    from assessments.models import Item

    client = client_for(staff)
    plan_page(client)
    assert Item.objects.filter(edition__fiscal_year=plan.analysis_year, code="i23").update(label="Z99")
    assert "Z99" in plan_page(client)


def test_kept_tables_of_an_editor_are_not_shown_to_a_viewer(plan, staff, viewer):
    assert "แก้ไข</a>" in plan_page(client_for(staff))
    assert "แก้ไข</a>" not in plan_page(client_for(viewer))
