"""Anyone holding a copy of the approved memo checks it in the browser, without a login."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from measures.models import Plan
from reports.frozen import approved_document

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("bundled_frameworks"),
]


def test_a_citizen_checks_the_approved_memo_and_a_changed_copy(page, live_server, tmp_path):
    from io import StringIO

    # The project's media folder, not a temporary one: on PostgreSQL + Redis the approval's
    # freeze runs in the real worker, which stores under its own (the default) MEDIA_ROOT.
    call_command("ita_demo", stdout=StringIO())
    memo = approved_document(
        Plan.objects.get(organisation__code="demo", fiscal_year__year=2566).approved_revision, "memo"
    )
    original = tmp_path / "memo.pdf"
    with memo.file.open("rb") as f:
        original.write_bytes(f.read())
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(original.read_bytes() + b"\n% edited")

    page.goto(f"{live_server.url}/verify/")
    page.get_by_label("เลือกไฟล์ PDF ที่จะตรวจสอบ").set_input_files(original)
    page.get_by_role("button", name="ตรวจสอบ", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("ตรงกัน")
    expect(page.get_by_text("ประเสริฐ วงศ์สวัสดิ์ธนากร")).to_be_visible()

    page.goto(f"{live_server.url}/verify/")
    page.get_by_label("เลือกไฟล์ PDF ที่จะตรวจสอบ").set_input_files(changed)
    page.get_by_role("button", name="ตรวจสอบ", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("ไม่ตรงกัน")
