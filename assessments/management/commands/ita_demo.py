"""Demo data: an agency whose 2565 result is seed 000's published item scores, 2566 seed 001's,
2569 a constructed result of NACC's general edition with its 2570 plan drafted; and a
vocational college (OVEC edition) with a staff user for the college journey.

Safe to run twice: organisations, users and scores are created or left as they are.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessments import services
from assessments.frameworks import FIXTURES
from assessments.models import FiscalYear, Membership, Organisation, Role

DEMO_PASSWORD = "ita-demo-2567"

ORGANISATIONS = [
    # code, name, type, province, district, parent
    ("demo-province", "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดสาธิต", "สำนักงานจังหวัด", "สาธิต", "", None),
    ("demo", "องค์การบริหารส่วนตำบลบึงกอก (สาธิต)", "องค์การบริหารส่วนตำบล", "พิษณุโลก", "บางระกำ", "demo-province"),
    ("other", "เทศบาลตำบลตัวอย่าง (หน่วยงานอื่น)", "เทศบาลตำบล", "สาธิต", "เมือง", "demo-province"),
    ("demo-college", "วิทยาลัยเทคนิคสาธิต", "สถานศึกษาอาชีวศึกษา", "พิษณุโลก", "เมือง", None),
]
SCHEMES = {"demo-college": "ovec"}  # the rest answer NACC's general edition

USERS = [
    # username, first name, last name, organisation, role, position
    ("staff", "พรรณวดี", "ศรีหาบัว", "demo", Role.STAFF, "นักวิเคราะห์นโยบายและแผน"),
    ("approver", "ธนพล", "โคระธานุวัฒน์", "demo", Role.APPROVER, "หัวหน้าสำนักปลัด"),
    ("deputy", "วิชัย", "เจริญศรีสุขสกุล", "demo", Role.APPROVER, "รองปลัดองค์การบริหารส่วนตำบล"),
    ("palat", "ปกรณ์", "ศักดิ์สิทธิ์ไพบูลย์", "demo", Role.APPROVER, "ปลัดองค์การบริหารส่วนตำบล"),
    ("executive", "ประเสริฐ", "วงศ์สวัสดิ์ธนากร", "demo", Role.EXECUTIVE, "นายกองค์การบริหารส่วนตำบล"),
    ("viewer", "วิไล", "อ่านดี", "demo", Role.VIEWER, "ผู้ตรวจสอบภายใน"),
    ("supervisor", "สุรเชษฐ์", "ปัญญาวงศ์ธนา", "demo-province", Role.SUPERVISOR, "ท้องถิ่นจังหวัด"),
    ("outsider", "คนนอก", "ต่างหน่วย", "other", Role.STAFF, "เจ้าหน้าที่"),
    ("college", "สุดา", "ช่างคิด", "demo-college", Role.STAFF, "ครูผู้รับผิดชอบงาน ITA"),
]

# A constructed 2569 result (NACC general edition): indicator figures and the O-items, with
# indicators 4 and 7 weak and O12, O25 and O26 at 0, so the rating is ผ่าน held back by OIT.
DEMO_2569_INDICATORS = {1: "94.10", 2: "91.25", 3: "89.60", 4: "78.40", 5: "90.15", 6: "88.20", 7: "82.35", 8: "86.10"}
DEMO_2569_OIT_ZERO = {"o12", "o25", "o26"}


class Command(BaseCommand):
    help = (
        "Create the demo agency (code demo) with seed 000's 2565 scores, demo users for each role, "
        "and a 2566 plan drafted from the 2565 analysis, approved through four steps, half followed up."
    )

    def handle(self, *args, **options):
        if not settings.ITA_EMBEDDED:
            # The demo users' password is printed in the README: never on a real deployment.
            raise CommandError(
                "ita_demo สร้างผู้ใช้สาธิตที่มีรหัสผ่านที่ทุกคนรู้ ใช้ได้เฉพาะการติดตั้งแบบ embedded (ITA_EMBEDDED=1) "
                "/ ita_demo creates users with a publicly known password and runs only with ITA_EMBEDDED=1"
            )
        with transaction.atomic():
            orgs = self._organisations()
            self._users(orgs)
            self._scores(orgs["demo"])
            self._plan(orgs["demo"])
            self._current_cycle(orgs["demo"])
            factors = self._second_factors()
        self.stdout.write(self.style.SUCCESS("ข้อมูลสาธิตพร้อมแล้ว (demo data ready)"))
        self.stdout.write(f"รหัสผ่านของผู้ใช้สาธิตทุกคน / password for every demo user: {DEMO_PASSWORD}")
        for username, _first, _last, org, role, _position in USERS:
            self.stdout.write(f"  {username:<11} {Role(role).label:<12} {orgs[org].name}")
        self.stdout.write(f"  {'admin':<11} {'ผู้ดูแลระบบ':<12} (Django admin /admin/)")
        self.stdout.write(
            "ผู้พิจารณา ผู้บริหาร และผู้ดูแลระบบต้องยืนยันตัวตนสองขั้นตอน: ใส่รหัสลับ TOTP ในแอปยืนยันตัวตน "
            "หรือใช้รหัสกู้คืน (ใช้ได้ครั้งเดียว รันคำสั่งนี้อีกครั้งเพื่อดูรหัสถัดไป) / "
            "approvers, executives and admin need a second factor: the TOTP key for an authenticator app, "
            "or a one-time recovery code (run again for the next one):"
        )
        for username, key, code in factors:
            self.stdout.write(f"  {username:<11} TOTP {key}   รหัสกู้คืน / recovery code: {code}")

    def _organisations(self):
        orgs = {}
        for code, name, org_type, province, district, parent in ORGANISATIONS:
            org, _ = Organisation.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "org_type": org_type,
                    "province": province,
                    "district": district,
                    "parent": orgs.get(parent),
                    "scheme": SCHEMES.get(code, "nacc"),
                },
            )
            orgs[code] = org
        return orgs

    def _users(self, orgs):
        User = get_user_model()
        for username, first, last, org, role, position in USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            Membership.objects.get_or_create(
                user=user, organisation=orgs[org], role=role, defaults={"position": position}
            )
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.org"}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()

    def _second_factors(self):
        """A TOTP device and recovery codes for every demo user who must use a second factor;
        kept on a second run (the same key, the next unused recovery code)."""
        from django_otp.plugins.otp_static.models import StaticToken
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from accounts import mfa
        from ita_portal.access import requires_mfa

        User = get_user_model()
        factors = []
        for user in User.objects.filter(username__in=[u[0] for u in USERS] + ["admin"]).order_by("pk"):
            if not requires_mfa(user):
                continue
            device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name=mfa.TOTP_NAME, confirmed=True)
            token = StaticToken.objects.filter(device__user=user, device__confirmed=True).order_by("pk").first()
            code = token.token if token else mfa.renew_recovery_codes(user)[0]
            factors.append((user.username, mfa.base32_key(device).replace(" ", ""), code))
        return factors

    def _scores(self, demo):
        demo_dir = Path(FIXTURES) / "demo"
        y2565 = FiscalYear.objects.get(year=2565)
        for name in ("seed000_2565_items.csv", "seed000_2565_published.csv"):
            with (demo_dir / name).open("rb") as fh:
                services.import_scores(demo, fiscal_year=y2565, fileobj=fh, filename=name, by=None)
        # 2566: seed 001's published figures (another agency's public result), so the
        # demo shows EIT parts, a pass/fail year and the change since 2565.
        y2566 = FiscalYear.objects.get(year=2566)
        with (demo_dir / "seed001_2566.csv").open("rb") as fh:
            services.import_scores(demo, fiscal_year=y2566, fileobj=fh, filename="seed001_2566.csv", by=None)
        assessment = services.get_or_create_assessment(demo, y2566)
        if not assessment.recommendations.exists():
            for rec in json.loads((demo_dir / "seed001_recommendations.json").read_text(encoding="utf-8")):
                services.add_recommendation(
                    assessment,
                    text=rec["text"],
                    tool=rec["tool"],
                    part=rec["part"],
                    item_codes=", ".join(rec["items"]),
                    by=None,
                )

    def _current_cycle(self, demo):
        """The cycle agencies are in now (December 2569): the 2569 result, the 2570 plan drafted from it."""
        from measures import services as plans
        from measures.models import Plan

        y2569 = FiscalYear.objects.get(year=2569)
        if not services.has_scores(services.scored_assessment(demo, y2569)):
            values = {("indicator", str(n), ""): Decimal(v) for n, v in DEMO_2569_INDICATORS.items()}
            for item in y2569.edition("nacc").items.filter(indicator__number__in=(9, 10)):
                values[("item", item.code, "")] = Decimal("0" if item.code in DEMO_2569_OIT_ZERO else "100")
            services.record_scores(demo, fiscal_year=y2569, values=values, by=None)
        if not Plan.objects.filter(organisation=demo, fiscal_year__year=2570).exists():
            staff = get_user_model().objects.get(username="staff")
            plans.draft_plan_from_analysis(demo, fiscal_year=services.plan_fiscal_year(2570), by=staff)

    def _plan(self, demo):
        """2566 measures drafted from the 2565 analysis, approved through the chain of seed 002."""
        from django.contrib.auth import get_user_model

        from measures import services as plans
        from measures.models import ApprovalStep, FollowUpEntry, OrgUnit, Person, Plan

        User = get_user_model()
        users = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in USERS])}
        for n, unit in enumerate(UNITS, start=1):
            OrgUnit.objects.get_or_create(organisation=demo, name=unit, defaults={"order": n})
        for name, position, unit in PEOPLE:
            Person.objects.get_or_create(
                organisation=demo, name=name,
                defaults={"position": position, "unit": OrgUnit.objects.get(organisation=demo, name=unit)},
            )  # fmt: skip
        if not ApprovalStep.objects.filter(organisation=demo).exists():
            for order, (title, username) in enumerate(CHAIN, start=1):
                step = ApprovalStep.objects.create(organisation=demo, order=order, title=title)
                step.users.add(users[username])
        if Plan.objects.filter(organisation=demo, fiscal_year__year=2566).exists():
            return
        plan, _ = plans.draft_plan_from_analysis(demo, fiscal_year=FiscalYear.objects.get(year=2566), by=users["staff"])
        if not plan.measures.exists():
            from django.core.management.base import CommandError

            raise CommandError("ไม่มีแม่แบบมาตรการในฐานข้อมูล (ให้รัน migrate ก่อน)")
        plan.measures.first().people.add(*Person.objects.filter(organisation=demo)[:2])
        plans.submit_plan(
            plan, by=users["staff"], opinion="เสนอมาตรการส่งเสริมคุณธรรมและความโปร่งใส ประจำปี 2566 เพื่อโปรดพิจารณา"
        )
        for username, opinion, kind in OPINIONS:
            user = users[username]
            plans.record_decision(plan, by=user, kind=kind, opinion=opinion, permit_publish=True)
        plan.refresh_from_db()
        first, _second = plans.ensure_rounds(plan)
        for n, measure in enumerate(plan.measures.order_by("order")[:6]):
            status, percent = [
                (FollowUpEntry.Status.DONE, 100), (FollowUpEntry.Status.IN_PROGRESS, 60), (FollowUpEntry.Status.IN_PROGRESS, 40),
            ][n % 3]  # fmt: skip
            plans.record_followup(
                first, measure=measure, by=users["staff"], status=status, percent=percent,
                done=f"ดำเนินการตาม{measure.title} ในรอบ 6 เดือนแรกแล้ว",
            )  # fmt: skip
        plans.report_round(first, by=users["staff"])  # public from now on


# Long, real-looking names (units, people, surnames Pango's dictionary does not know), so the
# documents' line breaking is tested on names like an agency's (tests/reports/test_typography.py).
UNITS = ["สำนักปลัด", "กองคลัง", "กองช่าง", "กองการศึกษา ศาสนาและวัฒนธรรม", "กองสาธารณสุขและสิ่งแวดล้อม"]
PEOPLE = [
    ("นางสาวพรรณวดี ศรีหาบัว", "นักวิเคราะห์นโยบายและแผนชำนาญการ", "สำนักปลัด"),
    ("นายธนพล โคระธานุวัฒน์", "หัวหน้าสำนักปลัดองค์การบริหารส่วนตำบล", "สำนักปลัด"),
    ("นางมาลีรัตน์ เงินทองวิไลกุล", "ผู้อำนวยการกองคลัง", "กองคลัง"),
]
CHAIN = [
    ("หัวหน้าสำนักปลัด", "approver"),
    ("รองปลัดองค์การบริหารส่วนตำบล", "deputy"),
    ("ปลัดองค์การบริหารส่วนตำบล", "palat"),
    ("นายกองค์การบริหารส่วนตำบล", "executive"),
]
OPINIONS = [
    ("approver", "เห็นควรเสนอรองปลัดเพื่อโปรดพิจารณา", "forward"),
    ("deputy", "เห็นควรเสนอปลัดเพื่อโปรดพิจารณา", "forward"),
    ("palat", "เห็นควรอนุมัติและเผยแพร่บนเว็บไซต์ของหน่วยงาน", "forward"),
    ("executive", "อนุมัติ และอนุญาตให้เผยแพร่", "approve"),
]
