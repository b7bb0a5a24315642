"""ita_load_scores: many organisations' scores for a year from one CSV, checked whole, all or nothing."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from assessments import bulk_scores, services
from assessments.models import Assessment, FiscalYear, Score
from assessments.sheets import ImportRefused


def sheet(rows):
    return io.BytesIO(("org,code,score,part\n" + "".join(f"{r}\n" for r in rows)).encode())


def indicators(code, base=80):
    return [f"{code},ind{n},{base + n},," for n in range(1, 11)]


@pytest.fixture
def year(db):
    return FiscalYear.objects.get(year=2565)


def test_loads_every_organisation_in_the_file(org, other_org, year):
    result = bulk_scores.load_scores(sheet(indicators(org.code) + indicators(other_org.code, 70)), fiscal_year=year)
    assert (result.organisations, result.rows) == (2, 20)
    assert Score.objects.filter(assessment__fiscal_year=year).count() == 20


def test_summary_matches_the_one_sheet_import(org, other_org, year):
    bulk_scores.load_scores(sheet(indicators(org.code)), fiscal_year=year)
    one = "code,score\n" + "".join(f"ind{n},{80 + n}\n" for n in range(1, 11))
    services.import_scores(other_org, fiscal_year=year, fileobj=io.BytesIO(one.encode()), filename="s.csv", by=None)
    bulk, single = (Assessment.objects.get(organisation=o, fiscal_year=year) for o in (org, other_org))
    assert bulk.total_score == single.total_score is not None
    assert (bulk.tool_scores, bulk.indicator_scores) == (single.tool_scores, single.indicator_scores)


def test_a_bad_row_refuses_the_whole_file_naming_its_line(org, other_org, year):
    rows = indicators(org.code) + [f"{other_org.code},ind1,120,"]
    with pytest.raises(ImportRefused) as refused:
        bulk_scores.load_scores(sheet(rows), fiscal_year=year)
    assert refused.value.errors[0][0] == 12 and other_org.code in refused.value.errors[0][1]
    assert not Score.objects.exists()


def test_an_unknown_organisation_is_refused(org, year):
    with pytest.raises(ImportRefused) as refused:
        bulk_scores.load_scores(sheet(indicators("nosuch")), fiscal_year=year)
    assert "ไม่พบหน่วยงานรหัส “nosuch”" in refused.value.errors[0][1]


def test_the_file_replaces_the_organisations_scores_of_the_year(org, year):
    bulk_scores.load_scores(sheet(indicators(org.code) + [f"{org.code},total,99,"]), fiscal_year=year)
    bulk_scores.load_scores(sheet(indicators(org.code, 60)), fiscal_year=year)
    stored = dict(Score.objects.filter(assessment__organisation=org).values_list("key", "value"))
    assert "total" not in stored and stored["1"] == Decimal("61")


def test_dry_run_stores_nothing(org, year):
    assert bulk_scores.load_scores(sheet(indicators(org.code)), fiscal_year=year, dry_run=True).rows == 10
    assert not Assessment.objects.filter(organisation=org, fiscal_year=year).exists()


def test_the_command_reports_what_it_loaded(org, year, tmp_path):
    path = tmp_path / "country.csv"
    path.write_bytes(sheet(indicators(org.code)).getvalue())
    out = io.StringIO()
    call_command("ita_load_scores", str(path), "--year", "2565", stdout=out)
    assert "นำเข้าแล้ว 10 แถว ของ 1 หน่วยงาน" in out.getvalue()


def test_the_command_refuses_a_bad_file_in_thai(org, year, tmp_path):
    path = tmp_path / "country.csv"
    path.write_bytes(sheet([f"{org.code},ind1,abc,"]).getvalue())
    with pytest.raises(CommandError, match="ไม่ได้บันทึกข้อมูลใด ๆ"):
        call_command("ita_load_scores", str(path), "--year", "2565", stderr=io.StringIO())
