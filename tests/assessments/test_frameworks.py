"""Framework data: bundled years after migrate, and a new year from a spreadsheet."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from openpyxl import load_workbook

from assessments import frameworks
from assessments.models import FiscalYear, Item
from tests.factories import PASSWORD, fiscal_year, log_in_verified

pytestmark = pytest.mark.django_db


def test_migrate_installs_2564_to_2569():
    assert list(FiscalYear.objects.values_list("year", flat=True)) == [2564, 2565, 2566, 2567, 2568, 2569]


def test_2569_has_the_nacc_general_and_the_ovec_edition():
    editions = {e.scheme: e for e in fiscal_year(2569).editions.all()}
    assert set(editions) == {"nacc", "ovec"}
    assert [i.label for i in editions["nacc"].items.order_by("order")] == [f"O{n}" for n in range(1, 27)]
    assert editions["ovec"].items.count() == 23
    assert editions["ovec"].items.get(code="o23").subindicator.code == "10.2"


def test_2569_placeholders_for_unknown_items_are_marked_uncertain():
    o2 = fiscal_year(2569).edition("nacc").items.get(code="o2")
    assert o2.uncertain
    assert "ยังไม่ทราบ" in o2.title_th


def test_2564_is_the_lao_edition_with_43_oit_items_in_sub_indicators():
    edition = fiscal_year(2564).edition("nacc")
    assert "อปท." in edition.name_th
    assert edition.items.count() == 43
    assert not edition.items.filter(subindicator=None).exists()
    assert edition.result_mode == "grade"


def test_the_rating_ladder_ships_from_2567_and_not_before():
    assert [r["label"] for r in fiscal_year(2567).edition("nacc").rating_ladder] == [
        "ผ่านดีเยี่ยม",
        "ผ่านดี",
        "ผ่าน",
        "ต้องปรับปรุง",
        "ต้องปรับปรุงโดยด่วน",
    ]
    assert fiscal_year(2569).edition("ovec").rating_ladder
    assert fiscal_year(2566).edition("nacc").rating_ladder == []


def test_the_admin_marks_uncertain_items_and_editions():
    client = root_client()
    response = client.get(f"/admin/assessments/item/?fiscal_year__id__exact={fiscal_year(2569).pk}")
    assert "อนุมาน (ยังไม่ยืนยัน)" in response.content.decode()
    response = client.get("/admin/assessments/edition/")
    assert "อนุมาน" in response.content.decode()


def test_2565_and_2566_are_complete():
    for year in (2565, 2566):
        codes = set(Item.objects.filter(fiscal_year__year=year).values_list("code", flat=True))
        assert codes == {f"i{n}" for n in range(1, 31)} | {f"e{n}" for n in range(1, 16)} | {
            f"o{n}" for n in range(1, 44)
        }


def test_every_oit_item_of_2565_and_2566_has_a_sub_indicator():
    assert not Item.objects.filter(fiscal_year__year__in=[2565, 2566], code__startswith="o", subindicator=None).exists()


def test_inferred_entries_are_marked():
    assert fiscal_year(2568).edition("nacc").uncertain
    assert Item.objects.filter(fiscal_year__year=2566, code="i1", uncertain=True).exists()
    assert not Item.objects.filter(fiscal_year__year=2565, uncertain=True).exists()


def test_every_item_maps_to_an_issue_area():
    assert not Item.objects.filter(issue_areas=None).exists()


def test_2566_eit_is_split_in_two_parts_and_2565_is_not():
    assert list(fiscal_year(2566).tools.get(code="eit").parts.values_list("code", flat=True)) == ["public", "survey"]
    assert not fiscal_year(2565).tools.get(code="eit").parts.exists()


def workbook_for(year, edit=None):
    wb = frameworks.workbook_from_fiscal_year(fiscal_year(year))
    if edit:
        edit(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "framework.xlsx"
    return buffer


def as_2571(wb):
    for row in wb["year"].iter_rows(min_row=2):
        if row[0].value == "fiscal_year":
            row[1].value = 2571
        if row[0].value == "start":
            row[1].value = "2027-10-01"
        if row[0].value == "end":
            row[1].value = "2028-09-30"


def test_a_year_exported_and_reimported_as_another_year_is_identical():
    frameworks.install(frameworks.payload_from_workbook(workbook_for(2566, as_2571)))
    new, old = fiscal_year(2571), fiscal_year(2566)
    assert new.items.count() == old.items.count() == 88
    assert list(new.items.values_list("code", "subindicator__code", "uncertain")) == list(
        old.items.values_list("code", "subindicator__code", "uncertain")
    )
    assert new.edition("nacc").eit_combination == "mean_of_parts"


def with_ladder(rungs):
    def edit(wb):
        as_2571(wb)
        sheet = wb["rating_ladder"]
        sheet.delete_rows(2, sheet.max_row)
        for rung in rungs:
            sheet.append(rung)

    return edit


def test_a_ladder_read_from_the_workbook_is_installed():
    rungs = [["ดี", 85, None, 85], ["ผ่าน", 85, None, None], ["ไม่ผ่าน", 0, 85, None]]
    edition = frameworks.install(frameworks.payload_from_workbook(workbook_for(2566, with_ladder(rungs))))
    assert [r["label"] for r in edition.rating_ladder] == ["ดี", "ผ่าน", "ไม่ผ่าน"]


def test_a_ladder_whose_rungs_overlap_is_refused():
    rungs = [["ผ่าน", 80, None, None], ["ไม่ผ่าน", 0, 85, None]]
    with pytest.raises(frameworks.FrameworkError, match="ระดับผลการประเมินซ้อนกัน"):
        frameworks.install(frameworks.payload_from_workbook(workbook_for(2566, with_ladder(rungs))))
    assert not FiscalYear.objects.filter(year=2571).exists()


def test_a_ladder_that_leaves_a_gap_is_refused():
    rungs = [["ผ่าน", 85, None, None], ["ต้องปรับปรุง", 70, 80, None], ["ด่วน", 0, 70, None]]
    with pytest.raises(frameworks.FrameworkError, match="ระดับผลการประเมินเว้นช่วง: คะแนนรวม 80 ถึงต่ำกว่า 85"):
        frameworks.install(frameworks.payload_from_workbook(workbook_for(2566, with_ladder(rungs))))


def test_every_shipped_ladder_passes_the_check():
    for year, scheme in frameworks.bundled_editions():
        frameworks.validate_payload({**frameworks.bundled_payload(year, scheme), "scheme": scheme})


def test_existing_year_is_not_replaced_silently():
    with pytest.raises(frameworks.FrameworkError, match="มีกรอบการประเมินปี 2566 อยู่แล้ว"):
        frameworks.install(frameworks.payload_from_workbook(workbook_for(2566)))


def test_bad_framework_file_is_refused_with_every_reason():
    def break_it(wb):
        as_2571(wb)
        wb["tools"]["D2"] = 0.5  # weights no longer sum to 1
        items = wb["items"]
        items["B2"] = 42  # unknown indicator
        items["C50"] = "9.9"  # unknown sub-indicator

    with pytest.raises(frameworks.FrameworkError) as exc:
        frameworks.install(frameworks.payload_from_workbook(workbook_for(2566, break_it)))
    errors = exc.value.errors
    assert any("น้ำหนักของเครื่องมือรวมกันต้องเท่ากับ 1" in e for e in errors)
    assert any("ข้อ I1: ไม่รู้จักตัวชี้วัด “42”" in e for e in errors)
    assert any("ตัวชี้วัดย่อย “9.9”" in e for e in errors)
    assert not FiscalYear.objects.filter(year=2571).exists()


def test_not_a_workbook_is_refused():
    with pytest.raises(frameworks.FrameworkError, match="อ่านไฟล์ Excel ไม่ได้"):
        frameworks.payload_from_workbook(io.BytesIO(b"not excel"))


def test_admin_imports_a_new_year_from_the_web():
    admin = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client = log_in_verified(Client(), admin)
    response = client.post("/admin/assessments/fiscalyear/import-framework/", {"file": workbook_for(2566, as_2571)})
    assert response.status_code == 302
    assert fiscal_year(2571).items.count() == 88


def test_admin_shows_reasons_for_a_refused_file():
    admin = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client = log_in_verified(Client(), admin)
    response = client.post("/admin/assessments/fiscalyear/import-framework/", {"file": workbook_for(2566)})
    assert response.status_code == 400
    assert "มีกรอบการประเมินปี 2566 อยู่แล้ว" in response.content.decode()


def test_admin_download_gives_the_import_format():
    admin = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client = log_in_verified(Client(), admin)
    response = client.post(
        "/admin/assessments/edition/",
        {"action": "download_framework", "_selected_action": [fiscal_year(2565).edition("nacc").pk]},
    )
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == [
        "year",
        "tools",
        "indicators",
        "subindicators",
        "items",
        "grade_bands",
        "rating_ladder",
        "status_tiers",
        "calendar",
    ]


def _round_trip_2569(edit=None):
    """The 2569 NACC edition's workbook, edited by ``edit(wb)``, read back as a payload for 2571."""
    wb = frameworks.workbook_from_fiscal_year(fiscal_year(2569))
    ws = wb["year"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "fiscal_year":
            row[1].value = 2571
        if row[0].value in ("start", "end"):
            row[1].value = row[1].value.replace("2025", "2027").replace("2026", "2028")
    if edit:
        edit(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "framework.xlsx"
    return frameworks.payload_from_workbook(buffer)


def test_the_workbook_carries_item_roles_topics_and_guidance():
    edition = frameworks.install(_round_trip_2569())
    o25 = edition.items.get(code="o25")
    source = fiscal_year(2569).edition("nacc").items.get(code="o25")
    assert (o25.role, o25.topic, o25.criteria, o25.example) == (
        source.role,
        source.topic,
        source.criteria,
        source.example,
    )
    assert o25.role == "measures" and o25.criteria


def test_the_workbook_carries_the_itas_calendar():
    from assessments.models import Milestone

    def calendar(wb):
        wb["calendar"].append(["oit", "ตอบแบบ OIT", "2028-03-01", "2028-04-30", 1])

    frameworks.install(_round_trip_2569(calendar))
    oit = Milestone.objects.get(fiscal_year=2571, kind="oit")
    assert (oit.start.isoformat(), oit.end.isoformat(), oit.uncertain) == ("2028-03-01", "2028-04-30", True)


def test_a_workbook_with_an_unknown_role_is_refused_and_nothing_installed():
    def bad_role(wb):
        ws = wb["items"]
        header = [c.value for c in ws[1]]
        ws.cell(row=2, column=header.index("role") + 1, value="boss")

    with pytest.raises(frameworks.FrameworkError, match="ไม่รู้จักบทบาท “boss”"):
        frameworks.install(_round_trip_2569(bad_role))
    assert not FiscalYear.objects.filter(year=2571).exists()


def test_a_workbook_calendar_ending_before_it_starts_is_refused():
    def backwards(wb):
        wb["calendar"].append(["oit", "", "2028-04-30", "2028-03-01", 0])

    with pytest.raises(frameworks.FrameworkError, match=r"ชีต calendar แถวที่ \d+: วันสิ้นสุดก่อนวันเริ่ม"):
        frameworks.install(_round_trip_2569(backwards))


# --------------------------------------------------------------------------- #
# The framework each process keeps
# --------------------------------------------------------------------------- #


def fresh(year):
    return FiscalYear.objects.get(year=year)  # as a request reads it: with the token of now


def test_a_kept_framework_costs_no_queries(django_assert_num_queries):
    year = fresh(2565).edition("nacc")
    frameworks.framework_for(year)
    with django_assert_num_queries(0):
        assert frameworks.framework_for(year).year == 2565


def root_client():
    admin = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client = log_in_verified(Client(), admin)
    return client


def test_the_framework_is_kept_in_djangos_cache_under_the_years_token():
    from django.core.cache import cache

    from assessments.frameworks import cache as kept

    year = fresh(2565)
    key = frameworks.cache_key(year.edition("nacc"))
    # Read through Django's cache, not this process's copy (an earlier test may have kept one
    # while Django's local-memory cache evicted the shared entry).
    kept._read.pop(key, None)
    cache.delete(key)
    frameworks.framework_for(year)
    assert cache.get(key).year == 2565


def test_an_admin_save_of_an_indicator_is_seen_at_once():
    kept = frameworks.framework_for(fresh(2565))
    indicator = fresh(2565).indicators.get(number=8)
    response = root_client().post(
        f"/admin/assessments/indicator/{indicator.pk}/change/",
        {
            "fiscal_year": indicator.fiscal_year_id,
            "edition": indicator.edition_id,
            "tool": indicator.tool_id,
            "number": 8,
            "name_th": "ชื่อใหม่ของตัวชี้วัด",
            "name_en": "",
            "description_th": "",
        },
    )
    assert response.status_code == 302
    changed = frameworks.framework_for(fresh(2565))
    assert changed.indicators[7].name == "ชื่อใหม่ของตัวชี้วัด"
    assert changed.indicators[7].issue_areas == ()  # the links the form cleared
    assert kept.indicators[7].name != "ชื่อใหม่ของตัวชี้วัด"  # what was handed out is never changed


def test_an_admin_delete_of_an_item_is_seen_at_once():
    kept = frameworks.framework_for(fresh(2565))
    item = fresh(2565).items.get(code="o11")
    response = root_client().post(f"/admin/assessments/item/{item.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert len(frameworks.framework_for(fresh(2565)).items) == len(kept.items) - 1


def test_saving_the_edition_row_is_seen_at_once():
    frameworks.framework_for(fresh(2565))
    edition = fresh(2565).edition("nacc")
    edition.strength_threshold = Decimal("80")
    edition.save(update_fields=["strength_threshold"])
    assert frameworks.framework_for(fresh(2565)).strength_threshold == Decimal("80")


def test_an_admin_rename_of_an_issue_area_reaches_every_year():
    from assessments.models import IssueArea

    frameworks.framework_for(fresh(2566))
    area = IssueArea.objects.get(number=1)
    response = root_client().post(
        f"/admin/assessments/issuearea/{area.pk}/change/", {"number": 1, "name_th": "ประเด็นชื่อใหม่"}
    )
    assert response.status_code == 302
    assert (1, "ประเด็นชื่อใหม่") in frameworks.framework_for(fresh(2566)).issue_areas


def test_a_bulk_update_is_seen_after_renew_framework():
    frameworks.framework_for(fresh(2565))
    fresh(2565).indicators.filter(number=8).update(name_th="ชื่อจากคำสั่งโดยตรง")
    frameworks.renew_framework(fresh(2565).edition("nacc").pk)
    assert frameworks.framework_for(fresh(2565)).indicators[7].name == "ชื่อจากคำสั่งโดยตรง"
