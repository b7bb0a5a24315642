"""The small cast: staff, approver, executive and viewer of one organisation, an
outsider from another (who must get 404s), and a supervisor of both."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from assessments.models import Role
from tests.factories import make_organisation, make_user

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"

os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
# The workers and servers the tests start read the test database under another name: they
# must keep their cached figures under the test process's prefix, or a bump one makes is
# never seen by the other.
os.environ.setdefault("CACHE_KEY_PREFIX", settings.CACHES["default"]["KEY_PREFIX"])


@pytest.fixture
def province(db):
    return make_organisation(code="province", name="สำนักงานจังหวัดทดสอบ")


@pytest.fixture
def org(province):
    return make_organisation(code="bungkok", name="องค์การบริหารส่วนตำบลบึงกอก", parent=province)


@pytest.fixture
def other_org(province):
    return make_organisation(code="elsewhere", name="เทศบาลตำบลอื่น", parent=province)


@pytest.fixture
def staff(org):
    return make_user(organisation=org, role=Role.STAFF, username="staff")


@pytest.fixture
def approver(org):
    return make_user(organisation=org, role=Role.APPROVER, username="approver")


@pytest.fixture
def executive(org):
    return make_user(organisation=org, role=Role.EXECUTIVE, username="executive")


@pytest.fixture
def viewer(org):
    return make_user(organisation=org, role=Role.VIEWER, username="viewer")


@pytest.fixture
def outsider(other_org):
    return make_user(organisation=other_org, role=Role.STAFF, username="outsider")


@pytest.fixture
def supervisor(province):
    return make_user(organisation=province, role=Role.SUPERVISOR, username="supervisor")


@pytest.fixture
def seed000_items():
    return FIXTURES / "demo" / "seed000_2565_items.csv"


@pytest.fixture
def seed001_figures():
    return FIXTURES / "demo" / "seed001_2566.csv"


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with nothing of ours cached: ids and generations of an earlier test (or
    of an earlier run against the same Redis database) are not this test's. On Redis only the
    keys under our prefix go (not FLUSHDB: the database may be Celery's broker too)."""
    from django.core.cache import cache

    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        client = cache._cache.get_client(write=True)
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            client.delete(key)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """PBKDF2 is slow by design; tests only need a working login."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def bundled_frameworks(db):
    """Transactional tests end with a flush that can remove what migrations installed
    (the frameworks and the measure templates); put them back when missing, as migrate would."""
    from assessments import frameworks
    from assessments.models import FiscalYear

    if not FiscalYear.objects.exists():
        frameworks.install_issue_areas()
        frameworks.install_bundled()  # every shipped edition, as migrate does
    from assessments.models import IssueArea
    from measures.library import load_templates
    from measures.models import MeasureTemplate

    if not MeasureTemplate.objects.exists():
        load_templates(MeasureTemplate=MeasureTemplate, IssueArea=IssueArea)


@pytest.fixture
def inline_celery():
    """Run Celery tasks in the test's process even in the pass that has a real broker
    (for unit tests of what a task does; the integration tests use real workers)."""
    from ita_portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous


# --------------------------------------------------------------------------- #
# A real Celery worker process (the pass with PostgreSQL + Redis). It is pointed at the
# test database pytest-django created, so it sees the rows transactional tests commit.
# --------------------------------------------------------------------------- #

ROOT = Path(__file__).resolve().parents[1]


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


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin client, past the code step every administrator must take."""
    from tests.factories import log_in_verified

    return log_in_verified(client, admin_user)
