"""Shared pieces of the ita_* commands: organisation and fiscal year by their codes, the sheet
file an import command reads, and the onboarding imports' command."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from django.core.management.base import BaseCommand, CommandError

from assessments.models import FiscalYear, Organisation
from assessments.sheets import ImportRefused, Table, read_table


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


class TableImportCommand(BaseCommand):
    """An onboarding import (ita_import_orgs, ita_import_users): one CSV/XLSX table as ``file``,
    checked whole and saved all rows or none, or only checked with ``--dry-run``.

    A subclass gives ``help``, ``import_table`` (the onboarding function) and ``saved`` (the line
    that reports a saved table)."""

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check only, save nothing")

    def import_table(self, table: Table, *, dry_run: bool) -> dict:
        raise NotImplementedError

    def saved(self, result: dict) -> str:
        raise NotImplementedError

    def handle(self, *args, file, dry_run, **options):
        with sheet_file(self, file) as (fh, name):
            result = self.import_table(read_table(fh, name), dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"ตรวจสอบแล้ว: ถูกต้อง {result['rows']} แถว (ยังไม่ได้บันทึก)")
        else:
            self.stdout.write(self.saved(result))
