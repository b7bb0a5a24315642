"""Peers on an agency's analysis: rank, percentile and means of its type, never another's name."""

import pytest
from django.contrib.auth.models import User

from assessments import peers
from assessments.models import Assessment
from tests.factories import fiscal_year, record
from tests.supervision.conftest import scores

pytestmark = pytest.mark.django_db

# Totals (indicators b+1 … b+10 give total b+6.8): a1 76.8, a2 78.8, a3 80.8, a4 82.8, a5 84.8,
# t1 86.8 (ทต.), far 88.8 (อบต. in น่าน).


def groups_of(code):
    assessment = Assessment.objects.select_related("organisation").get(organisation__code=code, fiscal_year__year=2565)
    return {g.scope: g for g in peers.peer_groups(assessment, range(1, 11))}


def test_rank_and_percentile_in_the_province_and_the_country(tree):
    groups = groups_of("a3")
    assert (groups["province"].rank, groups["province"].size, groups["province"].percentile) == (3, 5, 60)
    assert (groups["country"].rank, groups["country"].size, groups["country"].percentile) == (4, 6, 50)


def test_group_means_per_indicator(tree):
    province = groups_of("a3")["province"]
    assert province.means[1] == 75.0 and province.mean_total == 80.8


def test_group_under_five_agencies_shows_nothing_but_its_size(tree):
    group = groups_of("t1")["province"]
    assert (group.enough, group.size, group.rank, group.means, group.mean_total) == (False, 1, None, {}, None)


def test_agency_staff_read_their_peer_ranking_without_other_names(client, tree):
    client.force_login(User.objects.get(username="staff-a3"))
    page = client.get("/o/a3/2565/analysis/").content.decode()
    assert "อันดับ 3 จาก 5" in page and "อันดับ 4 จาก 6" in page
    for other in ("อบต.ที่ 1", "อบต.ที่ 5", "อบต.ไกล", "ทต.หนึ่ง", "84.80", "88.80"):
        assert other not in page


def test_a_peers_new_result_moves_the_cached_ranking(tree):
    assert groups_of("a3")["province"].rank == 3  # computed, then kept in the cache
    record(tree["agencies"][0], 2565, scores(90))  # a1 now above a3 too
    assert groups_of("a3")["province"].rank == 4


def test_a_new_peers_bulk_load_moves_the_cached_ranking(tree, django_capture_on_commit_callbacks):
    from io import BytesIO

    from assessments.bulk_scores import load_scores
    from tests.factories import make_organisation

    make_organisation(code="a6", name="อบต.ที่ 6", org_type="อบต.", province="พิษณุโลก")
    assert groups_of("a3")["country"].rank == 4
    rows = "".join(f"a6,ind{n},{90 + n}\n" for n in range(1, 11))  # a first result, above a3
    with django_capture_on_commit_callbacks(execute=True):
        load_scores(BytesIO(f"org,code,score\n{rows}".encode()), fiscal_year=fiscal_year(2565))
    assert groups_of("a3")["country"].rank == 5


def test_the_kept_peer_groups_cost_no_query(tree, django_assert_num_queries):
    groups_of("a3")
    assessment = Assessment.objects.select_related("organisation").get(organisation__code="a3", fiscal_year__year=2565)
    with django_assert_num_queries(0):
        peers.peer_groups(assessment, range(1, 11))


def test_peer_groups_are_computed_when_the_cache_is_away(tree, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    import supervision.cache

    def away(*_args, **_kwargs):
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(supervision.cache.cache, "get_or_set", away)
    assert groups_of("a3")["province"].rank == 3
