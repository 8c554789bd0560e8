"""The one writer of stock: append moves and change balances in the caller's transaction."""

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.bulk import db_datetime, insert_rows
from aftersales.core.errors import AppError
from aftersales.masterdata.models import Part, ProductModel, Warehouse, WarehouseKind

from .models import StockBalance, StockMove


class InsufficientStock(AppError):
    code = "insufficient_stock"
    status = 409


MOVE_FIELDS = ["kind", "quantity", "from_warehouse", "to_warehouse", "product_model", "part", "return_unit", "serial",
               "return_case", "actor", "moved_at"]


@dataclass(frozen=True)
class Move:
    kind: str
    quantity: int
    from_warehouse_id: int | None
    to_warehouse_id: int | None
    product_model_id: int | None = None
    part_id: int | None = None
    return_unit_id: int | None = None
    serial: str = ""


def warehouse_ids() -> dict[str, int]:
    """Warehouse id by kind (after_sales, finished_goods, defective, scrap, raw_material)."""
    return dict(Warehouse.objects.filter(is_active=True).order_by("id").values_list("kind", "id"))


def warehouse_of_kind(kind: WarehouseKind | str) -> int:
    found = warehouse_ids().get(str(kind))
    if found is None:
        raise AppError(_("No active warehouse of kind %(kind)s.") % {"kind": kind}, code="no_warehouse")
    return found


@transaction.atomic
def stock_moves_apply(*, actor, moves: list[Move], return_case=None) -> None:
    """Write the moves and their balance changes; refuse (and write nothing) if any balance
    would go negative. Balance rows are locked in primary-key order to avoid deadlocks."""
    if not moves:
        return
    deltas: dict[tuple[int, int | None, int | None], int] = defaultdict(int)
    for move in moves:
        item = (move.product_model_id, move.part_id)
        if move.from_warehouse_id is not None:
            deltas[(move.from_warehouse_id, *item)] -= move.quantity
        if move.to_warehouse_id is not None:
            deltas[(move.to_warehouse_id, *item)] += move.quantity
    keys = [key for key, delta in deltas.items() if delta]
    if keys:
        _ensure_balance_rows(keys)
        rows = _locked_rows(keys)
        short = [(rows[key], -deltas[key]) for key in keys if rows[key].quantity + deltas[key] < 0]
        if short:
            raise InsufficientStock(_("Not enough stock for this movement."), details={"shortages": _named(short)})
        for key in keys:
            StockBalance.objects.filter(pk=rows[key].pk).update(quantity=F("quantity") + deltas[key])
    # Bulk work moves thousands of units at once: plain multi-row INSERTs (core/bulk.py).
    moved_at = db_datetime(timezone.now())
    case_id, actor_id = getattr(return_case, "pk", None), getattr(actor, "pk", None)
    insert_rows(StockMove, MOVE_FIELDS, (
        (m.kind, m.quantity, m.from_warehouse_id, m.to_warehouse_id, m.product_model_id, m.part_id, m.return_unit_id,
         m.serial, case_id, actor_id, moved_at) for m in moves))


def _named(short: list[tuple[StockBalance, int]]) -> list[dict]:
    """The shortages as people and clients name them: warehouse, product model and part by code."""
    rows = [row for row, _needed in short]
    warehouses = dict(Warehouse.objects.filter(pk__in={r.warehouse_id for r in rows}).values_list("id", "code"))
    models = dict(ProductModel.objects.filter(pk__in={r.product_model_id for r in rows}).values_list("id", "code"))
    parts = dict(Part.objects.filter(pk__in={r.part_id for r in rows}).values_list("id", "code"))
    return [{"warehouse": warehouses[r.warehouse_id], "product_model": models.get(r.product_model_id),
             "part": parts.get(r.part_id), "available": r.quantity, "needed": needed} for r, needed in short]


def _ensure_balance_rows(keys) -> None:
    StockBalance.objects.bulk_create(
        [StockBalance(warehouse_id=w, product_model_id=m, part_id=p, quantity=0) for w, m, p in keys],
        ignore_conflicts=True,
    )


def _locked_rows(keys) -> dict:
    warehouses = {w for w, _m, _p in keys}
    models = {m for _w, m, _p in keys if m is not None}
    parts = {p for _w, _m, p in keys if p is not None}
    queryset = StockBalance.objects.select_for_update().filter(warehouse_id__in=warehouses).order_by("pk")
    rows = {}
    if models:
        for row in queryset.filter(product_model_id__in=models, part__isnull=True):
            rows[(row.warehouse_id, row.product_model_id, None)] = row
    if parts:
        for row in queryset.filter(part_id__in=parts, product_model__isnull=True):
            rows[(row.warehouse_id, None, row.part_id)] = row
    return rows


def stock_receive_from_production(*, actor, product_model, quantity: int, warehouse_id: int | None = None) -> None:
    """New finished goods into stock (what exchanges are shipped from)."""
    if quantity <= 0:
        raise AppError(details={"quantity": [_("Must be at least 1.")]}, code="invalid")
    stock_moves_apply(actor=actor, moves=[Move(
        kind="production_receipt", quantity=quantity, from_warehouse_id=None,
        to_warehouse_id=warehouse_id or warehouse_of_kind(WarehouseKind.FINISHED_GOODS),
        product_model_id=product_model.pk)])
