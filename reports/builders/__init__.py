"""Report builders: the data of each official document as plain, JSON-ready context.

One builder per kind; templates only lay the context out. ``source_hash`` of a
context tells whether a stored report is still up to date.
"""

import hashlib
import json

from django.utils import timezone

from assessments import agency_words
from assessments import analysis as analysis_module
from assessments import services as assessment_services
from assessments.charts import chart_bars
from assessments.codes import display_codes, item_labels
from assessments.models import FiscalYear
from assessments.thai import format_date, format_month_range, format_period
from measures.models import Decision, FollowUpEntry, Plan
from measures.services import plan_snapshot

from .. import texts as document_texts


class ReportError(ValueError):
    """A report that cannot be built; the message is Thai, for the user."""


STATUS_LABELS = dict(FollowUpEntry.Status.choices)


def source_hash(context):
    text = json.dumps(context, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _header(organisation, year):
    return {
        "organisation": {"code": organisation.code, "name": organisation.name, "type": organisation.org_type,
                         "province": organisation.province, "district": organisation.district},
        "year": year,
        "thai_digits": organisation.use_thai_digits,
    }  # fmt: skip


def _fiscal_year(year):
    fy = FiscalYear.objects.filter(year=year).first()
    if fy is None:
        raise ReportError(f"ไม่มีปีงบประมาณ {year} ในระบบ")
    return fy


# --------------------------------------------------------------------------- #
# 1. Analysis of a year's result
# --------------------------------------------------------------------------- #


def build_analysis(organisation, year, **_):
    """The analysis of the assessment year: scores, lists, narratives, recommendations."""
    fy = _fiscal_year(year)
    assessment = assessment_services.scored_assessment(organisation, fy)
    if assessment is None:
        raise ReportError(f"{organisation.name} ยังไม่มีผลการประเมินปี {year}")
    result = assessment_services.analyse_assessment(assessment)
    data = analysis_module.as_dict(result, organisation=organisation.code)
    by_number = {i.number: i for i in result.indicators}
    item_words = agency_words.item_analyses(assessment)
    data["indicators_detail"] = [
        {
            "number": ind.number,
            "name": ind.name,
            "tool": ind.tool,
            "score": _f(ind.score),
            "status": ind.status,
            "status_label": ind.status_label,
            "item_range": ind.item_range,
            "narrative": ind.narrative,
            # The table column's text: staff's own words, else the draft's opening sentence only.
            "analysis": ind.narrative if ind.narrative_edited else ind.narrative.split("\n\n")[0],
            "parts": {p: _f(f.score) for p, f in ind.parts.items()},
            "items": [
                {
                    "code": it.code,
                    "label": it.label,
                    "title": it.title,
                    "score": _f(it.score),
                    "parts": {p: _f(v) for p, v in it.parts.items()},
                    "subindicator": it.subindicator,
                    "analysis": item_words.get(it.code, ""),
                }
                for it in ind.items
                if it.score is not None or it.parts
            ],  # fmt: skip
        }
        for ind in result.indicators
    ]
    data["strengths_detail"] = [
        data["indicators_detail"][result.indicators.index(by_number[n])] for n in data["strengths"]
    ]
    data["weaknesses_detail"] = [
        data["indicators_detail"][result.indicators.index(by_number[n])] for n in data["weaknesses"]
    ]
    data["recommendations"] = [
        {"tool": r.tool, "part": r.part, "items": r.item_codes, "text": r.text}
        for r in assessment.recommendations.all()
    ]
    data["recommendation_groups"] = agency_words.recommendation_groups(data["recommendations"])
    data["issue_areas_detail"] = _issue_areas_detail(result, item_words)
    in_areas = {row["code"] for area in data["issue_areas_detail"] for row in area["weak_items"]}
    for detail in data["indicators_detail"]:  # printed under the item in its issue area, else in the table
        for item in detail["items"]:
            item["analysis_here"] = "" if item["code"] in in_areas else item["analysis"]
    data["texts"] = document_texts.texts_for(organisation, year, "analysis")
    data["has_items"] = any(d["items"] for d in data["indicators_detail"])
    data["has_tool_scores"] = any(t["score"] is not None for t in data["tools"])
    data["result_mode"] = result.framework.result_mode
    data["chart"] = chart_bars([(i.number, i.score, i.status, i.previous) for i in result.indicators], result.threshold)
    return {**_header(organisation, year), "kind": "analysis", "analysis": data}


def _issue_areas_detail(result, item_words):
    """The seven issue areas as the analysis prints them (seed 001): each area's indicators
    with their score and status, its items to improve and those the agency wrote about, each
    item's analysis under it in the first area it belongs to (a later area refers to it)."""
    printed, areas = {}, []
    for area in result.issue_areas:
        rows = []
        for it in area.items:
            words = item_words.get(it.code, "")
            if it not in area.weak_items and not words:
                continue
            rows.append({
                "code": it.code, "label": it.label, "title": it.title, "score": _f(it.score),
                "weak": it in area.weak_items, "analysis": "" if it.code in printed else words,
                "see_area": printed.get(it.code) if words else None,
            })  # fmt: skip
            if words:
                printed.setdefault(it.code, area.number)
        areas.append({
            "number": area.number, "name": area.name, "weak_items": rows,
            "indicators": [{"number": i.number, "name": i.name, "score": _f(i.score), "status_label": i.status_label}
                           for i in area.indicators],
        })  # fmt: skip
    return areas


def _f(value):
    return None if value is None else float(value)


# --------------------------------------------------------------------------- #
# 2. Measures plan
# --------------------------------------------------------------------------- #


def _plan(organisation, year):
    plan = (
        Plan.objects.filter(organisation=organisation, fiscal_year__year=year)
        .select_related("fiscal_year", "analysis_year", "approved_revision")
        .first()
    )
    if plan is None:
        raise ReportError(f"{organisation.name} ยังไม่มีแผนมาตรการปี {year}")
    return plan


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


# --------------------------------------------------------------------------- #
# 3. Memo for approval
# --------------------------------------------------------------------------- #


def signer_line(decision):
    """How a decision's signer is printed under "(ลงชื่อ)": the one place that composes it
    (memo blocks, the submitter, the verification page). Signing for another position prints
    the line as the recorded choice says: "รักษาราชการแทน นายกองค์การบริหารส่วนตำบล"."""
    acting = f"{decision.get_acting_display()} {decision.acting_for}".strip() if decision.acting else ""
    return {"name": decision.signer_name, "position": decision.signer_position or decision.position, "acting": acting}


def _memo_block(title, decision, *, final):
    signer = signer_line(decision) if decision else {"name": "", "position": title}
    return {
        "title": title,
        "final": final,
        "opinion": decision.opinion if decision else "",
        "decision": decision.kind if decision else "",
        "decision_label": decision.get_kind_display() if decision else "",
        "signer_name": signer["name"],
        "signer_position": signer["position"] or title,
        "signer_acting": signer.get("acting", ""),
        "date": format_date(timezone.localdate(decision.at), thai_digits=False) if decision else "",
    }


def build_memo(organisation, year, **_):
    """บันทึกข้อความ: heading, body (prefilled from the data, or as staff wrote it), one opinion
    block per step of the chain. The memo of an approved revision is the one frozen at
    approval (approved_memo); a plan not yet submitted gives the memo as it will be submitted."""
    from measures.services import chain_of

    from .. import memo as memo_texts

    plan = _plan(organisation, year)
    if plan.approved_revision is not None and plan.approved_revision.number == plan.revision:
        return approved_memo(plan.approved_revision)
    decisions = list(plan.decisions.filter(revision=plan.revision).order_by("at", "pk"))
    submitted = [d for d in decisions if d.kind == Decision.Kind.SUBMIT]
    last_submission = max(d.submission for d in submitted) if submitted else None
    current = [d for d in decisions if d.submission == last_submission] if submitted else []
    chain = chain_of(organisation)
    by_step = {d.step: d for d in current if d.step is not None}
    blocks = [_memo_block(step.title, by_step.get(step.order), final=step is chain[-1]) for step in chain]
    return _memo_context(
        organisation, plan, year, decisions=current, blocks=blocks, to=chain[-1].title if chain else "",
        measure_count=plan.measures.count(), edits=memo_texts.edits_of(plan),
        number_prefix=organisation.doc_number_prefix, number=plan.memo_number,
    )  # fmt: skip


def approval_decisions(revision):
    """The decisions of the submission that approved a revision, oldest first (the record
    the frozen memo and the verification page are made of, never today's chain)."""
    approve = (
        Decision.objects.filter(plan=revision.plan_id, revision=revision.number, kind=Decision.Kind.APPROVE)
        .order_by("-at", "-pk")
        .first()
    )
    if approve is None:
        raise ReportError(f"ไม่พบการอนุมัติของฉบับที่ {revision.number}")
    return list(
        Decision.objects.filter(plan=revision.plan_id, revision=revision.number, submission=approve.submission)
        .select_related(None)
        .order_by("at", "pk")
    )


def approved_memo(revision):
    """The memo of an approved revision from its decision records and snapshot alone: the
    text staff wrote is the one the snapshot froze (an older snapshot has none: prefilled)."""
    from ..frozen import verification_url

    plan = revision.plan
    decisions = approval_decisions(revision)
    steps = sorted((d for d in decisions if d.step is not None), key=lambda d: (d.step, d.at, d.pk))
    blocks = [_memo_block(d.position, d, final=d.kind in (Decision.Kind.APPROVE, Decision.Kind.REJECT)) for d in steps]
    final = next((d for d in reversed(steps) if d.kind == Decision.Kind.APPROVE), None)
    frozen = revision.snapshot.get("memo") or {}
    context = _memo_context(
        plan.organisation, plan, plan.fiscal_year.year, decisions=decisions, blocks=blocks,
        to=final.position if final else "", measure_count=len(revision.snapshot["measures"]), edits=frozen,
        number_prefix=frozen.get("number_prefix", ""), number=revision.snapshot.get("memo_number", plan.memo_number),
        state=Plan.State.APPROVED,
    )  # fmt: skip
    context["memo"]["verification"] = {
        "url": verification_url(revision.sha256), "sha256": revision.sha256, "revision": revision.number,
    }  # fmt: skip
    return context


def _memo_context(organisation, plan, year, *, decisions, blocks, to, measure_count, edits, number_prefix, number,
                  state=None):  # fmt: skip
    from .. import memo as memo_texts
    from ..emblem import emblem_data_uri
    from ..signoff import memo_signoff

    submit = next((d for d in decisions if d.kind == Decision.Kind.SUBMIT), None)
    defaults = memo_texts.prefilled(
        organisation, plan, year, to=to, measure_count=measure_count,
        number=memo_texts.document_number(number_prefix, number),
    )  # fmt: skip
    parts = memo_texts.resolve(defaults, edits)
    day = memo_texts.chosen_date(edits) or (timezone.localdate(submit.at) if submit else None)
    memo = {
        **parts,
        "date": format_date(day, thai_digits=False) if day else "",
        "submitter": signer_line(submit) if submit else {"name": "", "position": "", "acting": ""},
        "blocks": blocks,
        "state": state or plan.state,
        "publish_permitted": plan.publish_permitted,
        "emblem": emblem_data_uri(organisation),
        # The body's parts a paragraph a line, each indented as Thai documents indent them.
        "paras": {
            p: [t.strip() for t in parts[p].split("\n") if t.strip()] for p in ("background", "facts", "consideration")
        },
    }
    memo_signoff(organisation, memo, decisions)
    return {**_header(organisation, year), "kind": "memo", "memo": memo}


# --------------------------------------------------------------------------- #
# 4. Follow-up report of a round
# --------------------------------------------------------------------------- #


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


# --------------------------------------------------------------------------- #
# 5. Annual report
# --------------------------------------------------------------------------- #


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
