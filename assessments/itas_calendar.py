"""NACC's yearly ITAS calendar as data: what comes next for an agency, and deadline reminders.

NACC announces each year's calendar in late November or December (registration
January–February, OIT answering March–April, a clarification window of about two weeks
in June, confirmation, results in August). ``fixtures/itas_calendar.json`` ships what is
known and what is inferred (marked uncertain); an administrator corrects it in the admin
when NACC announces the real dates.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .thai import format_date

FILE = Path(__file__).resolve().parent.parent / "fixtures" / "itas_calendar.json"
SHOWN = 4  # milestones on the organisation page


def install_calendar(*, Milestone=None, path: Path = FILE) -> int:
    """Create the shipped milestones that are missing; an administrator's edits are kept."""
    if Milestone is None:
        from .models import Milestone
    created = 0
    for row in json.loads(Path(path).read_text(encoding="utf-8")):
        _, new = Milestone.objects.get_or_create(
            fiscal_year=row["fiscal_year"],
            kind=row["kind"],
            defaults={
                "title": row.get("title", ""),
                "start": date.fromisoformat(row["start"]),
                "end": date.fromisoformat(row["end"]),
                "uncertain": row.get("uncertain", False),
                "note": row.get("note", ""),
            },
        )
        created += new
    return created


def format_period(start: date, end: date) -> str:
    """ "1 มีนาคม 2570 – 30 เมษายน 2570", or one date when the milestone is a single day."""
    if start == end:
        return format_date(start, thai_digits=False)
    return f"{format_date(start, thai_digits=False)} – {format_date(end, thai_digits=False)}"


def upcoming(today: date | None = None, *, limit: int = SHOWN) -> list[dict]:
    """The next milestones that are not over yet, soonest first, ready for a template."""
    from .models import Milestone

    today = today or timezone.localdate()
    rows = []
    for milestone in Milestone.objects.upcoming(today)[:limit]:
        rows.append(
            {
                "milestone": milestone,
                "period": format_period(milestone.start, milestone.end),
                "current": milestone.start <= today <= milestone.end,
                "days_left": (milestone.end - today).days,
            }
        )
    return rows


def send_deadline_reminders(today: date | None = None, *, days_before: int = 7) -> int:
    """Remind every organisation's staff that the OIT answering or the clarification window
    closes within ``days_before`` days — each milestone at most once, even with two
    workers: the milestone is claimed by a conditional UPDATE before anyone is notified."""
    from measures.services import notify

    from .models import Membership, Milestone, Organisation, Role

    today = today or timezone.localdate()
    due = Milestone.objects.filter(
        kind__in=Milestone.REMINDED_KINDS,
        reminded_at__isnull=True,
        end__gte=today,
        end__lte=today + timedelta(days=days_before),
    )
    sent = 0
    for milestone in due:
        with transaction.atomic():
            if (
                Milestone.objects.filter(pk=milestone.pk, reminded_at__isnull=True).update(reminded_at=timezone.now())
                != 1
            ):
                continue
            message = (
                f"ใกล้สิ้นสุดช่วง{milestone.label} ของการประเมิน ITA ปี {milestone.fiscal_year} "
                f"(ภายใน {format_date(milestone.end, thai_digits=False)})"
            )
            staff = Membership.objects.filter(role=Role.STAFF, user__is_active=True).select_related("user")
            by_organisation = {}
            for membership in staff:
                by_organisation.setdefault(membership.organisation_id, []).append(membership.user)
            for organisation in Organisation.objects.filter(pk__in=by_organisation):
                notify(
                    by_organisation[organisation.pk],
                    organisation=organisation,
                    key=f"milestone:{milestone.pk}",
                    message=message,
                    url=reverse("organisation", kwargs={"code": organisation.code}),
                )
            sent += 1
    return sent
