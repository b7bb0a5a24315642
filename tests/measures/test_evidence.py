"""Evidence files are checked by their content, not only their name, and keep the
name people gave them (Thai vowels and tone marks included)."""

import io
import zipfile
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from measures import services
from measures.models import Evidence

from .conftest import reload

pytestmark = pytest.mark.django_db

THAI_NAME = "หลักฐานการประชุม.pdf"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50


def ooxml(part_folder):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(f"{part_folder}document.xml", "<document/>")
    return buffer.getvalue()


def xlsx():
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


@pytest.fixture
def entry(submitted, approver, executive, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    services.record_decision(submitted, by=approver, kind="forward")
    plan = services.record_decision(reload(submitted), by=executive, kind="approve", permit_publish=True)
    first, _ = services.ensure_rounds(plan)
    return services.record_followup(first, measure=plan.measures.get(), by=executive, status="done", percent=100)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scan.pdf", PDF),
        ("photo.png", PNG),
        ("photo.JPG", JPEG),
        ("minutes.doc", OLE2),
        ("budget.xls", OLE2),
        ("minutes.docx", ooxml("word/")),
        ("slides.pptx", ooxml("ppt/")),
        ("budget.xlsx", xlsx()),
    ],
)
def test_a_file_whose_bytes_match_its_type_is_accepted(entry, staff, name, content):
    services.add_evidence(entry, by=staff, upload=SimpleUploadedFile(name, content))
    evidence = entry.evidence.get()
    assert evidence.file.read() == content


def test_a_renamed_exe_is_refused_with_a_thai_message_naming_what_it_is(entry, staff):
    with pytest.raises(services.WorkflowError) as refused:
        services.add_evidence(entry, by=staff, upload=SimpleUploadedFile("รายงาน.pdf", EXE))
    assert "ไม่ใช่PDF" in str(refused.value) and "โปรแกรม Windows" in str(refused.value)
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.docx", xlsx()),  # an Excel package named as Word
        ("report.docx", ooxml("misc/")[:-1] + b"\x00"),  # a damaged zip
        ("archive.xlsx", b"PK\x03\x04" + b"\x00" * 40),  # zip magic, no package
        ("photo.png", JPEG),
        ("minutes.doc", PDF),
        ("scan.pdf", b"just text"),
    ],
)
def test_a_file_whose_bytes_do_not_match_its_name_is_refused(entry, staff, name, content):
    with pytest.raises(services.WorkflowError, match="จึงไม่รับไฟล์นี้"):
        services.add_evidence(entry, by=staff, upload=SimpleUploadedFile(name, content))
    assert not Evidence.objects.exists()


def test_the_upload_form_refuses_a_renamed_exe_and_saves_nothing(entry, staff):
    client = Client()
    client.force_login(staff)
    m = entry.measure
    data = {f"m{m.pk}-status": "in_progress", f"m{m.pk}-percent": "50", f"m{m.pk}-done": "ทำแล้ว",
            f"m{m.pk}-evidence_file": SimpleUploadedFile("ประกาศ.pdf", EXE),
            "round-problems": "", "round-suggestions": ""}  # fmt: skip
    response = client.post(f"/o/bungkok/plans/2566/rounds/{entry.round.number}/", data)
    assert response.status_code == 400
    assert "จึงไม่รับไฟล์นี้" in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_thai_file_name_keeps_its_vowels_and_tone_marks(entry, staff):
    evidence = services.add_evidence(entry, by=staff, upload=SimpleUploadedFile(THAI_NAME, PDF))
    assert evidence.filename == THAI_NAME
    assert evidence.display_name == THAI_NAME
    assert evidence.file.name.isascii() and evidence.file.name.endswith(".pdf")


def test_the_download_gives_the_thai_name_back(entry, staff):
    evidence = services.add_evidence(entry, by=staff, upload=SimpleUploadedFile(THAI_NAME, PDF))
    client = Client()
    client.force_login(staff)
    response = client.get(f"/o/bungkok/plans/2566/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    disposition = response.headers["Content-Disposition"]
    assert unquote(disposition.split("filename*=utf-8''", 1)[1]) == THAI_NAME


def test_the_follow_up_page_and_report_show_the_thai_name(entry, staff):
    from reports.builders import build

    services.add_evidence(entry, by=staff, upload=SimpleUploadedFile(THAI_NAME, PDF))
    client = Client()
    client.force_login(staff)
    assert THAI_NAME in client.get(f"/o/bungkok/plans/2566/rounds/{entry.round.number}/").content.decode()
    rows = build("followup", entry.round.plan.organisation, 2566, round_number=entry.round.number)["rows"]
    assert [THAI_NAME] in [r["evidence"] for r in rows]


def test_a_path_or_control_characters_in_the_name_are_not_kept(entry, staff):
    evidence = services.add_evidence(entry, by=staff, upload=SimpleUploadedFile("..\\x/ราย\x07งาน.pdf", PDF))
    assert evidence.filename == "รายงาน.pdf"
