"""Staff types seed 000's item scores into the ten indicator forms and reads the analysis."""

import csv
import re

import pytest
from playwright.sync_api import expect

# transaction=True: live_server serves from another thread, so data must be committed.
# serialized_rollback=True: the flush after a transactional test also empties the
# frameworks that migrations install; this restores them for every test in this file.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("bundled_frameworks"),
]

THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")

# Items of each indicator in the 2565 framework (i1–i30, e1–e15, o1–o43).
ITEMS_2565 = {
    **{n: [f"i{k}" for k in range(6 * n - 5, 6 * n + 1)] for n in range(1, 6)},
    6: [f"e{k}" for k in range(1, 6)],
    7: [f"e{k}" for k in range(6, 11)],
    8: [f"e{k}" for k in range(11, 16)],
    9: [f"o{k}" for k in range(1, 34)],
    10: [f"o{k}" for k in range(34, 44)],
}


@pytest.fixture
def seed000_scores(seed000_items):
    with seed000_items.open(encoding="utf-8") as fh:
        return {row["code"]: row["score"] for row in csv.DictReader(fh)}


def typed(code, value):
    """What the person types: every other item of an indicator in Thai digits (๘๒.๕๑)."""
    return value.translate(THAI) if int(code[1:]) % 2 else value


def item_input(page, code):
    return page.get_by_label(f"ข้อ {code}", exact=True)


def fill_items(page, codes, scores):
    for code in codes:
        item_input(page, code).fill(typed(code, scores[code]))


def listed_indicators(page, test_id):
    texts = page.get_by_test_id(test_id).get_by_role("listitem").all_inner_texts()
    return [int(re.search(r"ตัวชี้วัดที่ (\d+)", text).group(1)) for text in texts]


def indicator_score_cell(page, number, name):
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=re.compile(rf"^{number}\. {name}")))
    return row.get_by_role("cell").nth(3)  # ตัวชี้วัด | ที่ประกาศ | คำนวณได้ | คะแนน


def test_staff_fills_seed000_items_in_ten_indicator_forms_and_reads_the_analysis(
    log_in, live_server, org, staff, seed000_scores
):
    page = log_in(staff)

    # A staff member of one organisation lands on that organisation's page.
    expect(page).to_have_url(f"{live_server.url}/o/bungkok/")
    expect(page.get_by_role("heading", level=1)).to_have_text("องค์การบริหารส่วนตำบลบึงกอก")
    page.get_by_role("row").filter(has_text="พ.ศ. 2565").get_by_role("link", name="กรอกคะแนน").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("คะแนน ITA ปีงบประมาณ พ.ศ. 2565")
    page.get_by_role("link", name="กรอกคะแนน ตัวชี้วัดที่ 1", exact=True).click()

    for number, codes in ITEMS_2565.items():
        expect(page).to_have_url(f"{live_server.url}/o/bungkok/2565/scores/{number}/")
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"ตัวชี้วัดที่ {number} ")
        fill_items(page, codes, seed000_scores)

        if number == 2:
            # Two mistakes: the form comes back with Thai messages beside the fields
            # and everything typed still in place, nothing saved.
            item_input(page, "i9").fill("101")
            item_input(page, "i11").fill("abc")
            page.get_by_role("button", name="บันทึกและไปตัวชี้วัดที่ 3").click()

            expect(page).to_have_url(f"{live_server.url}/o/bungkok/2565/scores/2/")
            expect(page.get_by_role("status")).to_contain_text("มีช่องที่กรอกไม่ถูกต้อง ยังไม่ได้บันทึก")
            i9_row = page.get_by_role("row").filter(has=item_input(page, "i9"))
            expect(i9_row).to_contain_text("คะแนนต้องอยู่ระหว่าง 0 ถึง 100 (ได้ 101)")
            i11_row = page.get_by_role("row").filter(has=item_input(page, "i11"))
            expect(i11_row).to_contain_text("“abc” ไม่ใช่ตัวเลข")
            expect(item_input(page, "i9")).to_have_value("101")
            expect(item_input(page, "i11")).to_have_value("abc")
            for code in ["i7", "i8", "i10", "i12"]:
                expect(item_input(page, code)).to_have_value(typed(code, seed000_scores[code]))

            item_input(page, "i9").fill(typed("i9", seed000_scores["i9"]))
            item_input(page, "i11").fill(typed("i11", seed000_scores["i11"]))

        if number < 10:
            page.get_by_role("button", name=f"บันทึกและไปตัวชี้วัดที่ {number + 1}", exact=True).click()
        else:
            page.get_by_role("button", name="บันทึกและกลับหน้ารวม").click()
        expect(page.get_by_role("status")).to_have_text(f"บันทึกแล้ว: เพิ่ม {len(codes)} แก้ไข 0 ลบ 0 รายการ")

    expect(page).to_have_url(f"{live_server.url}/o/bungkok/2565/scores/")
    page.get_by_role("link", name="ดูผลการวิเคราะห์").click()

    expect(page).to_have_url(f"{live_server.url}/o/bungkok/2565/analysis/")
    expect(page.get_by_test_id("total")).to_have_text("83.37")
    expect(indicator_score_cell(page, 9, "การเปิดเผยข้อมูล")).to_have_text("76.29")
    expect(indicator_score_cell(page, 10, "การป้องกันการทุจริต")).to_have_text("93.75")
    assert listed_indicators(page, "strengths") == [10, 1, 3, 5, 2]
    assert listed_indicators(page, "weaknesses") == [8, 9, 7, 6, 4]
    failed_oit = page.get_by_test_id("failed-oit")
    expect(failed_oit.get_by_role("cell", name="o11", exact=True)).to_be_visible()
    expect(failed_oit.locator("tbody td.item-code")).to_have_text(
        ["o11", "o12", "o20", "o23", "o26", "o29", "o33", "o38"]
    )


def test_outsider_gets_404_page_on_another_organisations_analysis(log_in, live_server, org, outsider):
    page = log_in(outsider)

    response = page.goto(f"{live_server.url}/o/bungkok/2565/analysis/")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("ไม่พบหน้าที่ต้องการ หรือท่านไม่มีสิทธิ์เข้าถึงข้อมูลนี้")
    expect(page.locator("body")).not_to_contain_text(org.name)
