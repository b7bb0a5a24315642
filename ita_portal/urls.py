from django.contrib import admin
from django.urls import include, path

from ita_portal.links import SitePasswordResetView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),  # before Django's: its password forms speak Thai
    # Before django.contrib.auth.urls: the reset e-mail's links come from SITE_URL.
    path("password_reset/", SitePasswordResetView.as_view(), name="password_reset"),
    path("", include("django.contrib.auth.urls")),
    path("", include("assessments.urls")),
    path("", include("measures.urls")),
    path("", include("reports.urls")),
    path("", include("supervision.urls")),
]
