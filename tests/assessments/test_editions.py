"""Editions per scheme: an organisation's scores, analysis and pages use its scheme's edition of the year."""

import io

import pytest

from assessments import services
from assessments.frameworks import framework_for
from assessments.models import Assessment
from tests.factories import fiscal_year, make_organisation, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def college(province):
    return make_organisation(code="college", name="วิทยาลัยเทคนิคทดสอบ", scheme="ovec", parent=province)


def do_import(org, text, year=2569):
    return services.import_scores(
        org, fiscal_year=fiscal_year(year), fileobj=io.BytesIO(text.encode()), filename="s.csv", by=None
    )


def test_a_college_records_its_scores_against_the_ovec_edition(college):
    do_import(college, "code,score\nO23,100\nO22,0\n")
    assessment = Assessment.objects.get(organisation=college)
    assert assessment.edition.scheme == "ovec"
    result = services.analyse_assessment(assessment)
    assert result.framework.scheme == "ovec"
    assert [i.code for i in result.failed_oit_items] == ["o22"]


def test_a_sheet_with_codes_of_another_edition_is_refused_naming_the_edition(college):
    with pytest.raises(services.ImportRefused) as exc:
        do_import(college, "code,score\nO23,100\nO26,100\n")
    assert exc.value.lines() == ["แถวที่ 3: ไม่รู้จักรหัส “O26” ในกรอบการประเมินปี 2569 ฉบับ สถานศึกษาอาชีวศึกษา (สอศ.)"]
    assert not Assessment.objects.filter(organisation=college).exists()


def test_an_agency_of_the_general_scheme_answers_o1_to_o26_in_2569(org):
    do_import(org, "code,score\nO25,0\nO26,0\n")
    assert Assessment.objects.get(organisation=org).edition.scheme == "nacc"


def test_the_old_call_still_means_the_general_edition():
    assert framework_for(fiscal_year(2569)).scheme == "nacc"
    assert framework_for(fiscal_year(2569), "ovec").edition_name == "สถานศึกษาอาชีวศึกษา (สอศ.)"


def test_a_college_score_page_shows_its_own_items(college, client):
    staff = make_user(organisation=college, username="collegestaff")
    client.force_login(staff)
    page = client.get("/o/college/2569/scores/10/").content.decode()
    assert "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในสถานศึกษา" in page
    assert "อนุมาน" in page


def test_a_year_without_the_colleges_edition_is_a_404_for_its_score_pages(college, client):
    staff = make_user(organisation=college, username="collegestaff")
    client.force_login(staff)
    assert client.get("/o/college/2566/scores/").status_code == 404


def test_a_sheet_is_checked_against_the_edition_its_assessment_answers_after_a_scheme_change(college):
    do_import(college, "code,score\nO23,100\n")
    college.scheme = "nacc"
    college.save()
    do_import(college, "code,score\nO23,0\nO22,100\n")  # still the ovec edition's codes
    assessment = Assessment.objects.get(organisation=college)
    assert assessment.edition.scheme == "ovec" and assessment.scores.get(key="o23").value == 0
    with pytest.raises(services.ImportRefused) as exc:
        do_import(college, "code,score\nO26,100\n")  # the general edition's item, not this assessment's
    assert exc.value.lines() == ["แถวที่ 2: ไม่รู้จักรหัส “O26” ในกรอบการประเมินปี 2569 ฉบับ สถานศึกษาอาชีวศึกษา (สอศ.)"]
