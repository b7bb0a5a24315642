"""Public documents built ahead: approval and a reported round build the public PDFs in the
background; the public addresses serve the stored files with ETag and Last-Modified, and an
anonymous request never renders (it answers "กำลังจัดทำเอกสาร" and makes sure one build is
queued). The renderer is wrapped only to count its calls."""

from datetime import timedelta

import pytest
from celery.signals import before_task_publish
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from measures import services as plans
from measures.models import FollowUpEntry, Plan
from reports import pdf
from reports.frozen import freeze_approved_documents
from reports.models import ApprovedDocument, Report
from reports.public import sweep_frozen

pytestmark = pytest.mark.django_db

MEASURES_PDF, FOLLOWUP_1, FOLLOWUP_2 = (
    "/p/demo/2566/measures.pdf",
    "/p/demo/2566/followup-1.pdf",
    "/p/demo/2566/followup-2.pdf",
)


def user(name):
    return get_user_model().objects.get(username=name)


def plan_of(demo):
    return Plan.objects.get(organisation=demo, fiscal_year__year=2566)


@pytest.fixture
def renders(monkeypatch):
    """How many PDFs were rendered in this process (WeasyPrint still runs)."""
    calls = []
    real = pdf.render_pdf

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "render_pdf", counted)
    return calls


@pytest.fixture
def broker_without_worker():
    """A broker that takes messages and nobody consumes them (Celery's in-memory transport):
    what a public request hands over can be seen, and nothing is built."""
    from ita_portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = previous


def change_round_1(demo):
    """The reported round's data changes without the services' build ahead (a worker behind)."""
    FollowUpEntry.objects.filter(round__plan=plan_of(demo), round__number=1).update(done="แก้ไขหลังส่งรายงาน")


def test_reporting_a_round_builds_its_public_pdf_ahead(demo, django_capture_on_commit_callbacks, inline_celery):
    with django_capture_on_commit_callbacks(execute=True):
        plans.report_round(plan_of(demo).rounds.get(number=2), by=user("staff"))
    report = Report.objects.get(organisation=demo, kind="followup", round_number=2)
    assert report.state == Report.State.DONE and report.file.read(4) == b"%PDF"


def test_a_change_to_a_reported_round_builds_its_public_pdf_again(
    demo_public, django_capture_on_commit_callbacks, inline_celery
):
    round_ = plan_of(demo_public).rounds.get(number=1)
    measure = round_.entries.select_related("measure").first().measure
    with django_capture_on_commit_callbacks(execute=True):
        plans.record_followup(round_, measure=measure, by=user("staff"), status="done", percent=100, done="เสร็จ")
    assert Report.objects.filter(kind="followup", round_number=1, state=Report.State.DONE).count() == 2


def test_the_public_measures_pdf_is_the_stored_file_with_etag_and_last_modified(demo_public, renders):
    response = Client().get(MEASURES_PDF)
    document = ApprovedDocument.objects.get(revision=plan_of(demo_public).approved_revision, kind="measures")
    assert response.status_code == 200 and response["ETag"] == f'"{document.sha256}"'
    assert response["Last-Modified"] and response["Cache-Control"] == "public, no-cache"
    assert b"".join(response.streaming_content)[:4] == b"%PDF" and renders == []


def test_if_none_match_of_the_stored_measures_pdf_gives_304(demo_public):
    etag = Client().get(MEASURES_PDF)["ETag"]
    response = Client().get(MEASURES_PDF, headers={"if-none-match": etag})
    assert response.status_code == 304 and response["ETag"] == etag and not response.content


def test_if_modified_since_of_the_stored_follow_up_pdf_gives_304(demo_public):
    first = Client().get(FOLLOWUP_1)
    assert first.status_code == 200 and first["ETag"]
    again = Client().get(FOLLOWUP_1, headers={"if-modified-since": first["Last-Modified"]})
    assert again.status_code == 304


def test_an_etag_of_older_data_gets_the_new_file(demo_public, django_capture_on_commit_callbacks, inline_celery):
    etag = Client().get(FOLLOWUP_1)["ETag"]
    round_ = plan_of(demo_public).rounds.get(number=1)
    with django_capture_on_commit_callbacks(execute=True):
        plans.save_round_summary(round_, by=user("staff"), problems="งบประมาณไม่พอ", suggestions="")
    response = Client().get(FOLLOWUP_1, headers={"if-none-match": etag})
    assert response.status_code == 200 and response["ETag"] != etag


def test_a_measures_pdf_not_frozen_yet_answers_the_waiting_page_without_rendering(demo, renders):
    response = Client().get(MEASURES_PDF)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "กำลังจัดทำเอกสาร" in response.content.decode()
    assert renders == [] and not ApprovedDocument.objects.exists()


def test_a_follow_up_pdf_not_built_yet_is_queued_once_and_never_rendered_by_readers(
    demo_public, renders, broker_without_worker, django_capture_on_commit_callbacks
):
    change_round_1(demo_public)
    with django_capture_on_commit_callbacks(execute=True):  # each request's hand-over after its commit
        answers = [Client().get(FOLLOWUP_1) for _ in range(10)]

    assert [a.status_code for a in answers] == [503] * 10 and renders == []
    queued = Report.objects.filter(kind="followup", round_number=1, state=Report.State.QUEUED)
    assert queued.count() == 1 and queued.get().handed_over_at is not None and queued.get().requested_by is None


def test_inline_celery_leaves_a_readers_build_queued_instead_of_rendering(demo_public, renders, inline_celery):
    change_round_1(demo_public)
    assert Client().get(FOLLOWUP_1).status_code == 503
    assert renders == []
    assert Report.objects.get(kind="followup", round_number=1, state=Report.State.QUEUED).handed_over_at is None


def test_a_freeze_requested_by_readers_is_handed_over_once(demo, broker_without_worker):
    revision_id = plan_of(demo).approved_revision_id
    cache.delete(f"ita:freeze-requested:{revision_id}")
    sent = []

    def published(sender=None, body=None, **_):
        sent.append((sender, list(body[0])))

    before_task_publish.connect(published)
    try:
        for _ in range(5):
            assert Client().get(MEASURES_PDF).status_code == 503
    finally:
        before_task_publish.disconnect(published)
    assert sent == [("reports.tasks.freeze_approved_documents", [revision_id])]


def test_a_public_build_that_failed_is_not_queued_again_by_each_reader(demo_public, broker_without_worker):
    change_round_1(demo_public)
    Client().get(FOLLOWUP_1)
    Report.objects.filter(state=Report.State.QUEUED).update(state=Report.State.FAILED, finished_at=timezone.now())
    assert Client().get(FOLLOWUP_2).status_code == 404  # round 2 is not reported: not public
    assert Client().get(FOLLOWUP_1).status_code == 503
    assert not Report.objects.filter(state=Report.State.QUEUED).exists()


def test_the_sweep_hands_over_the_freeze_of_a_published_revision_still_without_documents(demo, broker_without_worker):
    assert sweep_frozen(older_than=timedelta(days=1)) == 0  # approved just now: the approval's task may be running
    assert sweep_frozen(older_than=timedelta(0)) == 1
    freeze_approved_documents(plan_of(demo).approved_revision_id)
    assert sweep_frozen(older_than=timedelta(0)) == 0
