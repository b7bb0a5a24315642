"""Celery application. Without REDIS_URL (and without ITA_TASK_QUEUE=filesystem) every task
runs inline (settings)."""

import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ita_portal.settings")

app = Celery("ita_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

log = logging.getLogger(__name__)


def hand_over(task, *args) -> bool:
    """Give a task to the broker with one short try; True when the broker took it.

    Called after commit, for work already recorded in the database (a report row, a
    notification row): when the broker is away this logs and returns False instead of
    raising into the request, and the periodic sweep sends the work later. Inline (no
    broker) the task runs here and its errors propagate, as before."""
    if app.conf.task_always_eager:
        task.apply_async(args)
        return True
    try:
        # No result is awaited: subscribing to results would need Redis too.
        task.apply_async(args, ignore_result=True, retry=False)
    except Exception:  # noqa: BLE001 - any broker failure: the sweep retries later
        log.warning("broker unavailable: %s%r not handed over (the sweep will send it)", task.name, args, exc_info=True)
        return False
    return True
