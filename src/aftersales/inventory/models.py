"""Stock as a ledger: every movement is an appended StockMove; StockBalance is its running sum.

A location of None means outside the company (at the customer's, a supplier's, consumed).
Balances never go negative: a database constraint as well as a check in the service.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MoveKind(models.TextChoices):
    RETURN_RECEIPT = "return_receipt", _("Returned goods received")
    PRODUCTION_RECEIPT = "production_receipt", _("Received from production")
    TRANSFER = "transfer", _("Transfer between warehouses")
    SHIP_BACK = "ship_back", _("Shipped back to the customer")
    EXCHANGE_OUT = "exchange_out", _("New unit shipped in exchange")
    TO_FINISHED_GOODS = "to_finished_goods", _("Into finished goods for resale")
    TO_DEFECTIVE = "to_defective", _("Into the defective goods warehouse")
    SCRAP = "scrap", _("Scrapped")
    TEARDOWN = "teardown", _("Torn down for parts")
    INTERNAL_SALE = "internal_sale", _("Internal discounted sale")
    SUPPLIER_RETURN = "supplier_return", _("Returned to the supplier")
    PART_ISSUE = "part_issue", _("Parts issued")
    PURCHASE_RECEIPT = "purchase_receipt", _("Purchased material received")
    REFURBISHED_IN = "refurbished_in", _("Refurbished parts back into stock")
    VAN_ISSUE = "van_issue", _("Parts issued to a technician's van stock")
    VAN_RETURN = "van_return", _("Parts back from a technician's van stock")
    FIELD_USE = "field_use", _("Parts used on site")


class StockMove(models.Model):
    kind = models.CharField(_("kind"), max_length=30, choices=MoveKind.choices)
    product_model = models.ForeignKey("masterdata.ProductModel", verbose_name=_("product model"),
                                      on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    part = models.ForeignKey("masterdata.Part", verbose_name=_("part"), on_delete=models.PROTECT,
                             null=True, blank=True, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    from_warehouse = models.ForeignKey("masterdata.Warehouse", verbose_name=_("from"), on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="+")
    to_warehouse = models.ForeignKey("masterdata.Warehouse", verbose_name=_("to"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    return_case = models.ForeignKey("returns.ReturnCase", verbose_name=_("return case"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="stock_moves")
    return_unit = models.ForeignKey("returns.ReturnUnit", verbose_name=_("unit"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="stock_moves")
    serial = models.CharField(_("serial number"), max_length=80, blank=True)
    # The document a move belongs to when it is not a return case's: a field service order (FO-2026-000001).
    reference = models.CharField(_("document"), max_length=40, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                              null=True, related_name="+")
    moved_at = models.DateTimeField(_("moved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="stock_move_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(product_model__isnull=False, part__isnull=True)
                | models.Q(product_model__isnull=True, part__isnull=False),
                name="stock_move_one_item",
            ),
            models.CheckConstraint(
                condition=models.Q(from_warehouse__isnull=False) | models.Q(to_warehouse__isnull=False),
                name="stock_move_has_a_warehouse",
            ),
        ]
        indexes = [models.Index(fields=["return_unit", "id"]), models.Index(fields=["serial"])]


class StockBalance(models.Model):
    warehouse = models.ForeignKey("masterdata.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="balances")
    product_model = models.ForeignKey("masterdata.ProductModel", verbose_name=_("product model"),
                                      on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    part = models.ForeignKey("masterdata.Part", verbose_name=_("part"), on_delete=models.PROTECT,
                             null=True, blank=True, related_name="+")
    quantity = models.IntegerField(_("quantity"), default=0)

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        ordering = ["warehouse_id", "product_model_id", "part_id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="stock_balance_not_negative"),
            models.UniqueConstraint(fields=["warehouse", "product_model"], condition=models.Q(part__isnull=True),
                                    name="stock_balance_unique_model"),
            models.UniqueConstraint(fields=["warehouse", "part"], condition=models.Q(product_model__isnull=True),
                                    name="stock_balance_unique_part"),
        ]
