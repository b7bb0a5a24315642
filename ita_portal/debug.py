"""What Django's error pages (DEBUG=1) and error e-mails may show.

Django's own filter hides settings named like KEY, SECRET or PASS, but connection URLs
(DATABASE_URL, REDIS_URL, CELERY_BROKER_URL, the result backend, a cache LOCATION) carry
their password inside the value. This filter hides those settings and environment
variables whole, and the password of any other ``scheme://user:password@host`` string
it shows (settings, request.META, frame variables).
"""

import re

from django.utils.regex_helper import _lazy_re_compile
from django.views.debug import SafeExceptionReporterFilter

CREDENTIALS_IN_URL = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^/\s:@]*:)(?P<password>[^@\s]+)(?=@)", re.I)


def mask_url_password(text: str, substitute: str = "********************") -> str:
    """``text`` with the password of every ``scheme://user:password@`` in it replaced."""
    return CREDENTIALS_IN_URL.sub(lambda m: m.group("head") + substitute, str(text))


class MaskingExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, plus connection URLs hidden and passwords in URLs masked."""

    hidden_settings = _lazy_re_compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE_URL|REDIS_URL|BROKER|RESULT_BACKEND|LOCATION",
        flags=re.I,
    )

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str):
            cleansed = mask_url_password(cleansed, self.cleansed_substitute)
        return cleansed

    def cleanse_special_types(self, request, value):
        value = super().cleanse_special_types(request, value)
        if isinstance(value, str):
            value = mask_url_password(value, self.cleansed_substitute)
        elif isinstance(value, dict):
            value = {k: self.cleanse_setting(k, v) for k, v in value.items()}
        return value
