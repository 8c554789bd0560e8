"""Admin: return cases are read here; they change only through the workflow (API and UI)."""

from django.contrib import admin

from aftersales.core.admin import ReadOnlyAdmin

from .models import CaseEvent, ReturnCase, ReturnLine, ReturnUnit


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LineInline(ReadOnlyInline):
    model = ReturnLine
    fields = ["line_no", "product_model", "item_name", "quantity", "production_lot", "requested_outcome", "reason",
              "defect_description"]


class EventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["at", "actor", "action", "from_state", "to_state", "unit_to_state", "comment"]


@admin.register(ReturnCase)
class ReturnCaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "customer", "channel", "state", "volume_class", "submitted_at"]
    list_filter = ["state", "channel", "volume_class"]
    search_fields = ["number", "customer__code", "customer__name", "customer_reference"]
    list_select_related = ["customer"]
    inlines = [LineInline, EventInline]


@admin.register(ReturnUnit)
class ReturnUnitAdmin(ReadOnlyAdmin):
    list_display = ["serial", "return_case", "product_model", "state", "warehouse", "exit", "warranty_status",
                    "disposition"]
    list_filter = ["state", "warranty_status", "disposition", "exit"]
    search_fields = ["=serial", "return_case__number"]
    list_select_related = ["return_case", "product_model", "warehouse"]
    show_full_result_count = False
