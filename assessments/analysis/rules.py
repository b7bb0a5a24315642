"""The year's result rules: pass mark, "excellent", legacy grade bands, and the indicators' status."""

from __future__ import annotations

from decimal import Decimal

from .model import RESULT_FAIL, RESULT_PASS, Framework


def status_of(score: Decimal | None, framework: Framework) -> str | None:
    """The indicator's status code: strong (≥ excellent), good (≥ threshold) or weak."""
    if score is None:
        return None
    if score >= framework.excellent_score:
        return "strong"
    if score >= framework.strength_threshold:
        return "good"
    return "weak"


def result_of(total: Decimal | None, framework: Framework) -> tuple[str | None, str | None, bool]:
    """(result, grade, excellent) of a shown total: ผ่าน/ไม่ผ่าน where the year reports it, the grade band."""
    if total is None:
        return None, None, False
    result = None
    if framework.result_mode == "pass_fail":
        result = RESULT_PASS if total >= framework.pass_score else RESULT_FAIL
    grade = next((band for band, minimum in framework.grade_bands if total >= minimum), None)
    return result, grade, total >= framework.excellent_score
