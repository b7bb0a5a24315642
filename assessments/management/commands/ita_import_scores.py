from django.core.management.base import BaseCommand

from assessments import services

from ._common import get_fiscal_year, get_organisation, sheet_file


class Command(BaseCommand):
    help = "Import one organisation's score sheet (code,score[,part]) for a year; all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="organisation code")
        parser.add_argument("--year", required=True, type=int, help="fiscal year (B.E.)")
        parser.add_argument("--dry-run", action="store_true", help="check only, save nothing")
        parser.add_argument("--sheet", default=None, help="XLSX sheet to read (default: the active visible sheet)")

    def handle(self, *args, file, org, year, dry_run, **options):
        organisation = get_organisation(org)
        fiscal_year = get_fiscal_year(year)
        with sheet_file(self, file) as (fh, name):
            sheet, counts = services.import_scores(
                organisation,
                fiscal_year=fiscal_year,
                fileobj=fh,
                filename=name,
                by=None,
                dry_run=dry_run,
                sheet=options.get("sheet"),
            )
        if dry_run:
            self.stdout.write(f"ตรวจสอบแล้ว: ถูกต้อง {len(sheet.rows)} แถว (ยังไม่ได้บันทึก)")
        else:
            self.stdout.write(f"นำเข้าแล้ว {len(sheet.rows)} แถว: เพิ่ม {counts['added']} แก้ไข {counts['changed']}")
