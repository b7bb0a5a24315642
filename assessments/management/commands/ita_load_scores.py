from django.core.management.base import BaseCommand

from assessments import bulk_scores

from ._common import get_fiscal_year, sheet_file


class Command(BaseCommand):
    help = (
        "Load many organisations' scores for a year from one CSV (org,code,score[,part]); all rows or none. "
        "Replaces those organisations' scores of the year; COPY on PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--year", required=True, type=int, help="fiscal year (B.E.)")
        parser.add_argument("--dry-run", action="store_true", help="check only, save nothing")

    def handle(self, *args, file, year, dry_run, **options):
        fiscal_year = get_fiscal_year(year)
        with sheet_file(self, file) as (fh, _name):
            result = bulk_scores.load_scores(fh, fiscal_year=fiscal_year, dry_run=dry_run)
        if dry_run:
            self.stdout.write(
                f"ตรวจสอบแล้ว: ถูกต้อง {result.rows:,} แถว ของ {result.organisations:,} หน่วยงาน (ยังไม่ได้บันทึก)"
            )
        else:
            self.stdout.write(
                f"นำเข้าแล้ว {result.rows:,} แถว ของ {result.organisations:,} หน่วยงาน "
                f"(สร้างการประเมินใหม่ {result.created_assessments:,} แทนที่คะแนนเดิม {result.replaced_scores:,} แถว)"
            )
