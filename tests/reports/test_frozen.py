"""Frozen approved documents, the public verification page, and "public means approved"."""

import hashlib
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from assessments.models import ChangeLog, Membership
from measures import services as plans
from measures.models import ApprovalStep, FollowUpEntry, MeasureTemplate, Person, Plan, PlanRevision
from reports import builders, pdf, services
from reports.frozen import approved_document, freeze_approved_documents
from reports.models import ApprovedDocument

from .test_reports import text_of

pytestmark = pytest.mark.django_db

CHAIN_MOVES = [("approver", "forward"), ("deputy", "forward"), ("palat", "forward"), ("executive", "approve")]


def user(name):
    return get_user_model().objects.get(username=name)


def plan_of(demo):
    return Plan.objects.get(organisation=demo, fiscal_year__year=2566)


def approve(plan):
    """Submit the demo plan's current revision and take it through the demo's four steps."""
    plans.submit_plan(plan, by=user("staff"))
    for name, kind in CHAIN_MOVES:
        plans.record_decision(plan, by=user(name), kind=kind, opinion="เห็นชอบ", permit_publish=True)
    return plan_of(plan.organisation)


def stored_bytes(document):
    with document.file.open("rb") as f:
        return f.read()


@pytest.fixture
def approved(demo, django_capture_on_commit_callbacks, inline_celery):
    """The demo plan approved again as revision 2, its documents frozen by the approval's task."""
    plan = plans.start_revision(plan_of(demo), by=user("staff"))
    with django_capture_on_commit_callbacks(execute=True):
        plan = approve(plan)
    return plan.approved_revision


def test_approval_stores_the_memo_and_measures_pdfs_with_their_sha256(approved):
    documents = {d.kind: d for d in approved.documents.all()}
    assert set(documents) == {"memo", "measures"}
    for document in documents.values():
        data = stored_bytes(document)
        assert data[:4] == b"%PDF" and document.size == len(data)
        assert document.sha256 == hashlib.sha256(data).hexdigest()


def test_approved_memo_is_byte_identical_after_editing_the_chain_the_people_and_the_templates(
    approved, settings, tmp_path
):
    memo = approved.documents.get(kind="memo")
    before = stored_bytes(memo)
    demo = approved.plan.organisation
    ApprovalStep.objects.filter(organisation=demo, order=1).delete()
    ApprovalStep.objects.filter(organisation=demo).update(title="ตำแหน่งใหม่")
    get_user_model().objects.filter(username="executive").update(first_name="คนอื่น", last_name="แทน")
    Membership.objects.filter(organisation=demo).update(position="ตำแหน่งที่เปลี่ยน")
    Person.objects.filter(organisation=demo).update(name="ชื่อที่เปลี่ยน")
    MeasureTemplate.objects.update(title="แม่แบบที่เปลี่ยน")
    for unit in demo.units.all():
        unit.name = f"กองที่เปลี่ยน {unit.pk}"
        unit.save()
    override = tmp_path / "templates" / "reports" / "pdf"
    override.mkdir(parents=True)
    (override / "_memo_body.html").write_text("<p>แม่แบบเอกสารที่เปลี่ยน</p>", encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}]

    report = services.request_report(demo, kind="memo", year=2566, fmt="pdf", by=None)
    out = tmp_path / "memo.pdf"
    call_command("ita_report", "memo", "--org", "demo", "--year", "2566", "--output", str(out), stdout=io.StringIO())

    assert stored_bytes(approved.documents.get(kind="memo")) == before
    assert report.state == "done" and report.source_hash == memo.sha256 and stored_bytes(report) == before
    assert out.read_bytes() == before
    assert ApprovedDocument.objects.filter(revision=approved).count() == 2
    assert "แม่แบบเอกสารที่เปลี่ยน" in pdf.render_html(builders.approved_memo(approved))  # a rebuild would differ


def test_approved_memo_prints_the_decisions_as_recorded(approved):
    text, _ = text_of(stored_bytes(approved.documents.get(kind="memo")))
    for name in ("ธนพล โคระธานุวัฒน์", "วิชัย เจริญศรีสุขสกุล", "ปกรณ์ ศักดิ์สิทธิ์ไพบูลย์", "ประเสริฐ วงศ์สวัสดิ์ธนากร"):
        assert name in text
    assert approved.sha256 in text.replace("\n", "") and "/verify/" in text


def test_freezing_twice_changes_nothing(approved):
    first = {d.kind: (d.pk, d.sha256) for d in approved.documents.all()}
    again = freeze_approved_documents(approved.pk)
    assert {k: (d.pk, d.sha256) for k, d in again.items()} == first
    assert ChangeLog.objects.filter(action="plan.freeze").count() == 1


def test_memo_hash_verifies_on_the_verification_page(approved):
    memo = approved.documents.get(kind="memo")
    page = Client().get(f"/verify/{memo.sha256}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "องค์การบริหารส่วนตำบลบึงกอก" in html and "ฉบับที่ 2" in html and "บันทึกข้อความขออนุมัติ" in html
    assert "ประเสริฐ วงศ์สวัสดิ์ธนากร" in html and "อนุมัติ" in html and "นายกองค์การบริหารส่วนตำบล" in html
    assert any(month in html for month in ("มกราคม", "ธันวาคม", "พฤศจิกายน")) and " 25" in html  # B.E.

    uploaded = Client().post("/verify/", {"file": SimpleUploadedFile("memo.pdf", stored_bytes(memo))})
    assert uploaded.status_code == 200 and "ตรงกัน" in uploaded.content.decode()
    assert "ไม่ตรงกัน" not in uploaded.content.decode() and memo.sha256 in uploaded.content.decode()


def test_a_pasted_hash_leads_to_its_page(approved):
    memo = approved.documents.get(kind="memo")
    response = Client().post("/verify/", {"sha256": " " + memo.sha256.upper() + " "})
    assert response.status_code == 302 and response.url == f"/verify/{memo.sha256}/"


def test_a_changed_file_does_not_match(approved):
    memo = approved.documents.get(kind="memo")
    changed = stored_bytes(memo) + b"\n% edited"
    anywhere = Client().post("/verify/", {"file": SimpleUploadedFile("memo.pdf", changed)})
    assert "ไม่ตรงกัน" in anywhere.content.decode()
    here = Client().post(f"/verify/{memo.sha256}/", {"file": SimpleUploadedFile("memo.pdf", changed)})
    assert "ไม่ตรงกัน" in here.content.decode() and hashlib.sha256(changed).hexdigest() in here.content.decode()


def test_an_unknown_hash_says_so(db):
    response = Client().get("/verify/" + "0" * 64 + "/")
    assert response.status_code == 404 and "ไม่พบเอกสารที่มีรหัสนี้ในระบบ" in response.content.decode()


def test_a_malformed_hash_is_named(db):
    response = Client().post("/verify/", {"sha256": "abc123"})
    assert response.status_code == 400 and "64 ตัว" in response.content.decode()


def test_uploaded_files_are_not_stored(approved, settings):
    before = sorted(p.name for p in settings.MEDIA_ROOT.rglob("*"))
    Client().post("/verify/", {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.7 something")})
    assert sorted(p.name for p in settings.MEDIA_ROOT.rglob("*")) == before


def test_an_old_snapshot_without_measure_ids_still_verifies(demo):
    revision = plan_of(demo).approved_revision
    snapshot = {**revision.snapshot, "measures": [dict(m) for m in revision.snapshot["measures"]]}
    for m in snapshot["measures"]:
        m.pop("id", None)
    snapshot.pop("memo_number", None)
    PlanRevision.objects.filter(pk=revision.pk).update(snapshot=snapshot, sha256=plans.snapshot_hash(snapshot))
    revision.refresh_from_db()

    page = Client().get(f"/verify/{revision.sha256}/")
    assert page.status_code == 200 and "เนื้อหาที่จัดเก็บตรงกับรหัส" in page.content.decode()
    rows = builders.build("followup", demo, 2566, round_number=1)["rows"]
    assert sum(1 for r in rows if r["percent"]) == 6  # entries found by title


def test_the_approved_measures_pdf_is_what_the_public_address_serves(demo_public):
    response = Client().get("/p/demo/2566/measures.pdf")
    document = plan_of(demo_public).approved_revision.documents.get(kind="measures")
    assert b"".join(response.streaming_content) == stored_bytes(document)


def test_public_pages_never_show_a_draft_title_of_revision_2(demo_public):
    plan = plans.start_revision(plan_of(demo_public), by=user("staff"))
    measure = plan.measures.order_by("order").first()
    approved_title = measure.title
    plans.save_measure(plan, by=user("staff"), measure=measure, title="ชื่อร่างฉบับที่สองที่ยังไม่อนุมัติ")

    page = Client().get("/p/demo/2566/").content.decode()
    measures_pdf, _ = text_of(b"".join(Client().get("/p/demo/2566/measures.pdf").streaming_content))
    followup_pdf, _ = text_of(b"".join(Client().get("/p/demo/2566/followup-1.pdf").streaming_content))
    for text in (page, measures_pdf.replace("\n", ""), followup_pdf.replace("\n", "")):
        assert "ชื่อร่างฉบับที่สอง" not in text
    assert approved_title in page


def test_an_unreported_round_is_not_public(demo):
    page = Client().get("/p/demo/2566/").content.decode()
    assert "followup-1.pdf" in page and "followup-2.pdf" not in page
    assert Client().get("/p/demo/2566/followup-2.pdf").status_code == 404


def test_staff_report_a_round_from_the_follow_up_page_and_it_is_logged(
    demo, django_capture_on_commit_callbacks, inline_celery
):
    client = Client()
    client.force_login(get_user_model().objects.get(username="staff"))
    assert "ส่งรายงานผลรอบนี้" in client.get("/o/demo/plans/2566/rounds/2/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the round's public PDF, built ahead
        response = client.post("/o/demo/plans/2566/rounds/2/", {"action": "report"}, follow=True)
    assert "ส่งรายงานผลรอบ 12 เดือนแล้ว" in response.content.decode()
    round_ = plan_of(demo).rounds.get(number=2)
    assert round_.reported_by == user("staff") and round_.reported_revision == plan_of(demo).approved_revision
    assert ChangeLog.objects.filter(action="followup.report", details__round=2).count() == 1
    assert Client().get("/p/demo/2566/followup-2.pdf").status_code == 200


def test_a_viewer_cannot_report_a_round(demo):
    client = Client()
    client.force_login(get_user_model().objects.get(username="viewer"))
    assert client.post("/o/demo/plans/2566/rounds/2/", {"action": "report"}).status_code == 403
    assert plan_of(demo).rounds.get(number=2).reported_at is None


def test_deleting_a_measure_in_revision_2_keeps_revision_1s_follow_up_and_evidence(
    demo, django_capture_on_commit_callbacks, inline_celery
):
    plan = plan_of(demo)
    second = plan.rounds.get(number=2)
    measure = plan.measures.order_by("order").first()
    entry = plans.record_followup(second, measure=measure, by=user("staff"), status="done", percent=100, done="ทำแล้ว")
    upload = SimpleUploadedFile("หลักฐาน.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    evidence = plans.add_evidence(entry, by=user("staff"), upload=upload, description="รายงานการประชุม")
    with django_capture_on_commit_callbacks(execute=True):
        plans.report_round(second, by=user("staff"))
    title, key = measure.title, measure.pk

    plan = plans.start_revision(plan, by=user("staff"))
    plans.delete_measure(measure, by=user("staff"))
    with django_capture_on_commit_callbacks(execute=True):
        plan = approve(plan)

    assert plan.approved_revision.number == 2
    entry.refresh_from_db()
    assert entry.measure is None and entry.measure_key == key and entry.evidence.get() == evidence
    rows = builders.build("followup", demo, 2566, round_number=2)["rows"]
    row = next(r for r in rows if r["id"] == key)
    assert row["title"] == title and row["percent"] == 100 and row["evidence"] == ["รายงานการประชุม"]
    client = Client()
    client.force_login(get_user_model().objects.get(username="staff"))
    download = client.get(f"/o/demo/plans/2566/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 evidence"
    public, _ = text_of(b"".join(Client().get("/p/demo/2566/followup-2.pdf").streaming_content))
    assert title[:20] in public.replace("\n", "")


def test_new_snapshots_carry_each_measures_id(demo):
    plan = plan_of(demo)
    ids = [m["id"] for m in plan.approved_revision.snapshot["measures"]]
    assert ids == list(plan.measures.order_by("order", "pk").values_list("pk", flat=True))
    assert FollowUpEntry.objects.filter(round__plan=plan).exclude(measure_key__in=ids).count() == 0


def test_the_memo_request_for_a_revision_never_frozen_freezes_it_once(demo):
    revision = plan_of(demo).approved_revision
    assert not revision.documents.exists()  # the demo's approval task never ran in this test
    first = approved_document(revision, "memo")
    assert approved_document(revision, "memo").pk == first.pk


def _signing_certificate(directory, code, passphrase):
    """A self-made certificate and key for ``code``, as ``<code>.p12`` in ``directory``."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ITA test signer"),
                      x509.NameAttribute(NameOID.COUNTRY_NAME, "TH")])  # fmt: skip
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    blob = pkcs12.serialize_key_and_certificates(
        b"ita", key, cert, None, serialization.BestAvailableEncryption(passphrase.encode())
    )
    (directory / f"{code}.p12").write_bytes(blob)
    return cert


def test_memo_carries_a_pades_signature_that_validates_over_the_whole_file(demo, settings, tmp_path, monkeypatch):
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    cert = _signing_certificate(tmp_path, "demo", "lab-secret")
    settings.ITA_SIGNING_DIR = str(tmp_path)
    monkeypatch.setenv("ITA_SIGNING_PASSPHRASE_DEMO", "lab-secret")

    memo = approved_document(plan_of(demo).approved_revision, "memo")
    data = stored_bytes(memo)
    signature = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    status = validate_pdf_signature(
        signature, ValidationContext(trust_roots=[asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))])
    )
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert memo.signed and memo.sha256 == hashlib.sha256(data).hexdigest()  # the hash is of the signed file
    assert not approved_document(plan_of(demo).approved_revision, "measures").signed


def test_a_wrong_passphrase_is_a_clear_message_and_stores_nothing(demo, settings, tmp_path, monkeypatch):
    _signing_certificate(tmp_path, "demo", "lab-secret")
    settings.ITA_SIGNING_DIR = str(tmp_path)
    monkeypatch.setenv("ITA_SIGNING_PASSPHRASE", "wrong")
    with pytest.raises(builders.ReportError, match="เปิดใบรับรองสำหรับลงลายมือชื่อดิจิทัล"):
        approved_document(plan_of(demo).approved_revision, "memo")
    assert not ApprovedDocument.objects.exists()


def test_staff_download_revision_1s_memo_while_revision_2_is_drafted_and_outsiders_get_404(demo):
    from tests.factories import make_organisation, make_user

    revision = plan_of(demo).approved_revision
    plans.start_revision(plan_of(demo), by=user("staff"))
    client = Client()
    client.force_login(get_user_model().objects.get(username="viewer"))
    response = client.get("/o/demo/plans/2566/revisions/1/memo.pdf")
    assert b"".join(response.streaming_content) == stored_bytes(revision.documents.get(kind="memo"))
    outsider = make_user(organisation=make_organisation(code="far"))
    client.force_login(outsider)
    assert client.get("/o/demo/plans/2566/revisions/1/memo.pdf").status_code == 404


def test_a_certificate_that_does_not_open_never_undoes_the_approval(
    demo, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks, inline_celery
):
    _signing_certificate(tmp_path, "demo", "lab-secret")
    settings.ITA_SIGNING_DIR = str(tmp_path)
    monkeypatch.setenv("ITA_SIGNING_PASSPHRASE", "wrong")
    plan = plans.start_revision(plan_of(demo), by=user("staff"))
    with django_capture_on_commit_callbacks(execute=True):
        plan = approve(plan)
    assert plan.state == Plan.State.APPROVED and not ApprovedDocument.objects.filter(revision=plan.approved_revision)
    client = Client()
    client.force_login(get_user_model().objects.get(username="staff"))
    response = client.post("/o/demo/reports/2566/request/", {"kind": "memo", "fmt": "pdf"}, follow=True)
    assert "เปิดใบรับรองสำหรับลงลายมือชื่อดิจิทัล" in response.content.decode()


def test_the_upload_form_works_with_csrf_checks_as_a_browser_sends_it(demo):
    memo = approved_document(plan_of(demo).approved_revision, "memo")
    client = Client(enforce_csrf_checks=True)
    client.get("/verify/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/verify/", {"file": SimpleUploadedFile("memo.pdf", stored_bytes(memo)), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200 and memo.sha256 in response.content.decode()
    assert Client(enforce_csrf_checks=True).post("/verify/", {"sha256": memo.sha256}).status_code == 403


def test_an_upload_over_the_limit_is_refused_with_a_reason(db, monkeypatch):
    from reports import verification

    monkeypatch.setattr(verification, "MAX_VERIFY_BYTES", 1024)
    response = Client().post("/verify/", {"file": SimpleUploadedFile("big.pdf", b"x" * 200_000)})
    assert response.status_code == 400 and "ไฟล์ใหญ่เกิน" in response.content.decode()


def test_the_public_page_gives_the_approval_time_in_the_buddhist_era(demo):
    from django.utils import timezone

    approved_at = timezone.localtime(plan_of(demo).approved_revision.approved_at)
    page = Client().get("/p/demo/2566/").content.decode()
    assert f"อนุมัติเมื่อ {approved_at.day} " in page and f"{approved_at.year + 543} เวลา" in page
