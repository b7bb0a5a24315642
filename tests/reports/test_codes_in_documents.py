"""Item codes print as the year's framework writes them: E1 and O12 from 2566 on, o11 in 2565."""

import io

import pytest
from pypdf import PdfReader

from reports import builders, pdf

pytestmark = pytest.mark.django_db


def _codes(ctx):
    return [c for g in ctx["plan"]["groups"] for m in g["measures"] for c in m["items"]]


def test_codes_of_a_year_written_upper_case_stay_upper_case_in_the_measures(demo):
    codes = _codes(builders.build("measures", demo, 2570))
    assert "O12" in codes and not [c for c in codes if c != c.upper()]


def test_codes_of_a_year_written_lower_case_stay_as_written(demo):
    assert "o11" in _codes(builders.build("measures", demo, 2566))


def test_the_measures_pdf_prints_the_upper_case_code(demo):
    data = pdf.render_pdf(builders.build("measures", demo, 2570))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "O12" in text and "o12" not in text


def test_the_plan_page_prints_the_upper_case_code(demo):
    from django.contrib.auth.models import User

    from tests.factories import client_for

    html = client_for(User.objects.get(username="staff")).get("/o/demo/plans/2570/").content.decode()
    assert "O12" in html and "o12" not in html


def test_the_2566_framework_writes_its_codes_in_capitals_as_seed_001_does(demo):
    from assessments.codes import display_codes, item_labels
    from assessments.models import FiscalYear

    labels = item_labels(FiscalYear.objects.get(year=2566))
    assert display_codes(["e1", "o34", "i1"], labels) == ["E1", "O34", "I1"]
