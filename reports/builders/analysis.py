"""1. The analysis of a year's result."""

from assessments import agency_words
from assessments import analysis as analysis_module
from assessments import services as assessment_services
from assessments.charts import chart_bars

from .. import texts as document_texts
from .common import ReportError, _fiscal_year, _header


def build_analysis(organisation, year, **_):
    """The analysis of the assessment year: scores, lists, narratives, recommendations."""
    fy = _fiscal_year(year)
    assessment = assessment_services.scored_assessment(organisation, fy)
    if assessment is None:
        raise ReportError(f"{organisation.name} ยังไม่มีผลการประเมินปี {year}")
    result = assessment_services.analyse_assessment(assessment)
    data = analysis_module.as_dict(result, organisation=organisation.code)
    by_number = {i.number: i for i in result.indicators}
    item_words = agency_words.item_analyses(assessment)
    data["indicators_detail"] = [
        {
            "number": ind.number,
            "name": ind.name,
            "tool": ind.tool,
            "score": _f(ind.score),
            "status": ind.status,
            "status_label": ind.status_label,
            "item_range": ind.item_range,
            "narrative": ind.narrative,
            # The table column's text: staff's own words, else the draft's opening sentence only.
            "analysis": ind.narrative if ind.narrative_edited else ind.narrative.split("\n\n")[0],
            "parts": {p: _f(f.score) for p, f in ind.parts.items()},
            "items": [
                {
                    "code": it.code,
                    "label": it.label,
                    "title": it.title,
                    "score": _f(it.score),
                    "parts": {p: _f(v) for p, v in it.parts.items()},
                    "subindicator": it.subindicator,
                    "analysis": item_words.get(it.code, ""),
                }
                for it in ind.items
                if it.score is not None or it.parts
            ],  # fmt: skip
        }
        for ind in result.indicators
    ]
    data["strengths_detail"] = [
        data["indicators_detail"][result.indicators.index(by_number[n])] for n in data["strengths"]
    ]
    data["weaknesses_detail"] = [
        data["indicators_detail"][result.indicators.index(by_number[n])] for n in data["weaknesses"]
    ]
    data["recommendations"] = [
        {"tool": r.tool, "part": r.part, "items": r.item_codes, "text": r.text}
        for r in assessment.recommendations.all()
    ]
    data["recommendation_groups"] = agency_words.recommendation_groups(data["recommendations"])
    data["issue_areas_detail"] = _issue_areas_detail(result, item_words)
    in_areas = {row["code"] for area in data["issue_areas_detail"] for row in area["weak_items"]}
    for detail in data["indicators_detail"]:  # printed under the item in its issue area, else in the table
        for item in detail["items"]:
            item["analysis_here"] = "" if item["code"] in in_areas else item["analysis"]
    data["texts"] = document_texts.texts_for(organisation, year, "analysis")
    data["has_items"] = any(d["items"] for d in data["indicators_detail"])
    data["has_tool_scores"] = any(t["score"] is not None for t in data["tools"])
    data["result_mode"] = result.framework.result_mode
    data["chart"] = chart_bars([(i.number, i.score, i.status, i.previous) for i in result.indicators], result.threshold)
    return {**_header(organisation, year), "kind": "analysis", "analysis": data}


def _issue_areas_detail(result, item_words):
    """The seven issue areas as the analysis prints them (seed 001): each area's indicators
    with their score and status, its items to improve and those the agency wrote about, each
    item's analysis under it in the first area it belongs to (a later area refers to it)."""
    printed, areas = {}, []
    for area in result.issue_areas:
        rows = []
        for it in area.items:
            words = item_words.get(it.code, "")
            if it not in area.weak_items and not words:
                continue
            rows.append({
                "code": it.code, "label": it.label, "title": it.title, "score": _f(it.score),
                "weak": it in area.weak_items, "analysis": "" if it.code in printed else words,
                "see_area": printed.get(it.code) if words else None,
            })  # fmt: skip
            if words:
                printed.setdefault(it.code, area.number)
        areas.append({
            "number": area.number, "name": area.name, "weak_items": rows,
            "indicators": [{"number": i.number, "name": i.name, "score": _f(i.score), "status_label": i.status_label}
                           for i in area.indicators],
        })  # fmt: skip
    return areas


def _f(value):
    return None if value is None else float(value)
