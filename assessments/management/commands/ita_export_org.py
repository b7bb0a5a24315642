import os
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.portable import ExportError, export_organisation

from ._common import get_organisation


class Command(BaseCommand):
    help = "Write one organisation's history (data and stored files) to a zip that ita_import_org restores."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organisation code")
        parser.add_argument("--output", required=True, help="the zip to write")

    def handle(self, *args, org, output, **options):
        organisation = get_organisation(org)
        target = Path(output)
        started = time.monotonic()
        # Written next to the target and renamed: a failed export leaves no half file behind.
        fd, tmp = tempfile.mkstemp(prefix=".ita-export-", suffix=".zip", dir=target.parent or ".")
        try:
            with os.fdopen(fd, "wb") as fh:
                manifest = export_organisation(organisation, fh)
            os.replace(tmp, target)
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        counts = manifest["counts"]
        rows = sum(v for k, v in counts.items() if "." in k)
        self.stdout.write(
            f"ส่งออกประวัติหน่วยงาน {organisation.code} แล้ว: {rows} แถว ผู้ใช้ {counts['users']} คน "
            f"ไฟล์ {counts['files']} ไฟล์ → {target} ({target.stat().st_size:,} ไบต์, {time.monotonic() - started:.2f} s)"
        )
