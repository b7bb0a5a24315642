"""The pages where staff write their own words: a document's texts, an item's analysis,
the assessors' recommendations (edit, delete, move). Nothing typed is lost on error."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from assessments import agency_words
from assessments.models import ItemAnalysis
from reports import texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_staff(demo):
    client = Client()
    client.force_login(User.objects.get(username="staff"))
    return client


def _texts_url(doc="analysis", year=2565):
    return reverse("document_texts", kwargs={"code": "demo", "year": year, "doc": doc})


def _form(client, url):
    form = client.get(url).context["form"]
    return {name: ("" if value is None else value) for name, value in form.initial.items()}


def test_staff_save_a_documents_summary(client_staff, demo):
    data = {**_form(client_staff, _texts_url()), "summary": "สรุปของหน่วยงาน"}
    assert client_staff.post(_texts_url(), data).status_code == 302
    assert texts.texts_for(demo, 2565, "analysis")["summary"] == "สรุปของหน่วยงาน"


def test_a_text_too_long_is_named_and_kept(client_staff):
    typed = "ก" * 20_001
    response = client_staff.post(_texts_url(), {**_form(client_staff, _texts_url()), "summary": typed})
    assert response.status_code == 400 and typed in response.content.decode()


def test_a_conflicting_save_keeps_what_was_typed(client_staff, demo):
    data = _form(client_staff, _texts_url())
    texts.save_texts(demo, 2565, "analysis", values={**data, "summary": "ของอีกคน"}, by=None)
    response = client_staff.post(_texts_url(), {**data, "summary": "ของฉันที่พิมพ์ไว้"})
    body = response.content.decode()
    assert response.status_code == 409 and "ของฉันที่พิมพ์ไว้" in body and "ถูกแก้ไขโดย" in body


def test_the_texts_of_an_approved_plan_are_refused_with_the_reason(client_staff):
    url = _texts_url("measures", 2566)
    response = client_staff.post(url, {**_form(client_staff, url), "summary": "แก้หลังอนุมัติ"})
    assert response.status_code == 409 and "อนุมัติแล้ว" in response.content.decode()


def test_staff_write_an_items_analysis(client_staff, demo):
    url = reverse("item_analysis_edit", kwargs={"code": "demo", "year": 2566, "item": "e13"})
    client_staff.post(url, {"text": "ข้อเท็จจริงพบว่า", "based_on": ""})
    assert ItemAnalysis.objects.get(item_code="e13").text == "ข้อเท็จจริงพบว่า"


def test_an_unknown_item_is_a_404(client_staff):
    url = reverse("item_analysis_edit", kwargs={"code": "demo", "year": 2566, "item": "x99"})
    assert client_staff.get(url).status_code == 404


def test_a_delete_without_the_version_seen_deletes_nothing(client_staff, demo):
    rec = demo.assessments.get(fiscal_year__year=2566).recommendations.first()
    url = reverse("recommendation_delete", kwargs={"code": "demo", "year": 2566, "pk": rec.pk})
    client_staff.post(url)
    assert type(rec).objects.filter(pk=rec.pk).exists()


def test_staff_move_a_recommendation_up_from_the_page(client_staff, demo):
    iit = list(demo.assessments.get(fiscal_year__year=2566).recommendations.filter(tool="iit").order_by("order"))
    url = reverse("recommendation_move", kwargs={"code": "demo", "year": 2566, "pk": iit[1].pk})
    client_staff.post(url, {"direction": "up", "based_on": agency_words.version_of(iit[1])})
    moved = list(demo.assessments.get(fiscal_year__year=2566).recommendations.filter(tool="iit").order_by("order"))
    assert moved[0].pk == iit[1].pk


def test_the_analysis_page_shows_recommendations_under_their_tools(client_staff):
    response = client_staff.get(reverse("analysis", kwargs={"code": "demo", "year": 2566}))
    assert [g["tool"] for g in response.context["recommendation_groups"]] == ["iit", "eit", "oit"]
