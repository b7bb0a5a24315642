"""Admin: organisations (with CSV/XLSX import-export), memberships, frameworks per year.

A further year's framework is loaded from a spreadsheet ("นำเข้ากรอบการประเมิน") and a
year's framework can be downloaded in the same form, as a template for the next one.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from import_export.admin import ImportExportModelAdmin

from . import frameworks, onboarding, services
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


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["code", "name", "org_type", "province", "district", "parent", "use_thai_digits"]

    def clean_parent(self):
        """The same rule as the imports: no organisation above itself, directly or through others."""
        parent = self.cleaned_data.get("parent")
        node, seen = parent, set()
        while node is not None and self.instance.pk and node.pk not in seen:
            if node.pk == self.instance.pk:
                raise forms.ValidationError(f"หน่วยงานกำกับดูแล {parent.code} ทำให้เกิดวงวน: {parent.code} อยู่ภายใต้หน่วยงานนี้")
            seen.add(node.pk)
            node = node.parent
        return parent


@admin.register(Organisation)
class OrganisationAdmin(ImportExportModelAdmin):
    form = OrganisationForm
    resource_classes = [OrganisationResource]
    list_display = ["code", "name", "org_type", "province", "district", "parent"]
    list_filter = ["org_type", "province"]
    search_fields = ["code", "name", "province", "district"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        """Save, and log the change old -> new like the imports do (only a real change)."""
        fields = [
            f
            for f in form.changed_data
            if f in ("code", "name", "org_type", "province", "district", "parent", "use_thai_digits")
        ]
        old = Organisation.objects.select_related("parent").get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)

        def value(org, field):
            if org is None:
                return None
            if field == "parent":
                return org.parent.code if org.parent_id else None
            return getattr(org, field)

        details = {f: [value(old, f), value(obj, f)] for f in fields if value(old, f) != value(obj, f)}
        if details or not change:
            ChangeLog.objects.create(
                user=request.user,
                organisation=obj,
                action="organisation.update" if change else "organisation.create",
                summary=f"{'แก้ไข' if change else 'เพิ่ม'}หน่วยงาน {obj.code} (ผู้ดูแลระบบ)",
                details=details,
            )


class UsersUploadForm(forms.Form):
    file = forms.FileField(label="ไฟล์ผู้ใช้ (.csv หรือ .xlsx)")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "position"]
    list_filter = ["role"]
    search_fields = ["user__username", "organisation__code", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    change_list_template = "admin/assessments/membership/change_list.html"

    def get_urls(self):
        return [
            path("import-users/", self.admin_site.admin_view(self.import_users), name="import_users"),
            *super().get_urls(),
        ]

    def import_users(self, request):
        """Users and memberships from a sheet (the same check and writer as ita_import_users)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UsersUploadForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                table = services.read_table(upload, upload.name)
                result = onboarding.import_users(table, by=request.user, dry_run="save" not in request.POST)
            except services.ImportRefused as exc:
                errors = exc.lines()
            else:
                if "save" not in request.POST:
                    messages.info(request, f"ตรวจสอบแล้ว ถูกต้องทั้ง {result['rows']} แถว (ยังไม่ได้บันทึก)")
                else:
                    messages.success(
                        request,
                        f"นำเข้าแล้ว {result['rows']} แถว: ผู้ใช้ใหม่ {result['users_created']} คน (ส่งอีเมลเชิญแล้ว) "
                        f"บทบาทใหม่ {result['memberships_added']} แก้ตำแหน่ง {result['positions_changed']}",
                    )
                    return redirect("admin:assessments_membership_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "errors": errors,
            "title": "นำเข้าผู้ใช้จากไฟล์",
            "opts": self.model._meta,
        }
        return render(request, "admin/assessments/membership/import_users.html", context, status=400 if errors else 200)


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
            try:
                payload = frameworks.payload_from_workbook(form.cleaned_data["file"])
                fiscal_year = frameworks.install(payload, replace=form.cleaned_data["replace"])
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
        from .tasks import refresh_summaries

        for fiscal_year in queryset:
            refresh_summaries.delay(fiscal_year.year)
        messages.info(request, f"ส่งงานคำนวณใหม่แล้ว {queryset.count()} ปี")

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
