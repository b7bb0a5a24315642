"""Hostile form posts and addresses: never a server error, never a stored control character.

Every free-text field of every form gets NUL bytes, control characters, bidirectional
overrides and texts far past any document's length; every number gets NaN, Infinity,
1e20, 10^20 and text; every id in an address or a post gets text and 10^20. The Django
test client re-raises any exception of a view, so a 500 fails the test with its traceback.
"""

import re
from datetime import date

import pytest

from assessments.models import IndicatorNarrative, Recommendation, Score
from measures import services
from measures.models import ApprovalStep, Decision, FollowUpEntry, FollowUpRound, Measure, OrgUnit, Person, Plan
from tests.factories import client_for, fiscal_year, record

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # 10^20 - 1: fits no database integer
TEXTS = [
    "\x00", "ก\x00ข", "มาตรการ\x07\x1b[31m\x7f\x85\ufffe", "\u202eเลขที่\u2066", "ข" * 30_000,
    "=HYPERLINK(\"http://x\",\"y\")<script>alert(1)</script>" + "\r\n" * 3_000,
]  # fmt: skip
NUMBERS = ["NaN", "Infinity", "1e20", HUGE, "-1", "abc", "²", "１２", "\x00", "1" * 5_000]
IDS = ["abc", HUGE, "-1", "\x00", "", "٣"]

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def assert_no_control_characters_stored():
    """Whatever was accepted was cleaned: no stored text holds a control character."""
    rows = [
        *Measure.objects.values_list("title", "method", "monitoring", "target", "steps"),
        *Plan.objects.values_list("memo_number"),
        *OrgUnit.objects.values_list("name"),
        *Person.objects.values_list("name", "position"),
        *ApprovalStep.objects.values_list("title"),
        *Decision.objects.values_list("opinion", "signer_name", "signer_position"),
        *FollowUpEntry.objects.values_list("done", "problems", "suggestions"),
        *FollowUpRound.objects.values_list("problems", "suggestions"),
        *IndicatorNarrative.objects.values_list("text"),
        *Recommendation.objects.values_list("text", "item_codes"),
    ]
    for row in rows:
        for value in row:
            for text in value if isinstance(value, list) else [value]:
                assert not CONTROL.search(str(text)), repr(str(text)[:80])


def post_all(client, url, base, fields, values):
    """Post ``base`` with each hostile value in each field; returns how many posts were sent."""
    sent = 0
    for name in fields:
        for value in values:
            response = client.post(url, {**base, name: value})
            assert response.status_code < 500, (url, name, value[:40])
            sent += 1
    assert_no_control_characters_stored()
    return sent


MEASURE = {
    "issue_area": "4", "indicators": "4", "items": "i23", "title": "มาตรการทดสอบ", "method": "วิธีการ",
    "steps": "ขั้นที่หนึ่ง\nขั้นที่สอง", "start": "01/10/2565", "end": "30/09/2566", "monitoring": "รายงานผล",
    "budget": "15000", "target": "",
}  # fmt: skip


@pytest.fixture
def plan(org, staff):
    plan = services.get_or_create_plan(org, fiscal_year=fiscal_year(2566))
    services.save_measure(
        plan, by=staff, issue_area=services.issue_area(4), indicators=[4], items=["i23"], title="มาตรการ",
        method="", steps=[], start=date(2022, 10, 1), end=date(2023, 9, 30), monitoring="",
    )  # fmt: skip
    return plan


def test_hostile_measure_posts_are_answered_without_a_server_error(plan, staff):
    client = client_for(staff)
    measure = plan.measures.get()
    text_fields = ["title", "method", "steps", "monitoring", "target", "items", "indicators"]
    sent = post_all(client, "/o/bungkok/plans/2566/measures/new/", MEASURE, text_fields, TEXTS)
    sent += post_all(client, f"/o/bungkok/plans/2566/measures/{measure.pk}/", MEASURE, ["title"], TEXTS)
    sent += post_all(client, "/o/bungkok/plans/2566/measures/new/", MEASURE, ["budget", "issue_area"], NUMBERS)
    sent += post_all(client, "/o/bungkok/plans/2566/measures/new/", MEASURE, ["units", "people", "start"], IDS)
    assert sent > 60


def test_a_budget_that_is_not_a_finite_amount_is_refused_in_thai(plan, staff):
    for value in ("NaN", "Infinity", "1e20", HUGE):
        response = client_for(staff).post("/o/bungkok/plans/2566/measures/new/", {**MEASURE, "budget": value})
        assert response.status_code == 400
        assert "งบประมาณ" in response.content.decode()
    assert plan.measures.count() == 1


def test_a_thirty_thousand_character_title_is_refused_and_kept_in_the_form(plan, staff):
    response = client_for(staff).post("/o/bungkok/plans/2566/measures/new/", {**MEASURE, "title": "ข" * 30_000})
    assert response.status_code == 400
    html = response.content.decode()
    assert "ยาวเกิน 2,000 ตัวอักษร (พิมพ์มา 30,000 ตัวอักษร)" in html and "ข" * 30_000 in html
    assert plan.measures.count() == 1


def test_a_nul_in_a_measure_title_is_refused_in_thai(plan, staff):
    response = client_for(staff).post("/o/bungkok/plans/2566/measures/new/", {**MEASURE, "title": "ก\x00ข"})
    assert response.status_code == 400
    assert "มีอักขระ NUL ซึ่งใช้ในข้อความไม่ได้" in response.content.decode()


def test_control_characters_typed_into_a_measure_are_removed(plan, staff):
    response = client_for(staff).post(
        "/o/bungkok/plans/2566/measures/new/", {**MEASURE, "title": "จัด\x07ทำ\u202eคู่มือ", "method": "ก\x1b\nข\r\nค"}
    )
    assert response.status_code == 302
    measure = plan.measures.order_by("-pk").first()
    assert (measure.title, measure.method) == ("จัดทำคู่มือ", "ก\nข\nค")


def test_opening_the_new_measure_page_writes_no_plan(org, staff):
    assert client_for(staff).get("/o/bungkok/plans/2566/measures/new/").status_code == 200
    assert not Plan.objects.exists()


def test_a_nul_in_the_memo_number_is_refused_in_thai(plan, staff):
    response = client_for(staff).post(
        "/o/bungkok/plans/2566/", {"action": "documents", "layout": "issue_area", "memo_number": "มท\x000808/1"}
    )
    assert response.status_code == 400
    assert "อักขระ NUL" in response.content.decode()
    assert Plan.objects.get().memo_number == ""


def test_hostile_plan_actions_are_answered_without_a_server_error(plan, staff):
    client = client_for(staff)
    url = "/o/bungkok/plans/2566/"
    sent = post_all(client, url, {"action": "documents", "layout": "issue_area"}, ["memo_number", "layout"], TEXTS)
    sent += post_all(client, url, {"action": "rounds"}, ["months"], NUMBERS + TEXTS[:4])
    sent += post_all(client, url, {"action": "draft"}, ["analysis_year"], IDS + NUMBERS)
    sent += post_all(client, url, {}, ["action"], TEXTS[:4] + IDS)
    measure = plan.measures.get()
    sent += post_all(client, f"/o/bungkok/plans/2566/measures/{measure.pk}/action/", {}, ["action"], TEXTS[:4] + IDS)
    sent += post_all(client, url, {"action": "submit"}, ["opinion"], TEXTS)
    assert sent > 30


def test_hostile_decisions_are_answered_without_a_server_error(plan, staff, approver):
    step = ApprovalStep.objects.create(organisation=plan.organisation, order=1, title="นายก")
    step.users.add(approver)
    services.submit_plan(plan, by=staff)
    base = {"kind": "forward", "signer_name": "ผู้อนุมัติ", "signer_position": "นายก", "opinion": "เห็นชอบ"}
    client = client_for(approver)
    sent = post_all(client, "/o/bungkok/plans/2566/decide/", base, ["opinion", "signer_name", "signer_position"], TEXTS)
    sent += post_all(client, "/o/bungkok/plans/2566/decide/", base, ["kind", "permit_publish"], IDS + TEXTS[:3])
    assert sent > 20


def test_hostile_chain_and_people_posts_are_answered_without_a_server_error(org, staff):
    client = client_for(staff)
    step = ApprovalStep.objects.create(organisation=org, order=1, title="นายก")
    sent = post_all(client, "/o/bungkok/chain/", {"users": str(staff.pk)}, ["title"], TEXTS)
    sent += post_all(client, "/o/bungkok/chain/", {"title": "ปลัด"}, ["users"], IDS)
    sent += post_all(client, "/o/bungkok/chain/", {"action": "delete"}, ["step"], IDS + [str(step.pk + 1000)])
    sent += post_all(client, "/o/bungkok/people/", {"add_unit": "1"}, ["unit-name"], TEXTS)
    base = {"add_person": "1", "person-name": "นาย ก", "person-position": "", "person-unit": ""}
    sent += post_all(client, "/o/bungkok/people/", base, ["person-name", "person-position"], TEXTS)
    sent += post_all(client, "/o/bungkok/people/", base, ["person-unit"], IDS)
    assert sent > 40


def test_a_step_id_that_is_not_a_number_is_a_404(org, executive):
    response = client_for(executive).post("/o/bungkok/chain/", {"action": "delete", "step": "abc"})
    assert response.status_code == 404


def test_hostile_followup_posts_are_answered_without_a_server_error(plan, staff, approver):
    step = ApprovalStep.objects.create(organisation=plan.organisation, order=1, title="นายก")
    step.users.add(approver)
    services.submit_plan(plan, by=staff)
    plan = services.record_decision(Plan.objects.get(pk=plan.pk), by=approver, kind="approve", permit_publish=True)
    services.ensure_rounds(plan)
    m = plan.measures.get()
    base = {f"m{m.pk}-status": "in_progress", f"m{m.pk}-percent": "50", "round-problems": "", "round-suggestions": ""}
    url = "/o/bungkok/plans/2566/rounds/1/"
    client = client_for(staff)
    fields = [f"m{m.pk}-done", f"m{m.pk}-problems", f"m{m.pk}-suggestions", "round-problems", "round-suggestions",
              f"m{m.pk}-evidence_description", f"m{m.pk}-evidence_url"]  # fmt: skip
    sent = post_all(client, url, base, fields, TEXTS)
    sent += post_all(client, url, base, [f"m{m.pk}-percent", f"m{m.pk}-status"], NUMBERS)
    assert sent > 40


def test_hostile_score_narrative_and_recommendation_posts_are_answered_without_a_server_error(org, staff):
    record(org, 2565, {("item", f"i{n}", ""): "90" for n in range(1, 7)})
    client = client_for(staff)
    sent = post_all(client, "/o/bungkok/2565/scores/1/", {}, ["item__i1__x", "item__i2__x"], NUMBERS + TEXTS[:5])
    sent += post_all(client, "/o/bungkok/2565/analysis/narrative/1/", {}, ["text"], TEXTS)
    base = {"tool": "iit", "part": "", "item_codes": "i1", "text": "ข้อเสนอแนะ"}
    sent += post_all(client, "/o/bungkok/2565/analysis/recommendations/", base, ["text", "item_codes"], TEXTS)
    sent += post_all(client, "/o/bungkok/2565/analysis/recommendations/", base, ["tool", "part"], IDS + TEXTS[:3])
    sent += post_all(client, "/o/bungkok/2565/import/", {"confirm": ""}, ["token"], TEXTS[:4] + IDS)
    sent += post_all(
        client, "/o/bungkok/reports/2565/request/", {"kind": "followup", "fmt": "pdf"}, ["round"], IDS + NUMBERS
    )
    sent += post_all(client, "/o/bungkok/reports/2565/request/", {"kind": "analysis"}, ["kind", "fmt"], TEXTS[:4] + IDS)
    assert Score.objects.count() == 6
    assert sent > 60


ADDRESSES = [
    "/o/bungkok/{n}/scores/", "/o/bungkok/2565/scores/{n}/", "/o/bungkok/{n}/import/", "/o/bungkok/{n}/analysis/",
    "/o/bungkok/2565/analysis/narrative/{n}/", "/o/bungkok/plans/{n}/", "/o/bungkok/plans/2566/measures/{n}/",
    "/o/bungkok/plans/2566/revisions/{n}/", "/o/bungkok/plans/2566/rounds/{n}/", "/o/bungkok/plans/2566/evidence/{n}/",
    "/o/bungkok/reports/{n}/", "/o/bungkok/reports/file/{n}/", "/o/bungkok/reports/file/{n}/download/",
    "/p/bungkok/{n}/", "/p/bungkok/{n}/measures.pdf", "/p/bungkok/2566/followup-{n}.pdf",
]  # fmt: skip


@pytest.mark.parametrize("number", [HUGE, "100000000000000000000", "2147483648", "999999999", "0"])
def test_numbers_in_addresses_past_any_row_are_not_found_never_a_server_error(plan, staff, number):
    client = client_for(staff)
    for address in ADDRESSES:
        response = client.get(address.format(n=number))
        assert response.status_code < 500, (address, number, response.status_code)
        if len(number) > 9:
            assert response.status_code == 404, (address, number, response.status_code)


def test_a_search_with_a_nul_or_a_novel_length_query_is_answered(org, supervisor):
    client = client_for(supervisor)
    for query in ("\x00", "บึง\x00กอก", "ก" * 50_000, "%", "_", "' OR 1=1 --"):
        assert client.get("/", {"q": query, "page": "99999999999999999999"}).status_code == 200
