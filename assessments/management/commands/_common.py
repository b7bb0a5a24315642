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


def get_plan_year(year):
    """The plan year: it needs no framework, only a year before it that has one."""
    from assessments.services import plan_fiscal_year

    fiscal_year = plan_fiscal_year(year)
    if fiscal_year is None:
        raise CommandError(f"ไม่มีกรอบการประเมินปี {year - 1} จึงจัดทำมาตรการปี {year} ไม่ได้")
    return fiscal_year
