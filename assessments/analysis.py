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

from dataclasses import dataclass, field
from decimal import Decimal

from .thai import format_score, round2, to_thai_digits

MISMATCH_TOLERANCE = Decimal("0.05")
ZERO = Decimal("0")

STATUS_LABELS = {
    "strong": "จุดแข็ง",
    "good": "ดี",
    "weak": "จุดอ่อนเร่งด่วน",
}
RESULT_PASS = "ผ่าน"
RESULT_FAIL = "ไม่ผ่าน"
PART_LABELS = {"public": "EIT Public", "survey": "EIT Survey"}


# --------------------------------------------------------------------------- #
# Framework (input)
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class ToolDef:
    code: str
    name: str
    weight: Decimal
    parts: tuple = ()  # ((code, name), ...)


@dataclass(frozen=True)
class IndicatorDef:
    number: int
    name: str
    tool: str
    description: str = ""
    issue_areas: tuple = ()


@dataclass(frozen=True)
class SubIndicatorDef:
    code: str
    name: str
    indicator: int


@dataclass(frozen=True)
class ItemDef:
    code: str
    label: str
    title: str
    indicator: int
    subindicator: str | None = None
    issue_areas: tuple = ()
    uncertain: bool = False


@dataclass(frozen=True)
class Framework:
    year: int
    tools: tuple
    indicators: tuple
    subindicators: tuple = ()
    items: tuple = ()
    pass_score: Decimal = Decimal("85")
    excellent_score: Decimal = Decimal("95")
    strength_threshold: Decimal = Decimal("85")
    eit_gap_threshold: Decimal = Decimal("10")
    result_mode: str = "pass_fail"
    eit_combination: str = "mean_of_parts"
    grade_bands: tuple = ()  # ((grade, min_score), ...) highest first
    issue_areas: tuple = ()  # ((number, name), ...)

    def tool(self, code):
        return next(t for t in self.tools if t.code == code)

    def items_of(self, number):
        return [i for i in self.items if i.indicator == number]

    def subindicators_of(self, number):
        return [s for s in self.subindicators if s.indicator == number]

    def indicator_codes(self):
        """Every score key the framework accepts, as (level, key, parts allowed)."""
        keys = {("total", "total"): ()}
        for tool in self.tools:
            keys[("tool", tool.code)] = tuple(code for code, _ in tool.parts)
        tool_parts = {t.code: tuple(code for code, _ in t.parts) for t in self.tools}
        for ind in self.indicators:
            keys[("indicator", str(ind.number))] = tool_parts[ind.tool]
        for sub in self.subindicators:
            keys[("subindicator", sub.code)] = ()
        indicator_tool = {i.number: i.tool for i in self.indicators}
        for item in self.items:
            keys[("item", item.code)] = tool_parts[indicator_tool[item.indicator]]
        return keys


# --------------------------------------------------------------------------- #
# Results (output)
# --------------------------------------------------------------------------- #


@dataclass
class Figure:
    """A published figure (as entered) beside the one recomputed from the level below."""

    published: Decimal | None = None
    computed: Decimal | None = None  # full precision; shown rounded

    @property
    def score(self):
        """The figure used downstream: the published one when there is one."""
        return self.published if self.published is not None else self.computed

    @property
    def shown(self):
        return round2(self.score)

    @property
    def computed_rounded(self):
        return round2(self.computed)

    @property
    def difference(self):
        if self.published is None or self.computed is None:
            return None
        return self.published - round2(self.computed)

    @property
    def mismatch(self):
        diff = self.difference
        return diff is not None and abs(diff) > MISMATCH_TOLERANCE


@dataclass
class ItemResult:
    code: str
    label: str
    title: str
    indicator: int
    subindicator: str | None
    tool: str
    figure: Figure
    parts: dict = field(default_factory=dict)  # part code -> Decimal
    uncertain: bool = False

    @property
    def score(self):
        return self.figure.score

    @property
    def gap(self):
        """Public minus Survey, when both parts are known."""
        if "public" in self.parts and "survey" in self.parts:
            return self.parts["public"] - self.parts["survey"]
        return None


@dataclass
class SubIndicatorResult:
    code: str
    name: str
    indicator: int
    figure: Figure


@dataclass
class IndicatorResult:
    number: int
    name: str
    tool: str
    description: str
    figure: Figure
    parts: dict = field(default_factory=dict)  # part code -> Figure
    items: list = field(default_factory=list)
    subindicators: list = field(default_factory=list)
    status: str | None = None
    previous: Decimal | None = None
    narrative: str = ""
    narrative_edited: bool = False
    issue_areas: tuple = ()

    @property
    def score(self):
        return self.figure.shown

    @property
    def change(self):
        if self.previous is None or self.score is None:
            return None
        return self.score - round2(self.previous)

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, "")

    @property
    def item_range(self):
        if not self.items:
            return ""
        return f"{self.items[0].label} – {self.items[-1].label}"

    def weak_items(self, threshold):
        """Items under the threshold, lowest first (OIT: the items that scored 0)."""
        scored = [i for i in self.items if i.score is not None and round2(i.score) < threshold]
        return sorted(scored, key=lambda i: (i.score, _item_sort_key(i.code)))


@dataclass
class ToolResult:
    code: str
    name: str
    weight: Decimal
    figure: Figure
    parts: dict = field(default_factory=dict)  # part code -> Figure
    part_names: dict = field(default_factory=dict)


@dataclass
class Mismatch:
    level: str
    key: str
    part: str
    label: str
    published: Decimal
    computed: Decimal

    @property
    def difference(self):
        return self.published - self.computed


@dataclass
class IssueAreaResult:
    number: int
    name: str
    indicators: list  # IndicatorResult
    items: list  # ItemResult mapped to the area
    weak_items: list  # of those, under the threshold (or OIT 0)


@dataclass
class Analysis:
    year: int
    framework: Framework
    total: Figure
    tools: list
    indicators: list
    strengths: list  # IndicatorResult, highest first
    weaknesses: list  # IndicatorResult, lowest first
    weak_items: list  # ItemResult, all tools, lowest first within indicator order
    failed_oit_items: list
    eit_gaps: list  # ItemResult with |public - survey| >= gap threshold, widest first
    mismatches: list
    issue_areas: list
    previous_year: int | None = None
    previous_total: Decimal | None = None
    result: str | None = None
    grade: str | None = None
    excellent: bool = False

    @property
    def total_score(self):
        return self.total.shown

    @property
    def total_change(self):
        if self.previous_total is None or self.total_score is None:
            return None
        return self.total_score - round2(self.previous_total)

    @property
    def threshold(self):
        return self.framework.strength_threshold

    def indicator(self, number):
        return next(i for i in self.indicators if i.number == number)


# --------------------------------------------------------------------------- #
# Computation
# --------------------------------------------------------------------------- #


def _mean(values):
    """Mean of a list that must be complete: None when empty or any value is missing."""
    values = list(values)
    if not values or any(v is None for v in values):
        return None
    return sum(values, ZERO) / len(values)


def _item_sort_key(code):
    prefix = code.rstrip("0123456789")
    number = code[len(prefix) :]
    return (prefix, int(number) if number.isdigit() else 0)


def compute(framework, scores, *, previous=None, narratives=None, thai_digits=True):
    """Analyse one year's scores against its framework.

    ``scores`` maps (level, key, part) to a Decimal as entered, level one of item,
    subindicator, indicator, tool, total; part "" or "public"/"survey".
    ``previous`` is the previous year's Analysis (or None); ``narratives`` maps an
    indicator number to the text staff edited and kept.
    """
    narratives = narratives or {}

    def published(level, key, part=""):
        return scores.get((level, key, part))

    tool_of_indicator = {i.number: i.tool for i in framework.indicators}
    parts_of_tool = {t.code: tuple(code for code, _ in t.parts) for t in framework.tools}

    # Items
    items_by_indicator = {i.number: [] for i in framework.indicators}
    for item_def in framework.items:
        tool = tool_of_indicator[item_def.indicator]
        parts = {p: published("item", item_def.code, p) for p in parts_of_tool[tool]}
        parts = {p: v for p, v in parts.items() if v is not None}
        computed = _mean(parts.get(p) for p in parts_of_tool[tool]) if parts_of_tool[tool] else None
        item = ItemResult(
            code=item_def.code,
            label=item_def.label,
            title=item_def.title,
            indicator=item_def.indicator,
            subindicator=item_def.subindicator,
            tool=tool,
            figure=Figure(published("item", item_def.code), computed),
            parts=parts,
            uncertain=item_def.uncertain,
        )
        items_by_indicator[item_def.indicator].append(item)

    # Sub-indicators (OIT)
    subs_by_indicator = {i.number: [] for i in framework.indicators}
    for sub_def in framework.subindicators:
        sub_items = [i for i in items_by_indicator[sub_def.indicator] if i.subindicator == sub_def.code]
        figure = Figure(published("subindicator", sub_def.code), _mean(i.score for i in sub_items))
        subs_by_indicator[sub_def.indicator].append(
            SubIndicatorResult(sub_def.code, sub_def.name, sub_def.indicator, figure)
        )

    # Indicators
    indicators = []
    for ind_def in framework.indicators:
        items = items_by_indicator[ind_def.number]
        subs = subs_by_indicator[ind_def.number]
        part_figures = {}
        for part in parts_of_tool[ind_def.tool]:
            part_figures[part] = Figure(
                published("indicator", str(ind_def.number), part),
                _mean(i.parts.get(part) for i in items) if items else None,
            )
        if subs:
            computed = _mean(s.figure.score for s in subs)
        elif part_figures:
            computed = _mean(f.score for f in part_figures.values())
            if computed is None and items:
                computed = _mean(i.score for i in items)
        else:
            computed = _mean(i.score for i in items) if items else None
        figure = Figure(published("indicator", str(ind_def.number)), computed)
        indicators.append(
            IndicatorResult(
                number=ind_def.number,
                name=ind_def.name,
                tool=ind_def.tool,
                description=ind_def.description,
                figure=figure,
                parts=part_figures,
                items=items,
                subindicators=subs,
                issue_areas=ind_def.issue_areas,
            )
        )

    # Tools and parts
    tools = []
    for tool_def in framework.tools:
        tool_inds = [i for i in indicators if i.tool == tool_def.code]
        part_figures = {}
        for part, _name in tool_def.parts:
            part_figures[part] = Figure(
                published("tool", tool_def.code, part),
                _mean(i.parts[part].score for i in tool_inds),
            )
        by_indicators = _mean(i.figure.score for i in tool_inds)
        computed = by_indicators
        if part_figures and framework.eit_combination == "mean_of_parts":
            by_parts = _mean(f.score for f in part_figures.values())
            computed = by_parts if by_parts is not None else by_indicators
        tools.append(
            ToolResult(
                code=tool_def.code,
                name=tool_def.name,
                weight=tool_def.weight,
                figure=Figure(published("tool", tool_def.code), computed),
                parts=part_figures,
                part_names=dict(tool_def.parts),
            )
        )

    # Total
    tool_scores = [t.figure.score for t in tools]
    computed_total = None
    if tools and all(s is not None for s in tool_scores):
        computed_total = sum((t.weight * t.figure.score for t in tools), ZERO)
    total = Figure(published("total", "total"), computed_total)

    # Status, strengths and weaknesses
    threshold = framework.strength_threshold
    for ind in indicators:
        if ind.score is None:
            ind.status = None
        elif ind.score >= framework.excellent_score:
            ind.status = "strong"
        elif ind.score >= threshold:
            ind.status = "good"
        else:
            ind.status = "weak"
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
        key=lambda i: (-abs(i.gap), _item_sort_key(i.code)),
    )

    # Previous year
    if previous is not None:
        previous_by_number = {i.number: i.figure.score for i in previous.indicators}
        for ind in indicators:
            ind.previous = previous_by_number.get(ind.number)

    # Mismatches
    mismatches = _collect_mismatches(total, tools, indicators)

    # Result and grade
    total_shown = total.shown
    result = grade = None
    excellent = False
    if total_shown is not None:
        if framework.result_mode == "pass_fail":
            result = RESULT_PASS if total_shown >= framework.pass_score else RESULT_FAIL
        excellent = total_shown >= framework.excellent_score
        for band_grade, band_min in framework.grade_bands:
            if total_shown >= band_min:
                grade = band_grade
                break

    # Issue areas
    issue_areas = []
    all_items = [item for ind in indicators for item in ind.items]
    item_areas = {i.code: i.issue_areas for i in framework.items}
    weak_codes = {i.code for i in weak_items}
    for number, name in framework.issue_areas:
        area_inds = [i for i in indicators if number in i.issue_areas]
        area_items = [i for i in all_items if number in item_areas.get(i.code, ())]
        issue_areas.append(
            IssueAreaResult(
                number=number,
                name=name,
                indicators=area_inds,
                items=area_items,
                weak_items=[i for i in area_items if i.code in weak_codes],
            )
        )

    # Narratives: the edited text when staff kept one, the draft otherwise
    for ind in indicators:
        edited = narratives.get(ind.number)
        if edited:
            ind.narrative = edited
            ind.narrative_edited = True
        else:
            ind.narrative = draft_narrative(ind, framework, thai_digits=thai_digits)

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
        mismatches=mismatches,
        issue_areas=issue_areas,
        previous_year=previous.year if previous is not None else None,
        previous_total=previous.total.score if previous is not None else None,
        result=result,
        grade=grade,
        excellent=excellent,
    )


def _collect_mismatches(total, tools, indicators):
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
            check("subindicator", sub.code, "", f"ตัวชี้วัดย่อย {sub.code}", sub.figure)
        for item in ind.items:
            check("item", item.code, "", f"ข้อ {item.label}", item.figure)
    return found


# --------------------------------------------------------------------------- #
# Draft narrative
# --------------------------------------------------------------------------- #


def draft_narrative(ind, framework, *, thai_digits=True):
    """A first Thai draft for one indicator, in the style of seed 000, for staff to edit.

    What it measures (the framework's description), the score and its standing
    against the threshold, the change since last year, and the items that pulled
    it down.
    """
    if ind.score is None:
        return ""

    def num(value):
        return format_score(value, thai_digits=thai_digits)

    def digits(text):
        return to_thai_digits(text) if thai_digits else str(text)

    threshold = framework.strength_threshold
    head = f"ตัวชี้วัดที่ {digits(ind.number)} {ind.name}"
    if ind.item_range:
        head += f" (ข้อ {ind.item_range})"
    head += f" มีผลการประเมิน {num(ind.score)} คะแนน"
    if ind.score >= threshold:
        head += f" ผ่านเกณฑ์ {num(threshold)} คะแนน"
    else:
        head += f" ต่ำกว่าเกณฑ์ {num(threshold)} คะแนน เป็นจุดอ่อนที่ต้องแก้ไขโดยเร่งด่วน"
    if ind.change is not None:
        if ind.change > 0:
            head += f" เพิ่มขึ้นจากปีก่อน {num(ind.change)} คะแนน"
        elif ind.change < 0:
            head += f" ลดลงจากปีก่อน {num(-ind.change)} คะแนน"
        else:
            head += " เท่ากับปีก่อน"
    paragraphs = [head]
    if ind.description:
        paragraphs.append(ind.description)

    weak = ind.weak_items(threshold)
    if weak:
        if ind.tool == "oit":
            listed = " ".join(f"ข้อ {i.label} {i.title}" for i in weak)
            paragraphs.append(f"ข้อที่ยังไม่ได้คะแนนและต้องเผยแพร่ข้อมูลให้ครบถ้วน ได้แก่ {listed}")
        else:
            listed = " ".join(f"ข้อ {i.label} {i.title} ({num(i.score)} คะแนน)" for i in weak)
            paragraphs.append(f"ข้อที่มีคะแนนต่ำกว่าเกณฑ์และควรปรับปรุง ได้แก่ {listed}")
    gaps = [i for i in ind.items if i.gap is not None and abs(i.gap) >= framework.eit_gap_threshold]
    if gaps:
        listed = " ".join(
            f"ข้อ {i.label} (EIT Public {num(i.parts['public'])} / EIT Survey {num(i.parts['survey'])})" for i in gaps
        )
        paragraphs.append(f"ข้อที่ผลการประเมินสองส่วนแตกต่างกันมาก ได้แก่ {listed}")
    return "\n\n".join(paragraphs)


# --------------------------------------------------------------------------- #
# Plain-data form for the CLI, the API and the reports
# --------------------------------------------------------------------------- #


def _num(value):
    return None if value is None else float(round2(value))


def as_dict(analysis, *, organisation=None):
    """The analysis as JSON-ready data (the schema documented in the README)."""
    threshold = analysis.threshold
    return {
        "organisation": organisation,
        "year": analysis.year,
        "threshold": _num(threshold),
        "total": {
            "published": _num(analysis.total.published),
            "computed": _num(analysis.total.computed),
            "score": _num(analysis.total.score),
            "result": analysis.result,
            "grade": analysis.grade,
            "excellent": analysis.excellent,
            "previous": _num(analysis.previous_total),
            "change": _num(analysis.total_change),
        },
        "tools": [
            {
                "code": t.code,
                "name": t.name,
                "weight": float(t.weight),
                "published": _num(t.figure.published),
                "computed": _num(t.figure.computed),
                "score": _num(t.figure.score),
                "parts": {
                    p: {"published": _num(f.published), "computed": _num(f.computed), "score": _num(f.score)}
                    for p, f in t.parts.items()
                },
            }
            for t in analysis.tools
        ],
        "indicators": [
            {
                "number": i.number,
                "name": i.name,
                "tool": i.tool,
                "published": _num(i.figure.published),
                "computed": _num(i.figure.computed),
                "score": _num(i.score),
                "status": i.status,
                "previous": _num(i.previous),
                "change": _num(i.change),
                "parts": {p: _num(f.score) for p, f in i.parts.items()},
                "narrative": i.narrative,
            }
            for i in analysis.indicators
        ],
        "strengths": [i.number for i in analysis.strengths],
        "weaknesses": [i.number for i in analysis.weaknesses],
        "weak_items": [
            {"code": i.code, "label": i.label, "indicator": i.indicator, "score": _num(i.score), "title": i.title}
            for i in analysis.weak_items
        ],
        "failed_oit_items": [
            {
                "code": i.code,
                "label": i.label,
                "indicator": i.indicator,
                "subindicator": i.subindicator,
                "title": i.title,
            }
            for i in analysis.failed_oit_items
        ],
        "eit_gaps": [
            {
                "code": i.code,
                "label": i.label,
                "public": _num(i.parts["public"]),
                "survey": _num(i.parts["survey"]),
                "gap": _num(i.gap),
            }
            for i in analysis.eit_gaps
        ],
        "issue_areas": [
            {
                "number": a.number,
                "name": a.name,
                "indicators": [i.number for i in a.indicators],
                "weak_items": [i.code for i in a.weak_items],
            }
            for a in analysis.issue_areas
        ],
        "mismatches": [
            {
                "level": m.level,
                "key": m.key,
                "part": m.part,
                "label": m.label,
                "published": _num(m.published),
                "computed": _num(m.computed),
                "difference": _num(m.difference),
            }
            for m in analysis.mismatches
        ],
        "previous_year": analysis.previous_year,
    }
