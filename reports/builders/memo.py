"""3. The memo for approval (บันทึกข้อความ) with one opinion block per step of the chain."""

from django.utils import timezone

from assessments.thai import format_date
from measures.models import Decision, Plan

from .common import ReportError, _header, _plan


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
