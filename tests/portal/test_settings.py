"""Deployment posture: the README's production settings pass `check --deploy`, and
nothing built in stands in for a secret outside the embedded default."""

import json
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
# Variables of the outer environment that must not leak into the subprocess's settings.
OURS = {
    "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ITA_EMBEDDED", "DEBUG", "ALLOWED_HOSTS", "STATIC_MANIFEST",
    "SECURE_COOKIES", "SITE_URL", "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "CSRF_TRUSTED_ORIGINS", "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser journeys' conftest
    "CACHE_KEY_PREFIX",  # set by tests/conftest.py for the workers it starts
}  # fmt: skip


def readme_production_environment():
    """The variables the README's Production section exports (SECRET_KEY made random)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Production", 1)[1].split("\n## ", 1)[0]
    variables = {}
    for line in section.splitlines():
        if line.startswith("export "):
            for word in shlex.split(line)[1:]:
                name, _, value = word.partition("=")
                variables[name] = value
    variables["SECRET_KEY"] = secrets.token_urlsafe(50)
    return variables


def run_manage(*args, **variables):
    env = {k: v for k, v in os.environ.items() if k not in OURS}
    env.update(variables)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def production_settings(**extra):
    """The settings the production environment gives (read in a fresh process)."""
    names = [
        "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SITE_URL", "CSRF_TRUSTED_ORIGINS",
    ]  # fmt: skip
    code = f"import json; from django.conf import settings; print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}))"
    result = run_manage("shell", "-c", code, **{**readme_production_environment(), **extra})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_readme_production_settings_pass_check_deploy_without_a_warning():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **readme_production_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr
    assert not re.search(r"\?: \(\w+\.W\d+\)", result.stdout + result.stderr)


def test_the_readme_production_settings_name_site_url_and_the_proxy_header():
    variables = readme_production_environment()
    assert variables["ITA_EMBEDDED"] == "0"
    assert variables["SITE_URL"].startswith("https://")
    assert variables["SECURE_PROXY_SSL_HEADER"] == "HTTP_X_FORWARDED_PROTO,https"


def test_behind_https_cookies_are_secure_and_hsts_and_the_redirect_are_on():
    values = production_settings()
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://ita.example.go.th"]  # from SITE_URL


def test_the_ssl_redirect_can_be_left_to_the_proxy():
    assert production_settings(SECURE_SSL_REDIRECT="0")["SECURE_SSL_REDIRECT"] is False


def test_without_secure_cookies_there_is_no_hsts():
    values = production_settings(SECURE_COOKIES="0")
    assert values["SECURE_HSTS_SECONDS"] == 0 and values["SESSION_COOKIE_SECURE"] is False


def test_a_deployment_without_secret_key_refuses_to_start_even_with_debug_on():
    variables = readme_production_environment()
    del variables["SECRET_KEY"]
    result = run_manage("check", DEBUG="1", **variables)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when ITA_EMBEDDED=0" in result.stderr


def test_a_deployment_without_site_url_refuses_to_start():
    variables = readme_production_environment()
    del variables["SITE_URL"]
    result = run_manage("check", **variables)
    assert result.returncode != 0
    assert "SITE_URL must be set" in result.stderr


def test_a_malformed_proxy_header_is_refused_with_the_expected_form():
    result = run_manage(
        "check", **{**readme_production_environment(), "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO"}
    )
    assert result.returncode != 0
    assert "HTTP_X_FORWARDED_PROTO,https" in result.stderr


def test_the_embedded_default_still_starts_without_any_variable():
    result = run_manage("check")
    assert result.returncode == 0, result.stderr


@pytest.fixture
def behind_tls_proxy(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def test_behind_the_proxy_an_https_request_is_served_with_hsts(behind_tls_proxy, client):
    response = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_behind_the_proxy_a_plain_http_request_is_sent_to_https(behind_tls_proxy, client):
    response = client.get("/login/")
    assert response.status_code == 301 and response.headers["Location"] == "https://testserver/login/"


def test_the_embedded_worker_and_the_web_share_one_cache_in_files(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in OURS}
    env |= {
        "ITA_TASK_QUEUE": "filesystem",
        "ITA_CACHE_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "ita_portal.settings",
    }
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "django.core.cache.backends.filebased.FileBasedCache"


def cache_prefix(**variables) -> str:
    code = "from django.conf import settings; print(settings.CACHES['default']['KEY_PREFIX'])"
    result = run_manage("shell", "-c", code, **variables)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_two_databases_keep_their_cached_figures_apart():
    one = cache_prefix(DATABASE_URL="sqlite:////tmp/ita-one.sqlite3")
    assert one == cache_prefix(DATABASE_URL="sqlite:////tmp/ita-one.sqlite3")
    assert one != cache_prefix(DATABASE_URL="sqlite:////tmp/ita-two.sqlite3")


def test_the_cache_prefix_can_be_named():
    assert cache_prefix(CACHE_KEY_PREFIX="ita-site-a") == "ita-site-a"
