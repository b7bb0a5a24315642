"""The supervisor's dashboard: every agency below, its cycle, counts, means, export."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from assessments.frameworks import framework_for
from assessments.models import FiscalYear

pytestmark = pytest.mark.django_db

URL = "/s/prov/2565/"


def rows(response):
    return [r["code"] for r in response.context["rows"]]


def test_supervisor_sees_every_agency_below_at_any_depth(client, province_supervisor):
    client.force_login(province_supervisor)
    assert rows(client.get(URL)) == ["a1", "a2", "a3", "a4", "a5", "amphoe", "t1"]


def test_each_agency_has_its_cycle_stage(client, province_supervisor):
    client.force_login(province_supervisor)
    stages = {r["code"]: r["stage"] for r in client.get(URL).context["rows"]}
    assert stages == {
        "a1": "published", "a2": "published", "a3": "submitted", "a4": "drafted", "a5": "scores",
        "amphoe": "none", "t1": "scores",
    }  # fmt: skip


def test_rounds_show_reported_overdue_and_pending(client, province_supervisor):
    client.force_login(province_supervisor)
    by_code = {r["code"]: r for r in client.get(URL).context["rows"]}
    assert [x["state"] for x in by_code["a1"]["rounds"]] == ["reported", "pending"]
    assert [x["state"] for x in by_code["a2"]["rounds"]] == ["overdue"]
    assert by_code["a2"]["late"] and not by_code["a1"]["late"]


def test_counts_per_stage(client, province_supervisor):
    client.force_login(province_supervisor)
    counts = client.get(URL).context["counts"]
    assert (counts["all"], counts["published"], counts["unpublished"], counts["scores"], counts["late"]) == (
        7,
        2,
        5,
        2,
        1,
    )


def test_filter_to_agencies_that_have_not_published(client, province_supervisor):
    client.force_login(province_supervisor)
    assert rows(client.get(URL + "?stage=unpublished")) == ["a3", "a4", "a5", "amphoe", "t1"]


def test_filter_by_type_and_district(client, province_supervisor):
    client.force_login(province_supervisor)
    assert rows(client.get(URL + "?type=ทต.")) == ["t1"]
    assert rows(client.get(URL + "?district=บางระกำ&stage=published")) == ["a1", "a2"]


def test_sort_by_total_highest_first_missing_last(client, province_supervisor):
    client.force_login(province_supervisor)
    assert rows(client.get(URL + "?sort=-total")) == ["t1", "a5", "a4", "a3", "a2", "a1", "amphoe"]


def test_sort_by_a_tool(client, province_supervisor):
    client.force_login(province_supervisor)
    assert rows(client.get(URL + "?sort=oit"))[:2] == ["a1", "a2"]


def test_group_mean_per_indicator_beside_the_country(client, province_supervisor):
    client.force_login(province_supervisor)
    first = {i["number"]: i for i in client.get(URL + "?type=อบต.").context["indicators"]}[1]
    # a1..a5 indicator 1 = 71, 73, 75, 77, 79; the country adds t1 (81) and far (83).
    assert (first["group"], first["country"]) == (75.0, 77.0)


def test_unknown_filter_values_are_ignored(client, province_supervisor):
    client.force_login(province_supervisor)
    response = client.get(URL + "?sort=password&stage=evil")
    assert response.status_code == 200 and len(rows(response)) == 7


def test_agency_staff_get_404_on_the_dashboard_of_their_supervisor(client, tree):
    from django.contrib.auth.models import User

    client.force_login(User.objects.get(username="staff-a1"))
    assert client.get(URL).status_code == 404


def test_member_of_a_body_who_is_not_its_supervisor_gets_404(client, tree):
    from assessments.models import Role
    from tests.factories import make_user

    client.force_login(make_user(organisation=tree["prov"], role=Role.STAFF))
    assert client.get(URL).status_code == 404


def test_supervisor_of_a_lower_body_sees_only_its_branch(client, tree):
    from assessments.models import Role
    from tests.factories import make_user

    client.force_login(make_user(organisation=tree["amphoe"], role=Role.SUPERVISOR))
    assert rows(client.get("/s/amphoe/2565/")) == ["a1", "a2", "a3", "a4", "a5"]
    assert client.get(URL).status_code == 404


def test_supervisor_opens_an_agency_read_only(client, province_supervisor):
    client.force_login(province_supervisor)
    assert client.get("/o/a1/2565/analysis/").status_code == 200
    assert client.post("/o/a1/2565/scores/", {}).status_code == 403


def test_export_has_the_filtered_rows_in_order(client, province_supervisor):
    client.force_login(province_supervisor)
    response = client.get("/s/prov/2565/export.xlsx?stage=unpublished&sort=-total")
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    codes = [r[0] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert codes == ["t1", "a5", "a4", "a3", "amphoe"]


def test_export_writes_a_formula_like_name_as_text(client, province_supervisor, tree):
    tree["t1"].name = '=HYPERLINK("http://x")'
    tree["t1"].save()
    client.force_login(province_supervisor)
    ws = load_workbook(io.BytesIO(b"".join(client.get("/s/prov/2565/export.xlsx?type=ทต.").streaming_content))).active
    cell = ws.cell(row=3, column=2)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x")', "s")


# session, user, access (the supervisor's path prefixes the body's), unread notices, the
# second-factor check (2) (no idle-expiry save: the session was renewed less than a minute ago,
# accounts/sessions.py): none of them per agency;
# the page's rows and their rounds come from the cache too.
DASHBOARD_QUERIES_CACHED = 5
# ... and, when the cache holds nothing yet (or a write bumped its generation): the fiscal year +
# its editions + grade bands, the next year, chases, counts per stage and rating with the
# group's means (one grouped query, whose "selected" count pages the list), country means,
# years, filter choices, the page's rows (ORDER BY … LIMIT/OFFSET) and the rounds of their plans.
DASHBOARD_QUERIES = DASHBOARD_QUERIES_CACHED + 11


def _more_agencies(tree, n=20):
    from datetime import date

    from tests.factories import make_organisation, record
    from tests.supervision.conftest import make_plan, scores

    for i in range(n):
        org = make_organisation(code=f"x{i}", parent=tree["amphoe"], province="พิษณุโลก")
        record(org, 2565, scores(60))
        make_plan(org, rounds=[(date(2023, 3, 31), i % 2 == 0)])


def test_dashboard_query_count_does_not_grow_with_agencies(
    client, province_supervisor, django_assert_num_queries, tree
):
    from supervision.cache import bump, bump_steady

    def cold():  # as after any write (not cache.clear(): the cache may share Redis with Celery)
        bump()
        bump_steady()

    client.force_login(province_supervisor)
    framework_for(FiscalYear.objects.get(year=2565))
    client.get(URL)
    cold()
    with django_assert_num_queries(DASHBOARD_QUERIES):
        client.get(URL)
    _more_agencies(tree)
    cold()
    with django_assert_num_queries(DASHBOARD_QUERIES):
        client.get(URL)


def test_cached_dashboard_query_count_does_not_grow_with_agencies(
    client, province_supervisor, django_assert_num_queries, tree
):
    client.force_login(province_supervisor)
    framework_for(FiscalYear.objects.get(year=2565))
    _more_agencies(tree)
    client.get(URL)
    with django_assert_num_queries(DASHBOARD_QUERIES_CACHED):
        client.get(URL + "?page=1")


def test_cached_counts_follow_a_new_result(client, province_supervisor, tree):
    from tests.factories import record
    from tests.supervision.conftest import scores

    client.force_login(province_supervisor)
    assert client.get(URL).context["counts"]["none"] == 1  # amphoe has no result yet
    record(tree["amphoe"], 2565, scores(60))
    assert client.get(URL).context["counts"]["none"] == 0


def test_administrator_opens_any_dashboard(admin_client, tree):
    assert admin_client.get("/s/amphoe/2565/").status_code == 200


EXPORT_QUERIES = (
    10  # session, user, second factor, access, fiscal year + editions + grade bands, next year, rows, rounds
)


def test_export_query_count_does_not_grow_with_agencies(client, province_supervisor, django_assert_num_queries, tree):
    from tests.factories import make_organisation, record
    from tests.supervision.conftest import make_plan, scores

    client.force_login(province_supervisor)
    client.get("/s/prov/2565/export.xlsx")
    for n in range(10):
        org = make_organisation(code=f"y{n}", parent=tree["amphoe"])
        record(org, 2565, scores(60))
        make_plan(org)
    with django_assert_num_queries(EXPORT_QUERIES):
        client.get("/s/prov/2565/export.xlsx")


def test_agency_names_are_escaped_in_the_rows(client, province_supervisor, tree):
    from tests.factories import make_organisation

    make_organisation(code="evil", name="<script>x</script>", parent=tree["amphoe"])
    client.force_login(province_supervisor)
    page = client.get(URL).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page


def test_rendered_counts_follow_a_new_result(client, province_supervisor, tree):
    from tests.factories import record
    from tests.supervision.conftest import scores

    client.force_login(province_supervisor)
    assert "ยังไม่มีคะแนน 1<" in client.get(URL).content.decode()
    record(tree["amphoe"], 2565, scores(60))
    assert "ยังไม่มีคะแนน 0<" in client.get(URL).content.decode()


def test_sorted_page_follows_a_new_result(client, province_supervisor, tree):
    from tests.factories import record
    from tests.supervision.conftest import scores

    client.force_login(province_supervisor)
    assert rows(client.get(URL + "?sort=-total"))[-1] == "amphoe"  # no result: last
    record(tree["amphoe"], 2565, scores(89))
    assert rows(client.get(URL + "?sort=-total"))[0] == "amphoe"


def test_filtered_page_follows_a_published_plan(client, province_supervisor, tree):
    from tests.supervision.conftest import make_plan

    client.force_login(province_supervisor)
    assert "t1" in rows(client.get(URL + "?stage=unpublished"))
    make_plan(tree["t1"], state="approved", published=True)
    assert "t1" not in rows(client.get(URL + "?stage=unpublished"))


def test_later_page_has_the_next_rows_in_order(client, province_supervisor, monkeypatch):
    from supervision import dashboard

    monkeypatch.setattr(dashboard, "PAGE_SIZE", 3)
    client.force_login(province_supervisor)
    assert rows(client.get(URL + "?sort=-total&page=2")) == ["a3", "a2", "a1"]


def test_first_and_later_pages_together_list_the_selection_once_in_order(client, province_supervisor, monkeypatch):
    from supervision import dashboard

    # Page 1 is read by LIMIT, the later pages by the cached order of ids: one sequence.
    monkeypatch.setattr(dashboard, "PAGE_SIZE", 3)
    client.force_login(province_supervisor)
    whole = client.get(URL + "?stage=unpublished&sort=-total")
    n = whole.context["page"].paginator.count
    pages = [rows(client.get(URL + f"?stage=unpublished&sort=-total&page={p}")) for p in range(1, (n + 2) // 3 + 1)]
    listed = [code for page in pages for code in page]
    context = whole.context
    qs = dashboard.agencies(context["root"], context["fiscal_year"], context["plan_year"], today=timezone.localdate())
    expected = dashboard.ordered(dashboard.filtered(qs, context["filters"]), "-total").values_list("code", flat=True)
    assert listed == list(expected)
    assert len(listed) == n > 3


def test_export_is_streamed_as_an_attachment(client, province_supervisor):
    client.force_login(province_supervisor)
    response = client.get("/s/prov/2565/export.xlsx")
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="ita-prov-2565.xlsx"'
    assert int(response["Content-Length"]) == len(b"".join(response.streaming_content))


def test_a_write_elsewhere_leaves_the_cached_dashboard_in_use(
    client, province_supervisor, django_assert_num_queries, tree
):
    from tests.factories import record
    from tests.supervision.conftest import make_plan, scores

    client.force_login(province_supervisor)
    framework_for(FiscalYear.objects.get(year=2565))
    client.get(URL)
    record(tree["far"], 2565, scores(40))  # "far" is not below prov
    make_plan(tree["far"])
    with django_assert_num_queries(DASHBOARD_QUERIES_CACHED):
        client.get(URL)


def test_a_write_below_recomputes_the_dashboards_of_every_body_above(client, admin_client, province_supervisor, tree):
    from measures.models import Plan

    client.force_login(province_supervisor)
    assert client.get(URL).context["counts"]["submitted"] == 1
    assert admin_client.get("/s/amphoe/2565/").context["counts"]["submitted"] == 1
    plan = Plan.objects.get(organisation=tree["agencies"][3])  # a4, below amphoe below prov
    plan.state = Plan.State.SUBMITTED
    plan.save()
    assert client.get(URL).context["counts"]["submitted"] == 2
    assert admin_client.get("/s/amphoe/2565/").context["counts"]["submitted"] == 2


def test_a_write_of_the_tree_recomputes_every_dashboard(client, province_supervisor, tree):
    client.force_login(province_supervisor)
    assert client.get(URL).context["counts"]["all"] == 7
    far = tree["far"]
    far.parent = tree["prov"]
    far.save()
    assert client.get(URL).context["counts"]["all"] == 8


# After a write of one agency's cycle below: the counts with the group's means, the page's rows
# (LIMIT/OFFSET) and their rounds; not the year, the years, the menus or the chases.
DASHBOARD_QUERIES_AFTER_A_WRITE_BELOW = DASHBOARD_QUERIES_CACHED + 3


def test_a_write_below_recomputes_only_the_figures_over_the_agencies(
    client, province_supervisor, django_assert_num_queries, tree
):
    from measures.models import Plan

    client.force_login(province_supervisor)
    framework_for(FiscalYear.objects.get(year=2565))
    client.get(URL)
    plan = Plan.objects.get(organisation=tree["agencies"][3])
    plan.state = Plan.State.SUBMITTED
    plan.save()
    with django_assert_num_queries(DASHBOARD_QUERIES_AFTER_A_WRITE_BELOW):
        assert client.get(URL).context["counts"]["submitted"] == 2


def _rendered(client, testid: str, end: str) -> str:
    """The part of the dashboard's HTML from the element ``testid`` to ``end`` (the fragments
    cached by what they show: these must follow every write that changes it)."""
    html = client.get(URL).content.decode()
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index(end, start)]


def test_the_rendered_counts_follow_a_write_below(client, province_supervisor, tree):
    from measures.models import Plan

    client.force_login(province_supervisor)
    assert "เสนอพิจารณา 1" in _rendered(client, "stage-counts", "</section>")
    plan = Plan.objects.get(organisation=tree["agencies"][3])
    plan.state = Plan.State.SUBMITTED
    plan.save()
    assert "เสนอพิจารณา 2" in _rendered(client, "stage-counts", "</section>")


def test_the_rendered_means_follow_a_new_result(client, province_supervisor, tree):
    from tests.factories import record
    from tests.supervision.conftest import scores

    client.force_login(province_supervisor)
    before = _rendered(client, "means", "</table>")
    record(tree["agencies"][0], 2565, scores(10))
    assert _rendered(client, "means", "</table>") != before


@pytest.mark.parametrize(
    "params", [{}, {"stage": "unpublished"}, {"stage": "published"}, {"rating": "none"}, {"type": "อบต."}]
)
def test_the_means_beside_the_counts_are_the_group_means(tree, params):
    """counts_and_means's means (summed from the grouped counts) = group_means (its own query)."""
    from datetime import date

    from supervision import dashboard

    fy = FiscalYear.objects.prefetch_related("editions__grade_bands").get(year=2565)
    ratings = dashboard.Ratings.of(fy)
    filters = dashboard.Filters.from_query(params, ratings)
    qs = dashboard.agencies(tree["prov"], fy, dashboard.plan_year_of(fy), today=date.today(), ratings=ratings)
    numbers = list(range(1, 11))
    found, means = dashboard.counts_and_means(
        dashboard.filtered(qs, filters, with_stage=False), ratings, filters, numbers
    )
    assert found == dashboard.counts(dashboard.filtered(qs, filters, with_stage=False), ratings, filters)
    expected = dashboard.group_means(dashboard.filtered(qs, filters), fy, numbers, root=tree["prov"], filters=filters)
    assert means == expected
    if not params:
        assert all(v is not None for v in means.values())


@pytest.mark.parametrize("params", [{}, {"stage": "unpublished"}, {"stage": "late"}, {"rating": "none"}])
def test_the_counts_over_the_rows_alone_are_the_counts_over_the_agencies(tree, params):
    """Without a filter on the organisations' columns the figures read the CycleStatus rows
    alone (status_rows): the same counts and means, the agencies without a row as "none"."""
    from datetime import date

    from supervision import dashboard

    fy = FiscalYear.objects.prefetch_related("editions__grade_bands").get(year=2565)
    ratings = dashboard.Ratings.of(fy)
    filters = dashboard.Filters.from_query(params, ratings)
    qs = dashboard.agencies(tree["prov"], fy, dashboard.plan_year_of(fy), today=date.today(), ratings=ratings)
    numbers = list(range(1, 11))
    expected = dashboard.counts_and_means(dashboard.filtered(qs, filters, with_stage=False), ratings, filters, numbers)
    rows = dashboard.status_rows(tree["prov"], fy, today=date.today(), ratings=ratings)
    found = dashboard.counts_and_means(rows, ratings, filters, numbers, rows=tree["prov"])
    assert found == expected
    assert found[0]["none"] > 0  # agencies without a row are counted


def test_the_counts_over_no_row_at_all_count_every_agency_as_none(tree):
    from datetime import date

    from supervision import dashboard
    from supervision.models import CycleStatus

    CycleStatus.objects.all().delete()
    fy = FiscalYear.objects.prefetch_related("editions__grade_bands").get(year=2565)
    ratings = dashboard.Ratings.of(fy)
    rows = dashboard.status_rows(tree["prov"], fy, today=date.today(), ratings=ratings)
    found, _ = dashboard.counts_and_means(rows, ratings, dashboard.Filters(), [1], rows=tree["prov"])
    assert found["none"] == found["all"] == found["selected"] == 7  # amphoe, a1..a5, t1
