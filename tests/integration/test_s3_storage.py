"""Several machines: evidence and documents in an S3-compatible bucket (moto's server mode on a
free port, a real HTTP server), written by the web process and by a worker process, read back
through our permission-checked views (streamed, never a bucket address)."""

import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from datetime import date

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from measures import services as plans
from reports.models import Report
from tests.conftest import ROOT, _database_url
from tests.factories import fiscal_year
from tests.waiting import wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("bundled_frameworks"),
]

S3_QUEUE = "itatest-s3"  # only the worker configured for the bucket reads it
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_S3_REGION_NAME": "us-east-1"}
EVIDENCE = b"%PDF-1.4 evidence kept in the bucket"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 server on a free port, started here and waited for until it answers."""
    port = free_port()
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    log = open(ROOT / ".pytest_cache" / "moto-server.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def answers():
        if proc.poll() is not None:
            raise AssertionError(f"moto's server exited ({proc.returncode}); see .pytest_cache/moto-server.log")
        try:
            with urllib.request.urlopen(url + "/moto-api/", timeout=1):
                return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    wait_for(answers, timeout=60, what="moto's S3 server to answer")
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture
def bucket(s3_server, settings):
    """A fresh bucket, and this process's default storage pointed at it (as the settings do
    from the environment); yields (environment for other processes, boto3 bucket)."""
    name = f"ita-{uuid.uuid4().hex[:12]}"
    env = {**CREDENTIALS, "AWS_STORAGE_BUCKET_NAME": name, "AWS_S3_ENDPOINT_URL": s3_server,
           "AWS_S3_ADDRESSING_STYLE": "path"}  # fmt: skip
    resource = boto3.resource(
        "s3", endpoint_url=s3_server, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    resource.create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": name, "endpoint_url": s3_server, "region_name": "us-east-1",
                        "addressing_style": "path", "access_key": "testing", "secret_key": "testing",
                        "default_acl": None, "file_overwrite": False},
        },
    }  # fmt: skip
    return env, resource.Bucket(name)


@pytest.fixture
def s3_worker(bucket):
    """A real Celery worker process configured for the bucket by environment only, reading its
    own queue; the web side routes its hand-overs there for the test."""
    from django.conf import settings

    from ita_portal.celery import app

    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": settings.REDIS_URL, "PYTHONUNBUFFERED": "1",
           **bucket[0]}  # fmt: skip
    env.pop("MEDIA_ROOT", None)
    log = open(ROOT / ".pytest_cache" / "celery-worker-s3.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ita_portal", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-gossip", "--without-mingle", "--hostname=itatest-s3@%h", f"--queues={S3_QUEUE}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip

    def answered():
        if proc.poll() is not None:
            raise AssertionError(f"the S3 worker exited ({proc.returncode}); see .pytest_cache/celery-worker-s3.log")
        return any(host.startswith("itatest-s3@") for reply in app.control.ping(timeout=1) for host in reply)

    wait_for(answered, timeout=60, what="the S3 worker to answer")
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = S3_QUEUE
    yield proc
    app.conf.task_default_queue = previous
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture
def round_with_evidence(org, staff):
    plan = plans.get_or_create_plan(org, fiscal_year=fiscal_year(2566))
    measure = plans.save_measure(
        plan, by=staff, issue_area=plans.issue_area(4), indicators=[4], items=["i23"], title="จัดทำแนวทางปฏิบัติ",
        start=date(2022, 10, 1), end=date(2023, 9, 30),
    )  # fmt: skip
    first, _second = plans.ensure_rounds(plan)
    entry = plans.record_followup(first, measure=measure, by=staff, status="done", percent=100, done="ทำแล้ว")
    upload = SimpleUploadedFile("หลักฐานการประชุม.pdf", EVIDENCE, content_type="application/pdf")
    evidence = plans.add_evidence(entry, by=staff, upload=upload, description="รายงานการประชุม")
    return plan, evidence


def keys(bucket, prefix):
    return [o.key for o in bucket[1].objects.filter(Prefix=prefix)]


def test_an_uploaded_evidence_file_is_in_the_bucket_and_downloads_through_the_view(
    bucket, round_with_evidence, org, staff
):
    plan, evidence = round_with_evidence
    assert keys(bucket, "evidence/") == [evidence.file.name]
    client = Client()
    client.force_login(staff)
    response = client.get(f"/o/{org.code}/plans/2566/evidence/{evidence.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == EVIDENCE
    assert "หลักฐานการประชุม.pdf" in response["Content-Disposition"] or "filename*" in response["Content-Disposition"]


def test_an_outsider_gets_404_for_evidence_in_the_bucket(bucket, round_with_evidence, org, outsider):
    _plan, evidence = round_with_evidence
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/o/{org.code}/plans/2566/evidence/{evidence.pk}/").status_code == 404


def test_a_worker_on_another_host_builds_a_report_into_the_bucket_and_the_view_streams_it(
    s3_worker, bucket, round_with_evidence, org, staff
):
    client = Client()
    client.force_login(staff)
    response = client.post(f"/o/{org.code}/reports/2566/request/", {"kind": "followup", "fmt": "pdf", "round": "1"})
    report = Report.objects.get(organisation=org, kind="followup")
    assert response.status_code == 302 and response["Location"].endswith(f"/reports/file/{report.pk}/")

    report = wait_for(
        lambda: (r := Report.objects.get(pk=report.pk)).state in ("done", "failed") and r, what="the S3 worker's build"
    )
    assert report.state == "done", report.error
    assert keys(bucket, "reports/") == [report.file.name]
    download = client.get(f"/o/{org.code}/reports/file/{report.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    data = b"".join(download.streaming_content)
    assert data[:4] == b"%PDF" and int(download["Content-Length"]) == len(data)
    assert bucket[1].Object(report.file.name).get()["Body"].read() == data


def test_superseded_report_files_are_deleted_from_the_bucket(bucket, round_with_evidence, org, staff, inline_celery):
    from datetime import timedelta

    from django.utils import timezone

    from reports import leases, services

    old = services.generate(
        services.request_report(org, kind="followup", year=2566, fmt="pdf", by=None, round_number=1)
    )
    Report.objects.filter(pk=old.pk).update(source_hash="older-data", finished_at=timezone.now() - timedelta(hours=3))
    plan = round_with_evidence[0]
    plans.save_round_summary(plan.rounds.get(number=1), by=staff, problems="ล่าช้า", suggestions="")
    new = services.generate(
        services.request_report(org, kind="followup", year=2566, fmt="pdf", by=None, round_number=1)
    )
    assert new.pk != old.pk and len(keys(bucket, "reports/")) == 2
    Report.objects.filter(pk=new.pk).update(finished_at=timezone.now() - timedelta(hours=2))

    assert leases.delete_superseded(grace=timedelta(hours=1)) == 1
    assert keys(bucket, "reports/") == [new.file.name]
