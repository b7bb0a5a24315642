"""A real Celery worker process for integration tests (PostgreSQL + Redis).

scripts/test runs these only in its second pass, with DATABASE_URL and REDIS_URL set.
The worker is pointed at the test database pytest-django created, so it sees the rows
that transactional tests commit.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _database_url():
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.fail("integration tests need DATABASE_URL (PostgreSQL) and REDIS_URL: run scripts/test")
    from ita_portal.celery import app

    app.control.purge()
    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": settings.REDIS_URL}
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    log = open(ROOT / ".pytest_cache" / "celery-worker.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ita_portal", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-gossip", "--without-mingle", "--hostname=itatest@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the Celery worker exited ({proc.returncode}); see .pytest_cache/celery-worker.log")
        if app.control.ping(timeout=1):
            break
    else:
        proc.terminate()
        pytest.fail("the Celery worker did not answer within 60 s")
    yield proc
    proc.terminate()
    proc.wait(timeout=20)
    log.close()
