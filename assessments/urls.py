from django.urls import path

import ita_portal.converters  # noqa: F401  (registers the bounded <id:…> converter)

from . import audit, views, words_views

urlpatterns = [
    path("", views.home, name="home"),
    path("o/<slug:code>/", views.organisation_page, name="organisation"),
    path("o/<slug:code>/audit/", audit.audit_page, name="audit"),
    path("o/<slug:code>/<id:year>/scores/", views.scores_overview, name="scores"),
    path("o/<slug:code>/<id:year>/scores/<id:number>/", views.indicator_scores, name="indicator_scores"),
    path("o/<slug:code>/<id:year>/import/", views.import_scores, name="import_scores"),
    path("o/<slug:code>/<id:year>/analysis/", views.analysis_page, name="analysis"),
    path("o/<slug:code>/<id:year>/analysis/narrative/<id:number>/", views.narrative_edit, name="narrative_edit"),
    path("o/<slug:code>/<id:year>/analysis/recommendations/", views.recommendation_add, name="recommendation_add"),
    path(
        "o/<slug:code>/<id:year>/analysis/items/<slug:item>/", words_views.item_analysis_edit, name="item_analysis_edit"
    ),
    path(
        "o/<slug:code>/<id:year>/analysis/recommendations/<id:pk>/",
        words_views.recommendation_edit,
        name="recommendation_edit",
    ),
    path(
        "o/<slug:code>/<id:year>/analysis/recommendations/<id:pk>/delete/",
        words_views.recommendation_delete,
        name="recommendation_delete",
    ),
    path(
        "o/<slug:code>/<id:year>/analysis/recommendations/<id:pk>/move/",
        words_views.recommendation_move,
        name="recommendation_move",
    ),
]
