"""The analysis's plain data: the framework it reads (input) and the results it returns (output).

Frozen dataclasses in, mutable result dataclasses out; no database here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..thai import round2

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


def item_sort_key(code: str) -> tuple[str, int]:
    """o2 before o10: the prefix, then the number."""
    prefix = code.rstrip("0123456789")
    number = code[len(prefix) :]
    return (prefix, int(number) if number.isdigit() else 0)


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
class RatingRung:
    """One rung of the rating ladder: min_total ≤ total (< below) and every tool ≥ min_tool."""

    label: str
    min_total: Decimal
    below: Decimal | None = None
    min_tool: Decimal | None = None

    def holds(self, total: Decimal, tools: dict[str, Decimal | None]) -> bool:
        if total < self.min_total or (self.below is not None and total >= self.below):
            return False
        if self.min_tool is None:
            return True
        return bool(tools) and all(v is not None and v >= self.min_tool for v in tools.values())


@dataclass(frozen=True)
class StatusTier:
    """An indicator status: a stable code (strong, good, weak), its label and its cut-off."""

    code: str
    label: str
    min_score: Decimal


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
    scheme: str = "nacc"
    edition_name: str = ""  # as people name the edition ("ITA ทั่วไป (สำนักงาน ป.ป.ช.)")
    rating_ladder: tuple = ()  # RatingRung, highest first; empty: the year has no ladder
    status_tiers: tuple = ()  # StatusTier, highest first; empty: the default tiers

    def tiers(self) -> tuple[StatusTier, ...]:
        """The status tiers: the edition's, else strong ≥ excellent, good ≥ threshold, weak."""
        if self.status_tiers:
            return self.status_tiers
        return (
            StatusTier("strong", STATUS_LABELS["strong"], self.excellent_score),
            StatusTier("good", STATUS_LABELS["good"], self.strength_threshold),
            StatusTier("weak", STATUS_LABELS["weak"], ZERO),
        )

    def tool(self, code: str) -> ToolDef:
        return next(t for t in self.tools if t.code == code)

    def items_of(self, number: int) -> list[ItemDef]:
        return [i for i in self.items if i.indicator == number]

    def subindicators_of(self, number: int) -> list[SubIndicatorDef]:
        return [s for s in self.subindicators if s.indicator == number]

    def indicator_codes(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """Every score key the framework accepts, as (level, key) -> parts allowed."""
        keys: dict[tuple[str, str], tuple[str, ...]] = {("total", "total"): ()}
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
    def score(self) -> Decimal | None:
        """The figure used downstream: the published one when there is one."""
        return self.published if self.published is not None else self.computed

    @property
    def shown(self) -> Decimal | None:
        return round2(self.score)

    @property
    def computed_rounded(self) -> Decimal | None:
        return round2(self.computed)

    @property
    def difference(self) -> Decimal | None:
        if self.published is None or self.computed is None:
            return None
        return self.published - round2(self.computed)

    @property
    def mismatch(self) -> bool:
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
    def score(self) -> Decimal | None:
        return self.figure.score

    @property
    def gap(self) -> Decimal | None:
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
    status_label: str = ""
    previous: Decimal | None = None
    narrative: str = ""
    narrative_edited: bool = False
    issue_areas: tuple = ()

    @property
    def score(self) -> Decimal | None:
        return self.figure.shown

    @property
    def change(self) -> Decimal | None:
        if self.previous is None or self.score is None:
            return None
        return self.score - round2(self.previous)

    @property
    def item_range(self) -> str:
        if not self.items:
            return ""
        return f"{self.items[0].label} – {self.items[-1].label}"

    def weak_items(self, threshold: Decimal) -> list[ItemResult]:
        """Items under the threshold, lowest first (OIT: the items that scored 0)."""
        scored = [i for i in self.items if i.score is not None and round2(i.score) < threshold]
        return sorted(scored, key=lambda i: (i.score, item_sort_key(i.code)))


@dataclass
class ToolResult:
    code: str
    name: str
    weight: Decimal
    figure: Figure
    parts: dict = field(default_factory=dict)  # part code -> Figure
    part_names: dict = field(default_factory=dict)


@dataclass
class Summary:
    """What an assessment stores of its analysis: the total, the tools, the indicators and
    the published figures that differ from the level below (``compute.summarise``)."""

    total: Figure
    tools: list  # ToolResult
    indicators: list  # IndicatorResult
    mismatches: list  # Mismatch


@dataclass
class Mismatch:
    level: str
    key: str
    part: str
    label: str
    published: Decimal
    computed: Decimal

    @property
    def difference(self) -> Decimal:
        return self.published - self.computed


@dataclass
class RatingBlocker:
    """A tool below the next rung's tool condition, and the points it needs."""

    tool: str
    score: Decimal
    needed: Decimal


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
    rating: str | None = None  # the ladder's label; None where the edition has no ladder
    rating_next: str | None = None  # the rung above, when there is one
    rating_blockers: list = field(default_factory=list)  # RatingBlocker: tools holding it below the next rung
    rating_total_needed: Decimal | None = None  # points the total lacks for the next rung

    @property
    def total_score(self) -> Decimal | None:
        return self.total.shown

    @property
    def total_change(self) -> Decimal | None:
        if self.previous_total is None or self.total_score is None:
            return None
        return self.total_score - round2(self.previous_total)

    @property
    def threshold(self) -> Decimal:
        return self.framework.strength_threshold

    def indicator(self, number: int) -> IndicatorResult:
        return next(i for i in self.indicators if i.number == number)
