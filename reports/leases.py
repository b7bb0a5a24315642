"""Leases on report builds and the upkeep around them.

A build claims its row with a conditional UPDATE (state and lease), so two workers never
build the same row; while it runs a thread renews the lease. A worker killed mid-build
stops renewing: once the lease has expired the next worker, request or sweep takes the
row over. Work that was never handed to the broker (it was away) is sent by the sweep.
"""

import logging
import os
import socket
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connections
from django.db.models import F, Q
from django.utils import timezone

from .models import Report

log = logging.getLogger(__name__)

# A queued row handed over this long ago and still not started is sent again (the message
# may have been lost with a broker restart); a second message is harmless: the claim wins once.
RESEND_AFTER = timedelta(minutes=5)
# A request meeting a queued row not yet handed over leaves it this long to the request that
# created it (its hand-over takes at most about a second).
HAND_OVER_GRACE = timedelta(seconds=10)
# An older build's file is deleted this long after a newer build of the same report finished,
# so a download link someone just opened still works.
SUPERSEDED_GRACE = timedelta(hours=1)


def new_owner() -> str:
    """Who holds a lease: host, process and a random part (one per build)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lease_length(*, renewed: bool) -> timedelta:
    """A renewed lease is short (a killed worker is noticed soon); one nobody renews (an inline
    build in a request) must outlast the build itself."""
    seconds = settings.ITA_REPORT_LEASE_SECONDS
    return timedelta(seconds=seconds if renewed else max(seconds, settings.ITA_REPORT_TIME_LIMIT))


def stale() -> Q:
    """Rows whose build must be (re)started: running under an expired lease (or none)."""
    now = timezone.now()
    return Q(state=Report.State.RUNNING) & (Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True))


def claim(report_id: int, owner: str, *, renewed: bool) -> bool:
    """Take the row for a build: queued, or running under an expired lease. A row that has
    already been tried ITA_REPORT_MAX_ATTEMPTS times fails with a Thai message instead."""
    now = timezone.now()
    claimable = Report.objects.filter(pk=report_id).filter(Q(state=Report.State.QUEUED) | stale())
    limit = settings.ITA_REPORT_MAX_ATTEMPTS
    claimable.filter(attempts__gte=limit).update(
        state=Report.State.FAILED, lease_owner="", lease_expires_at=None, finished_at=now,
        error=f"สร้างรายงานไม่สำเร็จหลังพยายาม {limit} ครั้ง (ระบบขัดข้องหรือใช้เวลานานเกินไป) กรุณาลองอีกครั้งภายหลัง",
    )  # fmt: skip
    return bool(
        claimable.filter(attempts__lt=limit).update(
            state=Report.State.RUNNING,
            progress=10,
            error="",
            lease_owner=owner,
            lease_expires_at=now + lease_length(renewed=renewed),
            attempts=F("attempts") + 1,
        )  # fmt: skip
    )


def held(report_id: int, owner: str):
    """The row while this owner still holds its lease (for conditional updates)."""
    return Report.objects.filter(pk=report_id, state=Report.State.RUNNING, lease_owner=owner)


def release(report_id: int, owner: str) -> None:
    """Give the row back to the queue (a transient error: the task retries)."""
    held(report_id, owner).update(state=Report.State.QUEUED, progress=0, lease_owner="", lease_expires_at=None)


@contextmanager
def renewed(report_id: int, owner: str, *, enabled: bool):
    """Renew the lease every third of its length while the block runs (a thread with its own
    database connection). A killed process stops renewing, which is the point."""
    if not enabled:
        yield
        return
    stop = threading.Event()
    interval = max(settings.ITA_REPORT_LEASE_SECONDS / 3, 0.5)

    def renew():
        try:
            while not stop.wait(interval):
                held(report_id, owner).update(lease_expires_at=timezone.now() + lease_length(renewed=True))
        except Exception:  # noqa: BLE001 - a failed renewal only shortens the lease
            log.warning("could not renew the lease of report %s", report_id, exc_info=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=renew, name=f"report-{report_id}-lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def pause_for_tests(report_id: int) -> None:
    """Test-only (ITA_REPORT_TEST_PAUSE seconds, 0 in real use): hold a claimed build so a
    test can kill the worker in the middle of it."""
    deadline = time.monotonic() + settings.ITA_REPORT_TEST_PAUSE
    while time.monotonic() < deadline:
        time.sleep(0.2)


def hand_over(report_id: int, *, inline: bool = True) -> bool:
    """Give the row's build to the broker (short try); remember when it was taken.
    ``inline=False`` (anonymous requests): with Celery inline nothing is built here, the row
    stays queued for a staff request or the sweep."""
    from ita_portal.celery import app
    from ita_portal.celery import hand_over as publish

    from .tasks import generate_report

    if not inline and app.conf.task_always_eager:
        return False
    if publish(generate_report, report_id):
        Report.objects.filter(pk=report_id).update(handed_over_at=timezone.now())
        return True
    return False


def needs_hand_over(*, grace: timedelta = timedelta(0)) -> Q:
    """Queued rows never handed over (created more than ``grace`` ago: the request that made
    one may be handing it over right now) or handed over long ago, and builds under an
    expired lease."""
    now = timezone.now()
    never_sent = Q(state=Report.State.QUEUED) & (
        Q(handed_over_at__isnull=True, created_at__lt=now - grace) | Q(handed_over_at__lt=now - RESEND_AFTER)
    )
    return never_sent | stale()


def seems_to_need_hand_over(report: Report, *, grace: timedelta = timedelta(0)) -> bool:
    """needs_hand_over(grace) asked of a row already read, in Python: a page that has just read
    the row skips resume_if_stale's query when it is plainly being built or waiting its turn."""
    now = timezone.now()
    if report.state == Report.State.QUEUED:
        if report.handed_over_at is None:
            return report.created_at is not None and report.created_at < now - grace
        return report.handed_over_at < now - RESEND_AFTER
    if report.state == Report.State.RUNNING:
        return report.lease_expires_at is None or report.lease_expires_at < now
    return False


def resume_if_stale(report: Report, *, inline: bool = True) -> bool:
    """Called by requests that meet a row: send it again when nobody is building it."""
    if Report.objects.filter(pk=report.pk).filter(needs_hand_over(grace=HAND_OVER_GRACE)).exists():
        return hand_over(report.pk, inline=inline)
    return False


def sweep(limit: int = 200) -> int:
    """Periodic (Celery beat): hand over what was never handed over and take over builds
    whose lease expired. Returns how many rows were sent."""
    sent = 0
    for pk in Report.objects.filter(needs_hand_over()).order_by("created_at").values_list("pk", flat=True)[:limit]:
        sent += hand_over(pk)
    return sent


def file_still_used(name: str) -> bool:
    """Whether a stored file is still served by a row: a frozen report row serves the approved
    document's own file, which stays for verification whatever replaced the row."""
    from .models import ApprovedDocument

    return ApprovedDocument.objects.filter(file=name).exists() or Report.objects.filter(file=name).exists()


def delete_superseded(*, grace: timedelta = SUPERSEDED_GRACE) -> int:
    """Periodic: the file of a finished report is deleted once a newer build of the same report
    (kind, organisation, year, round, format) has been finished for ``grace``; the row stays,
    marked superseded, so its page says so. Returns how many files were deleted."""
    cutoff = timezone.now() - grace
    newest = {}
    deleted = 0
    rows = Report.objects.filter(state=Report.State.DONE).order_by("-finished_at", "-pk")
    for report in rows.only("pk", "organisation_id", "kind", "year", "round_number", "fmt", "file", "finished_at"):
        key = (report.organisation_id, report.kind, report.year, report.round_number or 0, report.fmt)
        if key not in newest:
            newest[key] = report
            continue
        if newest[key].finished_at is None or newest[key].finished_at > cutoff:
            continue
        if Report.objects.filter(pk=report.pk, state=Report.State.DONE).update(state=Report.State.SUPERSEDED, file=""):
            if report.file and not file_still_used(report.file.name):
                report.file.storage.delete(report.file.name)  # through the storage: disk or bucket
            deleted += 1
    return deleted
