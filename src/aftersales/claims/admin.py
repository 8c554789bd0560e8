from django.contrib import admin

from .models import ClaimItem, Compensation, SupplierClaim


class ClaimItemInline(admin.TabularInline):
    model = ClaimItem
    extra = 0
    raw_id_fields = ["unit", "part"]


@admin.register(SupplierClaim)
class SupplierClaimAdmin(admin.ModelAdmin):
    list_display = ["number", "supplier", "return_case", "state", "amount_claimed", "amount_recovered", "due_at"]
    list_filter = ["state"]
    search_fields = ["number", "supplier__code", "supplier__name"]
    readonly_fields = ["state", "version"]  # steps go through the table (workflow.SUPPLIER_CLAIM)
    raw_id_fields = ["return_case", "attachments"]
    inlines = [ClaimItemInline]


@admin.register(Compensation)
class CompensationAdmin(admin.ModelAdmin):
    list_display = ["number", "return_case", "state", "amount", "form", "proposed_by", "decided_by"]
    list_filter = ["state", "form"]
    search_fields = ["number", "return_case__number"]
    readonly_fields = ["state", "version"]
    raw_id_fields = ["return_case"]
