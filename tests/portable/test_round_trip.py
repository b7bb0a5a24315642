"""The demo agency's history restored into a database that never held it."""

import hashlib
import io

import pytest
from django.contrib.auth import get_user_model

from assessments.models import Organisation
from assessments.portable import import_organisation
from measures.models import Evidence, PlanRevision
from measures.services import snapshot_hash
from reports import verification
from reports.models import ApprovedDocument

from .conftest import DEMO_USERS, command_outputs, stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def restored(demo_history, media):
    assert not Organisation.objects.filter(code="demo").exists()
    assert not get_user_model().objects.filter(username__in=DEMO_USERS).exists()
    return import_organisation(io.BytesIO(demo_history.zip_bytes))


def test_restore_reproduces_ita_plan_and_ita_analysis_json_exactly(demo_history, restored):
    assert command_outputs() == demo_history.outputs


def test_restored_revision_hashes_verify(restored):
    revisions = list(PlanRevision.objects.filter(plan__organisation__code="demo"))
    assert revisions
    for revision in revisions:
        assert snapshot_hash(revision.snapshot) == revision.sha256
        assert verification.lookup(revision.sha256) is not None


def test_restored_approved_documents_are_byte_identical_and_verify(demo_history, restored):
    documents = ApprovedDocument.objects.filter(revision__plan__organisation__code="demo")
    assert {d.sha256 for d in documents} == set(demo_history.documents)
    for document in documents:
        data = document.file.open("rb").read()
        assert data == demo_history.documents[document.sha256]
        assert hashlib.sha256(data).hexdigest() == document.sha256
        assert verification.lookup(document.sha256) is not None


def test_restored_evidence_files_are_byte_identical_with_their_names(demo_history, restored):
    evidence = Evidence.objects.filter(entry__round__plan__organisation__code="demo").exclude(file="")
    assert {e.file.name: e.file.open("rb").read() for e in evidence} == demo_history.evidence
    assert {e.filename for e in evidence} == {"รายงานผลรอบ ๑.pdf"}


def test_missing_users_are_created_by_username_without_a_usable_password(restored):
    users = get_user_model().objects.filter(username__in=DEMO_USERS)
    assert sorted(u.username for u in users) == DEMO_USERS
    assert not any(u.has_usable_password() for u in users)
    staff = users.get(username="staff")
    assert staff.memberships.get(organisation__code="demo").role == "staff"


def test_restore_keeps_the_times_as_exported(demo_history, restored):
    import json
    import zipfile

    from assessments.models import ChangeLog

    data = json.loads(zipfile.ZipFile(io.BytesIO(demo_history.zip_bytes)).read("data.json"))
    exported = sorted((r["fields"]["action"], r["fields"]["at"]) for r in data["models"]["assessments.ChangeLog"])
    logs = ChangeLog.objects.filter(organisation__code="demo").exclude(action="organisation.restore")
    assert sorted((log.action, log.at.isoformat()) for log in logs) == exported
    organisation = data["models"]["assessments.Organisation"][0]["fields"]
    assert Organisation.objects.get(code="demo").created_at.isoformat() == organisation["created_at"]


def test_replace_deletes_the_present_data_and_restores_the_file(
    demo_history, restored, media, django_capture_on_commit_callbacks
):
    demo = Organisation.objects.get(code="demo")
    demo.name = "ชื่อที่แก้ภายหลัง"
    demo.save()
    before = stored_files(media)
    with django_capture_on_commit_callbacks(execute=True):
        result = import_organisation(io.BytesIO(demo_history.zip_bytes), replace=True)
    assert result.replaced
    assert Organisation.objects.get(code="demo").name != "ชื่อที่แก้ภายหลัง"
    assert command_outputs() == demo_history.outputs
    assert len(stored_files(media)) == len(before)  # the replaced files are deleted after commit


def test_import_command_restores_and_export_command_writes_the_same_history(demo_history, media, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "demo.zip"
    path.write_bytes(demo_history.zip_bytes)
    call_command("ita_import_org", str(path), stdout=io.StringIO())
    again = tmp_path / "again.zip"
    call_command("ita_export_org", "--org", "demo", "--output", str(again), stdout=io.StringIO())
    Organisation.objects.filter(code="demo").delete()
    call_command("ita_import_org", str(again), stdout=io.StringIO())
    assert command_outputs() == demo_history.outputs


def test_measures_keep_their_ids_and_new_rows_get_fresh_ones(demo_history, restored):
    from measures.models import Measure, Plan

    plan = Plan.objects.get(organisation__code="demo", fiscal_year__year=2566)
    snapshot_ids = {m["id"] for m in plan.approved_revision.snapshot["measures"]}
    assert snapshot_ids <= set(plan.measures.values_list("pk", flat=True))
    template = plan.measures.first()
    fresh = Measure.objects.create(
        plan=plan, issue_area=template.issue_area, title="มาตรการใหม่", start=template.start, end=template.end
    )
    assert fresh.pk not in snapshot_ids


def test_export_refuses_when_a_stored_file_is_missing_naming_it(restored, tmp_path):
    from django.core.management import CommandError, call_command

    evidence = Evidence.objects.filter(entry__round__plan__organisation__code="demo").exclude(file="").first()
    evidence.file.storage.delete(evidence.file.name)
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(CommandError, match=evidence.file.name):
        call_command("ita_export_org", "--org", "demo", "--output", str(folder / "demo.zip"), stdout=io.StringIO())
    assert list(folder.iterdir()) == []  # no half-written zip left behind


def test_a_file_already_at_a_stored_path_is_never_overwritten(demo_history, media):
    name, original = next(iter(demo_history.evidence.items()))
    (media / name).parent.mkdir(parents=True, exist_ok=True)
    (media / name).write_bytes(b"another agency's file")
    import_organisation(io.BytesIO(demo_history.zip_bytes))
    assert (media / name).read_bytes() == b"another agency's file"
    evidence = Evidence.objects.filter(entry__round__plan__organisation__code="demo").exclude(file="").get()
    assert evidence.file.name != name and evidence.file.open("rb").read() == original


def test_the_restore_is_logged_with_a_buddhist_era_time(restored):
    from assessments.models import ChangeLog

    log = ChangeLog.objects.get(organisation__code="demo", action="organisation.restore")
    assert "นำเข้าประวัติหน่วยงานจากไฟล์ที่สร้างเมื่อ" in log.summary and " 25" in log.summary


def test_restored_organisation_gets_its_stored_path_from_the_new_keys(restored):
    organisation = Organisation.objects.get(code="demo")
    above = organisation.parent.path if organisation.parent_id else "/"
    assert organisation.path == f"{above}{organisation.pk}/"
