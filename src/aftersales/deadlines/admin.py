from django.contrib import admin

from aftersales.core.admin import ReadOnlyAdmin

from .models import Deadline, DeadlinePause


class PauseInline(admin.TabularInline):
    model = DeadlinePause
    extra = 0
    can_delete = False
    readonly_fields = ["paused_at", "resumed_at", "reason", "by"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "role", "state", "started_at", "due_at", "provisional", "met_at", "late",
                    "alert_level"]
    list_filter = ["state", "role", "kind", "late", "provisional", "alert_level"]
    search_fields = ["=reference"]
    date_hierarchy = "due_at"
    show_full_result_count = False
    inlines = [PauseInline]
