"""Content-Security-Policy: our pages load script and style from our own static files
only, so the policy can forbid inline script and style."""

import re

import pytest
from django.contrib.auth import get_user_model

from tests.factories import log_in_verified

pytestmark = pytest.mark.django_db

INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=\"|javascript:", re.I)


def test_every_page_carries_a_policy_without_unsafe_inline(client):
    response = client.get("/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/o/demo/",
        "/o/demo/2566/scores/",
        "/o/demo/2566/scores/1/",
        "/o/demo/2566/import/",
        "/o/demo/2565/analysis/",
        "/o/demo/2566/analysis/",
        "/o/demo/plans/2566/",
        "/o/demo/plans/2566/measures/new/",
        "/o/demo/plans/2566/revisions/1/",
        "/o/demo/plans/2566/rounds/1/",
        "/o/demo/chain/",
        "/o/demo/people/",
        "/o/demo/reports/2566/",
        "/p/demo/2566/",
        "/notifications/",
    ],
)
def test_our_pages_have_no_inline_script_style_or_handlers(client, demo, path):
    client.force_login(get_user_model().objects.get(username="staff"))
    response = client.get(path, follow=True)
    assert response.status_code == 200, path
    html = response.content.decode()
    found = INLINE.search(html)
    assert not found, html[max(found.start() - 200, 0) : found.end() + 200]


def test_the_login_page_has_no_inline_script_or_style(client):
    assert not INLINE.search(client.get("/login/").content.decode())


def test_the_admin_export_page_binds_its_select_all_box_from_a_static_file(client, org):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    log_in_verified(client, admin)
    html = client.get("/admin/assessments/organisation/export/").content.decode()
    assert "js/admin_export.js" in html and "import_export/export_selectable_fields.js" in html
