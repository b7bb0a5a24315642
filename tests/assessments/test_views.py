"""Pages: who may see what, score entry, the import flow, the analysis page."""

import io
import itertools
from decimal import Decimal

import pytest
from django.test import Client

from assessments import services
from assessments.models import ChangeLog, Score
from tests.factories import client_for, fiscal_year, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(org, seed000_items):
    with seed000_items.open("rb") as fh:
        services.import_scores(org, fiscal_year=fiscal_year(2565), fileobj=fh, filename="s.csv", by=None)
    return org


# --- who sees what ---------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(org):
    response = Client().get("/o/bungkok/2565/analysis/")
    assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.parametrize(
    "url",
    ["/o/bungkok/", "/o/bungkok/2565/scores/", "/o/bungkok/2565/scores/1/", "/o/bungkok/2565/import/",
     "/o/bungkok/2565/analysis/", "/o/bungkok/2565/analysis/narrative/1/"],
)  # fmt: skip
def test_outsider_gets_404_on_every_page_of_another_organisation(scored, outsider, url):
    assert client_for(outsider).get(url).status_code == 404


def test_outsider_cannot_post_scores_to_another_organisation(scored, outsider):
    response = client_for(outsider).post("/o/bungkok/2565/scores/1/", {"item__i1__x": "10"})
    assert response.status_code == 404
    assert Score.objects.get(key="i1").value == Decimal("82.51")


def test_supervisor_reads_organisations_below_it(scored, supervisor):
    client = client_for(supervisor)
    assert client.get("/o/bungkok/2565/analysis/").status_code == 200
    assert "องค์การบริหารส่วนตำบลบึงกอก" in client.get("/").content.decode()


def test_supervisor_cannot_change_scores(scored, supervisor):
    assert client_for(supervisor).post("/o/bungkok/2565/scores/1/", {"item__i1__x": "10"}).status_code == 403


def test_viewer_reads_but_cannot_change_scores(scored, viewer):
    client = client_for(viewer)
    assert client.get("/o/bungkok/2565/analysis/").status_code == 200
    assert client.post("/o/bungkok/2565/scores/1/", {"item__i1__x": "10"}).status_code == 403
    assert client.get("/o/bungkok/2565/import/").status_code == 403


def test_staff_of_one_organisation_goes_straight_to_it(staff):
    response = client_for(staff).get("/")
    assert response.status_code == 302 and response.url == "/o/bungkok/"


def test_year_without_framework_is_404(staff):
    assert client_for(staff).get("/o/bungkok/2599/scores/").status_code == 404


# --- score entry -----------------------------------------------------------


def test_indicator_form_saves_thai_digits_and_logs_who(staff):
    client = client_for(staff)
    response = client.post("/o/bungkok/2565/scores/1/", {"item__i1__x": "๘๒.๕๑", "item__i2__x": "85.35", "save": ""})
    assert response.status_code == 302
    assert Score.objects.get(key="i1").value == Decimal("82.51")
    log = ChangeLog.objects.get(action="scores.form")
    assert log.user == staff and ["item", "i1", "", "82.51"] in log.details["added"]


def test_bad_field_shows_thai_message_and_keeps_everything_typed(staff):
    client = client_for(staff)
    response = client.post("/o/bungkok/2565/scores/1/", {"item__i1__x": "101", "item__i2__x": "85.35"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "คะแนนต้องอยู่ระหว่าง 0 ถึง 100" in html
    assert 'value="85.35"' in html and 'value="101"' in html
    assert not Score.objects.exists()


def test_clearing_a_field_removes_that_figure(staff):
    record(staff.memberships.get().organisation, 2565, {("item", "i1", ""): "80"})
    client_for(staff).post("/o/bungkok/2565/scores/1/", {"item__i1__x": ""})
    assert not Score.objects.filter(key="i1").exists()


def test_save_next_goes_to_the_next_indicator(staff):
    response = client_for(staff).post("/o/bungkok/2565/scores/1/", {"item__i1__x": "80", "save_next": ""})
    assert response.url == "/o/bungkok/2565/scores/2/"


def test_2566_eit_items_have_a_field_per_part(staff):
    html = client_for(staff).get("/o/bungkok/2566/scores/6/").content.decode()
    assert 'name="item__e1__public"' in html and 'name="item__e1__survey"' in html


def test_summary_form_records_tool_parts_and_total(staff):
    client = client_for(staff)
    client.post(
        "/o/bungkok/2566/scores/",
        {"tool__eit__public": "92.57", "tool__eit__survey": "79.21", "total__total__x": "92.31"},
    )
    assert set(Score.objects.values_list("level", "key", "part")) == {
        ("tool", "eit", "public"),
        ("tool", "eit", "survey"),
        ("total", "total", ""),
    }


def test_published_and_computed_figures_are_shown_side_by_side_with_a_flag(staff, org):
    record(org, 2565, {("item", f"i{n}", ""): "90" for n in range(1, 7)} | {("indicator", "1", ""): "80"})
    html = client_for(staff).get("/o/bungkok/2565/scores/1/").content.decode()
    assert 'value="80.00"' in html and "90.00" in html and "ต่างเกิน 0.05" in html


# --- import through the web ------------------------------------------------


def upload(client, text, name="scores.csv"):
    f = io.BytesIO(text.encode())
    f.name = name
    return client.post("/o/bungkok/2565/import/", {"file": f})


def test_web_import_previews_then_saves_on_confirm(staff):
    client = client_for(staff)
    response = upload(client, "code,score\ni1,80\ni2,๘๕\n")
    assert response.status_code == 200 and "ยืนยันการนำเข้า" in response.content.decode()
    assert not Score.objects.exists()
    token = response.context["token"]
    response = client.post("/o/bungkok/2565/import/", {"confirm": "", "token": token})
    assert response.status_code == 302
    assert Score.objects.count() == 2


def test_web_import_of_bad_file_names_rows_and_saves_nothing(staff):
    response = upload(client_for(staff), "code,score\ni1,80\nx9,1\n")
    assert response.status_code == 400
    assert "แถวที่ 3: ไม่รู้จักรหัส “x9” ในกรอบการประเมินปี 2565" in response.content.decode()
    assert not Score.objects.exists()


def test_web_import_refuses_other_file_types(staff):
    response = upload(client_for(staff), "hello", name="scores.pdf")
    assert "รองรับเฉพาะไฟล์ .csv และ .xlsx" in response.content.decode()


def test_confirm_without_a_checked_file_saves_nothing(staff):
    response = client_for(staff).post("/o/bungkok/2565/import/", {"confirm": "", "token": "forged"})
    assert response.status_code == 302
    assert not Score.objects.exists()


# --- analysis page ---------------------------------------------------------


def test_analysis_page_shows_seed000_figures_and_ordered_lists(scored, staff):
    response = client_for(staff).get("/o/bungkok/2565/analysis/")
    html = response.content.decode()
    assert "76.29" in html and "93.75" in html
    assert [i.number for i in response.context["a"].strengths] == [10, 1, 3, 5, 2]
    assert "<svg" in html


def test_analysis_page_without_scores_says_what_to_do(staff):
    assert "ยังไม่มีคะแนนปี 2565" in client_for(staff).get("/o/bungkok/2565/analysis/").content.decode()


def test_edited_narrative_is_kept_and_shown(scored, staff):
    client = client_for(staff)
    client.post("/o/bungkok/2565/analysis/narrative/8/", {"text": "คำอธิบายที่เจ้าหน้าที่แก้ไข"})
    assert "คำอธิบายที่เจ้าหน้าที่แก้ไข" in client.get("/o/bungkok/2565/analysis/").content.decode()


# session, user, second-factor check, organisation (with the user's memberships and unread notices,
# one query), fiscal years, scores, narratives, ... (no idle-expiry session save: the session was
# renewed less than a minute ago), 1 for the per-item change since the previous year (both years'
# item topics; last year's assessment and scores are the analysis's) and 1 for the agency's
# analyses of items; the assessment's organisation and year are the rows access_assessment read,
# not loaded again, and whether it holds scores is read with it. Both peer groups (one aggregate,
# PEER_QUERIES) come from the cache until a write bumps its generation.
# The body (all of the page's own rows) is kept by assessments.analysis_cache under a key read in
# one query (its words' and both years' scores' counts and changes, last year's assessment, the
# editions' framework tokens) and the peer figures: a page seen again reads only the request's
# fixed rows and that key; the first page after a write of what it shows renders the body.
ANALYSIS_QUERIES = 7  # the body from the cache: session, user, second factor, organisation with memberships and unread, year, assessment, the key
ANALYSIS_RENDER_QUERIES = 14  # the body rendered: 15 as pinned before the body was cached, less last year's assessment and scores read again for the item changes, and the key
PEER_QUERIES = 1  # the aggregate over both peer groups, once per cache generation
FRAMEWORK_QUERIES = 9  # building one year's framework, once per process and framework token


def analysis_queries(client, year, *, cold=False, rendered=False):
    """Queries of one analysis page; warm (the process already keeps the frameworks and the
    page's body) unless ``cold`` (a new process after a write) or ``rendered`` (after a
    write of something the body shows, here a narrative: the body is rendered again)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.frameworks import forget_built_frameworks
    from assessments.models import Assessment, IndicatorNarrative

    client.get(f"/o/bungkok/{year}/analysis/")
    if cold:
        forget_built_frameworks()
    if cold or rendered:
        assessment = Assessment.objects.get(organisation__code="bungkok", fiscal_year__year=year)
        IndicatorNarrative.objects.update_or_create(
            assessment=assessment, indicator_number=1, defaults={"text": f"คำอธิบาย {next(_texts)}"}
        )
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/o/bungkok/{year}/analysis/").status_code == 200
    return len(ctx.captured_queries)


_texts = itertools.count()


def test_analysis_page_query_count_does_not_grow_with_items(staff, org):
    client = client_for(staff)
    record(org, 2565, {("indicator", str(n), ""): "90" for n in range(1, 11)})
    few = analysis_queries(client, 2565, rendered=True)
    record(
        org,
        2565,
        {("item", f"o{n}", ""): "100" for n in range(1, 44)} | {("item", f"i{n}", ""): "80" for n in range(1, 31)},
    )
    assert analysis_queries(client, 2565, rendered=True) == few


def test_analysis_page_query_count_does_not_grow_with_years(staff, org):
    client = client_for(staff)
    record(org, 2566, {("indicator", str(n), ""): "90" for n in range(1, 11)})
    record(org, 2565, {("indicator", str(n), ""): "80" for n in range(1, 11)})
    with_previous = analysis_queries(client, 2566, rendered=True)
    record(org, 2567, {("indicator", str(n), ""): "95" for n in range(1, 11)})
    record(org, 2568, {("indicator", str(n), ""): "96" for n in range(1, 11)})
    assert analysis_queries(client, 2568, rendered=True) == with_previous == ANALYSIS_RENDER_QUERIES
    assert analysis_queries(client, 2568) == ANALYSIS_QUERIES
    # this year's and last year's frameworks built again
    assert analysis_queries(client, 2568, cold=True) == ANALYSIS_RENDER_QUERIES + 2 * FRAMEWORK_QUERIES


def test_graded_year_shows_its_grade_not_pass_or_fail(scored, staff):
    html = client_for(staff).get("/o/bungkok/").content.decode()
    assert ">B</span>" in html and "ไม่ผ่าน" not in html


def test_pass_fail_year_shows_pass(org, staff):
    record(org, 2566, {("total", "total", ""): "92.31"})
    assert ">ผ่าน</span>" in client_for(staff).get("/o/bungkok/").content.decode()


def test_item_analysis_links_are_the_addresses_reverse_gives(scored, staff):
    from django.urls import reverse

    html = client_for(staff).get("/o/bungkok/2565/analysis/").content.decode()
    assert f'href="{reverse("item_analysis_edit", args=["bungkok", 2565, "o1"])}"' in html
    assert f'href="{reverse("item_analysis_edit", args=["bungkok", 2565, "i15"])}"' in html
