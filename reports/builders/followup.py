"""4. The follow-up report of a round, with the measures of the revision it was reported against."""

from django.utils import timezone

from assessments.codes import display_codes, item_labels
from assessments.thai import format_date, format_period
from measures.models import FollowUpEntry

from .. import texts as document_texts
from .common import ReportError, _header, _plan
from .measures import _names, _period, _who, group_rows

STATUS_LABELS = dict(FollowUpEntry.Status.choices)


def build_followup(organisation, year, *, round_number=None, approved_only=False, **_):
    """What was done per measure in one round. The measures are those of the revision the
    round was reported against (else the approved one) as approved, never a newer draft;
    ``approved_only`` (the public address) refuses a round not yet reported."""
    plan = _plan(organisation, year)
    if round_number is None:
        raise ReportError("กรุณาระบุรอบการติดตาม (--round)")
    round_ = plan.rounds.filter(number=round_number).select_related("reported_revision").first()
    if round_ is None:
        known = ", ".join(str(n) for n in plan.rounds.values_list("number", flat=True)) or "ยังไม่มีรอบ"
        raise ReportError(f"ไม่มีรอบการติดตามที่ {round_number} ของแผนปี {year} (มี: {known})")
    if approved_only and round_.reported_at is None:
        raise ReportError(f"{round_.title}ยังไม่ได้ส่งรายงานผล")
    entries = list(round_.entries.select_related("measure").prefetch_related("evidence"))
    revision = round_.reported_revision or plan.approved_revision
    labels = item_labels(plan.analysis_year)
    if revision is None:
        measures = _live_measures(plan, labels)
    else:
        measures = _snapshot_measures(revision.snapshot, labels)
    by_key = {e.measure_key or e.measure_id: e for e in entries}
    by_title = {e.measure_title or (e.measure.title if e.measure else ""): e for e in entries}
    rows = []
    for m in measures:
        e = by_key.get(m["id"]) if m["id"] is not None else by_title.get(m["title"])
        rows.append({
            **m,
            "status": e.status if e else "not_started", "status_label": STATUS_LABELS[e.status if e else "not_started"],
            "percent": e.percent if e else 0, "done": e.done if e else "", "problems": e.problems if e else "",
            "evidence": [ev.description or ev.url or ev.display_name for ev in e.evidence.all()] if e else [],
        })  # fmt: skip
    done = sum(1 for r in rows if r["status"] == "done")
    areas, indicator_names = _names(plan)
    return {
        **_header(organisation, year),
        "kind": "followup",
        "round": {"number": round_.number, "title": round_.title, "due": format_date(round_.due, thai_digits=False),
                  "problems": round_.problems, "suggestions": round_.suggestions,
                  "revision": revision.number if revision else None,
                  "reported": format_date(timezone.localdate(round_.reported_at), thai_digits=False)
                  if round_.reported_at else "",
                  "summary": {"measures": len(rows), "done": done,
                              "mean_percent": round(sum(r["percent"] for r in rows) / len(rows), 2) if rows else 0}},
        "rows": rows,
        "group": plan.followup_group,
        "groups": group_rows(rows, plan.followup_group, areas=areas, indicator_names=indicator_names),
        "analysis_year": plan.analysis_year.year,
        "texts": document_texts.texts_for(organisation, year, "followup"),
    }  # fmt: skip


def _snapshot_measures(snapshot, labels):
    """A revision's measures as follow-up rows: titles and content as approved. Snapshots
    made before measures carried their id (``"id"``) are matched by title."""
    from assessments.models import IssueArea

    areas = dict(IssueArea.objects.values_list("number", "name_th"))
    return [
        {
            "id": m.get("id"), "order": m["order"], "title": m["title"], "items": display_codes(m["items"], labels),
            "indicators": m["indicators"], "issue_area": m["issue_area"], "issue_area_name": areas.get(m["issue_area"], ""),
            "method": m["method"],
            "responsible": _who(m), "monitoring": m["monitoring"], "period": _period(m),
        }
        for m in snapshot["measures"]
    ]  # fmt: skip


def _live_measures(plan, labels):
    """The measures of a plan never approved, as follow-up rows."""
    return [
        {
            "id": m.pk, "order": m.order, "title": m.title, "items": display_codes(m.items, labels), "indicators": m.indicators,
            "issue_area": m.issue_area.number, "issue_area_name": m.issue_area.name_th,
            "method": m.method,
            "responsible": [f"{r.name} ({r.position})" if getattr(r, "position", "") else r.name
                            for _, r in m.responsible_of()],
            "monitoring": m.monitoring, "period": format_period(m.start, m.end, m.period_kind, thai_digits=False),
        }
        for m in plan.measures.select_related("issue_area").prefetch_related("units", "people").order_by("order", "pk")
    ]  # fmt: skip
