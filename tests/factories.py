"""Plain factories: make_<thing>(**overrides). Framework data comes from the migration."""

import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model

from assessments import services
from assessments.models import FiscalYear, Membership, Organisation, Role

_seq = itertools.count(1)
PASSWORD = "test-pass-123"


def make_organisation(**overrides):
    n = next(_seq)
    values = {"code": f"org{n}", "name": f"หน่วยงานทดสอบ {n}", "org_type": "อบต.", "province": "ทดสอบ"}
    values.update(overrides)
    return Organisation.objects.create(**values)


def make_user(*, organisation=None, role=Role.STAFF, username=None, **overrides):
    n = next(_seq)
    user = get_user_model().objects.create_user(username=username or f"user{n}", password=PASSWORD, **overrides)
    if organisation is not None:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def fiscal_year(year):
    return FiscalYear.objects.get(year=year)


def record(organisation, year, values, by=None):
    """Record {code-ish: value} where keys are (level, key, part) tuples."""
    return services.record_scores(
        organisation,
        fiscal_year=fiscal_year(year),
        values={k: (Decimal(str(v)) if v is not None else None) for k, v in values.items()},
        by=by,
    )


def enrol_totp(user, name="test"):
    """A confirmed TOTP device for the user (a new one each call, so its first code is unused)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name=name, confirmed=True)


def totp_code(device):
    """The code the user's authenticator app shows now, computed with django-otp's TOTP."""
    from django_otp.oath import TOTP

    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def log_in_verified(client, user):
    """Sign the test client in as someone who passed both steps: the password session
    (force_login), then a real TOTP code through the code step page, as django-otp verifies it."""
    client.force_login(user)
    device = enrol_totp(user)
    response = client.post("/account/mfa/verify/", {"token": totp_code(device)})
    assert response.status_code == 302, response
    return client


def client_for(user):
    """A test client signed in as the user; whoever must use a second factor also passes the code step."""
    from django.test import Client

    from ita_portal.access import requires_mfa

    client = Client()
    if requires_mfa(user):
        return log_in_verified(client, user)
    client.force_login(user)
    return client
