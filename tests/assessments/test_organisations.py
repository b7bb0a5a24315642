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


def test_organisation_import_is_logged():
    services.import_organisations([HEADER, ["a1", "อบต.หนึ่ง", "", "", ""]])
    assert ChangeLog.objects.get().action == "organisations.import"
