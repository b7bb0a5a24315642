from django.urls import path

from . import audit, views

urlpatterns = [
    path("", views.home, name="home"),
    path("o/<slug:code>/", views.organisation_page, name="organisation"),
    path("o/<slug:code>/audit/", audit.audit_page, name="audit"),
    path("o/<slug:code>/<int:year>/scores/", views.scores_overview, name="scores"),
    path("o/<slug:code>/<int:year>/scores/<int:number>/", views.indicator_scores, name="indicator_scores"),
    path("o/<slug:code>/<int:year>/import/", views.import_scores, name="import_scores"),
    path("o/<slug:code>/<int:year>/analysis/", views.analysis_page, name="analysis"),
    path("o/<slug:code>/<int:year>/analysis/narrative/<int:number>/", views.narrative_edit, name="narrative_edit"),
    path("o/<slug:code>/<int:year>/analysis/recommendations/", views.recommendation_add, name="recommendation_add"),
]
