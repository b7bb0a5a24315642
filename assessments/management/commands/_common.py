"""Shared lookups for the ita_* commands: organisation and fiscal year by their codes."""

from django.core.management.base import CommandError

from assessments.models import FiscalYear, Organisation


def get_organisation(code):
    try:
        return Organisation.objects.get(code=code)
    except Organisation.DoesNotExist:
        raise CommandError(f"ไม่พบหน่วยงานรหัส “{code}”") from None


def get_fiscal_year(year):
    try:
        return FiscalYear.objects.with_framework().get(year=year)
    except FiscalYear.DoesNotExist:
        known = ", ".join(str(y) for y in FiscalYear.objects.with_framework().values_list("year", flat=True))
        raise CommandError(f"ไม่มีกรอบการประเมินปี {year} (มี: {known})") from None
