"""Admin: organisations (with CSV/XLSX import-export), memberships, frameworks per year.

A further year's framework is loaded from a spreadsheet ("นำเข้ากรอบการประเมิน") and a
year's framework can be downloaded in the same form, as a template for the next one.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from import_export.admin import ImportExportModelAdmin
from import_export.forms import SelectableFieldsExportForm

from . import frameworks, onboarding, services
from .admin_imports import import_page
from .frameworks.install import RULE_FIELDS
from .models import (
    Assessment,
    ChangeLog,
    Edition,
    FiscalYear,
    GradeBand,
    Indicator,
    IssueArea,
    Item,
    Membership,
    Milestone,
    Organisation,
    SubIndicator,
    Tool,
)
from .portable.admin import HistoryAdminMixin
from .resources import BoundedCSV, BoundedXLSX, OrganisationResource
from .sheets import ImportRefused


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


class RenewsFramework:
    """Admin saves and deletes of framework rows renew the frameworks' cache key.

    Every year is renewed: a row may move from one year to another (an item's year or
    indicator), issue areas are shared by all years, and there are only a handful of years."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        frameworks.renew_framework()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # inlines and issue-area links
        frameworks.renew_framework()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        frameworks.renew_framework()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        frameworks.renew_framework()


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


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "code",
            "name",
            "org_type",
            "scheme",
            "province",
            "district",
            "parent",
            "use_thai_digits",
            "status_tiers",
        ]
        help_texts = {
            "status_tiers": 'เว้นว่างเพื่อใช้ตามกรอบการประเมิน หรือเช่น [{"code": "strong", "label": "จุดแข็งมาก", "min": 95}, '
            '{"code": "good", "label": "ดี", "min": 85}, {"code": "weak", "label": "จุดอ่อนที่ต้องพัฒนาเร่งด่วน", "min": 0}]'
        }

    def clean_status_tiers(self):
        from .frameworks.ladder import clean_tiers

        errors = []
        tiers = clean_tiers(self.cleaned_data.get("status_tiers"), errors)
        if errors:
            raise forms.ValidationError(errors)
        return tiers

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
class OrganisationAdmin(HistoryAdminMixin, ImportExportModelAdmin):
    form = OrganisationForm
    change_list_template = "admin/assessments/organisation/change_list.html"
    actions = ["export_history"]
    resource_classes = [OrganisationResource]
    list_display = ["code", "name", "org_type", "scheme", "province", "district", "parent"]
    list_filter = ["scheme", "org_type", "province"]
    search_fields = ["code", "name", "province", "district"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]
    export_form_class = OrganisationExportForm
    import_formats = [BoundedCSV, BoundedXLSX]  # read within bounds, like every other upload

    def add_data_read_fail_error_to_form(self, form, e):
        """A refused file says why in Thai (row or file named), not the exception's class name."""
        if isinstance(e, ImportRefused):
            for line in e.lines():
                form.add_error("import_file", line)
        else:
            super().add_data_read_fail_error_to_form(form, e)

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

    def save_model(self, request, obj, form, change):
        """Save, and log the change old -> new like the imports do (only a real change)."""
        fields = [f for f in form.changed_data if f in OrganisationForm.Meta.fields]
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
        return import_page(
            self,
            request,
            "admin/assessments/membership/import_users.html",
            form=form,
            errors=errors,
            title="นำเข้าผู้ใช้จากไฟล์",
        )

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


class EditionInline(admin.TabularInline):
    model = Edition
    extra = 0
    fields = ["scheme", "name_th", "result_mode", "uncertain"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # an edition comes from a framework file (นำเข้ากรอบการประเมิน)


@admin.register(FiscalYear)
class FiscalYearAdmin(admin.ModelAdmin):
    list_display = ["year", "start", "end", "edition_list"]
    inlines = [EditionInline]
    change_list_template = "admin/assessments/fiscalyear/change_list.html"

    @admin.display(description="กรอบการประเมิน (ฉบับ)")
    def edition_list(self, obj):
        return ", ".join(e.label + (" (อนุมาน)" if e.uncertain else "") for e in obj.editions.all()) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("editions")

    def get_urls(self):
        return [
            path("import-framework/", self.admin_site.admin_view(self.import_framework), name="import_framework"),
            *super().get_urls(),
        ]

    def import_framework(self, request):
        """Load a year's edition from a workbook; refuse the whole file with reasons."""
        form = FrameworkUploadForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                payload = frameworks.payload_from_workbook(upload)  # read within bounds (assessments.sheets)
                edition = frameworks.install(payload, replace=form.cleaned_data["replace"])
            except frameworks.FrameworkError as exc:
                errors = exc.errors
            else:
                year = edition.fiscal_year.year
                ChangeLog.objects.create(
                    user=request.user,
                    action="framework.import",
                    summary=f"นำเข้ากรอบการประเมินปี {year} {edition.label}",
                    details={"year": year, "scheme": edition.scheme, "items": edition.items.count()},
                )
                messages.success(
                    request, f"นำเข้ากรอบการประเมินปี {year} {edition.label} แล้ว ({edition.items.count()} ข้อ)"
                )
                return redirect("admin:assessments_edition_changelist")
        return import_page(
            self,
            request,
            "admin/assessments/fiscalyear/import_framework.html",
            form=form,
            errors=errors,
            title="นำเข้ากรอบการประเมินจากไฟล์ Excel",
        )


class EditionForm(forms.ModelForm):
    """The edition's rules as the admin edits them: the ladder and tiers checked as on import."""

    class Meta:
        model = Edition
        fields = ["fiscal_year", "scheme", *RULE_FIELDS]

    def _checked(self, name, clean):
        errors = []
        value = clean(self.cleaned_data.get(name), errors)
        if errors:
            raise forms.ValidationError(errors)
        return value

    def clean_rating_ladder(self):
        from .frameworks.ladder import clean_ladder

        return self._checked("rating_ladder", clean_ladder)

    def clean_status_tiers(self):
        from .frameworks.ladder import clean_tiers

        return self._checked("status_tiers", clean_tiers)


@admin.register(Edition)
class EditionAdmin(RenewsFramework, admin.ModelAdmin):
    form = EditionForm
    list_display = ["fiscal_year", "scheme", "name_th", "result_mode", "item_count", "uncertain_mark"]
    list_filter = ["scheme", "uncertain", "fiscal_year"]
    inlines = [ToolInline, GradeBandInline]
    actions = ["download_framework", "recompute_summaries"]

    @admin.display(description="จำนวนข้อ")
    def item_count(self, obj):
        return obj.items.count()

    @admin.display(description="ข้อมูลอนุมาน")
    def uncertain_mark(self, obj):
        return "อนุมาน" if obj.uncertain else ""

    @admin.action(description="คำนวณสรุปคะแนนของทุกหน่วยงานใหม่ (หลังแก้เกณฑ์หรือน้ำหนัก)")
    def recompute_summaries(self, request, queryset):
        from ita_portal.celery import hand_over

        from .tasks import refresh_summaries

        # Nothing to record first here: the administrator is told at once when the broker is away.
        years = sorted({e.fiscal_year.year for e in queryset.select_related("fiscal_year")})
        sent = sum(hand_over(refresh_summaries, year) for year in years)
        if sent:
            messages.info(request, f"ส่งงานคำนวณใหม่แล้ว {sent} ปี")
        if sent < len(years):
            messages.error(request, "ระบบคิวงานไม่พร้อมในขณะนี้ บางปียังไม่ได้ส่งงานคำนวณ กรุณาลองอีกครั้งภายหลัง")

    @admin.action(description="ดาวน์โหลดกรอบการประเมินเป็น Excel")
    def download_framework(self, request, queryset):
        edition = queryset.select_related("fiscal_year").order_by("-fiscal_year__year", "scheme").first()
        wb = frameworks.workbook_from_edition(edition)
        response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        name = f"ita-framework-{edition.fiscal_year.year}" + ("" if edition.scheme == "nacc" else f"-{edition.scheme}")
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        wb.save(response)
        return response


@admin.register(Indicator)
class IndicatorAdmin(RenewsFramework, admin.ModelAdmin):
    list_display = ["fiscal_year", "edition", "number", "name_th", "tool"]
    list_filter = ["fiscal_year", "edition__scheme"]
    filter_horizontal = ["issue_areas"]


@admin.register(SubIndicator)
class SubIndicatorAdmin(RenewsFramework, admin.ModelAdmin):
    list_display = ["indicator", "code", "name_th", "uncertain"]
    list_filter = ["indicator__fiscal_year", "uncertain"]


@admin.register(Item)
class ItemAdmin(RenewsFramework, admin.ModelAdmin):
    list_display = [
        "fiscal_year", "edition", "label", "title_th", "indicator", "subindicator", "role", "topic", "uncertain_mark",
    ]  # fmt: skip
    list_filter = ["fiscal_year", "edition__scheme", "uncertain", "role", "indicator__number"]
    search_fields = ["code", "title_th", "topic"]
    filter_horizontal = ["issue_areas"]

    @admin.display(description="ข้อมูลอนุมาน")
    def uncertain_mark(self, obj):
        return "อนุมาน (ยังไม่ยืนยัน)" if obj.uncertain else ""


@admin.register(IssueArea)
class IssueAreaAdmin(RenewsFramework, admin.ModelAdmin):
    list_display = ["number", "name_th"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["organisation", "fiscal_year", "edition", "total_score", "mismatch_count", "updated_at"]
    list_filter = ["fiscal_year", "edition__scheme"]
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


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    """The ITAS calendar: correct the inferred dates when NACC announces the year's calendar."""

    list_display = ["fiscal_year", "kind", "start", "end", "uncertain", "reminded_at"]
    list_filter = ["fiscal_year", "kind", "uncertain"]
    list_editable = ["start", "end", "uncertain"]
    ordering = ["-fiscal_year", "start"]
    readonly_fields = ["reminded_at"]
