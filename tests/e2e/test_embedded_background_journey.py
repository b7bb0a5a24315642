"""The embedded default builds reports in the background: what scripts/setup runs.

A SQLite database, a Celery worker on kombu's filesystem transport (no broker server) and
the web server, each its own process as scripts/setup starts them. Staff request the
annual report: the request answers at once with the progress page, which refreshes itself
until the worker has built the file, then offers the download. Waits are on the page's
state, never on a timer.
"""

import os
import re
import socket
import subprocess
import sys
import time

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

BUILD_TIMEOUT_MS = 120_000  # a cold worker process loads WeasyPrint and the fonts first


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def embedded_site(tmp_path_factory):
    """migrate + ita_demo on a fresh SQLite file, then the worker and the web server."""
    home = tmp_path_factory.mktemp("embedded")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{home / 'db.sqlite3'}", ITA_TASK_QUEUE="filesystem", ITA_BROKER_DIR=str(home / "broker"),
        MEDIA_ROOT=str(home / "media"), DEBUG="1", PYTHONUNBUFFERED="1",
    )  # fmt: skip
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput", "-v0"], ["ita_demo"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    port = free_port()
    logs = [open(home / name, "w") for name in ("worker.log", "web.log")]  # noqa: SIM115 - closed below
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "ita_portal", "worker", "--beat", "--concurrency=1",
             f"--schedule={home / 'beat'}", "--loglevel=INFO", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=logs[0], stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(manage + ["runserver", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT, env=env,
                         stdout=logs[1], stderr=subprocess.STDOUT),
    ]  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        if any(proc.poll() is not None for proc in procs):
            pytest.fail(f"the embedded worker or web server exited; see {home}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail("the embedded web server did not listen within 60 s")
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(timeout=30)
    for log in logs:
        log.close()


def test_on_the_embedded_default_the_annual_report_request_answers_at_once_and_the_page_reaches_the_download(
    page, embedded_site
):
    page.goto(embedded_site + "/login/")
    page.get_by_label("ชื่อผู้ใช้").fill("staff")
    page.get_by_label("รหัสผ่าน").fill("ita-demo-2567")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    expect(page.get_by_role("button", name="ออกจากระบบ")).to_be_visible()
    page.goto(embedded_site + "/o/demo/reports/2566/")

    started = time.monotonic()
    page.get_by_role("row").filter(has_text="รายงานประจำปี").get_by_role("button", name="PDF").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("รายงานประจำปี ปี 2566 (PDF)")
    answered = time.monotonic() - started
    state = page.get_by_test_id("report-state")
    # The page was answered before the build: it shows the queue or the progress, not the file.
    expect(state).not_to_contain_text("สร้างเสร็จแล้ว", timeout=1)
    print(f"embedded default: annual report request answered in {answered:.2f} s")
    assert answered < 5

    expect(state).to_contain_text("สร้างเสร็จแล้ว", timeout=BUILD_TIMEOUT_MS)
    link = state.get_by_role("link", name=re.compile("^ดาวน์โหลด"))
    response = page.request.get(embedded_site + link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body()[:4] == b"%PDF"
