"""The executive reads the organisation's audit trail, filtered by who and what; memberships
changed in the admin are in it."""

import pytest

from assessments.models import ChangeLog, Membership, Role
from measures import services
from tests.factories import log_in_verified, make_user

pytestmark = pytest.mark.django_db

AUDIT = "/o/bungkok/audit/"


@pytest.fixture
def logged(org, staff, executive, approver):
    services.add_unit(org, by=staff, name="กองคลัง")
    services.add_step(org, by=executive, title="หัวหน้าสำนักปลัด", users=[approver])


def test_executive_reads_the_audit_trail(client, executive, logged):
    log_in_verified(client, executive)
    body = client.get(AUDIT).content.decode()
    assert "เพิ่มส่วนราชการ กองคลัง" in body and "เพิ่มขั้นตอน 1. หัวหน้าสำนักปลัด" in body


@pytest.mark.parametrize("who", ["staff", "approver", "viewer", "supervisor"])
def test_others_of_the_organisation_may_not_read_it(client, request, who, logged):
    log_in_verified(client, request.getfixturevalue(who))
    assert client.get(AUDIT).status_code == 403


def test_an_outsider_gets_404(client, outsider):
    client.force_login(outsider)
    assert client.get(AUDIT).status_code == 404


def test_filter_by_who(client, executive, staff, logged):
    log_in_verified(client, executive)
    body = client.get(AUDIT, {"who": staff.pk}).content.decode()
    assert "เพิ่มส่วนราชการ กองคลัง" in body and "เพิ่มขั้นตอน" not in body


def test_filter_by_what(client, executive, logged):
    log_in_verified(client, executive)
    body = client.get(AUDIT, {"what": "chain"}).content.decode()
    assert "เพิ่มขั้นตอน 1. หัวหน้าสำนักปลัด" in body and "เพิ่มส่วนราชการ" not in body


def test_bad_filters_are_ignored(client, executive, logged):
    log_in_verified(client, executive)
    assert client.get(AUDIT, {"who": "x" * 50, "what": "<script>", "page": "9" * 40}).status_code == 200


def test_times_are_buddhist_era(client, executive, logged):
    log_in_verified(client, executive)
    year = ChangeLog.objects.first().at.year
    body = client.get(AUDIT).content.decode()
    assert str(year + 543) in body


def test_a_membership_added_in_the_admin_is_logged(client, admin_user, org):
    user = make_user(username="newcomer")
    log_in_verified(client, admin_user)
    response = client.post(
        "/admin/assessments/membership/add/",
        {"user": user.pk, "organisation": org.pk, "role": Role.APPROVER, "position": "รองปลัด"},
    )
    assert response.status_code == 302
    log = ChangeLog.objects.get(action="membership.add")
    assert log.details["new"] == {"user": "newcomer", "role": "approver", "position": "รองปลัด"}


def test_a_role_change_in_the_admin_is_logged_old_and_new(client, admin_user, org, staff):
    membership = Membership.objects.get(user=staff)
    log_in_verified(client, admin_user)
    client.post(
        f"/admin/assessments/membership/{membership.pk}/change/",
        {"user": staff.pk, "organisation": org.pk, "role": Role.EXECUTIVE, "position": ""},
    )
    log = ChangeLog.objects.get(action="membership.edit")
    assert (log.details["old"]["role"], log.details["new"]["role"]) == ("staff", "executive")


def test_an_unchanged_membership_save_is_not_logged(client, admin_user, org, staff):
    membership = Membership.objects.get(user=staff)
    log_in_verified(client, admin_user)
    client.post(
        f"/admin/assessments/membership/{membership.pk}/change/",
        {"user": staff.pk, "organisation": org.pk, "role": Role.STAFF, "position": ""},
    )
    assert not ChangeLog.objects.filter(action__startswith="membership.").exists()


def test_a_membership_deleted_in_the_admin_is_logged(client, admin_user, staff):
    membership = Membership.objects.get(user=staff)
    log_in_verified(client, admin_user)
    client.post(f"/admin/assessments/membership/{membership.pk}/delete/", {"post": "yes"})
    log = ChangeLog.objects.get(action="membership.delete")
    assert log.details["old"]["user"] == "staff"
