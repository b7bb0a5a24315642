"""5. The annual report: everything of the plan year in one document."""

from .. import texts as document_texts
from .analysis import build_analysis
from .common import ReportError, _header, _plan
from .followup import build_followup
from .measures import _measures_context
from .memo import build_memo


def build_annual(organisation, year, **_):
    """Everything of the plan year in one document: the previous year's analysis, the
    approved plan, every follow-up round and the sign-off blocks."""
    plan = _plan(organisation, year)
    parts = {"analysis": None, "memo": None, "rounds": []}
    try:
        parts["analysis"] = build_analysis(organisation, plan.analysis_year.year)["analysis"]
    except ReportError:
        parts["analysis"] = None
    parts["plan"] = _measures_context(plan)
    try:
        parts["memo"] = build_memo(organisation, year)["memo"]
    except ReportError:
        parts["memo"] = None
    for number in plan.rounds.order_by("number").values_list("number", flat=True):
        built = build_followup(organisation, year, round_number=number)
        parts["rounds"].append({"round": built["round"], "rows": built["rows"], "groups": built["groups"]})
    parts["texts"] = document_texts.texts_for(organisation, year, "annual")
    return {**_header(organisation, year), "kind": "annual", "analysis_year": plan.analysis_year.year, **parts}
