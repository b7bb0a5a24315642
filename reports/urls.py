from django.urls import path, re_path

import ita_portal.converters  # noqa: F401  (registers the bounded <id:…> converter)

from . import document_views, views

urlpatterns = [
    path("o/<slug:code>/reports/<id:year>/", views.reports_page, name="reports"),
    path("o/<slug:code>/reports/<id:year>/texts/<slug:doc>/", views.document_texts, name="document_texts"),
    path("o/<slug:code>/reports/<id:year>/request/", views.request_report, name="report_request"),
    path("o/<slug:code>/reports/file/<id:pk>/", views.report_status, name="report_status"),
    path("o/<slug:code>/reports/file/<id:pk>/download/", views.report_download, name="report_download"),
    path(
        "o/<slug:code>/plans/<id:year>/revisions/<id:number>/<slug:kind>.pdf",
        views.revision_document,
        name="revision_document",
    ),
    path("o/<slug:code>/plans/<id:year>/memo/", document_views.memo_page, name="memo_edit"),
    path("o/<slug:code>/documents/", document_views.document_settings, name="document_settings"),
    path("p/<slug:code>/<id:year>/", views.public_plan, name="public_plan"),
    path("p/<slug:code>/<id:year>/measures.pdf", views.public_plan_pdf, name="public_plan_pdf"),
    path("p/<slug:code>/<id:year>/followup-<id:number>.pdf", views.public_followup_pdf, name="public_followup_pdf"),
    path("verify/", views.verify, name="verify"),
    re_path(r"^verify/(?P<sha256>[0-9a-fA-F]{64})/$", views.verify_hash, name="verify_hash"),
]
