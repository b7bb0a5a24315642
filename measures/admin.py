from django.contrib import admin

from .models import ApprovalStep, Decision, MeasureTemplate, Notification, OrgUnit, Person, Plan, PlanRevision


@admin.register(MeasureTemplate)
class MeasureTemplateAdmin(admin.ModelAdmin):
    list_display = ["key", "indicator", "kind", "issue_area", "title"]
    list_filter = ["indicator", "kind", "issue_area"]
    search_fields = ["key", "title"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["organisation", "fiscal_year", "state", "revision", "publish_permitted"]
    list_filter = ["state", "fiscal_year"]
    search_fields = ["organisation__code", "organisation__name"]
    readonly_fields = ["state", "revision", "submission", "current_step", "approved_revision"]


@admin.register(ApprovalStep)
class ApprovalStepAdmin(admin.ModelAdmin):
    list_display = ["organisation", "order", "title"]
    filter_horizontal = ["users"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["plan", "at", "kind", "position", "signer_name"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PlanRevision)
class PlanRevisionAdmin(admin.ModelAdmin):
    list_display = ["plan", "number", "approved_at", "sha256"]

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(OrgUnit)
admin.site.register(Person)
admin.site.register(Notification)
