"""The rating ladder on the shipped editions: the page, the JSON, and years without one."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.factories import record

pytestmark = pytest.mark.django_db

TOOLS_93 = {("tool", "iit", ""): "96.00", ("tool", "eit", ""): "84.20", ("tool", "oit", ""): "97.50"}


def analysis_json(org, year):
    out = StringIO()
    call_command("ita_analysis", "--org", org.code, "--year", str(year), "--json", stdout=out)
    return json.loads(out.getvalue())


def test_ita_analysis_json_gives_the_rating_and_its_blockers_for_2569(org):
    record(org, 2569, TOOLS_93)
    total = analysis_json(org, 2569)["total"]
    assert total["score"] == 93.06
    assert total["rating"] == "ผ่าน" and total["rating_blockers"] == ["eit"]
    assert total["result"] == "ผ่าน"


def test_a_2566_result_has_no_rating_and_keeps_pass_or_fail(org):
    record(org, 2566, TOOLS_93)
    total = analysis_json(org, 2566)["total"]
    assert total["rating"] is None and total["rating_blockers"] == []
    assert total["result"] == "ผ่าน"


def test_the_analysis_page_shows_the_rating_and_what_holds_it_back(org, staff, client):
    record(org, 2568, TOOLS_93)
    client.force_login(staff)
    page = client.get(f"/o/{org.code}/2568/analysis/").content.decode()
    assert 'data-testid="rating">ผ่าน<' in page
    assert "จะได้ระดับ ผ่านดี" in page and "EIT" in page


def test_json_indicators_carry_status_and_its_label(org):
    record(org, 2568, {("indicator", str(n), ""): "90" for n in range(1, 11)})
    indicator = analysis_json(org, 2568)["indicators"][0]
    assert (indicator["status"], indicator["status_label"]) == ("good", "ดี")


def test_an_organisations_own_tier_names_reach_its_analysis(org):
    org.status_tiers = [
        {"code": "strong", "label": "จุดแข็งมาก", "min": "95"},
        {"code": "good", "label": "ดี", "min": "80"},
        {"code": "weak", "label": "จุดอ่อนที่ต้องพัฒนาเร่งด่วน", "min": "0"},
    ]
    org.save()
    record(org, 2568, {("indicator", str(n), ""): "82" for n in range(1, 11)})
    indicator = analysis_json(org, 2568)["indicators"][0]
    assert (indicator["status"], indicator["status_label"]) == ("good", "ดี")


def test_inferred_items_say_so_on_the_analysis_page(org, staff, client):
    record(org, 2569, {("item", "o2", ""): "0", ("item", "o25", ""): "100"})
    client.force_login(staff)
    page = client.get(f"/o/{org.code}/2569/analysis/").content.decode()
    assert "ยังไม่ทราบชื่อรายการ" in page and ">อนุมาน<" in page
