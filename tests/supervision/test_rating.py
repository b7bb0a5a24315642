"""The dashboard's rating column: the rung of the year's rating ladder (2567 on), else the
grade (2565) — counted per rating, filtered and sorted in SQL, exported."""

import io

import pytest
from openpyxl import load_workbook

from tests.factories import record

pytestmark = pytest.mark.django_db

URL = "/s/prov/2565/"
# 2565 totals (conftest): a1 76.8, a2 78.8, a3 80.8, a4 82.8, a5 84.8, t1 86.8; amphoe none.


def summary(total, iit, eit, oit):
    return {("total", "total", ""): total, ("tool", "iit", ""): iit, ("tool", "eit", ""): eit, ("tool", "oit", ""): oit}


@pytest.fixture
def ladder_year(tree):
    """2567: a1 excellent everywhere, a2 high total but one tool at 90, a3 below the pass mark."""
    a1, a2, a3 = tree["agencies"][:3]
    record(a1, 2567, summary(96, 96, 97, 95))
    record(a2, 2567, summary(96, 96, 90, 99))
    record(a3, 2567, summary(80, 80, 80, 80))
    return tree


def ratings(response):
    return {r["code"]: r["rating"] for r in response.context["rows"]}


def test_grade_year_rates_by_its_grade_bands(client, province_supervisor):
    client.force_login(province_supervisor)
    got = ratings(client.get(URL))
    assert (got["a1"], got["t1"], got["amphoe"]) == ("B", "A", "none")


def test_ladder_year_rates_by_its_rungs(client, province_supervisor, ladder_year):
    client.force_login(province_supervisor)
    got = ratings(client.get("/s/prov/2567/"))
    assert (got["a1"], got["a2"], got["a3"], got["a4"]) == ("ผ่านดีเยี่ยม", "ผ่านดี", "ต้องปรับปรุง", "none")


def test_counts_per_rating(client, province_supervisor, ladder_year):
    client.force_login(province_supervisor)
    counted = client.get("/s/prov/2567/").context["counts"]["ratings"]
    assert (counted["ผ่านดีเยี่ยม"], counted["ผ่านดี"], counted["ผ่าน"], counted["ต้องปรับปรุง"], counted["none"]) == (
        1, 1, 0, 1, 4,
    )  # fmt: skip


def test_filter_by_rating(client, province_supervisor):
    client.force_login(province_supervisor)
    response = client.get(URL + "?rating=A")
    assert [r["code"] for r in response.context["rows"]] == ["t1"]
    assert response.context["page"].paginator.count == 1


def test_unknown_rating_filter_is_ignored(client, province_supervisor):
    client.force_login(province_supervisor)
    assert len(client.get(URL + "?rating=ZZ").context["rows"]) == 7


def test_sort_by_rating_best_first_unrated_last(client, province_supervisor, ladder_year):
    client.force_login(province_supervisor)
    codes = [r["code"] for r in client.get("/s/prov/2567/?sort=rating").context["rows"]]
    assert codes[:3] == ["a1", "a2", "a3"]


def test_rating_column_on_the_page(client, province_supervisor, ladder_year):
    client.force_login(province_supervisor)
    page = client.get("/s/prov/2567/").content.decode()
    assert 'data-testid="rating">ผ่านดีเยี่ยม<' in page and "ต้องปรับปรุง 1" in page


def test_export_has_the_rating(client, province_supervisor, ladder_year):
    client.force_login(province_supervisor)
    sheet = load_workbook(io.BytesIO(b"".join(client.get("/s/prov/2567/export.xlsx").streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[1].index("ระดับผลการประเมิน")
    assert {r[0]: r[column] for r in rows[2:]}["a2"] == "ผ่านดี"
