"""Kept fragments (measures.fragments): a follow-up round's cards are rendered once and shown
again until anything they show changes; a write is seen by the very next view."""

import re

import pytest

from measures import fragments, services
from measures.models import FollowUpEntry, Measure, OrgUnit
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
