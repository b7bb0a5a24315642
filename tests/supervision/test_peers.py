"""Peers on an agency's analysis: rank, percentile and means of its type, never another's name."""

import pytest
from django.contrib.auth.models import User

from assessments import peers
from assessments.models import Assessment

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
