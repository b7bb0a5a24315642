"""No page of the web interface shows a Christian-era year: every page a member can open,
crawled with the demo's data, shows dates in Buddhist Era."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.access.test_url_matrix import EXPECTED, PK
from tests.access.world import url_names, url_parameters
from tests.factories import log_in_verified

pytestmark = pytest.mark.django_db

# A standalone year of this century (hashes and codes have no word boundary around digits).
CHRISTIAN_ERA_YEAR = re.compile(r"(?<![\w.])20[0-9]{2}(?![\w])")


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return html


@pytest.mark.parametrize("username", ["staff", "executive", "supervisor"])
def test_no_page_shows_a_christian_era_year(username, world, db):
    users, ids = world
    client = log_in_verified(Client(), users[username])
    found, crawled = [], 0
    for name, pattern in sorted(url_names().items()):
        if name in ("logout",) or name.startswith("password_reset_confirm"):
            continue
        kwargs = {}
        for key in url_parameters(pattern):
            kwargs[key] = ids["demo"][PK[name]] if key == "pk" else ids["demo"].get(key, "x")
        if EXPECTED.get((name, "demo" if "code" in kwargs else "-"), {"get": [0] * 8})["get"][1] == 405:
            continue
        response = client.get(reverse(name, kwargs=kwargs))
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            crawled += 1
            text = _visible_text(response.content.decode())
            found += [
                f"{name}: …{text[max(0, m.start() - 30) : m.end() + 10]!r}…" for m in CHRISTIAN_ERA_YEAR.finditer(text)
            ]
    assert crawled >= 15
    assert found == []


def test_the_check_finds_christian_era_dates_but_not_hashes_or_codes():
    text = _visible_text("<p>อนุมัติเมื่อ 1 ธันวาคม 2026</p><td>2022-10-01</td><code>a2026f</code><p>O2026 2567</p>")
    assert [m.group() for m in CHRISTIAN_ERA_YEAR.finditer(text)] == ["2026", "2022"]
