"""Django's debug error page and error e-mails never show a connection URL's password."""

import sys

import pytest
from django.test import RequestFactory
from django.views.debug import ExceptionReporter

from ita_portal.debug import mask_url_password

pytestmark = pytest.mark.django_db

# Never written out whole in this file: the error page quotes source lines around the error.
PW = "s3" + "cret"


def error_page(request, **local_variables):
    """The HTML of Django's technical 500 page for an error raised with these locals."""
    try:
        database_url = local_variables.get("database_url", "")  # noqa: F841 - shown as a frame variable
        raise RuntimeError("boom")
    except RuntimeError:
        return ExceptionReporter(request, *sys.exc_info()).get_traceback_html()


def test_connection_urls_in_settings_are_not_on_the_error_page(settings):
    settings.REDIS_URL = f"redis://:redis-{PW}@redis:6379/0"
    settings.CELERY_BROKER_URL = f"redis://:broker-{PW}@redis:6379/0"
    settings.CELERY_RESULT_BACKEND = f"redis://:backend-{PW}@redis:6379/0"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"redis://:cache-{PW}@r/1"}
    }
    settings.SOME_SERVICE_URL = f"https://user:other-{PW}@api.example.org/"
    html = error_page(RequestFactory().get("/"))
    assert "REDIS_URL" in html and "CELERY_BROKER_URL" in html
    for secret in (f"redis-{PW}", f"broker-{PW}", f"backend-{PW}", f"cache-{PW}", f"other-{PW}"):
        assert secret not in html


def test_connection_urls_in_the_request_environment_are_not_on_the_error_page():
    request = RequestFactory().get(
        "/", DATABASE_URL=f"postgres://ita:db-{PW}@db/ita", REDIS_URL=f"redis://:redis-{PW}@redis:6379/0"
    )
    html = error_page(request)
    assert "DATABASE_URL" in html
    assert f"db-{PW}" not in html and f"redis-{PW}" not in html


def test_a_url_with_a_password_in_a_frame_variable_is_masked():
    html = error_page(RequestFactory().get("/"), database_url=f"postgres://ita:frame-{PW}@db/ita")
    assert f"frame-{PW}" not in html
    assert "db/ita" in html


def test_mask_url_password_keeps_the_user_and_host_and_leaves_plain_urls_alone():
    assert mask_url_password("postgres://ita:secret@db:5432/ita", "***") == "postgres://ita:***@db:5432/ita"
    assert mask_url_password("https://ita.example.go.th/p/demo/2566/") == "https://ita.example.go.th/p/demo/2566/"
