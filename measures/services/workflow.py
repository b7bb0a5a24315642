"""The approval workflow: the snapshot a submission freezes, submission, decisions and new revisions."""

import hashlib
import json

from django.db import transaction
from django.utils import timezone

from assessments.models import Membership
from ita_portal import access

from .. import layouts
from ..models import (
    Acting,
    ApprovalStep,
    Decision,
    Measure,
    Plan,
    PlanRevision,
)
from .common import WorkflowError, _contribute, _lock, _log, _require
from .notifications import _notify_staff, _notify_step


def chain_of(organisation):
    return list(ApprovalStep.objects.filter(organisation=organisation).prefetch_related("users").order_by("order"))


def plan_snapshot(plan):
    """The plan's content as plain, ordered data: what an approval freezes."""
    from reports.memo import memo_snapshot

    measures = plan.measures.select_related("issue_area").prefetch_related("units", "people").order_by("order", "pk")
    return {
        "organisation": plan.organisation.code,
        "fiscal_year": plan.fiscal_year.year,
        "analysis_year": plan.analysis_year.year,
        "revision": plan.revision,
        "layout": plan.layout,  # the table as it was signed: its preset, and its columns
        "table": layouts.resolve(plan.layout, plan.table),
        "memo_number": plan.memo_number,
        "texts": _document_texts(plan),  # the measures document's own words, as signed
        "memo": memo_snapshot(plan),  # what staff wrote in the memo, as submitted
        "measures": [
            {
                "id": m.pk,  # stable: follow-up entries find their measure by it
                "order": m.order,
                "issue_area": m.issue_area.number,
                "indicators": m.indicators,
                "items": m.items,
                "title": m.title,
                "method": m.method,
                "steps": m.steps,
                # in the order staff gave them, units and people each, and together
                "units": [row.name for kind, row in m.responsible_of() if kind == "unit"],
                "people": [
                    {"name": row.name, "position": row.position} for kind, row in m.responsible_of() if kind == "person"
                ],
                "responsible": [
                    {"kind": kind, "name": row.name, "position": getattr(row, "position", "")}
                    for kind, row in m.responsible_of()
                ],
                "start": m.start.isoformat(),
                "end": m.end.isoformat(),
                # Only when not months, so snapshots of month periods hash as before.
                **({"period_kind": m.period_kind} if m.period_kind != Measure.PeriodKind.MONTHS else {}),
                "monitoring": m.monitoring,
                "budget": str(m.budget) if m.budget is not None else None,
                "target": m.target,
            }
            for m in measures
        ],
    }


def _document_texts(plan):
    from reports.texts import snapshot_texts

    return snapshot_texts(plan)


def snapshot_hash(snapshot):
    text = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def signer_of(user, organisation) -> tuple[str, str]:
    """The name and position a decision is signed with: from the user's account and their
    membership of the organisation (a step role's position first), never typed at decision time."""
    name = user.get_full_name() or user.username
    if "memberships" in getattr(organisation, "_prefetched_objects_cache", {}):
        # access_organisation read the user's memberships already: no second query
        memberships = [m for m in organisation.memberships.all() if m.user_id == user.pk and m.position]
    else:
        memberships = list(Membership.objects.filter(user=user, organisation=organisation).exclude(position=""))
    memberships.sort(key=lambda m: m.role not in access.STEP_ROLES)
    return name, (memberships[0].position if memberships else "")


def _decide(plan, *, by, kind, to_state, step=None, opinion="", acting=Acting.NONE, acting_for=""):
    name, position = signer_of(by, plan.organisation) if by else ("", "")
    return Decision.objects.create(
        plan=plan,
        revision=plan.revision,
        submission=plan.submission,
        step=step.order if step else None,
        position=step.title if step else "",
        user=by,
        signer_name=name,
        signer_position=position or (step.title if step else ""),
        acting=acting,
        acting_for=acting_for if acting else "",
        opinion=opinion,
        kind=kind,
        from_state=plan.state,
        to_state=to_state,
    )


def submit_plan(plan, *, by, opinion=""):
    """Staff submit the plan (again) to the first step of the organisation's chain. Refused
    when a step has nobody who may decide on it: only approvers and executives who neither
    drafted, edited nor submitted this revision decide, so a clerk never approves their own plan."""
    with transaction.atomic():
        plan = _lock(plan)
        _require(plan, Decision.Kind.SUBMIT)
        if not plan.organisation.can_edit(by):
            raise WorkflowError("เฉพาะเจ้าหน้าที่ของหน่วยงานจึงเสนอแผนได้")
        if not plan.measures.exists():
            raise WorkflowError("แผนยังไม่มีมาตรการ กรุณาเพิ่มมาตรการก่อนเสนอ")
        chain = chain_of(plan.organisation)
        contributors = access.contributors_of(plan) | {by.pk}
        problem = access.chain_refusal_at_submit(plan, chain=chain, contributors=contributors)
        if problem:
            raise WorkflowError(problem)
        _contribute(plan, by, "plan.submit")
        plan.submission += 1
        _decide(plan, by=by, kind=Decision.Kind.SUBMIT, to_state=Plan.State.SUBMITTED, opinion=opinion)
        plan.state = Plan.State.SUBMITTED
        plan.current_step = chain[0].order
        plan.save(update_fields=["state", "current_step", "submission", "updated_at"])
        _log(plan, by, "plan.submit", f"เสนอแผนมาตรการปี {plan.fiscal_year.year} ครั้งที่ {plan.submission}")
        _notify_step(plan, chain[0])
    return plan


def record_decision(plan, *, by, kind, opinion="", acting=Acting.NONE, acting_for="", permit_publish=False):
    """The current step's user records an opinion and passes the plan on, returns it with a
    reason, or (last step) approves or does not approve it. Who may decide, and which
    decisions they have, is ita_portal.access.decision_refusal/decision_kinds: the same rule
    the plan page uses for its buttons. The signer's name and position come from their
    account; signing for another position (รักษาราชการแทน / ปฏิบัติราชการแทน) is explicit."""
    with transaction.atomic():
        plan = _lock(plan)
        _require(plan, kind)
        chain = chain_of(plan.organisation)
        problem = access.decision_refusal(plan, by, chain=chain)
        if problem:
            raise WorkflowError(problem)
        step = next(s for s in chain if s.order == plan.current_step)
        last = step is chain[-1]
        if kind not in access.step_kinds(plan, chain=chain):  # the refusal was checked just above
            if kind == Decision.Kind.FORWARD:
                raise WorkflowError("ขั้นตอนสุดท้ายต้องเลือกอนุมัติหรือไม่อนุมัติ")
            raise WorkflowError("อนุมัติหรือไม่อนุมัติได้เฉพาะขั้นตอนสุดท้าย")
        opinion = (opinion or "").strip()
        if kind == Decision.Kind.RETURN and not opinion:
            raise WorkflowError("กรุณาระบุเหตุผลที่ส่งกลับแก้ไข")
        if acting not in Acting.values:
            raise WorkflowError("ไม่รู้จักรูปแบบการลงนามแทนนี้")
        acting_for = " ".join((acting_for or "").split())[:255]
        if acting and not acting_for:
            acting_for = step.title
        to_state = {
            Decision.Kind.FORWARD: plan.state,
            Decision.Kind.RETURN: Plan.State.RETURNED,
            Decision.Kind.APPROVE: Plan.State.APPROVED,
            Decision.Kind.REJECT: Plan.State.REJECTED,
        }[kind]
        _decide(plan, by=by, kind=kind, to_state=to_state, step=step, opinion=opinion,
                acting=acting, acting_for=acting_for)  # fmt: skip
        if kind == Decision.Kind.FORWARD:
            following = chain[chain.index(step) + 1]
            plan.current_step = following.order
            plan.save(update_fields=["current_step", "updated_at"])
            _notify_step(plan, following)
        else:
            plan.state = to_state
            plan.current_step = None
            fields = ["state", "current_step", "updated_at"]
            if kind == Decision.Kind.APPROVE:
                snapshot = plan_snapshot(plan)
                plan.approved_revision = PlanRevision.objects.create(
                    plan=plan, number=plan.revision, snapshot=snapshot, sha256=snapshot_hash(snapshot),
                    layout=plan.layout, approved_at=timezone.now(), approved_by=by,
                )  # fmt: skip
                plan.publish_permitted = bool(permit_publish) and last
                fields += ["approved_revision", "publish_permitted"]
            plan.save(update_fields=fields)
            if kind == Decision.Kind.APPROVE:
                from ita_portal.celery import hand_over
                from reports.tasks import freeze_approved_documents  # the memo and measures PDFs, frozen

                revision_pk = plan.approved_revision.pk
                # robust: a failure (e.g. a certificate that does not open) never turns the committed
                # approval into an error page; the first request for the documents tries again.
                transaction.on_commit(lambda: hand_over(freeze_approved_documents, revision_pk), robust=True)
            message = {
                Decision.Kind.RETURN: f"แผนมาตรการปี {plan.fiscal_year.year} ถูกส่งกลับแก้ไข: {opinion}",
                Decision.Kind.APPROVE: f"แผนมาตรการปี {plan.fiscal_year.year} ได้รับอนุมัติแล้ว",
                Decision.Kind.REJECT: f"แผนมาตรการปี {plan.fiscal_year.year} ไม่ได้รับอนุมัติ",
            }[kind]
            _notify_staff(plan, message, {"return": "returned", "approve": "approved", "reject": "rejected"}[kind])
        _log(plan, by, f"plan.{kind}", f"{Decision.Kind(kind).label}: {step.title}", step=step.order,
             acting=acting, acting_for=acting_for)  # fmt: skip
    return plan


def start_revision(plan, *, by):
    """Open an approved plan for changes as a new revision; the approved one stays readable
    (and published) until the new revision is approved."""
    with transaction.atomic():
        plan = _lock(plan)
        _require(plan, Decision.Kind.REVISE)
        if not plan.organisation.can_edit(by):
            raise WorkflowError("เฉพาะเจ้าหน้าที่ของหน่วยงานจึงแก้ไขแผนได้")
        _decide(plan, by=by, kind=Decision.Kind.REVISE, to_state=Plan.State.DRAFT)
        plan.revision += 1
        plan.submission = 0
        plan.state = Plan.State.DRAFT
        plan.save(update_fields=["revision", "submission", "state", "updated_at"])
        _log(plan, by, "plan.revise", f"เริ่มฉบับแก้ไขที่ {plan.revision}")
    return plan
