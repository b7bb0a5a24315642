"""Fixed query counts of the plan, follow-up round, reports and report status pages (the demo
agency, as its staff member, the process's frameworks already built, the session renewed less
than a minute ago so no request saves it: accounts/sessions.py): a count that grows
with the data is a loop of queries, the pages' usual way of getting slow. The analysis
page's count is pinned in tests/assessments/test_views.py (ANALYSIS_QUERIES)."""

import pytest

from tests.factories import client_for

PLAN_QUERIES = 9  # the analysed year's item codes come with the plan's history; the year comes with the plan; the signer's membership is access_organisation's, last year's plan is asked in access_plan's query
FOLLOWUP_QUERIES = (
    9  # the reporter and reported revision come with the round, the year with the plan, the evidence with the entries
)
REPORTS_QUERIES = 6
REPORT_STATUS_QUERIES = 4


@pytest.fixture
def staff_client(demo):
    return client_for(demo.memberships.get(role="staff").user)


def queries_of(client, url, django_assert_num_queries, expected):
    assert client.get(url).status_code == 200  # warm: templates, frameworks
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_plan_page_query_count(staff_client, django_assert_num_queries):
    queries_of(staff_client, "/o/demo/plans/2566/", django_assert_num_queries, PLAN_QUERIES)


def test_followup_round_query_count(staff_client, django_assert_num_queries):
    queries_of(staff_client, "/o/demo/plans/2566/rounds/1/", django_assert_num_queries, FOLLOWUP_QUERIES)


def test_followup_round_query_count_does_not_grow_with_measures(demo, staff_client, django_assert_num_queries):
    from measures.models import Plan

    plan = Plan.objects.get(organisation=demo, fiscal_year__year=2566)
    for measure in list(plan.measures.all()):
        measure.pk = None
        measure.save()
    queries_of(staff_client, "/o/demo/plans/2566/rounds/1/", django_assert_num_queries, FOLLOWUP_QUERIES)


def test_reports_page_query_count(staff_client, django_assert_num_queries):
    queries_of(staff_client, "/o/demo/reports/2566/", django_assert_num_queries, REPORTS_QUERIES)


def test_report_status_page_query_count(demo, staff_client, django_assert_num_queries):
    from datetime import timedelta

    from django.utils import timezone

    from reports.models import Report

    # Being built under a live lease: no request hands it over again, whatever the backend or
    # however slow the machine (a lease-less row was re-sent on PostgreSQL: 13 queries, not 11).
    report = Report.objects.create(
        organisation=demo, kind="measures", year=2566, fmt="pdf", state="running",
        lease_owner="worker@test", lease_expires_at=timezone.now() + timedelta(hours=1),
    )  # fmt: skip
    queries_of(staff_client, f"/o/demo/reports/file/{report.pk}/", django_assert_num_queries, REPORT_STATUS_QUERIES)
