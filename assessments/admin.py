"""Admin: organisations (with CSV/XLSX import-export), memberships, frameworks per year.

A further year's framework is loaded from a spreadsheet ("นำเข้ากรอบการประเมิน") and a
year's framework can be downloaded in the same form, as a template for the next one.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from import_export.admin import ImportExportModelAdmin
from import_export.forms import SelectableFieldsExportForm

from . import frameworks, sheets
from .models import (
    Assessment,
    ChangeLog,
    FiscalYear,
    GradeBand,
    Indicator,
    IssueArea,
    Item,
    Membership,
    Organisation,
    SubIndicator,
    Tool,
)
from .resources import OrganisationResource


def _membership_values(membership):
    return {"user": membership.user.username, "role": membership.role, "position": membership.position}


def log_membership(request, membership, action, *, old=None):
    """Memberships are who may do what: every change made in the admin goes to the change log."""
    ChangeLog.objects.create(
        user=request.user, organisation=membership.organisation, action=action,
        summary=f"{membership.user.username}: {membership.get_role_display()} {membership.position}".strip(),
        details={"old": old, "new": None if action == "membership.delete" else _membership_values(membership)},
    )  # fmt: skip


def _old_membership(pk):
    old = Membership.objects.filter(pk=pk).select_related("user").first() if pk else None
    return _membership_values(old) if old else None


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


class OrganisationExportForm(SelectableFieldsExportForm):
    """django-import-export's export form, plus our script that binds its "select all" box
    (the library binds it inline, which the Content-Security-Policy refuses)."""

    @property
    def media(self):
        return super().media + forms.Media(js=["js/admin_export.js"])


@admin.register(Organisation)
class OrganisationAdmin(ImportExportModelAdmin):
    resource_classes = [OrganisationResource]
    list_display = ["code", "name", "org_type", "province", "district", "parent"]
    list_filter = ["org_type", "province"]
    search_fields = ["code", "name", "province", "district"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]
    export_form_class = OrganisationExportForm

    def save_model(self, request, obj, form, change):
        old = {name: form.initial.get(name) for name in form.changed_data}
        super().save_model(request, obj, form, change)
        if form.changed_data or not change:
            ChangeLog.objects.create(
                user=request.user, organisation=obj, action="organisation.edit" if change else "organisation.add",
                summary=f"หน่วยงาน {obj.code}: {', '.join(form.changed_data)}",
                details={"fields": form.changed_data, "old": {k: str(v) for k, v in old.items()},
                         "new": {k: str(form.cleaned_data.get(k)) for k in form.changed_data}},
            )  # fmt: skip

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        olds = {f.instance.pk: _old_membership(f.instance.pk) for f in formset.forms if f.instance.pk}
        deleted = [(m, _membership_values(m)) for m in (f.instance for f in formset.deleted_forms) if m.pk]
        instances = formset.save()
        for membership, values in deleted:
            log_membership(request, membership, "membership.delete", old=values)
        for membership in instances:
            old = olds.get(membership.pk)
            if old != _membership_values(membership):
                log_membership(request, membership, "membership.edit" if old else "membership.add", old=old)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "position"]
    list_filter = ["role"]
    search_fields = ["user__username", "organisation__code", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]

    def save_model(self, request, obj, form, change):
        old = _old_membership(obj.pk) if change else None
        super().save_model(request, obj, form, change)
        if old != _membership_values(obj):
            log_membership(request, obj, "membership.edit" if change else "membership.add", old=old)

    def delete_model(self, request, obj):
        old = _membership_values(obj)
        super().delete_model(request, obj)
        log_membership(request, obj, "membership.delete", old=old)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "organisation"):
            self.delete_model(request, membership)


class FrameworkUploadForm(forms.Form):
    file = forms.FileField(label="ไฟล์กรอบการประเมิน (.xlsx)")
    replace = forms.BooleanField(label="แทนที่ปีที่มีอยู่แล้ว (เฉพาะปีที่ยังไม่มีคะแนน)", required=False)


class GradeBandInline(admin.TabularInline):
    model = GradeBand
    extra = 0


class ToolInline(admin.TabularInline):
    model = Tool
    extra = 0
    fields = ["code", "name_th", "weight", "order"]


@admin.register(FiscalYear)
class FiscalYearAdmin(admin.ModelAdmin):
    list_display = ["year", "start", "end", "result_mode", "eit_combination", "item_count", "uncertain"]
    list_filter = ["uncertain"]
    inlines = [ToolInline, GradeBandInline]
    change_list_template = "admin/assessments/fiscalyear/change_list.html"
    actions = ["download_framework", "recompute_summaries"]

    @admin.display(description="จำนวนข้อ")
    def item_count(self, obj):
        return obj.items.count()

    def get_urls(self):
        return [
            path("import-framework/", self.admin_site.admin_view(self.import_framework), name="import_framework"),
            *super().get_urls(),
        ]

    def import_framework(self, request):
        """Load a new year's framework from a workbook; refuse the whole file with reasons."""
        form = FrameworkUploadForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                # The workbook's bounds (zip, XML entities, sizes, rows) are checked before
                # openpyxl reads it; frameworks.payload_from_workbook can take the safe
                # workbook itself once that module calls sheets.open_workbook_safely.
                sheets.open_workbook_safely(upload)
                upload.seek(0)
                payload = frameworks.payload_from_workbook(upload)
                fiscal_year = frameworks.install(payload, replace=form.cleaned_data["replace"])
            except sheets.ImportRefused as exc:
                errors = exc.lines()
            except frameworks.FrameworkError as exc:
                errors = exc.errors
            else:
                ChangeLog.objects.create(
                    user=request.user,
                    action="framework.import",
                    summary=f"นำเข้ากรอบการประเมินปี {fiscal_year.year}",
                    details={"year": fiscal_year.year, "items": fiscal_year.items.count()},
                )
                messages.success(
                    request, f"นำเข้ากรอบการประเมินปี {fiscal_year.year} แล้ว ({fiscal_year.items.count()} ข้อ)"
                )
                return redirect("admin:assessments_fiscalyear_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "errors": errors,
            "title": "นำเข้ากรอบการประเมินจากไฟล์ Excel",
            "opts": self.model._meta,
        }
        return render(
            request, "admin/assessments/fiscalyear/import_framework.html", context, status=400 if errors else 200
        )

    @admin.action(description="คำนวณสรุปคะแนนของทุกหน่วยงานใหม่ (หลังแก้เกณฑ์หรือน้ำหนัก)")
    def recompute_summaries(self, request, queryset):
        from ita_portal.celery import hand_over

        from .tasks import refresh_summaries

        # Nothing to record first here: the administrator is told at once when the broker is away.
        sent = sum(hand_over(refresh_summaries, fiscal_year.year) for fiscal_year in queryset)
        if sent:
            messages.info(request, f"ส่งงานคำนวณใหม่แล้ว {sent} ปี")
        if sent < queryset.count():
            messages.error(request, "ระบบคิวงานไม่พร้อมในขณะนี้ บางปียังไม่ได้ส่งงานคำนวณ กรุณาลองอีกครั้งภายหลัง")

    @admin.action(description="ดาวน์โหลดกรอบการประเมินเป็น Excel")
    def download_framework(self, request, queryset):
        fiscal_year = queryset.order_by("-year").first()
        wb = frameworks.workbook_from_fiscal_year(fiscal_year)
        response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="ita-framework-{fiscal_year.year}.xlsx"'
        wb.save(response)
        return response


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["fiscal_year", "number", "name_th", "tool"]
    list_filter = ["fiscal_year"]
    filter_horizontal = ["issue_areas"]


@admin.register(SubIndicator)
class SubIndicatorAdmin(admin.ModelAdmin):
    list_display = ["indicator", "code", "name_th", "uncertain"]
    list_filter = ["indicator__fiscal_year", "uncertain"]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["fiscal_year", "label", "title_th", "indicator", "subindicator", "uncertain"]
    list_filter = ["fiscal_year", "uncertain", "indicator__number"]
    search_fields = ["code", "title_th"]
    filter_horizontal = ["issue_areas"]


@admin.register(IssueArea)
class IssueAreaAdmin(admin.ModelAdmin):
    list_display = ["number", "name_th"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["organisation", "fiscal_year", "total_score", "mismatch_count", "updated_at"]
    list_filter = ["fiscal_year"]
    search_fields = ["organisation__code", "organisation__name"]
    readonly_fields = ["total_score", "mismatch_count"]


@admin.register(ChangeLog)
class ChangeLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "organisation", "action", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "organisation__code"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
