"""The one writer of stock: append moves and change balances in the caller's transaction."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.bulk import db_datetime, insert_rows
from aftersales.core.errors import AppError
from aftersales.masterdata.models import Part, ProductModel, Warehouse, WarehouseKind

from .models import StockBalance, StockMove


class InsufficientStock(AppError):
    code = "insufficient_stock"
    status = 409


class SerialNotInStock(AppError):
    """A move takes a serial out of a warehouse whose ledger does not hold that serial."""

    code = "serial_not_in_stock"
    status = 409


MOVE_FIELDS = ["kind", "quantity", "from_warehouse", "to_warehouse", "product_model", "part", "return_unit", "serial",
               "return_case", "reference", "actor", "moved_at"]


SERIAL_CHUNK = 2000  # serials per query


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
    # Van stocks are one per technician: never "the" warehouse of a kind.
    return dict(Warehouse.objects.filter(is_active=True).exclude(kind=WarehouseKind.VAN).order_by("id")
                .values_list("kind", "id"))


def warehouse_of_kind(kind: WarehouseKind | str) -> int:
    found = warehouse_ids().get(str(kind))
    if found is None:
        raise AppError(_("No active warehouse of kind %(kind)s.") % {"kind": kind}, code="no_warehouse")
    return found


def stock_moves_apply(*, actor, moves: list[Move], return_case=None, serials_from_stock: bool = False,
                      reference: str = "") -> None:
    """Write the moves and their balance changes; refuse (and write nothing) if any balance
    would go negative. Balance rows are locked in primary-key order to avoid deadlocks.
    `serials_from_stock`: each serial a move takes out of a warehouse must be in it by the ledger
    (checked once the balance rows are locked, so two moves cannot take the same serial)."""
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
    if len(keys) == 1 and deltas[keys[0]] > 0 and not serials_from_stock:
        # Goods into one balance (a receiving scan): nothing can go short, so one statement adds to the
        # balance (made if missing) with no read and no lock taken ahead of it; in the caller's transaction.
        with transaction.atomic(savepoint=False):
            _balance_add(keys[0], deltas[keys[0]])
            _moves_insert(actor, moves, return_case, reference)
        return
    _moves_apply(actor, moves, return_case, keys, deltas, serials_from_stock, reference)


@transaction.atomic
def _moves_apply(actor, moves, return_case, keys, deltas, serials_from_stock, reference) -> None:
    if keys:
        _ensure_balance_rows(keys)
        rows = _locked_rows(keys)
        short = [(rows[key], -deltas[key]) for key in keys if rows[key].quantity + deltas[key] < 0]
        if short:
            raise InsufficientStock(_("Not enough stock for this movement."), details={"shortages": _named(short)})
        if serials_from_stock:
            _check_serials(moves)
        for key in keys:
            StockBalance.objects.filter(pk=rows[key].pk).update(quantity=F("quantity") + deltas[key])
    _moves_insert(actor, moves, return_case, reference)


def _moves_insert(actor, moves, return_case, reference="") -> None:
    # Bulk work moves thousands of units at once: plain multi-row INSERTs (core/bulk.py).
    moved_at = db_datetime(timezone.now())
    case_id, actor_id = getattr(return_case, "pk", None), getattr(actor, "pk", None)
    insert_rows(StockMove, MOVE_FIELDS, (
        (m.kind, m.quantity, m.from_warehouse_id, m.to_warehouse_id, m.product_model_id, m.part_id, m.return_unit_id,
         m.serial, case_id, reference, actor_id, moved_at) for m in moves))


def serials_in_warehouse(*, warehouse_id: int, product_model_id: int, serials) -> dict[str, int]:
    """How many units of each serial of a product model the ledger holds in a warehouse (in minus out)."""
    counts: dict[str, int] = defaultdict(int)
    serials = sorted(set(serials))
    for start in range(0, len(serials), SERIAL_CHUNK):
        rows = (StockMove.objects.filter(product_model_id=product_model_id,
                                         serial__in=serials[start:start + SERIAL_CHUNK])
                .filter(Q(to_warehouse_id=warehouse_id) | Q(from_warehouse_id=warehouse_id))
                .values_list("serial", "from_warehouse_id", "to_warehouse_id", "quantity"))
        for serial, from_id, to_id, quantity in rows:
            counts[serial] += (quantity if to_id == warehouse_id else 0) - (quantity if from_id == warehouse_id else 0)
    return counts


def _check_serials(moves: list[Move]) -> None:
    wanted: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for move in moves:
        if move.serial and move.from_warehouse_id is not None and move.product_model_id is not None:
            wanted[(move.from_warehouse_id, move.product_model_id)][move.serial] += move.quantity
    missing = []
    for (warehouse_id, model_id), serials in wanted.items():
        held = serials_in_warehouse(warehouse_id=warehouse_id, product_model_id=model_id, serials=serials)
        missing.extend(serial for serial, needed in serials.items() if held.get(serial, 0) < needed)
    if missing:
        raise SerialNotInStock(_("These serials are not in stock: %(serials)s.") % {"serials": ", ".join(missing[:20])},
                               details={"serials": missing[:100]})


def _named(short: list[tuple[StockBalance, int]]) -> list[dict]:
    """The shortages as people and clients name them: warehouse, product model and part by code."""
    rows = [row for row, _needed in short]
    warehouses = dict(Warehouse.objects.filter(pk__in={r.warehouse_id for r in rows}).values_list("id", "code"))
    models = dict(ProductModel.objects.filter(pk__in={r.product_model_id for r in rows}).values_list("id", "code"))
    parts = dict(Part.objects.filter(pk__in={r.part_id for r in rows}).values_list("id", "code"))
    return [{"warehouse": warehouses[r.warehouse_id], "product_model": models.get(r.product_model_id),
             "part": parts.get(r.part_id), "available": r.quantity, "needed": needed} for r, needed in short]


def _balance_add(key: tuple[int, int | None, int | None], quantity: int) -> None:
    """Add to one balance row, inserting it when it is missing: an upsert on the partial unique index of
    its kind (a model's stock or a part's); the ORM's upsert cannot add to the stored value."""
    warehouse_id, model_id, part_id = key
    quote, table = connection.ops.quote_name, StockBalance._meta.db_table
    item = "product_model_id" if part_id is None else "part_id"
    other = "part_id" if part_id is None else "product_model_id"
    sql = (f"INSERT INTO {quote(table)} (warehouse_id, product_model_id, part_id, quantity) VALUES (%s, %s, %s, %s) "
           f"ON CONFLICT (warehouse_id, {item}) WHERE {other} IS NULL "
           f"DO UPDATE SET quantity = {quote(table)}.quantity + excluded.quantity")
    with connection.cursor() as cursor:
        cursor.execute(sql, [warehouse_id, model_id, part_id, quantity])


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


def stock_receive_from_production(*, actor, product_model, quantity: int = 0, warehouse_id: int | None = None,
                                  serials: list[str] | None = None) -> None:
    """New finished goods into stock (what exchanges are shipped from): a quantity, or units by serial
    (one move each, so the ledger knows which serials are in stock)."""
    if serials:
        if len(set(serials)) != len(serials):
            raise AppError(details={"serials": [_("A serial is listed twice.")]}, code="invalid")
        quantity = len(serials)
    if quantity <= 0:
        raise AppError(details={"quantity": [_("Must be at least 1.")]}, code="invalid")
    to_id = warehouse_id or warehouse_of_kind(WarehouseKind.FINISHED_GOODS)
    if serials:
        held = serials_in_warehouse(warehouse_id=to_id, product_model_id=product_model.pk, serials=serials)
        already = [serial for serial in serials if held.get(serial, 0) > 0]
        if already:
            raise AppError(details={"serials": [_("Already in stock: %(serials)s.") % {"serials": ", ".join(already[:20])}]},
                           code="invalid")
        moves = [Move(kind="production_receipt", quantity=1, from_warehouse_id=None, to_warehouse_id=to_id,
                      product_model_id=product_model.pk, serial=serial) for serial in serials]
    else:
        moves = [Move(kind="production_receipt", quantity=quantity, from_warehouse_id=None, to_warehouse_id=to_id,
                      product_model_id=product_model.pk)]
    stock_moves_apply(actor=actor, moves=moves)
