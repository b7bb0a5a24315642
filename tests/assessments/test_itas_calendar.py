"""The ITAS calendar: shipped per year, shown as what comes next, deadlines reminded once."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from assessments.itas_calendar import format_period, send_deadline_reminders
from assessments.models import Milestone, Role
from measures.models import Notification
from tests.factories import client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def oit_closing(db):
    """Only one milestone left to remind: the OIT answering closes in three days."""
    Milestone.objects.update(reminded_at=timezone.now())
    today = timezone.localdate()
    return Milestone.objects.create(
        fiscal_year=2599, kind=Milestone.Kind.OIT, start=today - timedelta(days=50), end=today + timedelta(days=3)
    )


def test_migrate_ships_the_2569_and_2570_calendars_marked_inferred():
    for year in (2569, 2570):
        kinds = set(Milestone.objects.filter(fiscal_year=year, uncertain=True).values_list("kind", flat=True))
        assert kinds == set(Milestone.Kind.values)


def test_a_period_reads_in_buddhist_era_with_thai_months():
    assert format_period(date(2027, 3, 1), date(2027, 4, 30)) == "1 มีนาคม 2570 – 30 เมษายน 2570"


def test_organisation_page_shows_what_comes_next(org, staff):
    Milestone.objects.all().delete()
    start = timezone.localdate() + timedelta(days=20)
    Milestone.objects.create(fiscal_year=2599, kind="clarification", start=start, end=start + timedelta(days=14),
                             uncertain=True)  # fmt: skip
    page = client_for(staff).get("/o/bungkok/").content.decode()
    box = page.split('data-testid="milestones"')[1].split("</section>")[0]
    assert "ขอชี้แจงเพิ่มเติม" in box and format_period(start, start + timedelta(days=14)) in box
    assert "อนุมาน" in box


def test_milestones_that_are_over_are_not_shown(org, staff):
    Milestone.objects.all().delete()
    Milestone.objects.create(fiscal_year=2560, kind="results", start=date(2017, 8, 1), end=date(2017, 8, 1))
    assert 'data-testid="milestones"' not in client_for(staff).get("/o/bungkok/").content.decode()


def test_staff_are_reminded_before_the_oit_deadline(oit_closing, staff, viewer):
    assert send_deadline_reminders() == 1
    reminded = Notification.objects.filter(key=f"milestone:{oit_closing.pk}")
    assert list(reminded.values_list("user__username", flat=True)) == ["staff"]
    assert "OIT" in reminded.get().message


def test_a_deadline_is_reminded_at_most_once(oit_closing, staff):
    send_deadline_reminders()
    assert send_deadline_reminders() == 0
    assert Notification.objects.filter(key=f"milestone:{oit_closing.pk}").count() == 1


def test_staff_of_every_organisation_are_reminded(oit_closing, staff, other_org):
    make_user(organisation=other_org, role=Role.STAFF, username="other-staff")
    send_deadline_reminders()
    users = set(Notification.objects.filter(key=f"milestone:{oit_closing.pk}").values_list("user__username", flat=True))
    assert users == {"staff", "other-staff"}


def test_registration_is_not_reminded(staff):
    Milestone.objects.update(reminded_at=timezone.now())
    today = timezone.localdate()
    Milestone.objects.create(fiscal_year=2599, kind="registration", start=today, end=today + timedelta(days=2))
    assert send_deadline_reminders() == 0


def test_a_deadline_further_than_a_week_away_is_not_reminded_yet(oit_closing, staff):
    Milestone.objects.filter(pk=oit_closing.pk).update(end=timezone.localdate() + timedelta(days=8))
    assert send_deadline_reminders() == 0


def test_an_administrator_corrects_a_milestone_in_the_admin():
    admin = make_user(username="root", is_superuser=True, is_staff=True)
    milestone = Milestone.objects.get(fiscal_year=2570, kind="oit")
    client = client_for(admin)
    assert client.get("/admin/assessments/milestone/").status_code == 200
    response = client.post(
        f"/admin/assessments/milestone/{milestone.pk}/change/",
        {
            "fiscal_year": 2570,
            "kind": "oit",
            "title": "",
            "start": "2027-03-02",
            "end": "2027-04-28",
            "note": "ประกาศแล้ว",
        },
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.start, milestone.end, milestone.uncertain) == (date(2027, 3, 2), date(2027, 4, 28), False)
