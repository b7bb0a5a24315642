"""Public documents built ahead: the PDFs a published plan offers without a login (the
measures frozen at approval, each reported follow-up round) are built in the background when
the plan is approved and when a round is reported (or changed after it was), and the public
addresses only ever serve stored files.

An anonymous request never renders: when the file is not there yet (just approved, the
worker is behind, the data changed) it makes sure a build is queued, once however many
requests arrive, and answers a short Thai page asking to come back (HTTP 503, Retry-After).
"""

import functools
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from . import builders, leases, services
from .models import ApprovedDocument, Report

log = logging.getLogger(__name__)

# Seconds the waiting page asks the reader to wait before asking again.
RETRY_AFTER = 5
# A freeze requested by a public address is handed over at most once in this many seconds
# (the task itself is safe twice; this only spares the broker ten identical messages).
FREEZE_REQUEST_TTL = 60
# Approved this long ago and still without its frozen documents: the sweep hands the freeze over again.
FREEZE_SWEEP_AFTER = timedelta(minutes=2)
# A public build that failed is not queued again by readers for this long.
FAILED_PAUSE = timedelta(minutes=10)


def _in_background(publish) -> bool:
    """Hand work to the broker, never inline: with Celery inline (no worker) an anonymous
    request leaves it queued instead of rendering (a staff request of the document builds it)."""
    from ita_portal.celery import app

    if app.conf.task_always_eager:
        return False
    return publish()


# --------------------------------------------------------------------------- #
# Built ahead (staff actions, after commit)
# --------------------------------------------------------------------------- #


def queue_followup(round_id: int) -> Report | None:
    """Queue (or find) the build of a reported round's public PDF, for the current data; the
    one-build machinery makes repeated calls share one row. Called after commit of the round's
    report and of every later change to it; None when the round is not public."""
    from measures.models import FollowUpRound

    round_ = FollowUpRound.objects.select_related("plan__organisation", "plan__fiscal_year").filter(pk=round_id).first()
    if round_ is None or round_.reported_at is None or not round_.plan.publish_permitted:
        return None
    plan = round_.plan
    try:
        return services.request_report(
            plan.organisation, kind=Report.Kind.FOLLOWUP, year=plan.fiscal_year.year, fmt=Report.Format.PDF,
            by=None, round_number=round_.number,
        )  # fmt: skip
    except builders.ReportError:
        log.warning("public follow-up of round %s cannot be built", round_id, exc_info=True)
        return None


# Rounds changed inside a batch (one page saving many entries): queued once, at its end.
_batch: ContextVar[set | None] = ContextVar("ita_public_batch", default=None)


def build_ahead_round(round_) -> None:
    """After the surrounding transaction commits: queue the public PDF of a reported round.
    Robust: the committed change never turns into an error page (the public address queues
    it again)."""
    if round_.reported_at is None:
        return
    batch = _batch.get()
    if batch is not None:
        batch.add(round_.pk)
        return
    round_id = round_.pk
    transaction.on_commit(lambda: queue_followup(round_id), robust=True)


@contextmanager
def batched():
    """Inside: every round changed is queued once, when the block ends (and commits)."""
    rounds: set[int] = set()
    token = _batch.set(rounds)
    try:
        yield
    finally:
        _batch.reset(token)
    for round_id in rounds:
        transaction.on_commit(functools.partial(queue_followup, round_id), robust=True)


def sweep_frozen(*, older_than: timedelta = FREEZE_SWEEP_AFTER, limit: int = 200) -> int:
    """Periodic (with the report sweep): approved revisions of published plans whose documents
    are still missing a while after approval (the approval's hand-over found the broker away,
    or its worker died) are handed to a worker again. Returns how many were sent."""
    from ita_portal.celery import hand_over
    from measures.models import Plan

    from .tasks import freeze_approved_documents

    cutoff = timezone.now() - older_than
    missing = (
        Plan.objects.published()
        .filter(approved_revision__approved_at__lt=cutoff)
        .annotate(stored=Count("approved_revision__documents"))
        .filter(stored__lt=len(ApprovedDocument.Kind.values))
        .values_list("approved_revision_id", flat=True)[:limit]
    )
    return sum(_in_background(lambda pk=pk: hand_over(freeze_approved_documents, pk)) for pk in missing)


def build_now(plan) -> None:
    """Every public document of a plan, built in this process (ita_demo's and tests' worlds,
    where no worker runs the approval's tasks): the frozen documents and reported rounds."""
    from .frozen import freeze_approved_documents

    if plan.approved_revision_id:
        freeze_approved_documents(plan.approved_revision_id)
    for round_ in plan.rounds.filter(reported_at__isnull=False):
        report = queue_followup(round_.pk)
        if report is not None and report.state != Report.State.DONE:
            services.generate(report)


# --------------------------------------------------------------------------- #
# Served (anonymous requests): stored files only
# --------------------------------------------------------------------------- #


def serve_stored(request: HttpRequest, file, *, etag: str, last_modified, filename: str) -> HttpResponse:
    """A stored PDF with its ETag and Last-Modified; a conditional GET that matches gets 304.
    Streamed from the storage (local disk or the bucket), never a bucket address."""
    etag = f'"{etag}"'
    modified = int(last_modified.timestamp()) if last_modified else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=modified)
    if not_modified is None:
        response = FileResponse(file.open("rb"), filename=filename, content_type="application/pdf")
    else:
        response = not_modified
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    # Shared caches may keep it but must ask again (a new approval changes the address's file).
    response["Cache-Control"] = "public, no-cache"
    return response


def pending(request: HttpRequest, *, title: str, plan) -> HttpResponse:
    """ "กำลังจัดทำเอกสาร": the file is being built; come back shortly."""
    back = reverse("public_plan", kwargs={"code": plan.organisation.code, "year": plan.fiscal_year.year})
    context = {"title": title, "retry_after": RETRY_AFTER, "back_url": back}
    response = render(request, "reports/public_pending.html", context, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    # Expected while a worker builds: not an error to log (and e-mail admins) for every reader.
    response._has_been_logged = True
    log.info("public %s not built yet: %s", title, request.path)
    return response


def frozen_measures(request: HttpRequest, plan) -> HttpResponse:
    """The approved revision's measures PDF as frozen at approval, or the waiting page (and the
    freeze handed to a worker once, if the approval's task was lost or is still waiting)."""
    from .tasks import freeze_approved_documents

    revision = plan.approved_revision
    document = ApprovedDocument.objects.filter(revision=revision, kind=ApprovedDocument.Kind.MEASURES).first()
    if document is not None:
        return serve_stored(
            request, document.file, etag=document.sha256, last_modified=document.created_at, filename=document.filename
        )
    try:
        first_to_ask = cache.add(f"ita:freeze-requested:{revision.pk}", 1, timeout=FREEZE_REQUEST_TTL)
    except Exception:  # the cache (Redis) away: the broker is too; the minute sweep re-sends the freeze
        first_to_ask = False
    if first_to_ask:
        from ita_portal.celery import hand_over

        if not _in_background(lambda: hand_over(freeze_approved_documents, revision.pk)):
            cache.delete(f"ita:freeze-requested:{revision.pk}")
    return pending(request, title=ApprovedDocument.Kind.MEASURES.label, plan=plan)


def followup(request: HttpRequest, plan, number: int) -> HttpResponse:
    """A reported round's PDF for its current data: the stored build, or the waiting page with
    the build queued (one row however many requests: the one-build constraint)."""
    organisation, year = plan.organisation, plan.fiscal_year.year
    context = builders.build(Report.Kind.FOLLOWUP, organisation, year, round_number=number, approved_only=True)
    digest = builders.source_hash(context)
    same = Report.objects.filter(
        organisation=organisation, kind=Report.Kind.FOLLOWUP, year=year, round_number=number, fmt=Report.Format.PDF,
        source_hash=digest, state__in=Report.LIVE_STATES,
    )  # fmt: skip
    report = same.first()
    if report is not None and report.state == Report.State.DONE and report.file:
        return serve_stored(
            request, report.file, etag=f"{report.pk}-{digest[:32]}", last_modified=report.finished_at,
            filename=report.filename,
        )  # fmt: skip
    if report is not None:
        leases.resume_if_stale(report, inline=False)
    elif not _failed_lately(organisation, year, number, digest):
        services.request_report(
            organisation, kind=Report.Kind.FOLLOWUP, year=year, fmt=Report.Format.PDF, by=None,
            round_number=number, inline=False,
        )  # fmt: skip
    return pending(request, title=Report.Kind.FOLLOWUP.label, plan=plan)


def _failed_lately(organisation, year: int, number: int, digest: str) -> bool:
    """A build of this very data failed within FAILED_PAUSE: readers do not queue another one
    on every visit (staff see the failure on the reports page and may try again)."""
    return Report.objects.filter(
        organisation=organisation, kind=Report.Kind.FOLLOWUP, year=year, round_number=number, fmt=Report.Format.PDF,
        source_hash=digest, state=Report.State.FAILED, finished_at__gte=timezone.now() - FAILED_PAUSE,
    ).exists()  # fmt: skip
