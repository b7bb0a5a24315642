from django.urls import path

import ita_portal.converters  # noqa: F401  (registers the bounded <id:…> converter)

from . import layout_views, views

urlpatterns = [
    path("o/<slug:code>/plans/<id:year>/", views.plan_page, name="plan"),
    path("o/<slug:code>/plans/<id:year>/layout/", layout_views.plan_layout, name="plan_layout"),
    path("o/<slug:code>/plans/<id:year>/measures/new/", views.measure_edit, name="measure_add"),
    path("o/<slug:code>/plans/<id:year>/measures/<id:pk>/", views.measure_edit, name="measure_edit"),
    path("o/<slug:code>/plans/<id:year>/measures/<id:pk>/action/", views.measure_action, name="measure_action"),
    path("o/<slug:code>/plans/<id:year>/decide/", views.decide, name="decide"),
    path("o/<slug:code>/plans/<id:year>/revisions/<id:number>/", views.revision_page, name="revision"),
    path("o/<slug:code>/plans/<id:year>/rounds/<id:number>/", views.followup, name="followup"),
    path("o/<slug:code>/plans/<id:year>/evidence/<id:pk>/", views.evidence_file, name="evidence"),
    path("o/<slug:code>/chain/", views.chain_page, name="chain"),
    path("o/<slug:code>/people/", views.people_page, name="people"),
    path("notifications/", views.notifications, name="notifications"),
]
