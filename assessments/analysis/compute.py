"""Scoring and analysis of one agency's ITA result: plain data in, dataclasses out.

No database and no request here: the framework and the scores come in as plain
values (see ``frameworks.framework_for`` and ``services.analyse_assessment``), so
the same code serves the web page, the reports and the command line.

Rules (PRODUCT.md §2, verified on the seeds' numbers):
- an IIT/EIT indicator is the mean of its item scores; an OIT indicator is the mean
  of its sub-indicators, each the mean of its 0/100 items (seed 000: 9 = 76.29);
- from 2566 each EIT item is scored per part (Public, Survey); EIT = mean of parts;
- a tool is the mean of its indicators; the total is the weighted sum of the tools;
- published figures are never replaced: a value recomputed from the level below is
  shown beside it and a difference above 0.05 is a mismatch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from ..thai import round2
from . import rules
from .model import (
    PART_LABELS,
    ZERO,
    Analysis,
    Figure,
    Framework,
    IndicatorResult,
    IssueAreaResult,
    ItemResult,
    Mismatch,
    StatusTier,
    SubIndicatorResult,
    Summary,
    ToolResult,
    item_sort_key,
)
from .narrative import draft_narrative

Scores = Mapping[tuple[str, str, str], Decimal]


def _mean(values: Iterable[Decimal | None]) -> Decimal | None:
    """Mean of a list that must be complete: None when empty or any value is missing."""
    values = list(values)
    if not values:
        return None
    for value in values:  # (not ``None in values``: Decimal == None asks numbers.Rational, an ABC)
        if value is None:
            return None
    return sum(values, ZERO) / len(values)


def _parts_of_tool(framework: Framework) -> dict[str, tuple[str, ...]]:
    return {t.code: tuple(code for code, _ in t.parts) for t in framework.tools}


def _items(framework: Framework, scores: Scores) -> dict[int, list[ItemResult]]:
    """Item results per indicator number, in the framework's order."""
    tool_of_indicator = {i.number: i.tool for i in framework.indicators}
    parts_of_tool = _parts_of_tool(framework)
    by_indicator: dict[int, list[ItemResult]] = {i.number: [] for i in framework.indicators}
    get = scores.get
    for item_def in framework.items:
        tool = tool_of_indicator[item_def.indicator]
        tool_parts = parts_of_tool[tool]
        parts, computed = {}, None
        if tool_parts:  # the mean of the parts, None unless every part is scored
            for p in tool_parts:
                value = get(("item", item_def.code, p))
                if value is not None:
                    parts[p] = value
            if len(parts) == len(tool_parts):
                computed = sum(parts.values(), ZERO) / len(parts)
        by_indicator[item_def.indicator].append(
            ItemResult(
                code=item_def.code,
                label=item_def.label,
                title=item_def.title,
                indicator=item_def.indicator,
                subindicator=item_def.subindicator,
                tool=tool,
                figure=Figure(get(("item", item_def.code, "")), computed),
                parts=parts,
                uncertain=item_def.uncertain,
            )
        )
    return by_indicator


def _subindicators(
    framework: Framework, scores: Scores, items: dict[int, list[ItemResult]]
) -> dict[int, list[SubIndicatorResult]]:
    """Sub-indicator results (OIT) per indicator number: the mean of their items."""
    by_indicator: dict[int, list[SubIndicatorResult]] = {i.number: [] for i in framework.indicators}
    for sub_def in framework.subindicators:
        sub_items = [i for i in items[sub_def.indicator] if i.subindicator == sub_def.code]
        figure = Figure(scores.get(("subindicator", sub_def.code, "")), _mean(i.score for i in sub_items))
        by_indicator[sub_def.indicator].append(
            SubIndicatorResult(sub_def.code, sub_def.name, sub_def.indicator, figure)
        )
    return by_indicator


def _indicator_computed(items: list[ItemResult], subs: list, part_figures: dict[str, Figure]) -> Decimal | None:
    """An indicator from the level below: its sub-indicators, else its parts, else its items."""
    if subs:
        return _mean(s.figure.score for s in subs)
    if part_figures:
        computed = _mean(f.score for f in part_figures.values())
        if computed is None and items:
            computed = _mean(i.score for i in items)
        return computed
    return _mean(i.score for i in items) if items else None


def _indicators(framework: Framework, scores: Scores) -> list[IndicatorResult]:
    items = _items(framework, scores)
    subs = _subindicators(framework, scores, items)
    parts_of_tool = _parts_of_tool(framework)
    indicators = []
    for ind_def in framework.indicators:
        ind_items = items[ind_def.number]
        part_figures = {
            part: Figure(
                scores.get(("indicator", str(ind_def.number), part)),
                _mean(i.parts.get(part) for i in ind_items) if ind_items else None,
            )
            for part in parts_of_tool[ind_def.tool]
        }
        computed = _indicator_computed(ind_items, subs[ind_def.number], part_figures)
        indicators.append(
            IndicatorResult(
                number=ind_def.number,
                name=ind_def.name,
                tool=ind_def.tool,
                description=ind_def.description,
                figure=Figure(scores.get(("indicator", str(ind_def.number), "")), computed),
                parts=part_figures,
                items=ind_items,
                subindicators=subs[ind_def.number],
                issue_areas=ind_def.issue_areas,
            )
        )
    return indicators


def _tools(framework: Framework, scores: Scores, indicators: list[IndicatorResult]) -> list[ToolResult]:
    tools = []
    for tool_def in framework.tools:
        tool_inds = [i for i in indicators if i.tool == tool_def.code]
        part_figures = {
            part: Figure(scores.get(("tool", tool_def.code, part)), _mean(i.parts[part].score for i in tool_inds))
            for part, _name in tool_def.parts
        }
        computed = _mean(i.figure.score for i in tool_inds)
        if part_figures and framework.eit_combination == "mean_of_parts":
            by_parts = _mean(f.score for f in part_figures.values())
            computed = by_parts if by_parts is not None else computed
        tools.append(
            ToolResult(
                code=tool_def.code,
                name=tool_def.name,
                weight=tool_def.weight,
                figure=Figure(scores.get(("tool", tool_def.code, "")), computed),
                parts=part_figures,
                part_names=dict(tool_def.parts),
            )
        )
    return tools


def _total(scores: Scores, tools: list[ToolResult]) -> Figure:
    computed = None
    if tools and all(t.figure.score is not None for t in tools):
        computed = sum((t.weight * t.figure.score for t in tools), ZERO)
    return Figure(scores.get(("total", "total", "")), computed)


def _issue_areas(
    framework: Framework, indicators: list[IndicatorResult], weak_items: list[ItemResult]
) -> list[IssueAreaResult]:
    all_items = [item for ind in indicators for item in ind.items]
    item_areas = {i.code: i.issue_areas for i in framework.items}
    weak_codes = {i.code for i in weak_items}
    areas = []
    for number, name in framework.issue_areas:
        area_items = [i for i in all_items if number in item_areas.get(i.code, ())]
        areas.append(
            IssueAreaResult(
                number=number,
                name=name,
                indicators=[i for i in indicators if number in i.issue_areas],
                items=area_items,
                weak_items=[i for i in area_items if i.code in weak_codes],
            )
        )
    return areas


def _collect_mismatches(total: Figure, tools: list[ToolResult], indicators: list[IndicatorResult]) -> list[Mismatch]:
    found = []

    def check(level, key, part, label, figure):
        if figure.mismatch:
            found.append(Mismatch(level, key, part, label, figure.published, round2(figure.computed)))

    check("total", "total", "", "คะแนนรวม", total)
    for tool in tools:
        check("tool", tool.code, "", tool.code.upper(), tool.figure)
        for part, fig in tool.parts.items():
            check("tool", tool.code, part, f"{tool.code.upper()} {PART_LABELS.get(part, part)}", fig)
    for ind in indicators:
        check("indicator", str(ind.number), "", f"ตัวชี้วัดที่ {ind.number}", ind.figure)
        for part, fig in ind.parts.items():
            check("indicator", str(ind.number), part, f"ตัวชี้วัดที่ {ind.number} {PART_LABELS[part]}", fig)
        for sub in ind.subindicators:
            if sub.figure.published is not None:  # (no label built for the many unpublished ones)
                check("subindicator", sub.code, "", f"ตัวชี้วัดย่อย {sub.code}", sub.figure)
        for item in ind.items:
            if item.figure.published is not None:
                check("item", item.code, "", f"ข้อ {item.label}", item.figure)
    return found


def summarise(framework: Framework, scores: Scores) -> Summary:
    """The stored summary's figures (total, tools, indicators, mismatches) by the same scoring
    as ``compute``, without the rest of the analysis (strengths, weak items, issue areas,
    ratings): what an import stores, at half the work."""
    indicators = _indicators(framework, scores)
    tools = _tools(framework, scores, indicators)
    total = _total(scores, tools)
    return Summary(total, tools, indicators, _collect_mismatches(total, tools, indicators))


def compute(
    framework: Framework,
    scores: Scores,
    *,
    previous: Analysis | None = None,
    narratives: Mapping[int, str] | None = None,
    thai_digits: bool = True,
    status_tiers: tuple[StatusTier, ...] | None = None,
    with_narratives: bool = True,
) -> Analysis:
    """Analyse one year's scores against its framework.

    ``scores`` maps (level, key, part) to a Decimal as entered, level one of item,
    subindicator, indicator, tool, total; part "" or "public"/"survey".
    ``previous`` is the previous year's Analysis (or None); ``narratives`` maps an
    indicator number to the text staff edited and kept; ``status_tiers`` are the
    organisation's own names and cut-offs for the statuses (default: the edition's).
    ``with_narratives=False`` leaves every narrative empty: the stored summary (totals,
    tools, indicators) never reads them, and drafting them is most of an import's analysis.
    """
    narratives = narratives or {}
    indicators = _indicators(framework, scores)
    tools = _tools(framework, scores, indicators)
    total = _total(scores, tools)

    threshold = framework.strength_threshold
    tiers = status_tiers or framework.tiers()
    for ind in indicators:
        tier = rules.status_of(ind.score, tiers)
        ind.status, ind.status_label = (tier.code, tier.label) if tier else (None, "")
    scored = [i for i in indicators if i.score is not None]
    strengths = sorted((i for i in scored if i.score >= threshold), key=lambda i: (-i.score, i.number))
    weaknesses = sorted((i for i in scored if i.score < threshold), key=lambda i: (i.score, i.number))
    weak_items = [item for ind in indicators for item in ind.weak_items(threshold)]
    failed_oit = [
        item
        for ind in indicators
        if ind.tool == "oit"
        for item in ind.items
        if item.score is not None and item.score == ZERO
    ]
    eit_gaps = sorted(
        (
            item
            for ind in indicators
            for item in ind.items
            if item.gap is not None and abs(item.gap) >= framework.eit_gap_threshold
        ),
        key=lambda i: (-abs(i.gap), item_sort_key(i.code)),
    )

    if previous is not None:
        previous_by_number = {i.number: i.figure.score for i in previous.indicators}
        for ind in indicators:
            ind.previous = previous_by_number.get(ind.number)

    result, grade, excellent = rules.result_of(total.shown, framework)
    rating, rating_next, blockers, total_needed = rules.rating_of(total.shown, tools, framework.rating_ladder)

    # Narratives: the edited text when staff kept one, the draft otherwise
    for ind in indicators if with_narratives else ():
        edited = narratives.get(ind.number)
        ind.narrative = edited or draft_narrative(ind, framework, thai_digits=thai_digits)
        ind.narrative_edited = bool(edited)

    return Analysis(
        year=framework.year,
        framework=framework,
        total=total,
        tools=tools,
        indicators=indicators,
        strengths=strengths,
        weaknesses=weaknesses,
        weak_items=weak_items,
        failed_oit_items=failed_oit,
        eit_gaps=eit_gaps,
        mismatches=_collect_mismatches(total, tools, indicators),
        issue_areas=_issue_areas(framework, indicators, weak_items),
        previous_year=previous.year if previous is not None else None,
        previous_total=previous.total.score if previous is not None else None,
        result=result,
        grade=grade,
        excellent=excellent,
        rating=rating,
        rating_next=rating_next,
        rating_blockers=blockers,
        rating_total_needed=total_needed,
    )
