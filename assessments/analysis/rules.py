"""The edition's result rules: pass mark, "excellent", legacy grade bands, the rating ladder
(NACC, from 2567) and the indicators' status tiers. All of them are data of the edition."""

from __future__ import annotations

from decimal import Decimal

from ..thai import round2
from .model import RESULT_FAIL, RESULT_PASS, Framework, RatingBlocker, RatingRung, StatusTier, ToolResult


def status_of(score: Decimal | None, tiers: tuple[StatusTier, ...]) -> StatusTier | None:
    """The first tier (highest first) whose cut-off the score reaches; None without a score."""
    if score is None:
        return None
    return next((t for t in tiers if score >= t.min_score), tiers[-1])


def result_of(total: Decimal | None, framework: Framework) -> tuple[str | None, str | None, bool]:
    """(result, grade, excellent) of a shown total: ผ่าน/ไม่ผ่าน where the year reports it, the grade band."""
    if total is None:
        return None, None, False
    result = None
    if framework.result_mode == "pass_fail":
        result = RESULT_PASS if total >= framework.pass_score else RESULT_FAIL
    grade = next((band for band, minimum in framework.grade_bands if total >= minimum), None)
    return result, grade, total >= framework.excellent_score


def rating_of(
    total: Decimal | None, tools: list[ToolResult], ladder: tuple[RatingRung, ...]
) -> tuple[str | None, str | None, list[RatingBlocker], Decimal | None]:
    """(rating, next rung, blockers, total points needed) on the ladder; all empty without one.

    The rating is the first rung (highest first) that holds; a rung with a tool condition
    holds only when every tool's score is known. The blockers are the tools below the
    next rung's tool condition, each with the points it needs (tool scores as shown)."""
    if total is None or not ladder:
        return None, None, [], None
    scores = {t.code: round2(t.figure.score) for t in tools}
    index = next((n for n, rung in enumerate(ladder) if rung.holds(total, scores)), None)
    if index is None:
        return None, None, [], None
    if index == 0:
        return ladder[0].label, None, [], None
    above = ladder[index - 1]
    blockers = []
    if above.min_tool is not None:
        blockers = [
            RatingBlocker(code, score, above.min_tool - score)
            for code, score in scores.items()
            if score is not None and score < above.min_tool
        ]
    needed = above.min_total - total if total < above.min_total else None
    return ladder[index].label, above.label, blockers, needed
