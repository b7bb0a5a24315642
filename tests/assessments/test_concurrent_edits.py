"""Two people on the same score form or narrative: only the figures each changed are saved;
a change to a figure someone else changed since the page was opened is refused with what
is there now, and what was typed stays on the page."""

from decimal import Decimal

import pytest

from assessments.models import IndicatorNarrative, Role, Score
from tests.factories import make_user, record
from tests.measures.test_concurrent_edits import FormFields, opened, session

pytestmark = pytest.mark.django_db

URL = "/o/bungkok/2565/scores/1/"


@pytest.fixture
def colleague(org):
    return make_user(organisation=org, role=Role.STAFF, username="colleague", first_name="สมศรี", last_name="ขยัน")


@pytest.fixture
def scored(org, staff):
    record(org, 2565, {("item", "i1", ""): "80", ("item", "i2", ""): "70"})
    return org


def test_two_people_changing_different_figures_of_one_form_keep_both(scored, staff, colleague):
    first, second = session(colleague), session(staff)
    first_form, second_form = opened(first, URL), opened(second, URL)
    assert first.post(URL, {**first_form, "item__i1__x": "81"}).status_code == 302
    assert second.post(URL, {**second_form, "item__i2__x": "72"}).status_code == 302
    assert Score.objects.get(key="i1").value == Decimal("81") and Score.objects.get(key="i2").value == Decimal("72")


def test_a_figure_changed_by_someone_else_since_the_page_was_opened_is_not_overwritten(scored, staff, colleague):
    first, second = session(colleague), session(staff)
    first_form, second_form = opened(first, URL), opened(second, URL)
    assert first.post(URL, {**first_form, "item__i1__x": "81"}).status_code == 302
    refused = second.post(URL, {**second_form, "item__i1__x": "79.50", "item__i2__x": "71"})

    assert refused.status_code == 409
    page = refused.content.decode()
    assert "ถูกแก้ไขโดยผู้อื่น" in page and "ข้อ i1: ตอนนี้ 81.00 (โดย สมศรี ขยัน)" in page
    assert 'value="79.50"' in page and 'value="71"' in page  # what was typed is kept
    assert Score.objects.get(key="i1").value == Decimal("81") and Score.objects.get(key="i2").value == Decimal("70")

    parser = FormFields()
    parser.feed(page)
    assert second.post(URL, parser.data).status_code == 302  # saving again, knowingly, replaces it
    assert Score.objects.get(key="i1").value == Decimal("79.50")


def test_a_narrative_saved_by_someone_else_since_the_page_was_opened_is_not_overwritten(scored, staff, colleague):
    url = "/o/bungkok/2565/analysis/narrative/1/"
    first, second = session(colleague), session(staff)
    first_form, second_form = opened(first, url), opened(second, url)
    assert first.post(url, {**first_form, "text": "คำอธิบายของสมศรี"}).status_code == 302
    refused = second.post(url, {**second_form, "text": "คำอธิบายของเจ้าหน้าที่"})

    assert refused.status_code == 409
    page = refused.content.decode()
    assert "ถูกแก้ไขโดยผู้อื่น" in page and "“คำอธิบายของสมศรี” (โดย สมศรี ขยัน)" in page
    assert "คำอธิบายของเจ้าหน้าที่" in page
    assert IndicatorNarrative.objects.get(indicator_number=1).text == "คำอธิบายของสมศรี"
