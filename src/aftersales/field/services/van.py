"""Van stock (随车备件): each technician's own warehouse in the stock ledger. Parts are issued to it from the raw
material warehouse before a trip, leave it on the service report (used on site), and what comes back is returned."""

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import InvalidInput
from aftersales.core.roles import require_roles
from aftersales.inventory.models import MoveKind, StockBalance
from aftersales.inventory.services import Move, stock_moves_apply, warehouse_of_kind
from aftersales.masterdata.models import Part, Warehouse, WarehouseKind

from ..models import FieldOrder, VanIssue
from .common import technician_found

MAX_PART_QUANTITY = 10_000
MAX_PART_LINES = 200


def van_stock_of(technician) -> Warehouse:
    """The technician's van stock, made the first time it is needed."""
    van, _made = Warehouse.objects.get_or_create(holder=technician, defaults={
        "code": f"VAN-{technician.pk}", "kind": WarehouseKind.VAN,
        "name": _("%(name)s's van stock") % {"name": technician.get_full_name() or technician.get_username()}})
    return van


def parts_read(lines, field: str = "parts", *, allow_empty: bool = False) -> list[tuple[Part, int, str]]:
    """[{part: code, quantity, serial?}] → (part, quantity, serial), every line checked, every error named."""
    if not isinstance(lines, list) or (not lines and not allow_empty) or len(lines) > MAX_PART_LINES:
        raise InvalidInput(details={field: [_("A list of parts and quantities is expected (at most %(n)s lines).")
                                            % {"n": MAX_PART_LINES}]})
    codes = [str(line.get("part", ""))[:60] for line in lines if isinstance(line, dict)]
    found = {p.code: p for p in Part.objects.filter(is_active=True, code__in=codes)}
    errors, parsed = {}, []
    for index, line in enumerate(lines):
        line = line if isinstance(line, dict) else {"part": line}
        part = found.get(str(line.get("part", ""))[:60])
        problems = []
        if line.get("part") in (None, ""):
            problems.append(_("Choose a part."))
        elif part is None:
            problems.append(_("Unknown part “%(value)s”.") % {"value": str(line.get("part", ""))[:60]})
        try:
            quantity = parsing.whole_number(line.get("quantity"), "quantity", minimum=1, maximum=MAX_PART_QUANTITY)
        except InvalidInput as error:
            problems.extend(error.details["quantity"])
        try:
            serial = parsing.text(line.get("serial"), "serial", max_length=80)
        except InvalidInput as error:
            problems.extend(error.details["serial"])
        if problems:
            errors[str(index)] = problems
        else:
            parsed.append((part, quantity, serial))
    if errors:
        raise InvalidInput(details={field: errors})
    return parsed


def van_moves(van_id: int, parts, *, kind: str, into_van: bool) -> list[Move]:
    """Moves between the van and the raw material warehouse (or out of the van to the site when kind is
    field_use)."""
    other = None if kind == MoveKind.FIELD_USE else warehouse_of_kind(WarehouseKind.RAW_MATERIAL)
    source, target = (other, van_id) if into_van else (van_id, other)
    return [Move(kind=kind, quantity=quantity, from_warehouse_id=source, to_warehouse_id=target, part_id=part.pk,
                 serial=serial) for part, quantity, serial in parts]


@transaction.atomic
def van_issue(*, actor, technician, parts, order=None, carrier=None, tracking=None) -> VanIssue:
    """The warehouse issues parts for a trip: raw material → the technician's van stock, as one issue document
    (VI-2026-000001, the moves' reference), with the carrier and tracking number when the parts are sent."""
    from aftersales.core import numbering

    require_roles(actor, "warehouse", "manager")
    errors: dict = {}
    found = {}
    for field, parse in (("technician", lambda: technician_found(technician)), ("parts", lambda: parts_read(parts)),
                         ("texts", lambda: parsing.texts({"carrier": carrier, "tracking": tracking},
                                                         {"carrier": 80, "tracking": 80}))):
        try:
            found[field] = parse()
        except InvalidInput as error:
            errors.update(error.details)
    field_order = None
    if order not in (None, ""):
        field_order = FieldOrder.objects.filter(number=str(order)[:20]).first()
        if field_order is None:
            errors["order"] = [_("No field service order “%(value)s”.") % {"value": str(order)[:20]}]
    if errors:
        raise InvalidInput(details=errors)
    technician = found["technician"]
    issue = VanIssue.objects.create(number=numbering.next_number("VI", width=6), technician=technician,
                                    order=field_order, issued_by=actor, **found["texts"])
    van = van_stock_of(technician)
    stock_moves_apply(actor=actor, moves=van_moves(van.pk, found["parts"], kind=MoveKind.VAN_ISSUE, into_van=True),
                      reference=issue.number)
    return issue


@transaction.atomic
def van_return(*, actor, technician, parts) -> Warehouse:
    """What comes back from a trip unused goes back to stock: the van stock → raw material."""
    require_roles(actor, "warehouse", "manager")
    technician = technician_found(technician)
    parsed = parts_read(parts)
    van = van_stock_of(technician)
    stock_moves_apply(actor=actor, moves=van_moves(van.pk, parsed, kind=MoveKind.VAN_RETURN, into_van=False))
    return van


def van_balances(technician) -> list[dict]:
    """What the technician carries: part, name, quantity (parts with none left are left out)."""
    rows = (StockBalance.objects.filter(warehouse__holder=technician, part__isnull=False, quantity__gt=0)
            .order_by("part__code").values_list("part__code", "part__name", "quantity"))
    return [{"part": code, "name": name, "quantity": quantity} for code, name, quantity in rows]


def van_short(technician, parts) -> dict:
    """Parts the report uses beyond what the van holds: {index: [message]} (checked again, locked, at check-out)."""
    held = {code: quantity for code, quantity in StockBalance.objects.filter(
        warehouse__holder=technician, part__isnull=False).values_list("part__code", "quantity")}
    needed: dict[str, int] = {}
    errors = {}
    for index, (part, quantity, _serial) in enumerate(parts):
        needed[part.code] = needed.get(part.code, 0) + quantity
        if needed[part.code] > held.get(part.code, 0):
            errors[str(index)] = [_("Your van stock holds %(held)s of %(part)s.")
                                  % {"held": held.get(part.code, 0), "part": part.code}]
    return errors
