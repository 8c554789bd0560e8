from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Approver, Contact, Customer, Part, ProductModel, ShippedUnit, Supplier, TestItem, Warehouse


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "region", "regional_sales_manager", "is_key_customer", "is_active"]
    list_filter = ["kind", "region", "is_key_customer", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["regional_sales_manager"]
    autocomplete_fields = ["regional_sales_manager"]
    inlines = [ContactInline]


class TestItemInline(admin.TabularInline):
    model = TestItem
    extra = 0
    fields = ["position", "code", "name", "requirement", "is_active"]


@admin.register(ProductModel)
class ProductModelAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "spec", "category", "warranty_months", "latest_hardware_revision",
                    "latest_software_revision", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["code", "name", "spec"]
    inlines = [TestItemInline]


@admin.register(Part)
class PartAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "spec", "scrap_class", "unit_cost", "is_active"]
    list_filter = ["scrap_class", "is_active"]
    search_fields = ["code", "name"]


@admin.register(ShippedUnit)
class ShippedUnitAdmin(SimpleHistoryAdmin):
    list_display = ["serial", "product_model", "production_lot", "customer", "shipped_date", "sales_order"]
    list_filter = ["shipped_date"]
    search_fields = ["=serial", "=production_lot", "=sales_order"]
    list_select_related = ["product_model", "customer"]
    raw_id_fields = ["product_model", "customer"]
    show_full_result_count = False


@admin.register(Warehouse)
class WarehouseAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "is_active"]


@admin.register(Approver)
class ApproverAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "user", "product_line", "region", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["user__username", "product_line", "region"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


@admin.register(Supplier)
class SupplierAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "contact_name", "phone", "warranty_months", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["parts", "product_models"]
