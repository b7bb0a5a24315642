"""Report builders: the data of each official document as plain, JSON-ready context.

One builder per kind; templates only lay the context out. ``source_hash`` of a
context tells whether a stored report is still up to date.

By concern: ``common`` (ReportError, source_hash, the header, the year and plan lookups) and
one module a kind: ``analysis``, ``measures``, ``memo``, ``followup``, ``annual``.
"""

from .analysis import build_analysis
from .annual import build_annual
from .common import ReportError, source_hash
from .common import _header as _header  # frozen.py builds a revision's context with it
from .followup import STATUS_LABELS, build_followup
from .measures import _period_parts as _period_parts  # tests pin the period's line breaks
from .measures import build_measures, group_rows, revision_measures_context
from .memo import _memo_block as _memo_block  # signoff.py prints sign-off blocks like memo blocks
from .memo import approval_decisions, approved_memo, build_memo, signer_line

__all__ = [
    "BUILDERS",
    "STATUS_LABELS",
    "ReportError",
    "approval_decisions",
    "approved_memo",
    "build",
    "build_analysis",
    "build_annual",
    "build_followup",
    "build_measures",
    "build_memo",
    "group_rows",
    "revision_measures_context",
    "signer_line",
    "source_hash",
    "with_signoff",
]


BUILDERS = {
    "analysis": build_analysis,
    "measures": build_measures,
    "memo": build_memo,
    "followup": build_followup,
    "annual": build_annual,
}


def build(kind, organisation, year, *, round_number=None, approved_only=False):
    if kind not in BUILDERS:
        raise ReportError(f"ไม่รู้จักรายงานชนิด “{kind}”")
    context = BUILDERS[kind](organisation, year, round_number=round_number, approved_only=approved_only)
    return with_signoff(context, organisation, kind, year)


def with_signoff(context, organisation, kind, year):
    """The document's sign-off block as the organisation chose it (reports/signoff.py); the
    memo's own blocks are made with the memo."""
    from ..signoff import signoff_context

    if kind != "memo":
        context["signoff"] = signoff_context(organisation, kind, year, memo=context.get("memo"))
    return context
