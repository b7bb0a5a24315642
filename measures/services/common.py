"""Shared by every write: the errors, the plan's lock and state checks, the change log and contributors."""

from assessments.models import ChangeLog

from ..models import (
    Decision,
    Plan,
    PlanContributor,
)


class WorkflowError(Exception):
    """A move that is not allowed now; the message is Thai, for the user."""


# Allowed moves: state -> decision kinds. Who may make them is checked in the functions.
MOVES = {
    Plan.State.DRAFT: {Decision.Kind.SUBMIT},
    Plan.State.RETURNED: {Decision.Kind.SUBMIT},
    Plan.State.REJECTED: {Decision.Kind.SUBMIT},
    Plan.State.SUBMITTED: {Decision.Kind.FORWARD, Decision.Kind.RETURN, Decision.Kind.APPROVE, Decision.Kind.REJECT},
    Plan.State.APPROVED: {Decision.Kind.REVISE},
}

ALLOWED_EVIDENCE = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx"}
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
DEFAULT_ROUNDS = (6, 12)


def _lock(plan):
    return Plan.objects.select_for_update().select_related("organisation", "fiscal_year").get(pk=plan.pk)


def _require(plan, kind):
    if kind not in MOVES.get(plan.state, set()):
        raise WorkflowError(
            f"ทำรายการ “{Decision.Kind(kind).label}” ไม่ได้ เพราะแผนอยู่ในสถานะ “{plan.get_state_display()}”"
        )


def _require_editable(plan):
    if not plan.is_editable:
        if plan.state == Plan.State.APPROVED:
            raise WorkflowError("แผนนี้อนุมัติแล้ว หากต้องการแก้ไขให้เริ่มฉบับแก้ไขใหม่ ซึ่งต้องขออนุมัติอีกครั้ง")
        raise WorkflowError("แผนอยู่ระหว่างการพิจารณา แก้ไขไม่ได้จนกว่าจะถูกส่งกลับ")


def _log(plan, by, action, summary, **details):
    ChangeLog.objects.create(
        user=by, organisation=plan.organisation, action=action, summary=summary,
        details={"year": plan.fiscal_year.year, "plan": plan.pk, **details},
    )  # fmt: skip


def _contribute(plan, by, action):
    """Record that ``by`` shaped the plan's current revision: they may not decide on it."""
    if by is not None and by.is_authenticated:
        PlanContributor.objects.get_or_create(
            plan=plan, revision=plan.revision, user=by, defaults={"first_action": action}
        )


class EditConflict(WorkflowError):
    """Someone else saved the row after this edit was opened; the message (Thai) says what
    they changed. Nothing was saved; the form keeps what was typed."""

    def __init__(self, message, *, current_version):
        super().__init__(message)
        self.current_version = current_version


class EditConflicts(WorkflowError):
    """Several refused edits of one page: {measure id or "round": EditConflict}."""

    def __init__(self, conflicts):
        super().__init__("มีรายการที่ผู้อื่นแก้ไขไปก่อน จึงยังไม่ได้บันทึกทั้งหน้า ข้อมูลที่ท่านกรอกยังอยู่ครบ")
        self.conflicts = conflicts
