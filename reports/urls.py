from django.urls import path

import ita_portal.converters  # noqa: F401  (registers the bounded <id:…> converter)

from . import views

urlpatterns = [
    path("o/<slug:code>/reports/<id:year>/", views.reports_page, name="reports"),
    path("o/<slug:code>/reports/<id:year>/request/", views.request_report, name="report_request"),
    path("o/<slug:code>/reports/file/<id:pk>/", views.report_status, name="report_status"),
    path("o/<slug:code>/reports/file/<id:pk>/download/", views.report_download, name="report_download"),
    path("p/<slug:code>/<id:year>/", views.public_plan, name="public_plan"),
    path("p/<slug:code>/<id:year>/measures.pdf", views.public_plan_pdf, name="public_plan_pdf"),
    path("p/<slug:code>/<id:year>/followup-<id:number>.pdf", views.public_followup_pdf, name="public_followup_pdf"),
]
