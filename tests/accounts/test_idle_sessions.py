"""Idle sessions (accounts.sessions): renewed once the stored expiry is SESSION_REFRESH_SECONDS
old, not on every request; a session still ends at most SESSION_COOKIE_AGE after the last request."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

AGE = 30 * 60
DUE = AGE - 61  # an expiry renewed 61 seconds ago: due again (SESSION_REFRESH_SECONDS is 60)


def signed_in(user):
    client = Client()
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client, client.cookies["sessionid"].value


def expiry_in(key, seconds):
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(seconds=seconds))


def test_a_request_soon_after_the_last_renewal_writes_nothing(viewer):
    client, key = signed_in(viewer)
    before = Session.objects.get(pk=key).expire_date
    response = client.get("/o/bungkok/")
    assert response.status_code == 200 and "sessionid" not in response.cookies
    assert Session.objects.get(pk=key).expire_date == before


def test_the_session_never_outlives_the_idle_limit_after_the_last_request(viewer):
    client, key = signed_in(viewer)
    expiry_in(key, AGE - 30)  # renewed half a minute ago: not due again yet
    asked_at = timezone.now()
    assert client.get("/o/bungkok/").status_code == 200
    assert Session.objects.get(pk=key).expire_date <= asked_at + timedelta(seconds=AGE)


def test_a_due_renewal_moves_the_deadline_and_the_cookie(viewer):
    client, key = signed_in(viewer)
    expiry_in(key, DUE)
    response = client.get("/o/bungkok/")
    assert response.cookies["sessionid"]["max-age"] == AGE
    assert Session.objects.get(pk=key).expire_date > timezone.now() + timedelta(seconds=AGE - 5)


def test_a_page_that_never_reads_the_session_still_renews_it(viewer):
    client, key = signed_in(viewer)
    expiry_in(key, DUE)
    response = client.get("/verify/")  # public: neither the user nor the session is read
    assert response.status_code == 200 and response.cookies["sessionid"]["max-age"] == AGE
    assert Session.objects.get(pk=key).expire_date > timezone.now() + timedelta(seconds=AGE - 5)


def test_a_session_idle_past_its_expiry_is_signed_out(viewer):
    client, key = signed_in(viewer)
    expiry_in(key, -1)
    response = client.get("/o/bungkok/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_signing_out_still_ends_the_session(viewer):
    client, key = signed_in(viewer)
    client.post("/logout/")
    assert not Session.objects.filter(pk=key).exists()
    assert client.get("/o/bungkok/").status_code == 302


def test_a_page_that_changes_the_session_saves_it_at_once_whatever_the_renewal(viewer):
    from accounts.mfa import PENDING_KEY_SESSION_KEY
    from accounts.sessions import SessionStore

    client, key = signed_in(viewer)
    assert client.get("/account/mfa/enrol/").status_code == 200  # keeps the key being enrolled in the session
    assert SessionStore(key).load().get(PENDING_KEY_SESSION_KEY)
