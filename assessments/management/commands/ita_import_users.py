from assessments import onboarding

from ._common import TableImportCommand


class Command(TableImportCommand):
    help = (
        "Import users and memberships from CSV/XLSX (username,full_name,email,organisation,role,position); "
        "all rows or none; new users are e-mailed an invitation to set their password."
    )

    def import_table(self, table, *, dry_run):
        return onboarding.import_users(table, dry_run=dry_run)

    def saved(self, result):
        return (
            f"นำเข้าแล้ว {result['rows']} แถว: ผู้ใช้ใหม่ {result['users_created']} (ส่งคำเชิญทางอีเมลแล้ว) "
            f"สมาชิกภาพใหม่ {result['memberships_added']} แก้ตำแหน่ง {result['positions_changed']}"
        )
