"""access_organisation reads the organisation, the user's memberships in it and the user's
unread-notice count in one query; the rules it applies are those of visible_to (others: 404)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from assessments.models import Role
from ita_portal.access import access_organisation, forget_unread, remembered_unread
from measures.models import Notification
from tests.factories import client_for, make_organisation, make_user

pytestmark = pytest.mark.django_db


def notice(user, organisation, key):
    return Notification.objects.create(user=user, organisation=organisation, key=key, message="แจ้งเตือนทดสอบ")


def test_one_query_reads_the_organisation_the_memberships_and_the_unread_count(django_assert_num_queries):
    org = make_organisation()
    user = make_user(organisation=org, role=Role.STAFF)
    notice(user, org, "a")
    with django_assert_num_queries(1):
        found = access_organisation(user, org.code)
        roles = found.role_of(user)
    assert found == org and roles == {Role.STAFF} and remembered_unread(user) == 1


def test_every_role_the_user_holds_there_is_read(django_assert_num_queries):
    org = make_organisation()
    user = make_user(organisation=org, role=Role.STAFF)
    user.memberships.create(organisation=org, role=Role.APPROVER, position="ผู้อำนวยการกอง")
    with django_assert_num_queries(1):
        found = access_organisation(user, org.code)
        memberships = list(found.memberships.all())
    assert {m.role for m in memberships} == {Role.STAFF, Role.APPROVER}
    assert {m.position for m in memberships} == {"", "ผู้อำนวยการกอง"}
    assert all(m.user_id == user.pk and m.organisation_id == org.pk for m in memberships)


def test_only_the_users_own_memberships_are_read():
    org = make_organisation()
    user = make_user(organisation=org, role=Role.STAFF)
    make_user(organisation=org, role=Role.EXECUTIVE)
    assert access_organisation(user, org.code).role_of(user) == {Role.STAFF}


def test_a_supervisor_above_reads_the_agency_without_memberships_there():
    province = make_organisation()
    agency = make_organisation(parent=province)  # save() stores the path below the province
    supervisor = make_user(organisation=province, role=Role.SUPERVISOR)
    found = access_organisation(supervisor, agency.code)
    assert found == agency and list(found.memberships.all()) == [] and found.role_of(supervisor) == set()


def test_another_organisation_anonymous_and_unknown_codes_are_404():
    mine, other = make_organisation(), make_organisation()
    user = make_user(organisation=mine)
    for who, code in ((user, other.code), (user, "no-such-code"), (AnonymousUser(), mine.code)):
        with pytest.raises(Http404):
            access_organisation(who, code)


def test_a_superuser_reads_any_organisation_and_its_unread_count():
    org = make_organisation()
    admin = make_user(is_superuser=True)
    notice(admin, org, "x")
    notice(admin, org, "y")
    assert access_organisation(admin, org.code) == org and remembered_unread(admin) == 2


def test_read_notices_are_not_counted():
    from django.utils import timezone

    org = make_organisation()
    user = make_user(organisation=org)
    notice(user, org, "a")
    Notification.objects.filter(key="a").update(read_at=timezone.now())
    access_organisation(user, org.code)
    assert remembered_unread(user) == 0


def test_a_notice_created_for_the_user_in_the_request_makes_the_header_count_again():
    from measures.services.notifications import notify

    org = make_organisation()
    user = make_user(organisation=org)
    access_organisation(user, org.code)
    notify([user], organisation=org, key="new", message="แจ้งเตือนใหม่")
    assert remembered_unread(user) is None
    forget_unread(user)  # forgetting twice is harmless


def test_the_header_shows_a_notice_created_after_the_previous_page(demo):
    staff = demo.memberships.get(role="staff").user
    client = client_for(staff)
    before = Notification.objects.filter(user=staff, read_at__isnull=True).count()
    notice(staff, demo, "header-test")
    html = client.get("/o/demo/reports/2566/").content.decode()
    assert f'<span class="badge warn">{before + 1}</span>' in html


def test_a_report_of_another_organisation_is_404_even_with_its_own_code():
    from ita_portal.access import access_report
    from reports.models import Report

    mine, other = make_organisation(), make_organisation()
    user = make_user(organisation=mine)
    theirs = Report.objects.create(organisation=other, kind="memo", year=2566, fmt="pdf")
    own = Report.objects.create(organisation=mine, kind="memo", year=2566, fmt="pdf")
    for code, pk in ((other.code, theirs.pk), (mine.code, theirs.pk), (other.code, own.pk)):
        with pytest.raises(Http404):
            access_report(user, code, pk)
    assert access_report(user, mine.code, own.pk) == (mine, own)


def test_the_query_compiled_once_finds_what_the_orm_query_finds_for_each_kind_of_user():
    from ita_portal.access import organisation_query

    province = make_organisation()
    agency, other = make_organisation(parent=province), make_organisation()
    staff = make_user(organisation=agency, role=Role.STAFF)
    staff.memberships.create(organisation=agency, role=Role.EXECUTIVE, position="นายก")
    supervisor = make_user(organisation=province, role=Role.SUPERVISOR)
    admin = make_user(is_superuser=True)
    outsider = make_user(organisation=other)
    notice(staff, agency, "a")
    for user in (staff, supervisor, admin, outsider):
        for org in (province, agency, other):
            expected = [(r.pk, r.mine_role, r.mine_position, r.unread) for r in organisation_query(user, org.code)]
            try:
                found = access_organisation(user, org.code)
            except Http404:
                assert expected == [], (user, org)
                continue
            got = [(found.pk, m.role, m.position) for m in found.memberships.all()] or [(found.pk, None, None)]
            assert got == [row[:3] for row in expected], (user, org)
            assert remembered_unread(user) == expected[0][3]
