"""Shared pieces of the ita_* commands: organisation and fiscal year by their codes, and the
sheet file an import command reads."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from django.core.management.base import BaseCommand, CommandError

from assessments.models import FiscalYear, Organisation
from assessments.sheets import ImportRefused


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


@contextmanager
def sheet_file(command: BaseCommand, file: str, *, unit: str = "แถว") -> Iterator[tuple[BinaryIO, str]]:
    """The import file ``file`` opened for reading, with its name (no folder) for the readers.

    A path that is not a file stops the command; a refused sheet (``ImportRefused`` raised while
    it is open) writes every bad row to stderr and stops the command with the count of ``unit``.
    """
    path = Path(file)
    if not path.is_file():
        raise CommandError(f"ไม่พบไฟล์ {file}")
    try:
        with path.open("rb") as fh:
            yield fh, path.name
    except ImportRefused as exc:
        for line in exc.lines():
            command.stderr.write(line)
        raise CommandError(f"{exc} ({len(exc.errors)} {unit})") from None
