"""Scoring rules on small hand-made frameworks (no database)."""

from decimal import Decimal as D

from assessments import analysis as a


def framework(**overrides):
    values = dict(
        year=2566,
        tools=(
            a.ToolDef("iit", "IIT", D("0.30")),
            a.ToolDef("eit", "EIT", D("0.30"), parts=(("public", "P"), ("survey", "S"))),
            a.ToolDef("oit", "OIT", D("0.40")),
        ),
        indicators=(
            a.IndicatorDef(1, "หนึ่ง", "iit", issue_areas=(1,)),
            a.IndicatorDef(6, "หก", "eit", issue_areas=(2,)),
            a.IndicatorDef(9, "เก้า", "oit", issue_areas=(3,)),
        ),
        subindicators=(a.SubIndicatorDef("9.1", "ย่อย 1", 9), a.SubIndicatorDef("9.2", "ย่อย 2", 9)),
        items=(
            a.ItemDef("i1", "i1", "ข้อ 1", 1, issue_areas=(1,)),
            a.ItemDef("i2", "i2", "ข้อ 2", 1),
            a.ItemDef("e1", "E1", "ข้อ e1", 6, issue_areas=(2,)),
            a.ItemDef("o1", "O1", "ข้อ o1", 9, "9.1"),
            a.ItemDef("o2", "O2", "ข้อ o2", 9, "9.1"),
            a.ItemDef("o3", "O3", "ข้อ o3", 9, "9.2"),
        ),
        grade_bands=(("AA", D("95")), ("A", D("85")), ("B", D("75")), ("F", D("0"))),
        issue_areas=((1, "หนึ่ง"), (2, "สอง"), (3, "สาม")),
    )
    values.update(overrides)
    return a.Framework(**values)


def test_published_figure_is_kept_and_computed_is_shown_beside_it():
    result = a.compute(
        framework(), {("item", "i1", ""): D("80"), ("item", "i2", ""): D("90"), ("indicator", "1", ""): D("85.00")}
    )
    ind = result.indicator(1)
    assert ind.figure.published == D("85.00")
    assert ind.figure.computed == D("85")
    assert not ind.figure.mismatch


def test_difference_above_005_is_flagged_not_fixed():
    result = a.compute(
        framework(), {("item", "i1", ""): D("80"), ("item", "i2", ""): D("90"), ("indicator", "1", ""): D("85.06")}
    )
    assert result.indicator(1).score == D("85.06")
    assert [(m.level, m.key) for m in result.mismatches] == [("indicator", "1")]


def test_difference_of_exactly_005_is_not_flagged():
    result = a.compute(
        framework(), {("item", "i1", ""): D("80"), ("item", "i2", ""): D("90"), ("indicator", "1", ""): D("85.05")}
    )
    assert result.mismatches == []


def test_indicator_is_not_computed_from_an_incomplete_set_of_items():
    result = a.compute(framework(), {("item", "i1", ""): D("80")})
    assert result.indicator(1).figure.computed is None


def test_oit_indicator_is_mean_of_sub_indicators_not_flat_mean():
    scores = {("item", "o1", ""): D("100"), ("item", "o2", ""): D("0"), ("item", "o3", ""): D("100")}
    result = a.compute(framework(), scores)
    assert result.indicator(9).figure.computed == D("75")  # (50 + 100) / 2, flat mean would be 66.67


def test_eit_item_is_scored_per_part_and_indicator_is_mean_of_parts():
    scores = {("item", "e1", "public"): D("90"), ("item", "e1", "survey"): D("70")}
    result = a.compute(framework(), scores)
    assert result.indicator(6).parts["public"].computed == D("90")
    assert result.indicator(6).figure.computed == D("80")


def test_eit_gap_is_listed_when_parts_disagree_widely():
    scores = {("item", "e1", "public"): D("90"), ("item", "e1", "survey"): D("70")}
    assert [i.code for i in a.compute(framework(), scores).eit_gaps] == ["e1"]


def test_total_is_weighted_sum_of_tools_with_pass_at_85():
    scores = {("tool", "iit", ""): D("90"), ("tool", "eit", ""): D("80"), ("tool", "oit", ""): D("85")}
    result = a.compute(framework(), scores)
    assert result.total.computed == D("85.0000")
    assert result.result == "ผ่าน"


def test_total_below_85_does_not_pass():
    scores = {("tool", "iit", ""): D("84.99"), ("tool", "eit", ""): D("84.99"), ("tool", "oit", ""): D("84.99")}
    assert a.compute(framework(), scores).result == "ไม่ผ่าน"


def test_total_from_95_is_excellent_and_grade_aa():
    scores = {("total", "total", ""): D("95.00")}
    result = a.compute(framework(), scores)
    assert result.excellent and result.grade == "AA"


def test_status_has_three_tiers():
    scores = {("indicator", "1", ""): D("96"), ("indicator", "6", ""): D("85"), ("indicator", "9", ""): D("84.99")}
    result = a.compute(framework(), scores)
    assert [i.status for i in result.indicators] == ["strong", "good", "weak"]


def test_equal_scores_keep_indicator_order():
    scores = {("indicator", "1", ""): D("90"), ("indicator", "6", ""): D("90"), ("indicator", "9", ""): D("90")}
    assert [i.number for i in a.compute(framework(), scores).strengths] == [1, 6, 9]


def test_change_against_previous_year_per_indicator_and_total():
    previous = a.compute(framework(), {("indicator", "1", ""): D("80"), ("total", "total", ""): D("80")})
    current = a.compute(
        framework(), {("indicator", "1", ""): D("86.5"), ("total", "total", ""): D("90")}, previous=previous
    )
    assert current.indicator(1).change == D("6.50")
    assert current.total_change == D("10.00")


def test_issue_areas_collect_their_indicators_and_weak_items():
    scores = {("item", "i1", ""): D("60"), ("item", "i2", ""): D("90")}
    area = a.compute(framework(), scores).issue_areas[0]
    assert [i.number for i in area.indicators] == [1]
    assert [i.code for i in area.weak_items] == ["i1"]


def test_draft_narrative_names_score_threshold_and_weak_items_in_thai_digits():
    scores = {("item", "i1", ""): D("60"), ("item", "i2", ""): D("90")}
    text = a.compute(framework(), scores).indicator(1).narrative
    assert text.startswith("ตัวชี้วัดที่ ๑ หนึ่ง (ข้อ i1 – i2) มีผลการประเมิน ๗๕.๐๐ คะแนน ต่ำกว่าเกณฑ์ ๘๕.๐๐")
    assert "ข้อ i1 ข้อ 1 (๖๐.๐๐ คะแนน)" in text


def test_edited_narrative_replaces_the_draft():
    result = a.compute(framework(), {("indicator", "1", ""): D("90")}, narratives={1: "ข้อความที่แก้ไข"})
    assert result.indicator(1).narrative == "ข้อความที่แก้ไข"
    assert result.indicator(1).narrative_edited


def test_as_dict_has_the_documented_keys():
    data = a.as_dict(a.compute(framework(), {("indicator", "1", ""): D("90")}), organisation="x")
    assert {
        "organisation",
        "year",
        "total",
        "indicators",
        "strengths",
        "weaknesses",
        "weak_items",
        "failed_oit_items",
        "mismatches",
    } <= set(data)
    assert set(data["total"]) >= {"published", "computed", "result", "grade"}
    assert set(data["indicators"][0]) >= {"number", "name", "published", "computed", "score", "status"}


# --------------------------------------------------------------------------- #
# NACC's rating ladder (from 2567)
# --------------------------------------------------------------------------- #

LADDER = (
    a.RatingRung("ผ่านดีเยี่ยม", D("95"), min_tool=D("95")),
    a.RatingRung("ผ่านดี", D("85"), min_tool=D("85")),
    a.RatingRung("ผ่าน", D("85")),
    a.RatingRung("ต้องปรับปรุง", D("70"), below=D("85")),
    a.RatingRung("ต้องปรับปรุงโดยด่วน", D("0"), below=D("70")),
)


def rated(iit, eit, oit, total=None):
    scores = {("tool", "iit", ""): D(iit), ("tool", "eit", ""): D(eit), ("tool", "oit", ""): D(oit)}
    if total is not None:
        scores[("total", "total", "")] = D(total)
    return a.compute(framework(rating_ladder=LADDER), scores)


def test_an_eit_below_85_holds_a_93_total_at_pass_and_names_eit_as_the_blocker():
    result = rated("96.00", "84.20", "97.50")
    assert result.total.shown == D("93.06")
    assert result.rating == "ผ่าน"
    assert result.rating_next == "ผ่านดี"
    assert [(b.tool, b.needed) for b in result.rating_blockers] == [("eit", D("0.80"))]


def test_every_tool_at_85_or_more_is_rated_good():
    result = rated("90", "85", "92")
    assert result.rating == "ผ่านดี"
    assert [b.tool for b in result.rating_blockers] == ["iit", "eit", "oit"]  # all below 95


def test_total_and_every_tool_at_95_or_more_is_rated_excellent_with_nothing_above():
    result = rated("95", "96", "99")
    assert result.rating == "ผ่านดีเยี่ยม"
    assert result.rating_next is None and result.rating_blockers == []


def test_a_total_of_80_needs_improvement_and_5_points_for_the_next_rung():
    result = rated("80", "80", "80")
    assert result.rating == "ต้องปรับปรุง"
    assert result.rating_next == "ผ่าน" and result.rating_total_needed == D("5")
    assert result.rating_blockers == []


def test_a_total_of_65_needs_urgent_improvement():
    assert rated("65", "65", "65").rating == "ต้องปรับปรุงโดยด่วน"


def test_a_published_total_rates_even_without_every_tool():
    result = a.compute(framework(rating_ladder=LADDER), {("total", "total", ""): D("90")})
    assert result.rating == "ผ่าน"


def test_a_framework_without_a_ladder_has_no_rating_and_keeps_pass_fail():
    result = a.compute(framework(), {("total", "total", ""): D("90")})
    assert result.rating is None and result.result == "ผ่าน"


def test_rating_and_blockers_are_in_the_json():
    total = a.as_dict(rated("96.00", "84.20", "97.50"))["total"]
    assert total["rating"] == "ผ่าน" and total["rating_blockers"] == ["eit"]
    assert total["rating_points_needed"] == {"eit": 0.8}


# --------------------------------------------------------------------------- #
# Status tiers as data
# --------------------------------------------------------------------------- #


def test_default_tiers_keep_their_codes_and_labels():
    result = a.compute(framework(), {("indicator", "1", ""): D("96"), ("indicator", "6", ""): D("80")})
    assert (result.indicator(1).status, result.indicator(1).status_label) == ("strong", "จุดแข็ง")
    assert (result.indicator(6).status, result.indicator(6).status_label) == ("weak", "จุดอ่อนเร่งด่วน")


def test_an_organisation_may_rename_the_tiers_and_move_their_cut_offs():
    tiers = (
        a.StatusTier("strong", "จุดแข็งมาก", D("90")),
        a.StatusTier("good", "ดี", D("80")),
        a.StatusTier("weak", "จุดอ่อนที่ต้องพัฒนาเร่งด่วน", D("0")),
    )
    result = a.compute(
        framework(), {("indicator", "1", ""): D("91"), ("indicator", "6", ""): D("79")}, status_tiers=tiers
    )
    assert (result.indicator(1).status, result.indicator(1).status_label) == ("strong", "จุดแข็งมาก")
    six = a.as_dict(result)["indicators"][1]
    assert (six["status"], six["status_label"]) == ("weak", "จุดอ่อนที่ต้องพัฒนาเร่งด่วน")
