from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),  # before Django's: its password forms speak Thai
    path("", include("django.contrib.auth.urls")),
    path("", include("assessments.urls")),
    path("", include("measures.urls")),
    path("", include("reports.urls")),
]
