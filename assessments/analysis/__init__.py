"""Scoring and analysis of one agency's ITA result (plain data in, dataclasses out).

One job per module: ``model`` (the dataclasses), ``compute`` (the scoring), ``rules``
(result, grade, rating, status tiers), ``narrative`` (the Thai draft per indicator),
``serialise`` (JSON-ready data). Import from here: ``from assessments.analysis import compute``.
"""

from .compute import compute, summarise
from .model import (
    MISMATCH_TOLERANCE,
    PART_LABELS,
    RESULT_FAIL,
    RESULT_PASS,
    STATUS_LABELS,
    ZERO,
    Analysis,
    Figure,
    Framework,
    IndicatorDef,
    IndicatorResult,
    IssueAreaResult,
    ItemDef,
    ItemResult,
    Mismatch,
    RatingBlocker,
    RatingRung,
    StatusTier,
    SubIndicatorDef,
    SubIndicatorResult,
    Summary,
    ToolDef,
    ToolResult,
)
from .narrative import draft_narrative
from .serialise import as_dict

__all__ = [
    "MISMATCH_TOLERANCE",
    "PART_LABELS",
    "RESULT_FAIL",
    "RESULT_PASS",
    "STATUS_LABELS",
    "ZERO",
    "Analysis",
    "Figure",
    "Framework",
    "IndicatorDef",
    "IndicatorResult",
    "IssueAreaResult",
    "ItemDef",
    "ItemResult",
    "Mismatch",
    "RatingBlocker",
    "RatingRung",
    "StatusTier",
    "SubIndicatorDef",
    "SubIndicatorResult",
    "Summary",
    "ToolDef",
    "ToolResult",
    "as_dict",
    "compute",
    "draft_narrative",
    "summarise",
]
