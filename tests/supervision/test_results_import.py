"""Results for many agencies in one sheet: checked whole, conflicts with agencies' own figures
kept unless the importer confirms, only for agencies within the importer's reach."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from assessments import peers
from assessments.models import Assessment, ChangeLog, Score
from assessments.sheets import ImportRefused
from supervision import results
from tests.factories import fiscal_year, make_organisation

pytestmark = pytest.mark.django_db

URL = "/s/prov/2565/results/"


@pytest.fixture
def fresh(tree):
    """n1, n2: agencies below amphoe without any figure yet."""
    return [
        make_organisation(code=f"n{n}", name=f"อบต.ใหม่ {n}", parent=tree["amphoe"], org_type="อบต.", province="พิษณุโลก")
        for n in (1, 2)
    ]


def csv(text):
    return SimpleUploadedFile("results.csv", text.strip().encode("utf-8"), content_type="text/csv")


def figures(code, level="total", key="total", part=""):
    score = Score.objects.filter(
        assessment__organisation__code=code, assessment__fiscal_year__year=2565, level=level, key=key, part=part
    ).first()
    return score.value if score else None


def preview(client, text):
    return client.post(URL, {"file": csv(text)})


def confirm(client, response, *, overwrite=False):
    data = {"confirm": "1", "token": response.context["confirm_form"]["token"].value()}
    if overwrite:
        data["overwrite"] = "on"
    return client.post(URL, data)


def refusal(province_supervisor, text):
    with pytest.raises(ImportRefused) as exc:
        results.import_results(
            csv(text), "results.csv", fiscal_year=fiscal_year(2565), root=province_supervisor.memberships.get().organisation,
            by=province_supervisor,
        )  # fmt: skip
    return exc.value.lines()


def test_sheet_of_many_agencies_saves_every_row(client, province_supervisor, fresh):
    client.force_login(province_supervisor)
    checked = preview(client, "code,name,total,iit,ind1\nn1,ใหม่ 1,88.5,90,91\nn2,,77,,")
    assert checked.status_code == 200, checked.context.get("errors")
    response = confirm(client, checked)
    assert response.status_code == 302
    assert (figures("n1"), figures("n1", "tool", "iit"), figures("n1", "indicator", "1"), figures("n2")) == (
        Decimal("88.50"), Decimal("90.00"), Decimal("91.00"), Decimal("77.00"),
    )  # fmt: skip


def test_imported_totals_are_the_agencies_summary(client, province_supervisor, fresh):
    client.force_login(province_supervisor)
    confirm(client, preview(client, "code,total\nn1,88.5"))
    assert Assessment.objects.get(organisation__code="n1", fiscal_year__year=2565).total_score == Decimal("88.50")


def test_preview_saves_nothing(client, province_supervisor, fresh):
    client.force_login(province_supervisor)
    response = preview(client, "code,total\nn1,88.5")
    assert response.status_code == 200 and response.context["checked"].new == 1
    assert not Assessment.objects.filter(organisation__code="n1").exists()


def test_unknown_organisation_named_by_row(province_supervisor, fresh):
    assert refusal(province_supervisor, "code,total\nn1,80\nnope,80") == ["แถวที่ 3: ไม่พบหน่วยงานรหัส “nope” ในระบบ"]


def test_agency_outside_the_importers_reach_refused(province_supervisor, fresh):
    lines = refusal(province_supervisor, "code,total\nn1,80\nfar,80")
    assert lines == ["แถวที่ 3: หน่วยงาน far (อบต.ไกล) ไม่อยู่ในกำกับของผู้นำเข้า"]


def test_the_body_itself_is_outside_its_reach(province_supervisor, fresh):
    assert "ไม่อยู่ในกำกับ" in refusal(province_supervisor, "code,total\nprov,80")[0]


def test_bad_numbers_named_by_row(province_supervisor, fresh):
    lines = refusal(province_supervisor, "code,total,iit\nn1,abc,80\nn2,80,101")
    assert [line.split(":")[0] for line in lines] == ["แถวที่ 2", "แถวที่ 3"]
    assert "total" in lines[0] and "iit" in lines[1]


def test_unknown_indicator_column_refused(province_supervisor, fresh):
    lines = refusal(province_supervisor, "code,total,ind99\nn1,80,80")
    assert lines[0].startswith("แถวที่ 1: คอลัมน์ “ind99”") and "ไม่รู้จัก" in lines[0]


def test_item_columns_refused(province_supervisor, fresh):
    assert "ไม่รับรายข้อ" in refusal(province_supervisor, "code,i1\nn1,80")[0]


def test_repeated_agency_refused(province_supervisor, fresh):
    assert refusal(province_supervisor, "code,total\nn1,80\nn1,81") == ["แถวที่ 3: หน่วยงาน n1 ซ้ำกับแถวที่ 2"]


def test_one_bad_row_saves_nothing(client, province_supervisor, fresh):
    client.force_login(province_supervisor)
    response = preview(client, "code,total\nn1,80\nfar,80")
    assert response.status_code == 400 and "ไม่อยู่ในกำกับ" in response.content.decode()
    assert not Assessment.objects.filter(organisation__code="n1").exists()


def test_conflict_with_the_agencys_own_figure_is_listed(client, province_supervisor, fresh):
    client.force_login(province_supervisor)
    # a1 entered indicator 1 = 71 itself (the tree's fixture).
    conflicts = preview(client, "code,ind1\na1,65").context["checked"].conflicts
    assert [(c.organisation.code, c.label, c.theirs, c.sheet) for c in conflicts] == [
        ("a1", "ตัวชี้วัดที่ 1", Decimal("71.00"), Decimal("65.00"))
    ]


def test_conflict_is_kept_without_confirmation(client, province_supervisor, fresh):
    client.force_login(province_supervisor)
    confirm(client, preview(client, "code,ind1\na1,65\nn1,70"))
    assert (figures("a1", "indicator", "1"), figures("n1", "indicator", "1")) == (Decimal("71.00"), Decimal("70.00"))


def test_confirmed_overwrite_replaces_the_agencys_figure(client, province_supervisor, fresh):
    client.force_login(province_supervisor)
    confirm(client, preview(client, "code,ind1\na1,65"), overwrite=True)
    assert figures("a1", "indicator", "1") == Decimal("65.00")


def test_an_earlier_import_is_changed_without_a_conflict(client, province_supervisor, fresh):
    client.force_login(province_supervisor)
    confirm(client, preview(client, "code,total\nn1,80"))
    assert preview(client, "code,total\nn1,82").context["checked"].conflicts == []


def test_import_is_logged_on_each_agency_and_the_body(client, province_supervisor, fresh):
    client.force_login(province_supervisor)
    confirm(client, preview(client, "code,total\nn1,80"))
    agency = ChangeLog.objects.get(organisation__code="n1", action="scores.results")
    assert agency.user == province_supervisor and agency.details["added"] == [["total", "total", "", "80.00"]]
    assert ChangeLog.objects.filter(organisation__code="prov", action="supervision.results").exists()


def test_peer_statistics_include_imported_results(client, province_supervisor, fresh):
    client.force_login(province_supervisor)
    confirm(client, preview(client, "code,total\nn1,99\nn2,98"))
    assessment = Assessment.objects.select_related("organisation").get(organisation__code="a3", fiscal_year__year=2565)
    province = {g.scope: g for g in peers.peer_groups(assessment, range(1, 11))}["province"]
    assert (province.size, province.rank) == (7, 5)


def test_command_imports_for_the_agencies_below(tmp_path, fresh):
    path = tmp_path / "r.csv"
    path.write_text("code,total\nn1,81\n", encoding="utf-8")
    call_command("ita_import_results", str(path), "--year", "2565", "--under", "prov")
    assert figures("n1") == Decimal("81.00")


def test_command_refuses_outside_under(tmp_path, fresh):
    path = tmp_path / "r.csv"
    path.write_text("code,total\nfar,81\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("ita_import_results", str(path), "--year", "2565", "--under", "prov")
    assert figures("far") is None


def test_eit_part_columns_from_2566(province_supervisor, fresh):
    results.import_results(
        csv("code,eit.public,ind6.survey\nn1,80,70"), "r.csv", fiscal_year=fiscal_year(2566),
        root=fresh[0].parent.parent, by=province_supervisor,
    )  # fmt: skip
    assert Score.objects.filter(assessment__organisation__code="n1", part__in=["public", "survey"]).count() == 2
