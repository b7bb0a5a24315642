import time

from django.core.management.base import BaseCommand, CommandError

from assessments.portable import Refused, import_organisation


class Command(BaseCommand):
    help = "Restore an organisation's history from a zip of ita_export_org (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--replace", action="store_true", help="delete the organisation's present data and restore the file's"
        )

    def handle(self, *args, file, replace, **options):
        started = time.monotonic()
        try:
            with open(file, "rb") as fh:
                result = import_organisation(fh, replace=replace)
        except FileNotFoundError:
            raise CommandError(f"ไม่พบไฟล์ {file}") from None
        except Refused as exc:
            raise CommandError(f"ไม่ได้นำเข้า: {exc}") from None
        rows = sum(result.counts.values())
        verb = "แทนที่" if result.replaced else "นำเข้า"
        self.stdout.write(
            f"{verb}ประวัติหน่วยงาน {result.organisation.code} แล้ว: {rows} แถว ไฟล์ {result.files} ไฟล์ "
            f"ผู้ใช้ใหม่ {len(result.users_created)} คน ({time.monotonic() - started:.2f} s)"
        )
        for note in result.notes:
            self.stdout.write(f"หมายเหตุ: {note}")
        if result.users_created:
            self.stdout.write("ผู้ใช้ใหม่ยังไม่มีรหัสผ่าน ให้ตั้งรหัสผ่านผ่าน “ลืมรหัสผ่าน”: " + ", ".join(result.users_created))
