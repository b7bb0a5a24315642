from assessments import onboarding

from ._common import TableImportCommand


class Command(TableImportCommand):
    help = "Import organisations from CSV/XLSX (code,name,type,province,district[,parent]); all rows or none."

    def import_table(self, table, *, dry_run):
        return onboarding.import_organisations(table, dry_run=dry_run)

    def saved(self, result):
        return f"นำเข้าแล้ว {result['rows']} แถว: เพิ่ม {result['created']} แก้ไข {result['updated']}"
