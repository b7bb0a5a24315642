"""Recompute every agency's dashboard row (supervision.CycleStatus) from its results and plans."""

from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "คำนวณสถานะรอบการประเมินของทุกหน่วยงาน (ตารางของหน้าหน่วยงานในกำกับ) ใหม่จากผลการประเมินและแผนมาตรการ"

    def handle(self, *args, **options):
        from supervision import cache, status

        with transaction.atomic():
            written = status.rebuild()
            transaction.on_commit(cache.bump)
        self.stdout.write(f"คำนวณใหม่แล้ว {written} แถว")
