"""Item roles, topics and guidance: found by role, mapped by topic across renumbering, shown beside forms."""

import json

import pytest
from django.test import Client

from assessments.item_meta import (
    META_DIR,
    ItemMetaError,
    apply_item_meta,
    evidence_item,
    item_mapping,
    role_item,
)
from assessments.models import Item
from measures import services as plans
from tests.factories import fiscal_year, record

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_measures_item_of_each_bundled_year_is_found_by_role():
    found = {year: role_item(fiscal_year(year), "measures").label for year in (2565, 2566, 2567)}
    assert found == {2565: "o42", 2566: "O42", 2567: "O34"}


def test_a_year_that_does_not_say_which_item_scores_the_measures_has_none():
    assert role_item(fiscal_year(2568), "measures") is None


def test_mapping_follows_the_measures_item_when_nacc_renumbers_it():
    mapping = item_mapping(2566, 2567)
    link = next(link for link in mapping.links if link.topic == "integrity-measures")
    assert (link.status, link.a_labels, link.b_labels) == ("renumbered", "O42", "O34")


def test_mapping_names_dropped_and_new_items():
    links = {link.topic: link.status for link in item_mapping(2567, 2568).links}
    assert links["integrity-measures"] == "dropped"
    assert links["e-service"] == "new"


def test_mapping_keeps_items_of_the_same_code_as_same():
    links = {link.topic: link.status for link in item_mapping(2565, 2565).links}
    assert set(links.values()) == {"same"}


def test_item_meta_with_an_unknown_role_is_refused_with_the_reason():
    with pytest.raises(ItemMetaError) as refused:
        apply_item_meta(fiscal_year(2568), meta={"O1": {"role": "boss", "topic": "structure"}})
    assert "boss" in refused.value.errors[0]


def test_item_meta_giving_the_measures_role_to_two_items_is_refused():
    with pytest.raises(ItemMetaError):
        apply_item_meta(fiscal_year(2568), meta={"O1": {"role": "measures"}, "O3": {"role": "measures"}})


def test_item_meta_for_codes_the_year_lacks_is_ignored():
    changed = apply_item_meta(fiscal_year(2568), meta={"O2": {"topic": "executives"}, "O1": {"topic": "org-chart"}})
    assert changed == 1
    assert Item.objects.get(fiscal_year__year=2568, code="o1").topic == "org-chart"


def test_applying_item_meta_renews_the_framework_token():
    year = fiscal_year(2568)
    edition = year.editions.get(scheme="nacc")
    before = edition.framework_token
    apply_item_meta(year, meta={"O1": {"topic": "org-chart"}})
    edition.refresh_from_db()
    assert edition.framework_token != before


def test_2569_nacc_file_has_guidance_for_every_o_item_o1_to_o26():
    meta = json.loads((META_DIR / "2569-nacc.json").read_text(encoding="utf-8"))
    assert list(meta) == [f"O{n}" for n in range(1, 27)]
    assert all(row["criteria"] and row["example"] for row in meta.values())
    assert meta["O25"]["role"] == "measures" and meta["O26"]["role"] == "measures_followup"


def test_2569_ovec_file_has_guidance_for_every_item_o1_to_o23():
    meta = json.loads((META_DIR / "2569-ovec.json").read_text(encoding="utf-8"))
    assert list(meta) == [f"O{n}" for n in range(1, 24)]
    assert all(row["criteria"] and row["example"] for row in meta.values())
    assert meta["O23"]["role"] == "measures"


def test_2569_items_without_a_known_title_say_so():
    meta = json.loads((META_DIR / "2569-nacc.json").read_text(encoding="utf-8"))
    assert all("ยังไม่พบ" in meta[code]["criteria"] for code in ("O2", "O6", "O7"))


def test_every_item_meta_file_is_valid():
    from assessments.item_meta import validate_item_meta

    for path in META_DIR.glob("*.json"):
        validate_item_meta(json.loads(path.read_text(encoding="utf-8")))


def test_the_measures_item_of_every_year_carries_guidance():
    for path in META_DIR.glob("*.json"):
        rows = json.loads(path.read_text(encoding="utf-8")).values()
        measures = [row for row in rows if row.get("role") == "measures"]
        assert all(row["criteria"] and row["example"] for row in measures), path.name


def test_evidence_item_of_a_year_without_a_framework_is_the_latest_known_one():
    item, exact = evidence_item(2570, items=Item.objects.filter(edition__scheme="nacc"))
    assert (item.label, item.fiscal_year.year, exact) == ("O25", 2569, False)


def test_evidence_item_is_found_in_the_organisations_own_scheme():
    item, exact = evidence_item(2569, items=Item.objects.filter(edition__scheme="ovec"))
    assert (item.label, item.fiscal_year.year, exact) == ("O23", 2569, True)


# --- per-item change since the previous year ---------------------------------


def test_analysis_shows_the_change_of_an_item_nacc_renumbered(org, staff):
    record(org, 2565, {("item", "o17", ""): "0"})
    record(org, 2566, {("item", "o18", ""): "100"})
    page = client_for(staff).get("/o/bungkok/2566/analysis/").content.decode()
    table = page.split('data-testid="item-changes"')[1].split("</table>")[0]
    assert "O18" in table and "o17" in table and "+100.00" in table


def test_item_changes_from_the_analysiss_rows_are_those_read_anew(org):
    from assessments import services
    from assessments.item_meta import item_changes_for
    from assessments.models import Assessment

    record(org, 2565, {("item", "o17", ""): "0", ("item", "i1", ""): "70"})
    record(org, 2566, {("item", "o18", ""): "100", ("item", "i1", ""): "75"})
    assessment = Assessment.objects.get(organisation=org, fiscal_year__year=2566)
    loaded = {}
    result = services.analyse_assessment(assessment, loaded=loaded)
    assert loaded["previous"].fiscal_year.year == 2565
    assert item_changes_for(assessment, current=result, loaded=loaded) == item_changes_for(assessment, current=result)
    assert item_changes_for(assessment, current=result, loaded=loaded)


def test_analysis_without_a_previous_year_shows_no_item_changes(org, staff):
    record(org, 2566, {("item", "o18", ""): "100"})
    assert 'data-testid="item-changes"' not in client_for(staff).get("/o/bungkok/2566/analysis/").content.decode()


# --- guidance beside the forms ----------------------------------------------


def test_score_form_shows_the_criteria_of_the_measures_item(org, staff):
    page = client_for(staff).get("/o/bungkok/2566/scores/10/").content.decode()
    o42 = Item.objects.get(fiscal_year__year=2566, code="o42")
    assert "เกณฑ์และตัวอย่างหลักฐาน" in page and o42.criteria in page and o42.example in page


def test_measure_form_shows_the_guidance_of_the_items_it_answers(org, staff):
    record(org, 2566, {("item", "o42", ""): "0", ("indicator", "10", ""): "50"})
    plan, _ = plans.draft_plan_from_analysis(org, fiscal_year=fiscal_year(2567), by=staff)
    measure = plan.measures.get(items=["o42"])
    page = client_for(staff).get(f"/o/bungkok/plans/2567/measures/{measure.pk}/").content.decode()
    o34 = Item.objects.get(fiscal_year__year=2567, code="o34")
    assert "ปี 2567 ข้อ O34" in page and o34.criteria in page
    assert "ปี 2566 ข้อ O42" in page
