"""Links that leave the site: every absolute URL is built from settings.SITE_URL.

Behind a TLS proxy the request may not know its public scheme and host; e-mails and
background tasks have no request at all. So nothing builds an absolute URL from the
request: e-mails, the public OIT address shown to staff, password-reset links and the
verification page all call ``site_url``.
"""

from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.contrib.auth.views import PasswordResetView
from django.urls import reverse


def site_url(path: str = "/") -> str:
    """The absolute URL of ``path`` (a site path such as "/o/demo/plans/2566/") on SITE_URL."""
    if urlsplit(path).scheme:
        return path  # already absolute (an external evidence link, say)
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def site_domain() -> str:
    """SITE_URL's host (and port, and any path prefix), e.g. "ita.example.go.th", for
    templates that print {{ protocol }}://{{ domain }}{% url … %}."""
    parts = urlsplit(settings.SITE_URL)
    return parts.netloc + parts.path.rstrip("/")


def site_protocol() -> str:
    """SITE_URL's scheme, "https" or "http", for templates that print {{ protocol }}."""
    return urlsplit(settings.SITE_URL).scheme


class SitePasswordResetView(PasswordResetView):
    """Django's password reset whose e-mail links point at SITE_URL, not at whatever
    Host header the request carried (a forged Host would otherwise get the reset link)."""

    @property
    def extra_email_context(self):
        return {"protocol": site_protocol(), "domain": site_domain(), "site_name": site_domain()}


# --------------------------------------------------------------------------- #
# Templates: {% load links %}{% absolute_url "public_plan" organisation.code year %}
# (registered in settings.TEMPLATES' "libraries")
# --------------------------------------------------------------------------- #

register = template.Library()


@register.simple_tag
def absolute_url(viewname: str, *args) -> str:
    """Like {% url %}, but the absolute address on SITE_URL."""
    return site_url(reverse(viewname, args=args))
