"""A province supervisor filters to the agencies that have not published their measures,
exports them to Excel and opens one (read-only); an agency's staff member reads where it
stands among agencies of its type, without seeing any other agency."""

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.supervision.conftest import province_supervisor, tree  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("bundled_frameworks"),
]


@pytest.fixture
def journey(bundled_frameworks, tree, province_supervisor):  # noqa: F811 - frameworks first: a flush may have removed them
    return tree


@pytest.mark.usefixtures("journey")
def test_supervisor_chases_unpublished_agencies_and_staff_read_their_peer_ranking(log_in, live_server, page):
    page = log_in(User.objects.get(username="prov-supervisor"))
    page.get_by_role("link", name="ภาพรวมหน่วยงานในกำกับของสถ.จ.พิษณุโลก").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ผลการประเมินปี 2565")

    filters = page.get_by_role("search", name="กรองหน่วยงาน")
    filters.get_by_label("สถานะ").select_option(label="ยังไม่เผยแพร่มาตรการ")
    filters.get_by_role("button", name="กรอง").click()
    table = page.get_by_test_id("agencies")
    expect(table.get_by_role("row")).to_have_count(6)  # the header and five agencies
    expect(table).not_to_contain_text("อบต.ที่ 1")
    expect(page.get_by_test_id("stage-counts").get_by_role("link", name="ยังไม่เผยแพร่มาตรการ 5")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="ส่งออก Excel").click()
    with open(download.value.path(), "rb") as fh:  # the saved download has no .xlsx suffix
        sheet = load_workbook(fh).active
    assert [r[0] for r in sheet.iter_rows(min_row=3, values_only=True)] == ["a3", "a4", "a5", "amphoe", "t1"]

    table.get_by_role("link", name="อบต.ที่ 3").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("อบต.ที่ 3")
    page.goto(f"{live_server.url}/o/a3/2565/analysis/")
    expect(page.get_by_test_id("total")).to_have_text("80.80")

    page.get_by_role("button", name="ออกจากระบบ").click()
    page = log_in(User.objects.get(username="staff-a3"))
    page.goto(f"{live_server.url}/o/a3/2565/analysis/")
    peers = page.get_by_role("region", name="เทียบกับหน่วยงานประเภทเดียวกัน")
    expect(peers.get_by_test_id("peers-province")).to_contain_text("อันดับ 3 จาก 5")
    expect(peers.get_by_test_id("peers-country")).to_contain_text("อันดับ 4 จาก 6")
    expect(page.locator("body")).not_to_contain_text("อบต.ที่ 4")


@pytest.mark.usefixtures("journey")
def test_supervisor_imports_a_results_sheet_and_confirms_a_conflict(log_in, live_server, page, tmp_path):
    sheet = tmp_path / "results.csv"
    sheet.write_text("code,total,ind1\namphoe,90,\na1,,65\n", encoding="utf-8")  # a1 entered 71 itself
    page = log_in(User.objects.get(username="prov-supervisor"))
    page.goto(f"{live_server.url}/s/prov/2565/")
    page.get_by_role("link", name="นำเข้าผลการประเมิน").click()
    page.get_by_label("ไฟล์คะแนน").set_input_files(str(sheet))
    page.get_by_role("button", name="ตรวจสอบไฟล์").click()
    conflicts = page.get_by_test_id("conflicts")
    expect(conflicts).to_contain_text("อบต.ที่ 1")
    expect(conflicts).to_contain_text("71.00")
    page.get_by_label("แทนที่คะแนนที่หน่วยงานบันทึกเองด้วยค่าในไฟล์").check()
    page.get_by_role("button", name="ยืนยันการนำเข้า").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("หน่วยงานในกำกับ")
    expect(page.locator("body")).to_contain_text("นำเข้าไฟล์ results.csv แล้ว: 2 หน่วยงาน")
    row = page.get_by_test_id("agencies").get_by_role("row").filter(has_text="สถ.อ.บางระกำ")
    expect(row).to_contain_text("90.00")
