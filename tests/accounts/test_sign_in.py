"""Sign-in rules: lockout, the second factor for approvers, executives and administrators,
recovery codes, idle expiry, password validators and the Thai password reset."""

import re
import runpy
from base64 import b32decode
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import mfa
from tests.factories import PASSWORD, enrol_totp, totp_code

pytestmark = pytest.mark.django_db

LOGIN = "/login/"
ENROL = "/account/mfa/enrol/"
VERIFY = "/account/mfa/verify/"


def sign_in(client, user, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": user.username, "password": password, **extra})


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def code_step(client, token):
    return client.post(VERIFY, {"token": token})


# --- lockout -----------------------------------------------------------------


def test_locked_account_refuses_the_right_password(viewer):
    client = Client()
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, viewer, password="wrong-password").status_code == 200
    assert sign_in(client, viewer, password="wrong-password").status_code == 429

    response = sign_in(client, viewer)

    assert response.status_code == 429
    assert "ระงับการเข้าสู่ระบบชั่วคราว" in response.content.decode()
    assert "15 นาที" in response.content.decode()
    assert signed_in_as(client) is None


def test_wrong_codes_at_the_code_step_lock_the_account_and_end_the_session(approver):
    enrol_totp(approver)
    client = Client()
    sign_in(client, approver)
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert code_step(client, "000000").status_code == 400

    response = code_step(client, "000000")

    assert response.status_code == 429
    assert "ระงับการเข้าสู่ระบบชั่วคราว" in response.content.decode()
    assert signed_in_as(client) is None
    assert sign_in(Client(), approver).status_code == 429


def test_a_code_sent_right_after_a_wrong_one_is_asked_again_after_a_wait(settings, approver):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # django-otp's slow-down, long enough for a loaded machine
    device = enrol_totp(approver)
    client = Client()
    sign_in(client, approver)
    code_step(client, "000000")

    response = code_step(client, totp_code(device))

    assert re.search(r"ระบบยังไม่ตรวจรหัสนี้ กรุณารอ (59|60) วินาที", response.content.decode())
    assert signed_in_as(client) and client.get("/o/bungkok/").url.startswith(VERIFY)


def test_a_wrong_code_is_named_in_thai(approver):
    enrol_totp(approver)
    client = Client()
    sign_in(client, approver)

    response = code_step(client, "123")

    assert "รหัสยืนยันไม่ถูกต้องหรือหมดอายุแล้ว" in response.content.decode()


# --- who must use a second factor ---------------------------------------------


def test_approver_without_device_is_sent_to_enrolment(approver):
    client = Client()
    sign_in(client, approver)

    response = client.get("/o/bungkok/")

    assert response.status_code == 302
    assert response.url == f"{ENROL}?next=%2Fo%2Fbungkok%2F"


def test_executive_with_device_is_sent_to_the_code_step(executive):
    enrol_totp(executive)
    client = Client()
    response = sign_in(client, executive, next="/o/bungkok/")

    response = client.get(response.url)

    assert response.status_code == 302
    assert response.url == f"{VERIFY}?next=%2Fo%2Fbungkok%2F"


def test_administrator_without_device_is_sent_to_enrolment():
    admin = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client = Client()
    client.force_login(admin)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith(ENROL)


def test_viewer_is_not_sent_to_enrolment(viewer):
    client = Client()
    sign_in(client, viewer)

    assert client.get("/o/bungkok/").status_code == 200


def test_viewer_who_enrolled_gives_a_code_too(viewer):
    enrol_totp(viewer)
    client = Client()
    sign_in(client, viewer)

    response = client.get("/o/bungkok/")

    assert response.url.startswith(VERIFY)


def test_public_pages_need_no_code_step(approver):
    client = Client()
    sign_in(client, approver)

    assert client.get("/p/bungkok/2566/").status_code == 404  # not published: the public 404, not a redirect


def test_a_code_from_the_app_lets_the_approver_in(approver):
    device = enrol_totp(approver)
    client = Client()
    sign_in(client, approver)

    response = client.post(VERIFY, {"token": totp_code(device), "next": "/o/bungkok/"})

    assert response.url == "/o/bungkok/"
    assert client.get("/o/bungkok/").status_code == 200


def test_password_only_session_cannot_enrol_another_device(approver):
    enrol_totp(approver)
    client = Client()
    sign_in(client, approver)

    response = client.get(ENROL)

    assert response.url == VERIFY
    assert TOTPDevice.objects.filter(user=approver).count() == 1  # nothing enrolled through the back door


def test_opening_the_enrolment_page_writes_nothing(approver):
    client = Client()
    sign_in(client, approver)

    first, second = client.get(ENROL), client.get(ENROL)

    assert first.context["key"] == second.context["key"]  # the same key until confirmed
    assert not TOTPDevice.objects.filter(user=approver).exists()


# --- enrolment and recovery codes -----------------------------------------------


def enrol_through_pages(client):
    page = client.get(ENROL)
    key = b32decode(page.context["key"].replace(" ", ""))
    token = f"{TOTP(key).token():06d}"
    return client.post(ENROL, {"token": token, "next": "/o/bungkok/"}), page


def test_enrolment_shows_the_qr_code_and_the_key_as_text(approver):
    client = Client()
    sign_in(client, approver)

    page = client.get(ENROL).content.decode()

    assert "<svg" in page
    assert re.search(r'data-testid="totp-key">([A-Z2-7]{4} ){7}[A-Z2-7]{4}<', page)


def test_enrolment_is_confirmed_with_a_first_code_and_shows_ten_recovery_codes_once(approver):
    client = Client()
    sign_in(client, approver)

    response, _ = enrol_through_pages(client)
    codes_page = client.get(response.url)

    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page.content.decode())
    assert len(codes) == mfa.RECOVERY_CODES == 10
    assert codes_page.context["next"] == "/o/bungkok/"
    assert not re.findall(r"<li><code>", client.get("/account/recovery-codes/").content.decode())
    assert client.get("/o/bungkok/").status_code == 200


def test_a_wrong_first_code_leaves_the_authenticator_unconfirmed(approver):
    client = Client()
    sign_in(client, approver)
    client.get(ENROL)

    response = client.post(ENROL, {"token": "000000"})

    assert response.status_code == 400
    assert "รหัสยืนยันไม่ถูกต้อง" in response.content.decode()
    assert not mfa.has_device(approver)


def test_recovery_code_works_once(approver):
    enrol_totp(approver)
    code = mfa.renew_recovery_codes(approver)[0]
    first = Client()
    sign_in(first, approver)
    assert code_step(first, code.upper()).status_code == 302
    assert first.get("/o/bungkok/").status_code == 200

    second = Client()
    sign_in(second, approver)

    assert code_step(second, code).status_code == 400
    assert mfa.recovery_codes_left(approver) == 9


def test_renewed_recovery_codes_replace_the_old_ones(approver):
    enrol_totp(approver)
    old = mfa.renew_recovery_codes(approver)
    client = Client()
    sign_in(client, approver)
    code_step(client, old[0])

    client.post("/account/recovery-codes/")
    page = client.get("/account/recovery-codes/").content.decode()

    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    assert mfa.recovery_codes_left(approver) == 10


def test_my_account_page_offers_enrolment_to_a_viewer(viewer):
    client = Client()
    sign_in(client, viewer)

    page = client.get("/account/").content.decode()

    assert "บัญชีของฉัน" in page
    assert "ไม่บังคับสำหรับบทบาทของท่าน" in page
    assert 'href="/account/mfa/enrol/"' in page


# --- idle expiry ---------------------------------------------------------------


def test_idle_expiry_comes_from_session_idle_minutes(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "10")

    values = runpy.run_path(str(Path(django_settings.BASE_DIR) / "ita_portal" / "settings.py"))

    assert values["SESSION_COOKIE_AGE"] == 600
    # renewed by accounts.sessions once a minute, not by Django on every request
    assert values["SESSION_SAVE_EVERY_REQUEST"] is False
    assert values["SESSION_ENGINE"] == "accounts.sessions"
    assert "accounts.sessions.IdleSessionMiddleware" in values["MIDDLEWARE"]
    assert values["SESSION_REFRESH_SECONDS"] == 60


def test_a_request_renews_the_idle_deadline_once_its_renewal_is_due(viewer):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = Client()
    sign_in(client, viewer)
    key = client.cookies["sessionid"].value
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(seconds=30 * 60 - 61))

    response = client.get("/o/bungkok/")

    assert response.cookies["sessionid"]["max-age"] == 30 * 60
    renewed = Session.objects.get(pk=key).expire_date - timezone.now()
    assert timedelta(seconds=30 * 60 - 5) < renewed <= timedelta(seconds=30 * 60)


# --- passwords -----------------------------------------------------------------


def test_demo_password_passes_every_validator():
    assert len(django_settings.AUTH_PASSWORD_VALIDATORS) == 4
    for username in ("staff", "approver", "executive", "admin"):
        user = get_user_model()(username=username, email=f"{username}@example.org")
        validate_password("ita-demo-2567", user=user)


def test_password_like_the_username_is_refused():
    user = get_user_model()(username="somchai2567", email="somchai@example.org")
    with pytest.raises(ValidationError, match="รหัสผ่านคล้ายชื่อผู้ใช้ของท่านมากเกินไป"):
        validate_password("somchai2567", user=user)


def test_mismatched_new_passwords_are_named_in_thai(viewer):
    client = Client()
    client.force_login(viewer)

    response = client.post(
        "/password_change/",
        {"old_password": PASSWORD, "new_password1": "ทดสอบรหัสใหม่-2568", "new_password2": "อีกรหัสหนึ่ง-2568"},
    )

    assert "รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน" in response.content.decode()


def test_password_reset_sends_a_thai_email_with_a_full_link(viewer):
    viewer.email = "viewer@example.org"
    viewer.save()

    response = Client().post("/password_reset/", {"email": "viewer@example.org"}, follow=True)

    assert "ตรวจสอบอีเมลของท่าน" in response.content.decode()
    (message,) = mail.outbox
    assert message.subject == "ตั้งรหัสผ่านใหม่สำหรับ ITA Portal"
    assert "มีผู้ขอตั้งรหัสผ่านใหม่สำหรับบัญชีของท่าน" in message.body
    assert "ชื่อผู้ใช้ของท่าน: viewer" in message.body
    link = re.search(r"http://127.0.0.1:8000/reset/[\w-]+/[\w-]+/", message.body).group(0)
    assert "ตั้งรหัสผ่านใหม่" in Client().get(link, follow=True).content.decode()


def test_a_new_password_from_the_emailed_link_lifts_the_lockout(viewer):
    viewer.email = "viewer@example.org"
    viewer.save()
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), viewer, password="wrong-password")
    assert sign_in(Client(), viewer).status_code == 429
    Client().post("/password_reset/", {"email": "viewer@example.org"})
    link = re.search(r"http://127.0.0.1:8000(/reset/\S+/)", mail.outbox[0].body).group(1)
    client = Client()
    form = client.get(link, follow=True)

    client.post(form.redirect_chain[-1][0], {"new_password1": "ใหม่-ita-2568", "new_password2": "ใหม่-ita-2568"})

    assert sign_in(Client(), viewer, password="ใหม่-ita-2568").status_code == 302


@pytest.mark.parametrize("url", ["/password_reset/", "/password_reset/done/", "/reset/done/", "/reset/x/y/"])
def test_password_reset_pages_are_thai_not_the_admins(url):
    page = Client().get(url, follow=True).content.decode()

    assert "ITA Portal" in page
    assert "Django" not in page and "Password reset" not in page


# --- the demo --------------------------------------------------------------------


def test_demo_approver_signs_in_with_the_printed_recovery_code(bundled_frameworks):
    call_command("ita_demo", stdout=StringIO())
    out = StringIO()
    call_command("ita_demo", stdout=out)  # safe to run twice
    code = re.search(r"^  approver +TOTP [A-Z2-7]+ .*: ([a-z2-7]{8})$", out.getvalue(), re.M).group(1)
    client = Client()
    client.post(LOGIN, {"username": "approver", "password": "ita-demo-2567"})

    assert code_step(client, code).status_code == 302
    assert client.get("/o/demo/").status_code == 200
    for username in ("approver", "deputy", "palat", "executive", "admin"):
        assert re.search(rf"^  {username} +TOTP ", out.getvalue(), re.M)
    assert not re.search(r"^  staff +TOTP ", out.getvalue(), re.M)
