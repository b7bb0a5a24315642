"""Browser journeys: Playwright's sync API driving Debian's Chromium against live_server.

Playwright's browser download does not work here, so the browser is always
/usr/bin/chromium. One browser per test session; a fresh context (cookies) per test.
"""

import os

import pytest
from django.conf import settings
from playwright.sync_api import expect, sync_playwright

from ita_portal.access import requires_mfa
from tests.factories import PASSWORD, enrol_totp, totp_code
from tests.waiting import wait_for

# Playwright's sync API runs an event loop in this thread; Django's ORM (used by the
# fixtures) would otherwise refuse to run next to it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


def _worker_idle(app) -> bool:
    """No task running or reserved in any worker and none waiting in the queue; with no worker
    up, what is queued is dropped (nobody would build it for this test's rows)."""
    replies = app.control.ping(timeout=1)
    if not replies:
        app.control.purge()
        return True
    inspect = app.control.inspect(timeout=1)
    busy = [t for tasks in (inspect.active() or {}).values() for t in tasks]
    busy += [t for tasks in (inspect.reserved() or {}).values() for t in tasks]
    with app.connection_for_write() as conn:
        queued = conn.default_channel.client.llen(app.conf.task_default_queue)
    return not busy and not queued


@pytest.fixture(autouse=True)
def background_work_done_before_the_database_is_flushed(request):
    """In the pass with a real worker, an approval hands the freeze and the public PDFs to it;
    the journey may end while it still writes, and the flush of a transactional test then
    deadlocks with it (seen in CI). Torn down before the database helper, this waits for the
    worker to be idle — a state, never a fixed time."""
    if "_django_db_helper" in request.fixturenames:
        request.getfixturevalue("_django_db_helper")
    yield
    if not settings.REDIS_URL:
        return
    from ita_portal.celery import app

    wait_for(lambda: _worker_idle(app), timeout=180, what="the Celery worker to finish this test's tasks")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page; the test fails if the browser refused anything under the
    Content-Security-Policy (an inline script, style or handler slipped in)."""
    context = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(f"{page.url}: {m.text}"))
    yield page
    context.close()
    assert not violations, "\n".join(violations)


@pytest.fixture
def log_in(page, live_server):
    """log_in(user): sign in through the login form (and, for an approver, executive or
    administrator, the code step with a code of a fresh TOTP device); returns the page on
    the landing URL."""

    def log_in(user):
        device = enrol_totp(user, name="e2e") if requires_mfa(user) else None
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("ชื่อผู้ใช้").fill(user.username)
        page.get_by_label("รหัสผ่าน").fill(PASSWORD)
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
        if device is not None:
            expect(page.get_by_role("heading", name="ยืนยันตัวตนขั้นที่สอง")).to_be_visible()
            page.get_by_label("รหัสยืนยัน").fill(totp_code(device))
            page.get_by_role("button", name="ยืนยัน", exact=True).click()
            expect(page.get_by_role("heading", name="ยืนยันตัวตนขั้นที่สอง")).to_have_count(0)
        expect(page.get_by_role("button", name="ออกจากระบบ")).to_be_visible()
        return page

    return log_in
