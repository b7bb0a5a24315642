"""An approver's first sign-in: enrol an authenticator (TOTP), keep the recovery codes,
sign out, sign in again with the password and a code, and decide on a submitted plan."""

import re
import time
from base64 import b32decode
from datetime import date

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from measures import services
from measures.models import ApprovalStep
from tests.factories import PASSWORD, fiscal_year

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("bundled_frameworks"),
]

PLAN_URL = "/o/bungkok/plans/2566/"


@pytest.fixture
def submitted_plan(org, staff, approver):
    ApprovalStep.objects.create(organisation=org, order=1, title="นายก").users.add(approver)
    plan = services.get_or_create_plan(org, fiscal_year=fiscal_year(2566))
    services.save_measure(
        plan, by=staff, issue_area=services.issue_area(4), title="ประกาศเจตนารมณ์ No Gift Policy",
        start=date(2022, 10, 1), end=date(2023, 9, 30),
    )  # fmt: skip
    return services.submit_plan(plan, by=staff)


def code_shown(key, *, later=0):
    """What the authenticator app shows `later` seconds from now, computed with django-otp."""
    totp = TOTP(b32decode(key))
    totp.time = time.time() + later
    return f"{totp.token():06d}"


def sign_in_with_password(page, live_server, user, next_url):
    page.goto(f"{live_server.url}/login/?next={next_url}")
    page.get_by_label("ชื่อผู้ใช้").fill(user.username)
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()


def test_approver_enrols_totp_signs_in_with_a_code_and_approves_the_plan(page, live_server, approver, submitted_plan):
    # First sign-in: the password alone leads to enrolment, not to the plan.
    sign_in_with_password(page, live_server, approver, PLAN_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("ลงทะเบียนการยืนยันตัวตนสองขั้นตอน")
    expect(page.get_by_role("img", name="คิวอาร์โค้ดสำหรับแอปยืนยันตัวตน")).to_be_visible()
    page.goto(live_server.url + PLAN_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("ลงทะเบียนการยืนยันตัวตนสองขั้นตอน")

    # The key as text, typed into an app; a wrong code is refused, the right one enrols.
    key = page.get_by_test_id("totp-key").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", key)
    page.get_by_label("รหัสยืนยัน").fill("000000" if code_shown(key) != "000000" else "111111")
    page.get_by_role("button", name="ยืนยันและเปิดใช้").click()
    expect(page.get_by_role("alert")).to_contain_text("รหัสยืนยันไม่ถูกต้อง")
    page.get_by_label("รหัสยืนยัน").fill(code_shown(key))
    page.get_by_role("button", name="ยืนยันและเปิดใช้").click()
    expect(page.get_by_role("status")).to_contain_text("ลงทะเบียนการยืนยันตัวตนสองขั้นตอนแล้ว")
    codes = page.get_by_test_id("recovery-codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    page.get_by_role("link", name="ไปต่อ").click()
    expect(page).to_have_url(live_server.url + PLAN_URL)
    page.get_by_role("button", name="ออกจากระบบ").click()
    expect(page.get_by_role("button", name="เข้าสู่ระบบ")).to_be_visible()

    # Next sign-in: password, then the code step. The app's next code (django-otp allows one
    # step of clock drift) is one not used yet: each code is accepted once.
    sign_in_with_password(page, live_server, approver, PLAN_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("ยืนยันตัวตนขั้นที่สอง")
    page.get_by_label("รหัสยืนยัน").fill(code_shown(key, later=30))
    page.get_by_role("button", name="ยืนยัน", exact=True).click()
    expect(page).to_have_url(live_server.url + PLAN_URL)

    # The decision.
    expect(page.get_by_role("heading", name="การพิจารณาของท่าน: นายก")).to_be_visible()
    page.get_by_label("ความเห็น").fill("อนุมัติ ให้ประกาศใช้")
    page.get_by_role("button", name="อนุมัติ", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("บันทึกการพิจารณาแล้ว: อนุมัติ")
    expect(page.get_by_test_id("plan-state")).to_have_text("อนุมัติแล้ว")
