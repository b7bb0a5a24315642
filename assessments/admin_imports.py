"""The admin's file-import pages (framework, users, an organisation's history): one way to show
the form and a refusal (templates/admin/assessments/import_file.html)."""

from django.http import HttpResponse
from django.shortcuts import render


def import_page(model_admin, request, template: str, *, form, errors: list[str], title: str) -> HttpResponse:
    """The import page with the admin's own frame; a refused file answers 400 with its lines."""
    context = {
        **model_admin.admin_site.each_context(request),
        "form": form,
        "errors": errors,
        "title": title,
        "opts": model_admin.model._meta,
    }
    return render(request, template, context, status=400 if errors else 200)
