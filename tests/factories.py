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
