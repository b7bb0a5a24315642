"""The approval chain, units and people: locked, checked and logged like the plans."""

from django.db import transaction
from django.db.models import Max

from assessments.models import ChangeLog
from ita_portal import access

from ..models import (
    ApprovalStep,
    OrgUnit,
    Person,
)
from .common import WorkflowError
from .workflow import chain_of


def _lock_organisation(organisation):
    """Serialise changes to one organisation's lists (two "add step" at once would both take
    the same order number)."""
    from assessments.models import Organisation

    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _chain_log(organisation, by, action, summary, **details):
    ChangeLog.objects.create(user=by, organisation=organisation, action=action, summary=summary, details=details)


def _chain_as_data(organisation):
    return [
        {"order": s.order, "title": s.title, "users": sorted(u.username for u in s.users.all())}
        for s in chain_of(organisation)
    ]


def _require_chain_open(organisation):
    if access.chain_locked(organisation):
        raise WorkflowError("มีแผนอยู่ระหว่างพิจารณา จึงแก้ไขสายการอนุมัติไม่ได้ในขณะนี้")


def add_step(organisation, *, by, title, users):
    """Append a step to the chain. Only the executive (or an administrator) configures it; a
    step holds approvers and executives only, one person one step; refused while a plan is
    under consideration. Logged with the chain before and after."""
    title = " ".join((title or "").split())
    if not title:
        raise WorkflowError("กรุณาระบุตำแหน่งผู้พิจารณาของขั้นตอน")
    if not access.may_configure_chain(organisation, by):
        raise WorkflowError("เฉพาะผู้บริหารของหน่วยงานหรือผู้ดูแลระบบจึงกำหนดสายการอนุมัติได้")
    with transaction.atomic():
        organisation = _lock_organisation(organisation)
        _require_chain_open(organisation)
        chain = chain_of(organisation)
        users = list(users)
        if not users:
            raise WorkflowError("กรุณาเลือกผู้มีสิทธิ์พิจารณาอย่างน้อยหนึ่งคน")
        for user in users:
            problem = access.step_holder_refusal(organisation, user, chain=chain)
            if problem:
                raise WorkflowError(problem)
        before = _chain_as_data(organisation)
        step = ApprovalStep.objects.create(organisation=organisation, order=len(chain) + 1, title=title)
        step.users.set(users)
        _chain_log(organisation, by, "chain.add", f"เพิ่มขั้นตอน {step.order}. {title}",
                   old=before, new=_chain_as_data(organisation))  # fmt: skip
    return step


def remove_step(step, *, by):
    """Remove a step and renumber the rest; same rules and log as add_step."""
    organisation = step.organisation
    if not access.may_configure_chain(organisation, by):
        raise WorkflowError("เฉพาะผู้บริหารของหน่วยงานหรือผู้ดูแลระบบจึงกำหนดสายการอนุมัติได้")
    with transaction.atomic():
        organisation = _lock_organisation(organisation)
        _require_chain_open(organisation)
        before = _chain_as_data(organisation)
        title = step.title
        ApprovalStep.objects.filter(pk=step.pk).delete()
        for n, s in enumerate(ApprovalStep.objects.filter(organisation=organisation).order_by("order"), start=1):
            if s.order != n:
                ApprovalStep.objects.filter(pk=s.pk).update(order=n)
        _chain_log(organisation, by, "chain.remove", f"ลบขั้นตอน {title}", old=before, new=_chain_as_data(organisation))


def add_unit(organisation, *, by, name):
    """Add a unit to the organisation's list (logged; an existing name is not added twice)."""
    name = " ".join((name or "").split())
    if not name:
        raise WorkflowError("กรุณาระบุชื่อส่วนราชการ")
    if not access.may_edit(organisation, by):
        raise WorkflowError("เฉพาะเจ้าหน้าที่ของหน่วยงานจึงแก้ไขรายชื่อได้")
    with transaction.atomic():
        organisation = _lock_organisation(organisation)
        order = (OrgUnit.objects.filter(organisation=organisation).aggregate(m=Max("order"))["m"] or 0) + 1
        unit, created = OrgUnit.objects.get_or_create(organisation=organisation, name=name, defaults={"order": order})
        if created:
            _chain_log(organisation, by, "unit.add", f"เพิ่มส่วนราชการ {name}", new={"name": name})
    return unit, created


def add_person(organisation, *, by, name, position="", unit=None):
    """Add a responsible person (name, position, unit) to the organisation's list (logged)."""
    name = " ".join((name or "").split())
    if not name:
        raise WorkflowError("กรุณาระบุชื่อ-สกุล")
    if not access.may_edit(organisation, by):
        raise WorkflowError("เฉพาะเจ้าหน้าที่ของหน่วยงานจึงแก้ไขรายชื่อได้")
    if unit is not None and unit.organisation_id != organisation.pk:
        raise WorkflowError("ส่วนราชการนี้ไม่ใช่ของหน่วยงานนี้")
    with transaction.atomic():
        organisation = _lock_organisation(organisation)
        person = Person.objects.create(organisation=organisation, name=name, position=position or "", unit=unit)
        _chain_log(organisation, by, "person.add", f"เพิ่มผู้รับผิดชอบ {name}",
                   new={"name": name, "position": person.position, "unit": unit.name if unit else ""})  # fmt: skip
    return person
