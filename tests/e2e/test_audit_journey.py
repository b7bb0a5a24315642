"""The executive sets the approval chain and reads the audit trail: the change is there,
who made it, old → new, filtered by topic; a clerk cannot open it."""

import pytest
from playwright.sync_api import expect

from measures import services

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("bundled_frameworks"),
]


def test_executive_adds_a_step_and_reads_it_in_the_audit_trail(
    log_in, page, live_server, org, executive, approver, staff
):
    executive.first_name, executive.last_name = "ประเสริฐ", "มั่นคง"
    executive.save()
    approver.first_name, approver.last_name = "สมชาย", "รักงาน"
    approver.save()
    services.add_unit(org, by=staff, name="กองคลัง")

    log_in(executive)
    page.goto(f"{live_server.url}/o/{org.code}/")
    page.get_by_role("link", name="สายการอนุมัติ").click()
    page.get_by_label("ตำแหน่งผู้พิจารณา").fill("หัวหน้าสำนักปลัด")
    page.get_by_label("ผู้มีสิทธิ์พิจารณา").select_option(label="สมชาย รักงาน")
    page.get_by_role("button", name="เพิ่มขั้นตอน").click()
    expect(page.get_by_role("status")).to_have_text("เพิ่มขั้นตอน หัวหน้าสำนักปลัด แล้ว")

    page.goto(f"{live_server.url}/o/{org.code}/")
    page.get_by_role("link", name="บันทึกการเปลี่ยนแปลง").click()
    trail = page.get_by_test_id("audit")
    expect(trail).to_contain_text("เพิ่มขั้นตอน 1. หัวหน้าสำนักปลัด")
    expect(trail).to_contain_text("เพิ่มส่วนราชการ กองคลัง")
    page.get_by_label("เรื่อง").select_option(label="สายการอนุมัติ")
    page.get_by_role("button", name="กรอง").click()
    expect(trail).to_contain_text("ประเสริฐ มั่นคง")
    expect(trail).not_to_contain_text("เพิ่มส่วนราชการ")


def test_a_clerk_gets_no_audit_link_and_a_403(log_in, page, live_server, org, staff):
    log_in(staff)
    page.goto(f"{live_server.url}/o/{org.code}/")
    expect(page.get_by_role("link", name="บันทึกการเปลี่ยนแปลง")).to_have_count(0)
    response = page.goto(f"{live_server.url}/o/{org.code}/audit/")
    assert response.status == 403
