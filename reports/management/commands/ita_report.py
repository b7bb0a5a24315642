from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.management.commands._common import get_organisation
from reports import builders
from reports.models import Report
from reports.services import render


class Command(BaseCommand):
    help = "Write one report (analysis, measures, memo, followup, annual) as PDF or XLSX, synchronously."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=Report.Kind.values)
        parser.add_argument("--org", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--round", type=int, dest="round_number")
        parser.add_argument("--format", choices=Report.Format.values, default="pdf", dest="fmt")
        parser.add_argument("--output", required=True)

    def handle(self, *args, kind, org, year, round_number, fmt, output, **options):
        organisation = get_organisation(org)
        if fmt == Report.Format.PDF:
            from reports.frozen import frozen_document_for

            try:
                document = frozen_document_for(organisation, year, kind)
            except builders.ReportError as exc:
                raise CommandError(str(exc)) from None
            if document is not None:  # the approved file as stored, never rebuilt
                with document.file.open("rb") as stored:
                    data = stored.read()
                Path(output).write_bytes(data)
                self.stdout.write(f"เขียน {output} แล้ว ({len(data):,} ไบต์, ฉบับที่อนุมัติ SHA-256 {document.sha256})")
                return
        try:
            context = builders.build(kind, organisation, year, round_number=round_number)
        except builders.ReportError as exc:
            raise CommandError(str(exc)) from None
        data = render(context, fmt)
        Path(output).write_bytes(data)
        self.stdout.write(f"เขียน {output} แล้ว ({len(data):,} ไบต์)")
