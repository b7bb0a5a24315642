"""Second factor: TOTP devices and one-time recovery codes (django-otp), the QR code (segno).

django-otp keeps the secrets, checks the codes (a TOTP code is accepted once, wrong codes
slow further tries down) and marks a session verified; this module says which device a
person enrols and how many recovery codes they hold.
"""

import time
from base64 import b32encode

import segno
from django.contrib.auth.models import User
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from assessments.models import ChangeLog
from assessments.thai import to_arabic_digits

RECOVERY_CODES = 10
TOTP_NAME = "แอปยืนยันตัวตน"
RECOVERY_NAME = "รหัสกู้คืน"
PENDING_KEY_SESSION_KEY = "accounts_pending_totp_key"


class EnrolmentError(Exception):
    """A refused enrolment step; the message is Thai and shown as is."""


def has_device(user: User) -> bool:
    """True when the user has a confirmed second factor (and so must give a code at sign-in)."""
    return user_has_device(user, confirmed=True)


def second_factor_state(user: User) -> tuple[bool, bool]:
    """(has a confirmed device, must have one) in one query: the middleware asks on every
    page until the code step is done."""
    from django.db.models import Exists, OuterRef

    from assessments.models import Membership
    from ita_portal.access import MFA_ROLES

    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            totp=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            static=Exists(StaticDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            role=Exists(Membership.objects.filter(user=OuterRef("pk"), role__in=MFA_ROLES)),
        )
        .values_list("totp", "static", "role")
        .first()
    ) or (False, False, False)
    totp, static, role = row
    return totp or static, user.is_superuser or role


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp(user: User, session) -> TOTPDevice:
    """The authenticator being enrolled, not saved yet: its key lives in the session until
    the first code confirms it, so opening the page writes nothing."""
    key = session.get(PENDING_KEY_SESSION_KEY)
    if not key:
        key = session[PENDING_KEY_SESSION_KEY] = default_key()
    return TOTPDevice(user=user, name=TOTP_NAME, key=key, confirmed=False)


def base32_key(device: TOTPDevice) -> str:
    """The secret as people type it into an authenticator app: base32 in groups of four."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (no image file, no outside service)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, dark="#1d2433", omitsize=True)


def confirm_totp(device: TOTPDevice, token: str, *, by: User) -> tuple[TOTPDevice, list[str]]:
    """Save the authenticator once its first code is right; return it and the new recovery codes.

    A wrong code saves nothing and raises EnrolmentError; the code just used cannot be used
    again to sign in (django-otp's last_t)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    try:
        verified = totp.verify(int(normalise(token)), tolerance=device.tolerance)
    except ValueError:
        verified = False
    if not verified:
        raise EnrolmentError("รหัสยืนยันไม่ถูกต้อง กรุณากรอกรหัส 6 หลักที่แอปแสดงอยู่ในขณะนี้")
    with transaction.atomic():
        User.objects.select_for_update().get(pk=by.pk)  # one enrolment at a time per person
        if has_authenticator(by):
            raise EnrolmentError("ท่านลงทะเบียนแอปยืนยันตัวตนไว้แล้ว")
        device = TOTPDevice.objects.create(
            user=by, name=TOTP_NAME, key=device.key, confirmed=True, last_t=totp.t(), drift=totp.drift
        )
        ChangeLog.objects.create(user=by, action="mfa_enrol", summary=f"ลงทะเบียนการยืนยันตัวตนสองขั้นตอน: {by}")
        return device, _issue_codes(by)


def renew_recovery_codes(user: User) -> list[str]:
    """Replace every recovery code of the user with RECOVERY_CODES new ones (old ones stop working)."""
    with transaction.atomic():
        codes = _issue_codes(user)
        ChangeLog.objects.create(user=user, action="mfa_recovery_renew", summary=f"ออกรหัสกู้คืนชุดใหม่: {user}")
        return codes


def _issue_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.select_for_update().get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def normalise(token: str) -> str:
    """Codes as typed: spaces and dashes dropped, Thai digits read as digits, lower case."""
    return to_arabic_digits((token or "").strip()).replace(" ", "").replace("-", "").lower()


def seconds_to_wait(user: User) -> int:
    """How long django-otp still refuses codes after recent wrong ones (0: codes are checked)."""
    from django.utils import timezone

    waits = []
    for device in devices_for_user(user, confirmed=True):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            waits.append((data["locked_until"] - timezone.now()).total_seconds())
    return max(0, round(max(waits, default=0) + 0.5))


def devices(user: User) -> list:
    return list(devices_for_user(user, confirmed=True))
