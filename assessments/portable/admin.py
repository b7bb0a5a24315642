"""The admin's way to the same export and import: an action on organisations (download the
zip) and an upload page, both for superusers only (ita_portal.access.may_move_history)."""

from __future__ import annotations

import tempfile

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone

from ita_portal.access import may_move_history

from ..admin_imports import import_page
from .archive import Refused
from .export import ExportError, export_organisation
from .restore import import_organisation


class HistoryUploadForm(forms.Form):
    file = forms.FileField(label="ไฟล์ประวัติหน่วยงาน (.zip จากการส่งออก)")
    replace = forms.BooleanField(
        label="แทนที่หน่วยงานที่มีอยู่แล้ว (ลบข้อมูลเดิมของหน่วยงานนั้นทั้งหมด แล้วนำเข้าจากไฟล์นี้)", required=False
    )


class HistoryAdminMixin:
    """For OrganisationAdmin: the export action and the import page."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not may_move_history(request.user):
            actions.pop("export_history", None)
        return actions

    @admin.action(description="ส่งออกประวัติหน่วยงาน (zip: ข้อมูลและไฟล์ทั้งหมด)")
    def export_history(self, request, queryset):
        if not may_move_history(request.user):
            raise PermissionDenied("เฉพาะผู้ดูแลระบบสูงสุด (superuser) จึงส่งออกประวัติหน่วยงานได้")
        if queryset.count() != 1:
            self.message_user(request, "เลือกหน่วยงานครั้งละหนึ่งหน่วยงานเพื่อส่งออกประวัติ", messages.ERROR)
            return None
        organisation = queryset.get()
        spool = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 - closed by the response
        try:
            export_organisation(organisation, spool)
        except ExportError as exc:
            spool.close()
            self.message_user(request, f"ส่งออกไม่ได้: {exc}", messages.ERROR)
            return None
        spool.seek(0)
        name = f"ita-history-{organisation.code}-{timezone.localdate():%Y%m%d}.zip"
        return FileResponse(spool, as_attachment=True, filename=name, content_type="application/zip")

    def get_urls(self):
        return [
            path("import-history/", self.admin_site.admin_view(self.import_history), name="import_org_history"),
            *super().get_urls(),
        ]

    def import_history(self, request):
        if not may_move_history(request.user):
            raise PermissionDenied("เฉพาะผู้ดูแลระบบสูงสุด (superuser) จึงนำเข้าประวัติหน่วยงานได้")
        form = HistoryUploadForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = import_organisation(upload, replace=form.cleaned_data["replace"], by=request.user)
            except Refused as exc:
                errors = [exc.message]
            else:
                verb = "แทนที่" if result.replaced else "นำเข้า"
                message = (
                    f"{verb}ประวัติหน่วยงาน {result.organisation.code} แล้ว: {sum(result.counts.values())} แถว "
                    f"ไฟล์ {result.files} ไฟล์ ผู้ใช้ใหม่ {len(result.users_created)} คน"
                )
                if result.users_created:
                    message += " (ยังไม่มีรหัสผ่าน ให้ตั้งผ่าน “ลืมรหัสผ่าน”)"
                messages.success(request, message)
                for note in result.notes:
                    messages.warning(request, note)
                return redirect("admin:assessments_organisation_change", result.organisation.pk)
        return import_page(
            self,
            request,
            "admin/assessments/organisation/import_history.html",
            form=form,
            errors=errors,
            title="นำเข้าประวัติหน่วยงานจากไฟล์ zip",
        )
