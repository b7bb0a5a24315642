"""The analysis page's body is kept in the cache (assessments.analysis_cache): never stale.

Each test reads the page (so its body is cached), writes one thing the page shows, and reads
again: the change is there at once."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assessments import agency_words, services
from assessments.models import Assessment, Indicator, Membership, Recommendation, Role
from tests.factories import client_for, fiscal_year, record

URL = "/o/bungkok/2565/analysis/"
INDICATORS = {("indicator", str(n), ""): "90" for n in range(1, 11)}


@pytest.fixture
def scored(org):
    record(org, 2565, INDICATORS)
    return org


def _assessment(org, year=2565):
    return Assessment.objects.get(organisation=org, fiscal_year__year=year)


def page(client, url=URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def without_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_the_second_view_comes_from_the_cache_and_is_the_same_page(scored, staff):
    client = client_for(staff)
    first = page(client)
    with CaptureQueriesContext(connection) as ctx:
        second = page(client)
    with CaptureQueriesContext(connection) as again:
        page(client)
    assert without_token(second) == without_token(first)
    assert len(ctx.captured_queries) == len(again.captured_queries) < 15


def test_a_changed_score_shows_at_once(scored, staff):
    client = client_for(staff)
    assert "90.00" in page(client)
    record(scored, 2565, {("indicator", "1", ""): "41.25"})
    assert "41.25" in page(client)


def test_a_saved_narrative_shows_at_once(scored, staff):
    client = client_for(staff)
    page(client)
    client.post("/o/bungkok/2565/analysis/narrative/8/", {"text": "คำอธิบายที่เจ้าหน้าที่แก้ไข"})
    assert "คำอธิบายที่เจ้าหน้าที่แก้ไข" in page(client)


def test_a_narrative_edited_again_shows_its_new_text(scored, staff):
    client = client_for(staff)
    client.post("/o/bungkok/2565/analysis/narrative/8/", {"text": "ข้อความแรก"})
    assert "ข้อความแรก" in page(client)
    client.post("/o/bungkok/2565/analysis/narrative/8/", {"text": "ข้อความที่สอง"})
    assert "ข้อความที่สอง" in page(client)


def test_an_items_analysis_shows_at_once(scored, staff):
    client = client_for(staff)
    page(client)
    agency_words.save_item_analysis(_assessment(scored), item_code="i1", label="i1", text="ข้อเท็จจริงที่พบ", by=staff)
    assert "ข้อเท็จจริงที่พบ" in page(client)


def test_an_added_recommendation_shows_at_once(scored, staff):
    client = client_for(staff)
    page(client)
    client.post("/o/bungkok/2565/analysis/recommendations/", {"text": "ควรเผยแพร่ข้อมูล", "tool": "oit"})
    assert "ควรเผยแพร่ข้อมูล" in page(client)


def test_an_edited_recommendation_shows_at_once(scored, staff):
    rec = services.add_recommendation(_assessment(scored), text="ข้อความเดิม", tool="iit", by=staff)
    client = client_for(staff)
    assert "ข้อความเดิม" in page(client)
    rec = Recommendation.objects.get(pk=rec.pk)
    agency_words.edit_recommendation(rec, by=staff, text="ข้อความใหม่", tool="iit", part="", item_codes="")
    html = page(client)
    assert "ข้อความใหม่" in html and "ข้อความเดิม" not in html


def test_a_deleted_recommendation_is_gone_at_once(scored, staff):
    services.add_recommendation(_assessment(scored), text="ข้อที่จะคงไว้", tool="iit", by=staff)
    rec = services.add_recommendation(_assessment(scored), text="ข้อที่จะลบ", tool="iit", by=staff)
    client = client_for(staff)
    assert "ข้อที่จะลบ" in page(client)
    agency_words.delete_recommendation(Recommendation.objects.get(pk=rec.pk), by=staff)
    assert "ข้อที่จะลบ" not in page(client)


def test_a_moved_recommendation_shows_in_its_new_place(scored, staff):
    first = services.add_recommendation(_assessment(scored), text="ข้อแรก", tool="iit", by=staff)
    services.add_recommendation(_assessment(scored), text="ข้อสอง", tool="iit", by=staff)
    client = client_for(staff)
    html = page(client)
    assert html.index("ข้อแรก") < html.index("ข้อสอง")
    agency_words.move_recommendation(Recommendation.objects.get(pk=first.pk), by=staff, offset=1)
    html = page(client)
    assert html.index("ข้อสอง") < html.index("ข้อแรก")


def test_a_change_to_last_years_score_shows_at_once(org, staff):
    record(org, 2565, INDICATORS)
    record(org, 2566, INDICATORS)
    client = client_for(staff)
    assert "37.75" not in page(client, "/o/bungkok/2566/analysis/")
    record(org, 2565, {("indicator", "3", ""): "37.75"})
    assert "37.75" in page(client, "/o/bungkok/2566/analysis/")


def test_last_years_result_shows_as_soon_as_it_is_recorded(org, staff):
    record(org, 2566, INDICATORS)
    client = client_for(staff)
    assert "ยังไม่มีผลปีก่อนในระบบ" in page(client, "/o/bungkok/2566/analysis/")
    record(org, 2565, INDICATORS)
    assert "ยังไม่มีผลปีก่อนในระบบ" not in page(client, "/o/bungkok/2566/analysis/")


def test_a_renamed_organisation_shows_at_once(scored, staff):
    client = client_for(staff)
    page(client)
    scored.name = "เทศบาลที่เปลี่ยนชื่อ"
    scored.save()
    assert "เทศบาลที่เปลี่ยนชื่อ" in page(client)


def test_a_renamed_indicator_shows_at_once(scored, staff):
    from assessments.frameworks import renew_framework

    client = client_for(staff)
    page(client)
    assessment = _assessment(scored)
    # an update sends no signal: the framework's new token is what shows it
    Indicator.objects.filter(edition=assessment.edition, number=1).update(name_th="ชื่อตัวชี้วัดที่แก้ไขแล้ว")
    renew_framework(assessment.edition_id)
    assert "ชื่อตัวชี้วัดที่แก้ไขแล้ว" in page(client)


def test_a_viewer_never_gets_the_editors_links(scored, staff, viewer):
    assert "/analysis/narrative/" in page(client_for(staff))
    assert "/analysis/narrative/" not in page(client_for(viewer))


def test_an_editor_who_becomes_a_viewer_loses_the_links_at_once(scored, staff):
    client = client_for(staff)
    assert "/analysis/narrative/" in page(client)
    Membership.objects.filter(user=staff).update(role=Role.VIEWER)
    assert "/analysis/narrative/" not in page(client)


def test_each_page_carries_its_own_valid_csrf_token_once(scored, staff):
    client_for(staff).get(URL)  # the body is cached now
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    html = page(client)
    assert "csrf-slot-" not in html
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    assert len(tokens) == 1  # the body's forms and the page's logout form: one token, as the template gives
    response = client.post(
        "/o/bungkok/2565/analysis/recommendations/", {"csrfmiddlewaretoken": tokens.pop(), "text": "ผ่านโทเค็น"}
    )
    assert response.status_code == 302


def test_a_page_that_shows_a_forms_errors_is_not_kept(scored, staff):
    client = client_for(staff)
    opened = '<details class="card no-print" open>'
    response = client.post("/o/bungkok/2565/analysis/recommendations/", {"text": ""})
    assert response.status_code == 400 and opened in response.content.decode()
    assert opened not in page(client)


def test_the_page_answers_with_the_cache_away(scored, staff, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    from assessments import analysis_cache

    def away(*args, **kwargs):
        raise RedisConnectionError("away")

    monkeypatch.setattr(analysis_cache.cache, "get", away)
    monkeypatch.setattr(analysis_cache.cache, "set", away)
    assert "90.00" in page(client_for(staff))


def test_the_total_shown_is_the_recorded_one_after_an_import(scored, staff, seed000_items):
    client = client_for(staff)
    page(client)
    with seed000_items.open("rb") as fh:
        services.import_scores(scored, fiscal_year=fiscal_year(2565), fileobj=fh, filename="s.csv", by=None)
    assert "76.29" in page(client)


def test_a_write_elsewhere_keeps_the_body(scored, staff):
    """Another agency's write bumps the results' generation: the peer figures are read again
    (one aggregate); the body is rendered again only if they moved."""
    from supervision.cache import bump

    client = client_for(staff)
    page(client)
    with CaptureQueriesContext(connection) as warm:
        page(client)
    bump()
    with CaptureQueriesContext(connection) as after:
        page(client)
    assert len(after.captured_queries) == len(warm.captured_queries) + 1  # the peers' aggregate


def test_another_agencys_new_total_moves_the_peer_figures_at_once(scored, staff):
    from tests.factories import make_organisation

    others = [make_organisation(org_type=scored.org_type, province=scored.province) for _ in range(5)]
    for other in others:
        record(other, 2565, {key: "80" for key in INDICATORS})
    client = client_for(staff)

    def peers():
        return page(client).split('id="peers"')[1].split("</section>")[0]

    assert '<td class="num">81.67</td>' in peers()  # each indicator: (90 + 5 x 80) / 6
    for other in others:
        record(other, 2565, {key: "60" for key in INDICATORS})
    assert '<td class="num">65.00</td>' in peers()  # (90 + 5 x 60) / 6


def test_a_renewed_framework_of_any_edition_of_last_year_gives_a_new_key(org):
    """The item changes read the items of every edition of both years."""
    from assessments import analysis_cache
    from assessments.frameworks import renew_framework
    from assessments.models import Edition

    record(org, 2565, INDICATORS)
    record(org, 2566, INDICATORS)
    assessment = _assessment(org, 2566)
    before = analysis_cache.fingerprint(assessment)
    for edition in Edition.objects.filter(fiscal_year__year=2565):
        renew_framework(edition.pk)
        assert analysis_cache.fingerprint(assessment) != before
        before = analysis_cache.fingerprint(assessment)
