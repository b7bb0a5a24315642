"""Two people editing the same thing: a save based on an older version is refused with what
the other person changed, what was typed stays on the page, and the first change survives.
Entries of a follow-up round stand alone, so two units can report one round at once."""

from datetime import date
from html.parser import HTMLParser

import pytest
from django.test import Client

from assessments.models import Role
from measures import services
from measures.models import FollowUpEntry, Measure
from tests.factories import make_user

pytestmark = pytest.mark.django_db


class FormFields(HTMLParser):
    """What a browser would submit from the page's largest POST form (fields and values)."""

    def __init__(self):
        super().__init__()
        self.forms, self._textarea, self._select = [], None, None

    @property
    def data(self):
        return max(self.forms, key=len)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post":
            self.forms.append({})
        if not self.forms:
            return
        form = self.forms[-1]
        if tag == "input" and a.get("name") and a.get("type") not in ("file", "submit", "checkbox"):
            form[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            form[self._textarea] = ""
        elif tag == "select":
            self._select = (a["name"], "multiple" in a)
            if self._select[1]:
                form[a["name"]] = []
        elif tag == "option" and self._select and "selected" in a:
            name, multiple = self._select
            if multiple:
                form[name].append(a.get("value", ""))
            else:
                form[name] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.forms[-1][self._textarea] += data


def opened(client, url):
    """The form as a browser has it after opening the page."""
    parser = FormFields()
    parser.feed(client.get(url).content.decode())
    return parser.data


def session(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def colleague(org):
    return make_user(organisation=org, role=Role.STAFF, username="colleague", first_name="สมศรี", last_name="ขยัน")


def test_two_sessions_editing_one_measure_the_second_is_refused_and_the_first_change_survives(plan, staff, colleague):
    measure = plan.measures.get()
    url = f"/o/bungkok/plans/2566/measures/{measure.pk}/"
    first, second = session(colleague), session(staff)
    first_form, second_form = opened(first, url), opened(second, url)

    assert first.post(url, {**first_form, "title": "มาตรการของสมศรี"}).status_code == 302
    refused = second.post(url, {**second_form, "title": "มาตรการของเจ้าหน้าที่", "target": "เป้าหมายที่พิมพ์ไว้"})

    assert refused.status_code == 409
    page = refused.content.decode()
    assert "ถูกแก้ไขโดยผู้อื่น" in page and "สมศรี ขยัน" in page
    assert "มาตรการ: “จัดทำแนวทางปฏิบัติเกี่ยวกับการใช้ทรัพย์สินของราชการ” → “มาตรการของสมศรี”" in page
    assert "มาตรการของเจ้าหน้าที่" in page and "เป้าหมายที่พิมพ์ไว้" in page  # what was typed is kept
    assert Measure.objects.get(pk=measure.pk).title == "มาตรการของสมศรี"


def test_saving_again_after_reading_the_conflict_replaces_the_other_change(plan, staff, colleague):
    measure = plan.measures.get()
    url = f"/o/bungkok/plans/2566/measures/{measure.pk}/"
    first, second = session(colleague), session(staff)
    first_form, second_form = opened(first, url), opened(second, url)
    first.post(url, {**first_form, "title": "มาตรการของสมศรี"})
    refused = second.post(url, {**second_form, "title": "มาตรการของเจ้าหน้าที่"})

    parser = FormFields()
    parser.feed(refused.content.decode())
    assert second.post(url, parser.data).status_code == 302
    assert Measure.objects.get(pk=measure.pk).title == "มาตรการของเจ้าหน้าที่"


def test_a_stale_measure_edit_is_refused_by_the_service(plan, staff):
    measure = plan.measures.get()
    services.save_measure(plan, by=staff, measure=measure, version=1, title="ครั้งที่หนึ่ง")
    with pytest.raises(services.EditConflict, match="ถูกแก้ไขโดยผู้อื่น"):
        services.save_measure(plan, by=staff, measure=measure, version=1, title="ครั้งที่สอง")
    assert Measure.objects.get(pk=measure.pk).title == "ครั้งที่หนึ่ง"


@pytest.fixture
def two_measure_round(plan, staff, chain, executive, approver):
    services.save_measure(
        plan, by=staff, issue_area=services.issue_area(1), indicators=[1], title="มาตรการของกองคลัง",
        start=date(2022, 10, 1), end=date(2023, 9, 30),
    )  # fmt: skip
    submitted = services.submit_plan(plan, by=staff)
    services.record_decision(submitted, by=approver, kind="forward")
    approved = services.record_decision(submitted, by=executive, kind="approve")
    first_round, _ = services.ensure_rounds(approved)
    return first_round


def test_two_units_report_different_measures_of_one_round_at_once_and_both_are_kept(
    two_measure_round, staff, colleague
):
    url = "/o/bungkok/plans/2566/rounds/1/"
    one, two = two_measure_round.plan.measures.order_by("order")
    first, second = session(colleague), session(staff)
    first_form, second_form = opened(first, url), opened(second, url)

    first_form.update({f"m{one.pk}-status": "done", f"m{one.pk}-percent": "100", f"m{one.pk}-done": "ประกาศแล้ว"})
    second_form.update({f"m{two.pk}-status": "in_progress", f"m{two.pk}-percent": "40"})
    assert first.post(url, first_form).status_code == 302
    assert second.post(url, second_form).status_code == 302

    entries = {e.measure_id: e for e in FollowUpEntry.objects.filter(round=two_measure_round)}
    assert (entries[one.pk].status, entries[one.pk].percent, entries[one.pk].done) == ("done", 100, "ประกาศแล้ว")
    assert (entries[two.pk].status, entries[two.pk].percent) == ("in_progress", 40)


def test_the_same_entry_reported_by_two_the_second_is_refused_and_keeps_what_was_typed(
    two_measure_round, staff, colleague
):
    url = "/o/bungkok/plans/2566/rounds/1/"
    one = two_measure_round.plan.measures.order_by("order").first()
    first, second = session(colleague), session(staff)
    first_form, second_form = opened(first, url), opened(second, url)

    first_form.update({f"m{one.pk}-status": "done", f"m{one.pk}-percent": "100"})
    second_form.update({f"m{one.pk}-percent": "30", f"m{one.pk}-done": "ข้อความที่เจ้าหน้าที่พิมพ์"})
    assert first.post(url, first_form).status_code == 302
    refused = second.post(url, second_form)

    assert refused.status_code == 409
    page = refused.content.decode()
    assert "ถูกแก้ไขโดยผู้อื่น" in page and "ร้อยละความสำเร็จ: “0” → “100”" in page
    assert "ข้อความที่เจ้าหน้าที่พิมพ์" in page
    entry = FollowUpEntry.objects.get(round=two_measure_round, measure=one)
    assert (entry.status, entry.percent, entry.done) == ("done", 100, "")
