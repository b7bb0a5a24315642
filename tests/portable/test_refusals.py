"""A history file that must not be restored is refused whole, with the reason in Thai, and
leaves no row and no file behind."""

import io
import json
import zipfile

import pytest

from assessments.models import ChangeLog, Organisation
from assessments.portable import Limits, Refused, import_organisation
from assessments.portable import restore as restore_module

from .conftest import rewrite, stored_files

pytestmark = pytest.mark.django_db


def refused(data: bytes, **kwargs) -> Refused:
    with pytest.raises(Refused) as caught:
        import_organisation(io.BytesIO(data), **kwargs)
    return caught.value


def manifest_of(zip_bytes: bytes) -> dict:
    return json.loads(zipfile.ZipFile(io.BytesIO(zip_bytes)).read("manifest.json"))


@pytest.fixture
def nothing_written(media):
    """After the test: no demo agency, no change log of it, no stored file."""
    yield
    assert not Organisation.objects.filter(code="demo").exists()
    assert not ChangeLog.objects.filter(action="organisation.restore").exists()
    assert stored_files(media) == []


def test_a_member_with_a_bad_crc_is_refused_as_damaged(demo_history, nothing_written):
    data = bytearray(demo_history.zip_bytes)
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("data.json")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    error = refused(bytes(data))
    assert error.kind == "damaged" and "ไฟล์เสียหาย" in error.message


def test_a_truncated_file_is_refused_as_damaged(demo_history, nothing_written):
    error = refused(demo_history.zip_bytes[: len(demo_history.zip_bytes) // 2])
    assert error.kind == "damaged" and "ไม่ครบ" in error.message


def test_a_member_whose_hash_differs_from_the_manifest_is_refused(demo_history, nothing_written):
    name, original = next(iter(demo_history.evidence.items()))
    same_size = original[:-10] + b"0123456789"
    error = refused(rewrite(demo_history.zip_bytes, change={f"files/{name}": same_size}))
    assert error.kind == "damaged" and "SHA-256" in error.message and name in error.message


def test_a_member_not_in_the_manifest_is_refused(demo_history, nothing_written):
    error = refused(rewrite(demo_history.zip_bytes, add={"files/evidence/demo/extra.pdf": b"%PDF"}))
    assert error.kind == "damaged" and "files/evidence/demo/extra.pdf" in error.message


def test_a_zip_that_is_not_ours_is_refused_as_foreign(nothing_written):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    error = refused(out.getvalue())
    assert error.kind == "foreign" and "manifest.json" in error.message


def test_a_manifest_of_another_format_is_refused_as_foreign(demo_history, nothing_written):
    manifest = {**manifest_of(demo_history.zip_bytes), "format": "somebody-elses-backup"}
    error = refused(rewrite(demo_history.zip_bytes, manifest=json.dumps(manifest).encode()))
    assert error.kind == "foreign" and "ไม่ใช่ไฟล์ประวัติหน่วยงาน" in error.message


def test_a_file_that_is_not_a_zip_is_refused_as_foreign(nothing_written):
    error = refused(b"%PDF-1.7\n" + b"0" * 1000)
    assert error.kind == "foreign" and "ไม่ใช่ไฟล์ zip" in error.message


def test_a_newer_format_version_is_refused_naming_both_versions(demo_history, nothing_written):
    manifest = {**manifest_of(demo_history.zip_bytes), "format_version": 2}
    error = refused(rewrite(demo_history.zip_bytes, manifest=json.dumps(manifest).encode()))
    assert error.kind == "newer" and "รุ่น 2" in error.message and "รุ่น 1" in error.message


def test_an_organisation_that_exists_is_refused_without_replace(demo_history, media):
    import_organisation(io.BytesIO(demo_history.zip_bytes))
    demo = Organisation.objects.get(code="demo")
    demo.name = "ข้อมูลปัจจุบัน"
    demo.save()
    files = stored_files(media)
    error = refused(demo_history.zip_bytes)
    assert error.kind == "exists" and "“demo”" in error.message and "--replace" in error.message
    assert Organisation.objects.get(code="demo").name == "ข้อมูลปัจจุบัน"
    assert stored_files(media) == files


def test_a_zip_bomb_member_is_refused_before_it_is_read(demo_history, nothing_written):
    name = "files/evidence/demo/2566/bomb.pdf"
    bomb = b"\0" * (20 * 1024 * 1024)
    manifest = manifest_of(demo_history.zip_bytes)
    manifest["members"][name] = {"sha256": "0" * 64, "size": len(bomb)}
    data = rewrite(demo_history.zip_bytes, add={name: bomb}, manifest=json.dumps(manifest).encode())
    error = refused(data)
    assert error.kind == "bounds" and "zip bomb" in error.message and name in error.message


def test_a_member_past_the_size_bound_is_refused(demo_history, nothing_written):
    error = refused(demo_history.zip_bytes, limits=Limits(member_bytes=50_000))
    assert error.kind == "bounds" and "ใหญ่เกินกำหนด" in error.message


def test_a_member_path_escaping_files_is_refused(demo_history, nothing_written):
    name = "files/../../escaped.txt"
    manifest = manifest_of(demo_history.zip_bytes)
    manifest["members"][name] = {"sha256": "0" * 64, "size": 2}
    error = refused(rewrite(demo_history.zip_bytes, add={name: b"hi"}, manifest=json.dumps(manifest).encode()))
    assert error.kind == "path" and name in error.message


def test_a_file_name_in_the_data_escaping_files_is_refused(demo_history, nothing_written):
    archive = zipfile.ZipFile(io.BytesIO(demo_history.zip_bytes))
    data = json.loads(archive.read("data.json"))
    data["models"]["measures.Evidence"][0]["fields"]["file"] = "../../outside.pdf"
    raw = json.dumps(data).encode()
    manifest = manifest_of(demo_history.zip_bytes)
    import hashlib

    manifest["members"]["data.json"] = {"sha256": hashlib.sha256(raw).hexdigest(), "size": len(raw)}
    error = refused(rewrite(demo_history.zip_bytes, change={"data.json": raw}, manifest=json.dumps(manifest).encode()))
    assert error.kind == "path" and "../../outside.pdf" in error.message


def test_a_failure_mid_restore_leaves_no_rows_and_removes_the_files_written(demo_history, nothing_written, monkeypatch):
    def fail(self):
        assert self.saved_files, "files were written before the failure"
        raise Refused("data", "ล้มเหลวระหว่างนำเข้า")

    monkeypatch.setattr(restore_module.Restorer, "_m2m", fail)
    assert refused(demo_history.zip_bytes).message == "ล้มเหลวระหว่างนำเข้า"


def test_a_missing_framework_edition_is_refused_naming_it(demo_history, nothing_written):
    from assessments.models import Edition

    Edition.objects.filter(fiscal_year__year=2569, scheme="nacc").update(scheme="obec")
    error = refused(demo_history.zip_bytes)
    assert error.kind == "data" and "2569 nacc" in error.message


def test_a_stored_member_whose_crc_is_wrong_is_refused_as_damaged(demo_history, nothing_written):
    source = zipfile.ZipFile(io.BytesIO(demo_history.zip_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
    data = bytearray(out.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("data.json")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 100] ^= 0x01  # the bytes change, their CRC-32 in the headers does not
    error = refused(bytes(data))
    assert error.kind == "damaged" and "CRC" in error.message and "data.json" in error.message
