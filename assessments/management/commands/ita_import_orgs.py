from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import onboarding, services


class Command(BaseCommand):
    help = "Import organisations from CSV/XLSX (code,name,type,province,district[,parent]); all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check only, save nothing")

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"ไม่พบไฟล์ {file}")
        try:
            with path.open("rb") as fh:
                table = services.read_table(fh, path.name)
            result = onboarding.import_organisations(table, dry_run=dry_run)
        except services.ImportRefused as exc:
            for line in exc.lines():
                self.stderr.write(line)
            raise CommandError(f"{exc} ({len(exc.errors)} แถว)") from None
        if dry_run:
            self.stdout.write(f"ตรวจสอบแล้ว: ถูกต้อง {result['rows']} แถว (ยังไม่ได้บันทึก)")
        else:
            self.stdout.write(f"นำเข้าแล้ว {result['rows']} แถว: เพิ่ม {result['created']} แก้ไข {result['updated']}")
