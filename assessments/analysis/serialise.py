"""The analysis as plain JSON-ready data, for the CLI, the API and the reports (schema in the README)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..thai import round2
from .model import Analysis


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(round2(value))


def as_dict(analysis: Analysis, *, organisation: str | None = None) -> dict[str, Any]:
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
            "rating": analysis.rating,
            "rating_next": analysis.rating_next,
            "rating_blockers": [b.tool for b in analysis.rating_blockers],
            "rating_points_needed": {b.tool: _num(b.needed) for b in analysis.rating_blockers},
            "rating_total_needed": _num(analysis.rating_total_needed),
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
                "status_label": i.status_label,
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
