from django.urls import path

from . import views

urlpatterns = [
    path("s/<slug:code>/", views.dashboard_latest, name="supervision"),
    path("s/<slug:code>/<int:year>/", views.dashboard_page, name="supervision_dashboard"),
    path("s/<slug:code>/<int:year>/export.xlsx", views.export, name="supervision_export"),
    path("s/<slug:code>/<int:year>/chase/", views.chase, name="supervision_chase"),
]
