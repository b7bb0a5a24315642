import json

from django.core.management.base import BaseCommand, CommandError

from assessments import analysis, services
from assessments.thai import format_score

from ._common import get_fiscal_year, get_organisation


class Command(BaseCommand):
    help = "Print one organisation's analysis for a year (--json: the schema in the README)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, org, year, json: bool, **options):
        organisation = get_organisation(org)
        fiscal_year = get_fiscal_year(year)
        assessment = services.scored_assessment(organisation, fiscal_year)
        if assessment is None:
            raise CommandError(f"หน่วยงาน {org} ยังไม่มีคะแนนปี {year}")
        result = services.analyse_assessment(assessment)
        data = analysis.as_dict(result, organisation=organisation.code)
        data["organisation_name"] = organisation.name
        if json:
            self.stdout.write(_json_dumps(data))
            return
        self.stdout.write(f"{organisation.name} ปีงบประมาณ {year}")
        total = result.total
        self.stdout.write(
            f"คะแนนรวม {format_score(total.score, thai_digits=False)}"
            f" (ประกาศ {format_score(total.published, thai_digits=False)},"
            f" คำนวณ {format_score(total.computed, thai_digits=False)})"
            f" {result.result or ''} {result.grade or ''}"
        )
        if result.rating:
            held = ", ".join(
                f"{b.tool.upper()} ต้องเพิ่ม {format_score(b.needed, thai_digits=False)}" for b in result.rating_blockers
            )
            self.stdout.write(
                f"ระดับผลการประเมิน {result.rating}"
                + (f" (ระดับถัดไป {result.rating_next}{': ' + held if held else ''})" if result.rating_next else "")
            )
        for ind in result.indicators:
            self.stdout.write(
                f"  {ind.number:>2}. {ind.name:<30} {format_score(ind.score, thai_digits=False):>7}  {ind.status_label}"
            )
        self.stdout.write("ประเด็นที่ต้องพัฒนาให้ดีขึ้น: " + ", ".join(str(i.number) for i in result.strengths))
        self.stdout.write("จุดอ่อนที่ต้องแก้ไขโดยเร่งด่วน: " + ", ".join(str(i.number) for i in result.weaknesses))
        if result.mismatches:
            self.stdout.write(f"ตัวเลขไม่ตรง {len(result.mismatches)} จุด")


def _json_dumps(data):
    return json.dumps(data, ensure_ascii=False, indent=2)
