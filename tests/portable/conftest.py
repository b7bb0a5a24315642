"""The demo agency's history, exported once per session from a transaction that is rolled
back: every test restores it into a test database that has never held the demo agency."""

import io
import zipfile
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

DEMO_USERS = ["approver", "deputy", "executive", "palat", "staff", "viewer"]
ANALYSIS_YEARS = [2565, 2566, 2569]
PLAN_YEARS = [2566, 2570]


@dataclass
class DemoHistory:
    zip_bytes: bytes
    outputs: dict[str, str]  # "analysis 2565" -> ita_analysis --json, "plan 2566" -> ita_plan --json
    evidence: dict[str, bytes]  # stored name -> bytes
    documents: dict[str, bytes]  # sha256 -> bytes of each approved document


class _Rollback(Exception):
    pass


def command_outputs() -> dict[str, str]:
    outputs = {}
    for year in ANALYSIS_YEARS:
        out = io.StringIO()
        call_command("ita_analysis", "--org", "demo", "--year", str(year), "--json", stdout=out)
        outputs[f"analysis {year}"] = out.getvalue()
    for year in PLAN_YEARS:
        out = io.StringIO()
        call_command("ita_plan", "--org", "demo", "--year", str(year), "--json", stdout=out)
        outputs[f"plan {year}"] = out.getvalue()
    return outputs


@pytest.fixture(scope="session")
def demo_history(django_db_setup, django_db_blocker, tmp_path_factory) -> DemoHistory:
    from django.contrib.auth import get_user_model

    from assessments.models import Organisation
    from assessments.portable import export_organisation
    from measures import services as plans
    from measures.models import FollowUpEntry, PlanRevision
    from reports.frozen import freeze_approved_documents
    from reports.models import ApprovedDocument

    media = tmp_path_factory.mktemp("export-media")
    result = {}
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        try:
            with transaction.atomic():
                call_command("ita_demo", stdout=io.StringIO())
                demo = Organisation.objects.get(code="demo")
                for revision in PlanRevision.objects.filter(plan__organisation=demo):
                    freeze_approved_documents(revision.pk)
                entry = FollowUpEntry.objects.filter(round__plan__organisation=demo).order_by("pk").first()
                memo = ApprovedDocument.objects.filter(revision__plan__organisation=demo, kind="memo").get()
                pdf = memo.file.open("rb").read()
                staff = get_user_model().objects.get(username="staff")
                upload = SimpleUploadedFile("รายงานผลรอบ ๑.pdf", pdf, content_type="application/pdf")
                plans.add_evidence(entry, by=staff, upload=upload, description="หลักฐานการดำเนินการ")
                plans.add_evidence(entry, by=staff, url="https://example.org/report", description="ลิงก์")
                result["outputs"] = command_outputs()
                result["evidence"] = {
                    e.file.name: e.file.open("rb").read()
                    for e in entry.evidence.exclude(file="")
                }  # fmt: skip
                result["documents"] = {
                    d.sha256: d.file.open("rb").read()
                    for d in ApprovedDocument.objects.filter(revision__plan__organisation=demo)
                }  # fmt: skip
                buffer = io.BytesIO()
                export_organisation(demo, buffer)
                result["zip_bytes"] = buffer.getvalue()
                raise _Rollback
        except _Rollback:
            pass
    return DemoHistory(**result)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def rewrite(zip_bytes: bytes, *, change=None, add=None, drop=(), manifest=None) -> bytes:
    """The archive with members changed (name -> bytes), added, dropped or the manifest
    replaced; CRCs are right, so only our own checks can notice."""
    source = zipfile.ZipFile(io.BytesIO(zip_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in drop:
                continue
            data = source.read(info.filename)
            if info.filename == "manifest.json" and manifest is not None:
                data = manifest
            data = (change or {}).get(info.filename, data)
            target.writestr(info.filename, data)
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out.getvalue()
