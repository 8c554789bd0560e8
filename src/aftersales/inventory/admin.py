from django.contrib import admin

from aftersales.core.admin import ReadOnlyAdmin

from .models import StockBalance, StockMove


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdmin):
    list_display = ["warehouse", "product_model", "part", "quantity"]
    list_filter = ["warehouse"]
    list_select_related = ["warehouse", "product_model", "part"]


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = ["moved_at", "kind", "product_model", "part", "quantity", "from_warehouse", "to_warehouse",
                    "serial", "return_case", "actor"]
    list_filter = ["kind", "from_warehouse", "to_warehouse"]
    search_fields = ["=serial", "return_case__number"]
    list_select_related = ["product_model", "part", "from_warehouse", "to_warehouse", "return_case", "actor"]
    show_full_result_count = False
