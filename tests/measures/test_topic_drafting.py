"""Drafting by topics: any year whose items carry topics drafts, and what no template answers is named."""

import json
from datetime import date

import pytest
from django.core.management import call_command

from assessments import frameworks
from assessments.item_meta import META_DIR, apply_item_meta
from assessments.models import FiscalYear, Item
from measures import services
from measures.models import MeasureTemplate
from tests.factories import fiscal_year, record

pytestmark = pytest.mark.django_db

WEAK_2568 = {1: "80", 4: "70.5", 9: "60"}


def plan_year(year):
    """A plan year, whether or not its framework is loaded (a plan needs only the year)."""
    fy, _ = FiscalYear.objects.get_or_create(
        year=year, defaults={"start": date(year - 544, 10, 1), "end": date(year - 543, 9, 30)}
    )
    return fy


def indicators_2568(org, items=None):
    values = {("indicator", str(n), ""): WEAK_2568.get(n, "92") for n in range(1, 11)}
    values.update({("item", code, ""): value for code, value in (items or {}).items()})
    record(org, 2568, values)


def draft_2569(org, staff):
    return services.draft_plan_from_analysis(
        org, fiscal_year=plan_year(2569), analysis_year=fiscal_year(2568), by=staff
    )


def test_indicator_only_2568_result_drafts_one_measure_per_weak_indicator(org, staff):
    indicators_2568(org)
    plan, _ = draft_2569(org, staff)
    improve = [m for m in plan.measures.all() if not m.template_key.endswith("-maintain")]
    assert sorted(n for m in improve for n in m.indicators) == sorted(WEAK_2568)
    assert len(improve) == len(WEAK_2568)


def test_indicator_only_result_leaves_nothing_uncovered(org, staff):
    indicators_2568(org)
    assert draft_2569(org, staff).uncovered == {"indicators": [], "items": []}


def test_o_item_at_zero_gets_the_template_of_its_topic(org, staff):
    indicators_2568(org, {"o26": "0", "o13": "100"})
    plan, _ = draft_2569(org, staff)
    measure = plan.measures.get(template_key="topic-anti-corruption-report-previous-year")
    assert measure.items == ["o26"]
    assert measure.indicators == [10]


def test_item_without_a_template_is_named_as_uncovered(org, staff):
    year = fiscal_year(2568)
    indicator = year.indicators.get(number=9)
    Item.objects.create(
        fiscal_year=year,
        edition=year.editions.get(),
        indicator=indicator,
        code="o2",
        label="O2",
        title_th="(ยังไม่ทราบ)",
        order=99,
    )
    frameworks.renew_framework()  # rows written past install: the cache key is renewed
    indicators_2568(org, {"o2": "0"})
    draft = draft_2569(org, staff)
    assert draft.uncovered["items"] == ["O2"]
    assert "O2" in draft.uncovered_text()


def test_ita_plan_draft_lists_the_uncovered_items(org, staff, capsys):
    year = fiscal_year(2568)
    indicator = year.indicators.get(number=9)
    Item.objects.create(
        fiscal_year=year,
        edition=year.editions.get(),
        indicator=indicator,
        code="o6",
        label="O6",
        title_th="(ยังไม่ทราบ)",
        order=99,
    )
    frameworks.renew_framework()  # rows written past install: the cache key is renewed
    indicators_2568(org, {"o6": "0"})
    call_command("ita_plan", "--org", org.code, "--year", "2568", "--draft", "--analysis-year", "2568")
    assert "ข้อ O6" in capsys.readouterr().out


def test_a_year_loaded_later_drafts_from_its_items_topics(org, staff):
    payload = frameworks.bundled_payload(2568)
    payload["fiscal_year"], payload["start"], payload["end"] = 2590, "2046-10-01", "2047-09-30"
    for item in payload["items"]:
        item["code"] = "O" + str(int(item["code"][1:]) + 40)  # NACC renumbered everything
    edition = frameworks.install(payload)
    new_year = edition.fiscal_year
    meta = json.loads((META_DIR / "2568.json").read_text(encoding="utf-8"))
    apply_item_meta(
        new_year, items=edition.items.all(), meta={"O" + str(int(code[1:]) + 40): row for code, row in meta.items()}
    )
    record(org, 2590, {("item", "o61", ""): "0", ("indicator", "9", ""): "60"})
    plan, _ = services.draft_plan_from_analysis(org, fiscal_year=plan_year(2591), analysis_year=new_year, by=staff)
    assert plan.measures.filter(template_key="topic-no-gift").get().items == ["o61"]


def test_every_topic_of_every_item_meta_file_has_a_template():
    topics = {tp for t in MeasureTemplate.objects.filter(kind="improve") for tp in t.topics}
    for path in META_DIR.glob("*.json"):
        wanted = {row["topic"] for row in json.loads(path.read_text(encoding="utf-8")).values() if row["topic"]}
        assert wanted <= topics, (path.name, wanted - topics)


def test_indicator_templates_answer_every_year():
    assert not MeasureTemplate.objects.filter(items=[], topics=[]).exclude(years=[]).exists()


@pytest.fixture
def nacc_2569_shaped(db):
    """A year shaped like NACC's 2569 list (O1–O26, O25 the measures item), carrying 2569-nacc.json."""
    from assessments.item_meta import load_item_meta

    payload = frameworks.bundled_payload(2568)
    payload["fiscal_year"], payload["start"], payload["end"] = 2599, "2055-10-01", "2056-09-30"
    payload["items"] = [
        {"code": f"O{n}", "indicator": 9 if n <= 19 else 10, "subindicator": None, "title_th": f"รายการ O{n}",
         "uncertain": True, "issue_areas": [3 if n <= 19 else 7]}
        for n in range(1, 27)
    ]  # fmt: skip
    edition = frameworks.install(payload)
    apply_item_meta(edition.fiscal_year, items=edition.items.all(), meta=load_item_meta(2569, "nacc"))
    return edition.fiscal_year


def test_o25_and_o26_at_zero_draft_the_measures_and_their_follow_up_report(org, staff, nacc_2569_shaped):
    record(org, 2599, {("item", "o25", ""): "0", ("item", "o26", ""): "0", ("indicator", "10", ""): "50"})
    plan, _ = services.draft_plan_from_analysis(
        org, fiscal_year=plan_year(2600), analysis_year=nacc_2569_shaped, by=staff
    )
    keys = {m.template_key: m.items for m in plan.measures.all()}
    assert keys["topic-integrity-measures"] == ["o25"]
    assert keys["topic-integrity-measures-followup-previous-year"] == ["o26"]


def test_the_unknown_2569_items_are_named_as_uncovered(org, staff, nacc_2569_shaped):
    record(org, 2599, {("item", code, ""): "0" for code in ("o2", "o6", "o7")})
    draft = services.draft_plan_from_analysis(
        org, fiscal_year=plan_year(2600), analysis_year=nacc_2569_shaped, by=staff
    )
    assert draft.uncovered["items"] == ["O2", "O6", "O7"]


def test_the_draft_message_on_the_plan_page_names_the_uncovered_items(org, staff):
    from django.test import Client

    year = fiscal_year(2568)
    Item.objects.create(fiscal_year=year, edition=year.editions.get(), indicator=year.indicators.get(number=9), code="o7", label="O7",
                        title_th="(ยังไม่ทราบ)", order=99)  # fmt: skip
    frameworks.renew_framework()  # rows written past install: the cache key is renewed
    indicators_2568(org, {"o7": "0"})
    client = Client()
    client.force_login(staff)
    response = client.post("/o/bungkok/plans/2568/", {"action": "draft", "analysis_year": "2568"}, follow=True)
    assert "ยังไม่มีแม่แบบมาตรการสำหรับ ข้อ O7" in response.content.decode()
