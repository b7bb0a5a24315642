"""Links that leave the site are built from SITE_URL: e-mails, the public OIT address,
password-reset links."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from ita_portal.links import site_domain, site_url

pytestmark = pytest.mark.django_db

SITE = "https://ita.example.go.th"


def test_site_url_puts_a_path_on_the_configured_address(settings):
    settings.SITE_URL = SITE
    assert site_url("/o/demo/plans/2566/") == "https://ita.example.go.th/o/demo/plans/2566/"
    assert site_url("p/demo/2566/") == "https://ita.example.go.th/p/demo/2566/"


def test_site_url_keeps_a_path_prefix_of_the_site(settings):
    settings.SITE_URL = "https://gov.example.go.th/ita"
    assert site_url("/p/demo/2566/") == "https://gov.example.go.th/ita/p/demo/2566/"
    assert site_domain() == "gov.example.go.th/ita"


def test_site_url_leaves_an_address_that_is_already_absolute(settings):
    settings.SITE_URL = SITE
    assert site_url("https://elsewhere.example.org/x") == "https://elsewhere.example.org/x"


def test_the_demo_flow_e_mails_carry_the_plan_address_on_site_url(
    settings, mailoutbox, django_capture_on_commit_callbacks, inline_celery, tmp_path
):
    settings.SITE_URL = SITE
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ita_demo", stdout=StringIO())
    assert mailoutbox, "the demo's approval chain notifies by e-mail"
    for message in mailoutbox:
        assert "https://ita.example.go.th/o/demo/plans/2566/" in message.body
        assert not re.search(r"(?m)^/o/", message.body)


def test_a_submitted_plan_e_mails_the_approver_an_address_on_site_url(
    settings, plan, staff, approver, chain, mailoutbox, django_capture_on_commit_callbacks, inline_celery
):
    from measures import services

    settings.SITE_URL = SITE
    approver.email = "approver@example.org"
    approver.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_plan(plan, by=staff)
    assert len(mailoutbox) == 1
    assert f"https://ita.example.go.th/o/{plan.organisation.code}/plans/2566/" in mailoutbox[0].body


def test_the_reports_page_shows_the_public_address_on_site_url_not_the_request_host(settings, client, demo):
    from django.contrib.auth import get_user_model

    settings.SITE_URL = SITE
    client.force_login(get_user_model().objects.get(username="staff"))
    html = client.get("/o/demo/reports/2566/", HTTP_HOST="127.0.0.1").content.decode()
    assert ">https://ita.example.go.th/p/demo/2566/</a>" in html
    assert "http://127.0.0.1" not in html


def test_the_plan_page_shows_the_public_address_on_site_url(settings, client, demo):
    from django.contrib.auth import get_user_model

    settings.SITE_URL = SITE
    client.force_login(get_user_model().objects.get(username="staff"))
    html = client.get("/o/demo/plans/2566/").content.decode()
    assert ">https://ita.example.go.th/p/demo/2566/</a>" in html


def test_the_password_reset_e_mail_links_to_site_url_whatever_the_host_header(settings, client, staff, mailoutbox):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["*"]
    staff.email = "staff@example.org"
    staff.save()
    client.post("/password_reset/", {"email": staff.email}, HTTP_HOST="attacker.example.com")
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert re.search(r"https://ita\.example\.go\.th/reset/[^/]+/[^/]+/", body), body
    assert "attacker.example.com" not in body


def test_ita_demo_refuses_outside_the_embedded_default(settings):
    from django.contrib.auth import get_user_model
    from django.core.management.base import CommandError

    settings.ITA_EMBEDDED = False
    with pytest.raises(CommandError, match="ITA_EMBEDDED=1"):
        call_command("ita_demo", stdout=StringIO())
    assert not get_user_model().objects.filter(username="staff").exists()
