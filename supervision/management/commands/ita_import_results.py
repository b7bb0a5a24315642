from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from assessments.management.commands._common import get_fiscal_year, get_organisation, sheet_file
from supervision import results


class Command(BaseCommand):
    help = (
        "Import one sheet of results for many agencies (a row per agency: code, then total/tool/part/"
        "indicator columns) for a year; all rows or none. Figures an agency entered itself that differ "
        "are listed and kept unless --overwrite."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--year", required=True, type=int, help="fiscal year (B.E.)")
        parser.add_argument(
            "--under", default=None, help="only agencies below this organisation code (its supervisor's reach)"
        )
        parser.add_argument("--user", default=None, help="username recorded as the importer in the change log")
        parser.add_argument("--overwrite", action="store_true", help="replace figures the agencies entered themselves")
        parser.add_argument("--dry-run", action="store_true", help="check only, save nothing")
        parser.add_argument("--sheet", default=None, help="XLSX sheet to read (default: the active visible sheet)")

    def handle(self, *args, file, year, under, user, overwrite, dry_run, sheet, **options):
        fiscal_year = get_fiscal_year(year)
        root = get_organisation(under) if under else None
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"ไม่พบผู้ใช้ “{user}”")
        with sheet_file(self, file, unit="รายการ") as (fh, name):
            checked, totals = results.import_results(
                fh, name, fiscal_year=fiscal_year, root=root, by=by, overwrite=overwrite, dry_run=dry_run, sheet=sheet
            )
        for c in checked.conflicts:
            self.stdout.write(
                f"ขัดกัน แถวที่ {c.row} {c.organisation.code} {c.label}: หน่วยงาน {c.theirs} ไฟล์ {c.sheet}"
                + (" (แทนที่)" if overwrite else " (คงค่าของหน่วยงาน)")
            )
        if totals is None:
            self.stdout.write(
                f"ตรวจสอบแล้ว: ถูกต้อง {len(checked.rows)} หน่วยงาน เพิ่ม {checked.new} เปลี่ยน {checked.changed} "
                f"ขัดกัน {len(checked.conflicts)} (ยังไม่ได้บันทึก)"
            )
        else:
            self.stdout.write(
                f"นำเข้าแล้ว {totals['agencies']} หน่วยงาน: เพิ่ม {totals['added']} แก้ไข {totals['changed']} "
                f"คงค่าของหน่วยงาน {totals['kept']}"
            )
