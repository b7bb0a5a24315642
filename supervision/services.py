"""Chasing: a supervisor's deadline for the agencies below, and the reminders after it."""

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import ChangeLog, FiscalYear, Membership, Organisation, Role
from assessments.thai import format_date
from measures.models import FollowUpRound, Plan
from measures.services import notify

from .cache import bump
from .models import Chase, ChaseReminder


def set_chase(
    organisation: Organisation, *, fiscal_year: FiscalYear, kind: str, due: date, by, round_number=None
) -> Chase:
    """Record that every agency below ``organisation`` must publish its plan of ``fiscal_year``
    (or report round ``round_number`` of it) by ``due``; logged."""
    with transaction.atomic():
        chase = Chase.objects.create(
            organisation=organisation,
            fiscal_year=fiscal_year,
            kind=kind,
            round_number=round_number,
            due=due,
            created_by=by,
        )
        ChangeLog.objects.create(
            user=by, organisation=organisation, action="supervision.chase",
            summary=f"ตั้งกำหนด{chase}", details={"kind": kind, "round": round_number, "due": due.isoformat(), "year": fiscal_year.year},
        )  # fmt: skip
    return chase


def chases_of(organisation: Organisation, fiscal_year: FiscalYear | None):
    if fiscal_year is None:
        return Chase.objects.none()
    return Chase.objects.filter(organisation=organisation, fiscal_year=fiscal_year).select_related("fiscal_year")


def laggards(chase: Chase):
    """The agencies below the chase's body that have not done what it asks (one query)."""
    below = Organisation.objects.below(chase.organisation)
    plans = Plan.objects.filter(fiscal_year=chase.fiscal_year)
    if chase.kind == Chase.Kind.PUBLISH:
        done = plans.published().values("organisation_id")
    else:
        done = FollowUpRound.objects.filter(plan__in=plans, number=chase.round_number, entries__isnull=False).values(
            "plan__organisation_id"
        )
    # Only agencies that are assessed (have a member) are chased, not the bodies in between.
    members = Membership.objects.exclude(role=Role.SUPERVISOR).values("organisation_id")
    return below.filter(pk__in=members).exclude(pk__in=done).order_by("code")


def send_chase_reminders(today: date | None = None) -> int:
    """After each chase's date, remind every agency that has not done it — once each, even with
    two workers (each reminder row is claimed by a conditional UPDATE) — then send the
    supervisor one summary (claimed the same way). Returns the number of agencies reminded."""
    today = today or timezone.localdate()
    sent = 0
    for chase in Chase.objects.filter(due__lt=today, summary_sent_at__isnull=True).select_related(
        "organisation", "fiscal_year", "created_by"
    ):
        late = list(laggards(chase))
        ChaseReminder.objects.bulk_create(
            [ChaseReminder(chase=chase, organisation=o) for o in late], ignore_conflicts=True
        )
        claims = {r.organisation_id: r.pk for r in ChaseReminder.objects.filter(chase=chase, reminded_at__isnull=True)}
        what = chase.get_kind_display() + (f" รอบที่ {chase.round_number}" if chase.round_number else "")
        for organisation in late:
            pk = claims.get(organisation.pk)
            if pk is None:
                continue
            with transaction.atomic():
                if (
                    ChaseReminder.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=timezone.now())
                    != 1
                ):
                    continue
                staff = [
                    m.user
                    for m in Membership.objects.filter(organisation=organisation, role=Role.STAFF).select_related(
                        "user"
                    )
                ]
                notify(
                    staff, organisation=organisation, key=f"chase:{chase.pk}",
                    message=f"{chase.organisation.name} กำหนดให้{what} ปี {chase.fiscal_year.year} "
                    f"ภายใน {format_date(chase.due, thai_digits=False)} ซึ่งเลยกำหนดแล้ว",
                    url=reverse("plan", kwargs={"code": organisation.code, "year": chase.fiscal_year.year}),
                )  # fmt: skip
                sent += 1
        with transaction.atomic():
            if (
                Chase.objects.filter(pk=chase.pk, summary_sent_at__isnull=True).update(summary_sent_at=timezone.now())
                != 1
            ):
                continue
            transaction.on_commit(bump)  # the dashboard's cached chases show "reminded"
            supervisors = [
                m.user
                for m in Membership.objects.filter(
                    organisation=chase.organisation, role=Role.SUPERVISOR
                ).select_related("user")
            ]
            if chase.created_by and chase.created_by not in supervisors:
                supervisors.append(chase.created_by)
            names = ", ".join(o.code for o in late[:20]) + (" …" if len(late) > 20 else "")
            notify(
                supervisors, organisation=chase.organisation, key=f"chase:{chase.pk}:summary",
                message=f"พ้นกำหนด{what} ปี {chase.fiscal_year.year} แล้ว: ยังไม่ดำเนินการ {len(late)} หน่วยงาน"
                + (f" ({names}) แจ้งเตือนแล้วหน่วยงานละหนึ่งครั้ง" if late else ""),
                url=reverse("supervision_dashboard", kwargs={"code": chase.organisation.code, "year": chase.fiscal_year.year - 1})
                + "?stage=unpublished",
            )  # fmt: skip
    return sent
