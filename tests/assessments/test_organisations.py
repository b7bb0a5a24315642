import pytest

from assessments import services
from assessments.models import ChangeLog, Organisation

pytestmark = pytest.mark.django_db

HEADER = ["code", "name", "type", "province", "district"]


def test_organisations_are_created_and_updated_by_code():
    services.import_organisations([HEADER, ["a1", "อบต.หนึ่ง", "อบต.", "พิษณุโลก", "บางระกำ"]])
    result = services.import_organisations(
        [HEADER, ["a1", "อบต.หนึ่ง (ใหม่)", "อบต.", "พิษณุโลก", "บางระกำ"], ["a2", "เทศบาลสอง", "ทต.", "", ""]]
    )
    assert result == {"rows": 2, "created": 1, "updated": 1}
    assert Organisation.objects.get(code="a1").name == "อบต.หนึ่ง (ใหม่)"


def test_bad_organisation_rows_refuse_the_whole_file():
    with pytest.raises(services.ImportRefused) as exc:
        services.import_organisations(
            [
                HEADER,
                ["ok", "ดี", "", "", ""],
                ["bad code", "x", "", "", ""],
                ["ok", "ซ้ำ", "", "", ""],
                ["", "ไม่มีรหัส", "", "", ""],
            ]
        )
    assert exc.value.lines() == [
        "แถวที่ 3: รหัสหน่วยงาน “bad code” ใช้ได้เฉพาะ a-z 0-9 - _",
        "แถวที่ 4: รหัสหน่วยงาน ok ซ้ำกับแถวที่ 2",
        "แถวที่ 5: ไม่มีรหัสหน่วยงาน",
    ]
    assert not Organisation.objects.exists()


def test_organisation_import_logs_each_new_organisation():
    services.import_organisations([HEADER, ["a1", "อบต.หนึ่ง", "", "", ""]])
    log = ChangeLog.objects.get()
    assert (log.action, log.organisation.code, log.details) == (
        "organisation.create",
        "a1",
        {"name": [None, "อบต.หนึ่ง"]},
    )


def test_admin_resource_imports_organisations_by_natural_code():
    import tablib

    from assessments.resources import OrganisationResource

    data = tablib.Dataset(headers=HEADER)
    data.append(["a9", "อบต.เก้า", "อบต.", "พิษณุโลก", "บางระกำ"])
    result = OrganisationResource().import_data(data, dry_run=False)
    assert not result.has_errors()
    assert Organisation.objects.get(code="a9").org_type == "อบต."


def test_admin_can_create_an_organisation_in_the_web(admin_client):
    response = admin_client.post(
        "/admin/assessments/organisation/add/",
        {"code": "new1", "name": "เทศบาลใหม่", "org_type": "", "province": "", "district": "",
         "use_thai_digits": "on", "scheme": "nacc", "status_tiers": "", "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Organisation.objects.filter(code="new1").exists()
