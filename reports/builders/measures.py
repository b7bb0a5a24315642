"""2. The measures plan: the approved revision's table as signed, else the draft's."""

from assessments.codes import display_codes, item_labels
from assessments.thai import format_month_range, format_period
from measures.services import plan_snapshot

from .. import texts as document_texts
from .common import ReportError, _header, _plan


def _measures_context(plan, *, approved_only=False):
    """The approved revision's measures when there is one (what was signed), else the draft."""
    if plan.approved_revision is not None:
        return revision_measures_context(plan, plan.approved_revision)
    if approved_only:
        raise ReportError("แผนมาตรการยังไม่ได้รับอนุมัติ")
    return {
        **_snapshot_measures_context(plan, plan_snapshot(plan), status="draft", layout=plan.layout),
        "texts": document_texts.snapshot_texts(plan),
    }


def revision_measures_context(plan, revision):
    """The measures table of one approved revision: its snapshot and layout, as signed."""
    from ..frozen import verification_url

    return {
        **_snapshot_measures_context(plan, revision.snapshot, status="approved", layout=revision.layout),
        "sha256": revision.sha256,
        "verify_url": verification_url(revision.sha256),
        "texts": revision.snapshot.get("texts") or {},  # the texts as signed (none before they were kept)
    }


def _period(m):
    """A measure's period as printed (the one period formatter of the documents)."""
    from datetime import date

    start, end = date.fromisoformat(m["start"]), date.fromisoformat(m["end"])
    return format_period(start, end, m.get("period_kind", "months"), thai_digits=False)


def _period_parts(period: str) -> list[str]:
    """Each end of a range kept on one line ("ต.ค. ๖๙ –" / "ก.ย. ๗๐"); [""] prints the period as
    it is, breaking where Thai breaks: a single month or "ตลอดปีงบประมาณ", which is wider
    than the period column on one line (it overflowed into the next column)."""
    parts = period.split(" – ")
    if len(parts) < 2:
        return [""]
    return [part if len(part) <= 16 else "" for part in parts]


def _who(m):
    """Units and people as printed, in the order staff gave them."""
    if m.get("responsible"):
        return [f"{r['name']} ({r['position']})" if r.get("position") else r["name"] for r in m["responsible"]]
    return list(m.get("units", [])) + [f"{p['name']} ({p['position']})" if p.get("position") else p["name"]
                                       for p in m.get("people", [])]  # fmt: skip


def _names(plan):
    from assessments.models import IssueArea

    areas = dict(IssueArea.objects.values_list("number", "name_th"))
    indicators = plan.analysis_year.indicators.filter(edition__scheme=plan.organisation.scheme)
    return areas, dict(indicators.values_list("number", "name_th"))


def group_rows(rows, group, *, areas, indicator_names, labelled=False):
    """Rows (measures or follow-up rows) under their group's label, groups in number order:
    [{"label", "key", "rows"}]; ``group`` "none" gives one group without a label."""
    if group == "none":
        return [{"label": "", "key": 0, "rows": list(rows)}]
    groups = {}
    for r in rows:
        if group == "issue_area":
            n = r["issue_area"]
            label = f"ประเด็น ที่ {n}. {areas.get(n, '')}" if labelled else f"{n}. {areas.get(n, '')}"
        else:
            n = (r["indicators"] or [0])[0]
            label = f"ตัวชี้วัดที่ {n} {indicator_names.get(n, '')}".strip() if n else "อื่น ๆ"
        groups.setdefault(n, {"label": label.strip(), "key": n, "rows": []})["rows"].append(r)
    return [groups[k] for k in sorted(groups)]


def _snapshot_measures_context(plan, snapshot, *, status, layout):
    """The measures table of a snapshot laid out by its table spec (measures/layouts.py):
    columns and headers in order, groups, each measure's number, its steps as nested."""
    from measures import layouts

    spec = layouts.resolve(snapshot.get("layout", layout), snapshot.get("table"))
    if "table" not in snapshot and spec["group"] == "indicator":
        spec["numbering"] = "group"  # signed before column sets: "(๑)" restarted per indicator
    areas, indicator_names = _names(plan)
    labels = item_labels(plan.analysis_year)
    measures = []
    for m in snapshot["measures"]:
        measures.append({
            **m, "issue_area_name": areas.get(m["issue_area"], ""), "period": _period(m), "who": _who(m),
            "items": display_codes(m["items"], labels),
            # each end of the period on one line ("ต.ค. ๖๙ –" / "ก.ย. ๗๐"), never "ก.ย." | "๗๐"
            "period_parts": _period_parts(_period(m)),
            "step_tree": layouts.step_tree(m.get("steps") or []),
            "indicator_labels": [f"ตัวชี้วัดที่ {n} {indicator_names.get(n, '')}".strip() for n in m["indicators"]],
            "budget_text": f"{float(m['budget']):,.2f}" if m.get("budget") not in (None, "") else "",
        })  # fmt: skip
    groups = group_rows(measures, spec["group"], areas=areas, indicator_names=indicator_names,
                        labelled=spec["form"] == "list")  # fmt: skip
    n = 0
    for g in groups:
        if spec["numbering"] == "group":
            n = 0
        for m in g["rows"]:
            n += 1
            m["number"] = "" if spec["numbering"] == "none" else layouts.number_label(n, spec["style"])
        g["measures"] = g.pop("rows")
    columns = [{**c, "width": w} for c, w in zip(spec["columns"], layouts.widths(spec), strict=True)]
    grouping = {"issue_area": f"จำแนกตามประเด็นการประเมิน {len(groups)} ประเด็น", "indicator": "จำแนกตามตัวชี้วัด",
                "none": ""}[spec["group"]]  # fmt: skip
    return {
        "status": status,
        "revision": snapshot.get("revision"),
        "sha256": "",
        "layout": snapshot.get("layout", layout),
        "table": spec,
        "columns": columns,
        "codes_in_title": "items" not in {c["field"] for c in columns},  # item codes under the title
        "grouping": grouping,
        "analysis_year": plan.analysis_year.year,
        "period": format_month_range(plan.fiscal_year.start, plan.fiscal_year.end, thai_digits=False),
        "groups": groups,
        "count": len(measures),
    }


def build_measures(organisation, year, *, approved_only=False, **_):
    plan = _plan(organisation, year)
    return {
        **_header(organisation, year),
        "kind": "measures",
        "plan": _measures_context(plan, approved_only=approved_only),
    }
