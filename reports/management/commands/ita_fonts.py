"""Build the fonts derived from fontpkg-sarabun into the cache (scripts/bootstrap runs this)."""

from django.core.management.base import BaseCommand

from ita_portal import fonts


class Command(BaseCommand):
    help = "สร้างฟอนต์สำหรับ PDF และ WOFF2 สำหรับหน้าเว็บจากแพ็กเกจ fontpkg-sarabun (เก็บใน var/fonts)"

    def handle(self, *args, **options):
        for path in fonts.build_all():
            self.stdout.write(f"{path} ({path.stat().st_size:,} bytes)")
