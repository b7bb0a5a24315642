from django.urls import path

import ita_portal.converters  # noqa: F401  (registers the bounded <id:…> converter)

from . import views

urlpatterns = [
    path("s/<slug:code>/", views.dashboard_latest, name="supervision"),
    path("s/<slug:code>/<id:year>/", views.dashboard_page, name="supervision_dashboard"),
    path("s/<slug:code>/<id:year>/export.xlsx", views.export, name="supervision_export"),
    path("s/<slug:code>/<id:year>/chase/", views.chase, name="supervision_chase"),
    path("s/<slug:code>/<id:year>/results/", views.results_import, name="supervision_results"),
]
