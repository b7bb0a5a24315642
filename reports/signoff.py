"""Sign-off blocks: who signs each kind of document, as the organisation's executive chose.

Either the chain's signers (from the decision records: who really decided, as
builders.signer_line prints them) or the named roles ผู้รายงาน / ผู้รับรอง / ผู้เห็นชอบ, each a
person with an account (name and position from the account and membership,
measures.services.signer_of). A role nobody fills prints blank lines to sign by hand.
"""

from django.db import transaction
from django.utils import timezone

from assessments.models import ChangeLog
from assessments.thai import format_date

from .models import Report, SignOff

ROLES = (("reporter", "ผู้รายงาน"), ("certifier", "ผู้รับรอง"), ("endorser", "ผู้เห็นชอบ"))
KINDS = tuple(Report.Kind.values)
# Without a choice: the memo carries the chain's opinions, the annual report the three roles
# as the chain filled them (its submitter, the step before the last, the last); the other
# documents print no sign-off.
DEFAULT_MODE = {"memo": SignOff.Mode.CHAIN, "annual": SignOff.Mode.ROLES}


def config_of(organisation, kind: str) -> SignOff:
    found = SignOff.objects.filter(organisation=organisation, kind=kind).select_related(
        "reporter", "certifier", "endorser"
    )
    return found.first() or SignOff(
        organisation=organisation, kind=kind, mode=DEFAULT_MODE.get(kind, SignOff.Mode.NONE)
    )


def modes_for(kind: str) -> list[tuple[str, str]]:
    """The memo always carries its opinion blocks: chain or roles, never none."""
    return [(v, label) for v, label in SignOff.Mode.choices if not (kind == "memo" and v == SignOff.Mode.NONE)]


def person(user, organisation) -> dict:
    from measures.services import signer_of

    if user is None:
        return {"name": "", "position": "", "acting": ""}
    name, position = signer_of(user, organisation)
    return {"name": name, "position": position, "acting": ""}


def _decision_signer(decision) -> dict:
    from .builders import signer_line

    return {**signer_line(decision), "date": format_date(timezone.localdate(decision.at), thai_digits=False)}


def _plan_for(organisation, kind, year):
    from measures.models import Plan

    plans = Plan.objects.filter(organisation=organisation).select_related("approved_revision")
    if kind == "analysis":  # the plan drafted from this year's result
        return plans.filter(analysis_year__year=year).order_by("-fiscal_year__year").first()
    return plans.filter(fiscal_year__year=year).first()


def _chain_decisions(plan):
    """The step decisions that stand behind the plan's documents: those that approved its
    approved revision, else those of its current submission."""
    from measures.models import Decision

    from .builders import ReportError, approval_decisions

    if plan is None:
        return []
    if plan.approved_revision is not None:
        try:
            decisions = approval_decisions(plan.approved_revision)
        except ReportError:
            decisions = []
    else:
        decisions = list(plan.decisions.filter(revision=plan.revision, submission=plan.submission).order_by("at", "pk"))
        if not any(d.kind == Decision.Kind.SUBMIT for d in decisions):
            decisions = []
    return sorted((d for d in decisions if d.step is not None), key=lambda d: (d.step, d.at, d.pk))


def signoff_context(organisation, kind: str, year: int, *, memo=None) -> dict:
    """{"mode", "signers": [{"role", "name", "position", "acting", "date"}]} for the document."""
    from measures.services import chain_of

    config = config_of(organisation, kind)
    if config.mode == SignOff.Mode.NONE:
        return {"mode": "none", "signers": []}
    if config.mode == SignOff.Mode.ROLES:
        if config.pk is None and memo:  # the annual report's default: as the chain filled the roles
            blocks = memo.get("blocks") or []
            derived = [memo.get("submitter") or {}]
            derived.append(
                {"name": blocks[-2]["signer_name"], "position": blocks[-2]["signer_position"]}
                if len(blocks) > 1
                else {}
            )
            derived.append({"name": blocks[-1]["signer_name"], "position": blocks[-1]["signer_position"]} if blocks else {})  # fmt: skip
            people = derived
        else:
            people = [person(getattr(config, field), organisation) for field, _ in ROLES]
        return {
            "mode": "roles",
            "signers": [
                {
                    "role": label,
                    "name": p.get("name", ""),
                    "position": p.get("position", ""),
                    "acting": p.get("acting", ""),
                    "date": "",
                }
                for (_, label), p in zip(ROLES, people, strict=True)
            ],  # fmt: skip
        }
    decisions = _chain_decisions(_plan_for(organisation, kind, year))
    if decisions:
        return {"mode": "chain", "signers": [{"role": d.position, **_decision_signer(d)} for d in decisions]}
    return {
        "mode": "chain",
        "signers": [
            {"role": step.title, "name": "", "position": step.title, "acting": "", "date": ""}
            for step in chain_of(organisation)
        ],
    }


def memo_signoff(organisation, memo: dict, decisions) -> None:
    """The memo in roles mode: ผู้รายงาน signs under the body (else the submitter), ผู้รับรอง
    and ผู้เห็นชอบ give their opinion (the last with อนุมัติ / ไม่อนุมัติ); an opinion, decision and
    date come from the decision that person recorded, if any. In chain mode nothing changes."""
    from .builders import _memo_block

    config = config_of(organisation, "memo")
    if config.mode != SignOff.Mode.ROLES:
        return
    if config.reporter_id:
        memo["submitter"] = person(config.reporter, organisation)
    blocks = []
    for field, label in ROLES[1:]:
        user = getattr(config, field)
        own = [d for d in decisions if user is not None and d.user_id == user.pk and d.step is not None]
        block = _memo_block(label, own[-1] if own else None, final=field == "endorser")
        if user is not None and not own:
            signer = person(user, organisation)
            block.update(signer_name=signer["name"], signer_position=signer["position"] or label)
        block["title"] = label
        blocks.append(block)
    memo["blocks"] = blocks
    memo["signoff_mode"] = "roles"


def save_signoff(organisation, *, by, kind: str, mode: str, people: dict) -> SignOff:
    """Choose who signs one kind of document; ``people`` {role field: user or None}. Logged."""
    if kind not in KINDS or mode not in dict(modes_for(kind)):
        raise ValueError("ไม่รู้จักรูปแบบช่องลงนามนี้")
    with transaction.atomic():
        config = config_of(organisation, kind)
        old = {
            "mode": config.get_mode_display(),
            **{f: person(getattr(config, f), organisation)["name"] for f, _ in ROLES},
        }
        config.mode = mode
        for field, _ in ROLES:
            setattr(config, field, people.get(field) if mode == SignOff.Mode.ROLES else None)
        config.save()
        new = {
            "mode": config.get_mode_display(),
            **{f: person(getattr(config, f), organisation)["name"] for f, _ in ROLES},
        }
        changes = {f"signoff_{k}": [old[k] or "–", new[k] or "–"] for k in old if old[k] != new[k]}
        if changes:
            ChangeLog.objects.create(
                user=by, organisation=organisation, action="signoff.edit",
                summary=f"ช่องลงนาม{Report.Kind(kind).label}: {config.get_mode_display()}",
                details={"kind": kind, "changes": changes},
            )  # fmt: skip
    return config
