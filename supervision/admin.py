from django.contrib import admin

from .models import Chase


@admin.register(Chase)
class ChaseAdmin(admin.ModelAdmin):
    list_display = ["organisation", "fiscal_year", "kind", "round_number", "due", "created_by", "summary_sent_at"]
    list_filter = ["kind", "fiscal_year"]
    search_fields = ["organisation__code", "organisation__name"]
    readonly_fields = ["summary_sent_at", "created_by"]
