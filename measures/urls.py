from django.urls import path

from . import views

urlpatterns = [
    path("o/<slug:code>/plans/<int:year>/", views.plan_page, name="plan"),
    path("o/<slug:code>/plans/<int:year>/measures/new/", views.measure_edit, name="measure_add"),
    path("o/<slug:code>/plans/<int:year>/measures/<int:pk>/", views.measure_edit, name="measure_edit"),
    path("o/<slug:code>/plans/<int:year>/measures/<int:pk>/action/", views.measure_action, name="measure_action"),
    path("o/<slug:code>/plans/<int:year>/decide/", views.decide, name="decide"),
    path("o/<slug:code>/plans/<int:year>/revisions/<int:number>/", views.revision_page, name="revision"),
    path("o/<slug:code>/plans/<int:year>/rounds/<int:number>/", views.followup, name="followup"),
    path("o/<slug:code>/plans/<int:year>/evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("o/<slug:code>/chain/", views.chain_page, name="chain"),
    path("o/<slug:code>/people/", views.people_page, name="people"),
    path("notifications/", views.notifications, name="notifications"),
]
