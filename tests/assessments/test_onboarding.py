"""Onboarding in bulk: organisations with their supervising body, and users, from one sheet."""

import pytest
import tablib
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import CommandError, call_command

from assessments import onboarding
from assessments.models import ChangeLog, Membership, Organisation, Role
from assessments.resources import OrganisationResource
from assessments.services import ImportRefused
from tests.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db

ORGS = ["code", "name", "type", "province", "district", "parent"]
USERS = ["username", "full_name", "email", "organisation", "role", "position"]
TREE = [
    ORGS,
    ["agency", "อบต.ปลายทาง", "อบต.", "พิษณุโลก", "บางระกำ", "prov"],  # its parent comes later in the file
    ["moi", "กระทรวงมหาดไทย", "", "", "", ""],
    ["region", "สำนักงานภาค ๒", "", "", "", "moi"],
    ["prov", "สถ.จ.พิษณุโลก", "", "พิษณุโลก", "", "region"],
    ["region2", "สำนักงานภาค ๓", "", "", "", "moi"],
]


def refused(table):
    with pytest.raises(ImportRefused) as exc:
        onboarding.import_organisations(table)
    return exc.value.lines()


def test_parent_column_builds_a_four_level_tree_whatever_the_row_order():
    onboarding.import_organisations(TREE)
    agency = Organisation.objects.select_related("parent__parent__parent").get(code="agency")
    assert [agency.parent.code, agency.parent.parent.code, agency.parent.parent.parent.code] == [
        "prov",
        "region",
        "moi",
    ]


def test_unknown_parent_is_refused_naming_the_row():
    assert refused([ORGS, ["a", "ก", "", "", "", "nowhere"]]) == [
        "แถวที่ 2: ไม่พบหน่วยงานกำกับดูแลรหัส “nowhere” ของ a (ทั้งในไฟล์และในระบบ)"
    ]
    assert not Organisation.objects.exists()


def test_parent_already_in_the_database_is_accepted():
    make_organisation(code="prov")
    onboarding.import_organisations([ORGS, ["a", "ก", "", "", "", "prov"]])
    assert Organisation.objects.get(code="a").parent.code == "prov"


def test_cycle_within_the_file_is_refused_on_each_row_of_it():
    lines = refused([ORGS, ["a", "ก", "", "", "", "b"], ["b", "ข", "", "", "", "a"]])
    assert lines == [
        "แถวที่ 2: หน่วยงานกำกับดูแลของ a ทำให้เกิดวงวน: a → b → a",
        "แถวที่ 3: หน่วยงานกำกับดูแลของ b ทำให้เกิดวงวน: b → a → b",
    ]


def test_cycle_through_the_database_is_refused():
    top = make_organisation(code="top")
    make_organisation(code="mid", parent=top)
    assert refused([ORGS, ["top", "บน", "", "", "", "mid"]]) == [
        "แถวที่ 2: หน่วยงานกำกับดูแลของ top ทำให้เกิดวงวน: top → mid → top"
    ]


def test_organisation_cannot_supervise_itself():
    assert refused([ORGS, ["a", "ก", "", "", "", "a"]]) == ["แถวที่ 2: หน่วยงาน a เป็นหน่วยงานกำกับดูแลของตนเองไม่ได้"]


def test_reimporting_the_same_file_logs_nothing():
    onboarding.import_organisations(TREE)
    before = ChangeLog.objects.count()
    assert onboarding.import_organisations(TREE) == {"rows": 5, "created": 0, "updated": 0}
    assert ChangeLog.objects.count() == before == 5


def test_a_changed_parent_is_logged_old_to_new():
    onboarding.import_organisations(TREE)
    onboarding.import_organisations([ORGS, ["prov", "สถ.จ.พิษณุโลก", "", "พิษณุโลก", "", "region2"]])
    log = ChangeLog.objects.filter(action="organisation.update").get()
    assert log.details == {"parent": ["region", "region2"]}


def test_file_without_parent_column_keeps_the_parents():
    onboarding.import_organisations(TREE)
    onboarding.import_organisations([ORGS[:5], ["agency", "อบต.ใหม่", "อบต.", "พิษณุโลก", "บางระกำ"]])
    assert Organisation.objects.get(code="agency").parent.code == "prov"


def _dataset(rows, headers=ORGS):
    data = tablib.Dataset(headers=headers)
    for r in rows:
        data.append(r)
    return data


@pytest.mark.parametrize("code", ["bad code", "ก๑", "x" * 41])
def test_admin_import_refuses_codes_no_url_can_reach(code):
    result = OrganisationResource().import_data(_dataset([[code, "ชื่อ", "", "", "", ""]]), dry_run=False)
    assert result.has_validation_errors()
    assert "แถวที่ 2: รหัสหน่วยงาน" in result.invalid_rows[0].error.messages[0]
    assert not Organisation.objects.exists()


def test_admin_import_refuses_what_the_command_refuses_with_the_same_reasons():
    rows = [["a", "ก", "", "", "", "b"], ["b", "ข", "", "", "", "a"], ["c", "", "", "", "", ""]]
    result = OrganisationResource().import_data(_dataset(rows), dry_run=False)
    assert [r.error.messages[0] for r in result.invalid_rows] == refused([ORGS, *rows])


def test_admin_import_builds_the_tree_and_logs_who_did_it(admin_user):
    result = OrganisationResource().import_data(_dataset(TREE[1:]), dry_run=False, user=admin_user)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Organisation.objects.get(code="agency").parent.code == "prov"
    assert set(ChangeLog.objects.values_list("user__username", flat=True)) == {admin_user.username}


def test_admin_import_preview_saves_nothing():
    result = OrganisationResource().import_data(_dataset(TREE[1:]), dry_run=True)
    assert result.totals["new"] == 5
    assert not Organisation.objects.exists()


def test_admin_import_through_the_web_page_refuses_a_thai_digit_code(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("orgs.csv", "code,name\n๑๒ก,อบต.\n".encode())
    response = admin_client.post(
        "/admin/assessments/organisation/import/", {"import_file": upload, "format": "0", "resource": "0"}
    )
    assert "ใช้ได้เฉพาะ a-z 0-9 - _" in response.content.decode()
    assert not Organisation.objects.exists()


# --------------------------------------------------------------------------- #
# Users
# --------------------------------------------------------------------------- #


@pytest.fixture
def tree():
    onboarding.import_organisations(TREE)


@pytest.fixture
def import_users(inline_celery, django_capture_on_commit_callbacks):
    """onboarding.import_users, with the invitation e-mails sent as its transaction commits."""

    def run(table):
        with django_capture_on_commit_callbacks(execute=True):
            return onboarding.import_users(table)

    return run


def users(*rows):
    return [USERS, *rows]


def refused_users(table):
    with pytest.raises(ImportRefused) as exc:
        onboarding.import_users(table)
    return exc.value.lines()


def test_new_user_gets_membership_and_an_invitation_to_set_a_password(tree, import_users, settings):
    settings.SITE_URL = "https://ita.example.go.th"
    import_users(users(["somchai", "สมชาย ใจดี", "somchai@example.go.th", "agency", "staff", "นักวิเคราะห์"]))
    user = User.objects.get(username="somchai")
    assert (user.first_name, user.last_name, user.has_usable_password()) == ("สมชาย", "ใจดี", False)
    membership = Membership.objects.get(user=user)
    assert (membership.organisation.code, membership.role, membership.position) == ("agency", "staff", "นักวิเคราะห์")
    [message] = mail.outbox
    assert message.to == ["somchai@example.go.th"]
    assert "https://ita.example.go.th/reset/" in message.body


def test_invitation_link_lets_the_user_set_a_password(tree, import_users, client):
    import_users(users(["somchai", "สมชาย ใจดี", "s@example.go.th", "agency", "staff", ""]))
    link = next(w for w in mail.outbox[0].body.split() if "/reset/" in w)
    path = link[link.index("/reset/") :]
    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Plain-Long-99", "new_password2": "Plain-Long-99"}
    )
    assert response.status_code == 302
    assert User.objects.get(username="somchai").check_password("Plain-Long-99")


def test_existing_user_gets_the_new_membership_and_no_invitation(tree, import_users):
    user = make_user(organisation=Organisation.objects.get(code="agency"), username="old", email="old@example.go.th")
    import_users(users(["old", "", "", "prov", "supervisor", "ผู้กำกับ"]))
    assert set(user.memberships.values_list("organisation__code", "role")) == {
        ("agency", "staff"),
        ("prov", "supervisor"),
    }
    assert mail.outbox == []
    assert ChangeLog.objects.filter(action="membership.add").get().details["role"] == "supervisor"


def test_thai_role_labels_are_accepted(tree):
    onboarding.import_users(users(["a", "ก ข", "a@example.go.th", "agency", "ผู้พิจารณา", ""]))
    assert Membership.objects.get().role == Role.APPROVER


def test_reimporting_users_changes_and_logs_nothing(tree, import_users):
    table = users(["a", "ก ข", "a@example.go.th", "agency", "staff", "ปลัด"])
    import_users(table)
    before = ChangeLog.objects.count()
    assert import_users(table)["memberships_added"] == 0
    assert ChangeLog.objects.count() == before
    assert len(mail.outbox) == 1


def test_bad_user_rows_are_each_named_and_nothing_is_saved(tree):
    make_user(username="taken", email="used@example.go.th")
    lines = refused_users(
        users(
            ["ok", "ดี", "ok@example.go.th", "agency", "staff", ""],
            ["x1", "", "x1@example.go.th", "nowhere", "staff", ""],
            ["x2", "", "x2@example.go.th", "agency", "boss", ""],
            ["ok", "", "ok2@example.go.th", "agency", "viewer", ""],
            ["x3", "", "USED@example.go.th", "agency", "staff", ""],
            ["x4", "", "", "agency", "staff", ""],
        )
    )
    assert lines[0] == "แถวที่ 3: x1: ไม่พบหน่วยงานรหัส “nowhere”"
    assert lines[1].startswith("แถวที่ 4: x2: ไม่รู้จักบทบาท “boss”")
    assert lines[2:] == [
        "แถวที่ 5: ชื่อผู้ใช้ ok ซ้ำกับแถวที่ 2",
        "แถวที่ 6: x3: อีเมล USED@example.go.th เป็นของผู้ใช้อื่นในระบบแล้ว",
        "แถวที่ 7: x4: ผู้ใช้ใหม่ต้องมีอีเมลเพื่อรับคำเชิญตั้งรหัสผ่าน",
    ]
    assert not User.objects.filter(username="ok").exists()
    assert not Membership.objects.exists()
    assert mail.outbox == []


def test_ita_import_users_command_refuses_a_bad_file_with_rows_on_stderr(tree, tmp_path):
    from io import StringIO

    f = tmp_path / "users.csv"
    f.write_text("username,full_name,email,organisation,role,position\na,ก,a@x.go.th,nowhere,staff,\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("ita_import_users", str(f), stderr=err, stdout=StringIO())
    assert "แถวที่ 2: a: ไม่พบหน่วยงานรหัส “nowhere”" in err.getvalue()


def test_admin_imports_users_from_the_web(tree, admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "u.csv", "username,full_name,email,organisation,role,position\nn,น น,n@x.go.th,agency,viewer,\n".encode()
    )
    response = admin_client.post("/admin/assessments/membership/import-users/", {"file": upload, "save": "1"})
    assert response.status_code == 302
    assert Membership.objects.get(user__username="n").role == "viewer"


# --------------------------------------------------------------------------- #
# Supervision at any depth
# --------------------------------------------------------------------------- #


def _supervisors(tmp_path):
    """The four-level tree from ita_import_orgs and two supervisors from ita_import_users."""
    from io import StringIO

    orgs = tmp_path / "orgs.csv"
    orgs.write_text("\n".join(",".join(r) for r in TREE) + "\n")
    call_command("ita_import_orgs", str(orgs), stdout=StringIO())
    people = tmp_path / "users.csv"
    people.write_text(
        "username,full_name,email,organisation,role,position\n"
        "minister,ม ม,m@x.go.th,moi,supervisor,\n"
        "sibling,ภ ภ,s@x.go.th,region2,supervisor,\n"
        "clerk,ค ค,c@x.go.th,agency,staff,\n"
    )
    call_command("ita_import_users", str(people), stdout=StringIO())
    for user in User.objects.all():
        user.set_password("pw-12345-long")
        user.save()


def test_ministry_supervisor_reads_an_agency_four_levels_down(client, tmp_path):
    _supervisors(tmp_path)
    client.force_login(User.objects.get(username="minister"))
    assert client.get("/o/agency/").status_code == 200


def test_supervisor_of_a_sibling_region_gets_404_there(client, tmp_path):
    _supervisors(tmp_path)
    client.force_login(User.objects.get(username="sibling"))
    assert client.get("/o/agency/").status_code == 404
    assert client.get("/o/region2/").status_code == 200


def test_supervisor_cannot_write_to_an_agency_below(client, tmp_path, bundled_frameworks):
    _supervisors(tmp_path)
    client.force_login(User.objects.get(username="minister"))
    assert client.post("/o/agency/2566/scores/", {}).status_code == 403


def test_visible_to_walks_the_tree_in_one_query(django_assert_num_queries, tmp_path):
    _supervisors(tmp_path)
    minister = User.objects.get(username="minister")
    with django_assert_num_queries(1):
        codes = set(Organisation.objects.visible_to(minister).values_list("code", flat=True))
    assert codes == {"moi", "region", "prov", "agency", "region2"}


# --------------------------------------------------------------------------- #
# The admin's organisation form
# --------------------------------------------------------------------------- #


def _change(admin_client, org, **values):
    data = {
        "code": org.code, "name": org.name, "org_type": org.org_type, "province": org.province,
        "district": org.district, "parent": org.parent_id or "", "use_thai_digits": "on",
        "scheme": org.scheme, "status_tiers": "null",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
    }  # fmt: skip
    data.update(values)
    return admin_client.post(f"/admin/assessments/organisation/{org.pk}/change/", data)


def test_admin_form_refuses_a_parent_that_closes_a_cycle(admin_client):
    onboarding.import_organisations(TREE)
    moi = Organisation.objects.get(code="moi")
    response = _change(admin_client, moi, parent=Organisation.objects.get(code="agency").pk)
    assert response.status_code == 200 and "ทำให้เกิดวงวน" in response.content.decode()
    assert Organisation.objects.get(code="moi").parent is None


def test_admin_form_logs_a_real_change_old_to_new(admin_client):
    onboarding.import_organisations(TREE)
    prov = Organisation.objects.get(code="prov")
    assert _change(admin_client, prov, parent=Organisation.objects.get(code="region2").pk).status_code == 302
    log = ChangeLog.objects.filter(action="organisation.update").get()
    assert (log.details, log.user.is_superuser) == ({"parent": ["region", "region2"]}, True)


def test_admin_form_saved_unchanged_logs_nothing(admin_client):
    onboarding.import_organisations(TREE)
    before = ChangeLog.objects.count()
    assert _change(admin_client, Organisation.objects.get(code="prov")).status_code == 302
    assert ChangeLog.objects.count() == before


def test_admin_import_reads_the_file_within_bounds_and_says_why_in_thai(admin_client):
    """A workbook with an XML entity (a billion-laughs seed) is refused by assessments.sheets
    before any XML is expanded, with a Thai reason, and nothing is saved."""
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><workbook>&a;</workbook>',
        )
    upload = SimpleUploadedFile("orgs.xlsx", buffer.getvalue())
    response = admin_client.post(
        "/admin/assessments/organisation/import/", {"import_file": upload, "format": "1", "resource": "0"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "encountered while trying to read file" not in body
    assert "ไฟล์" in body
    assert not Organisation.objects.exists()
