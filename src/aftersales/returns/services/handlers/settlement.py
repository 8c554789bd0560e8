"""Settlement: ship back, exchanges (now or shipped ahead), refunds, warranty overrides, closing."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import Conflict, InvalidInput, PermissionDenied
from aftersales.inventory.models import MoveKind
from aftersales.inventory.services import Move, SerialNotInStock, stock_moves_apply, warehouse_ids
from aftersales.masterdata.models import WarehouseKind
from aftersales.masterdata.services import shipped_units_register

from ... import rules
from ...models import CaseState, CustomerNotice, Disposition, Outcome, ReturnLine, ReturnUnit, UnitExit
from ...workflow import AFTER_RECEIPT
from .common import ActionContext, units_save, U, _now, _who, _notice, _required, _money, _leave


def ship_back(ctx: ActionContext) -> None:
    carrier = parsing.text(ctx.params.get("carrier"), "carrier", max_length=80, required=True)
    tracking = parsing.text(ctx.params.get("tracking_number"), "tracking_number", max_length=80, required=True)
    _leave(ctx, ctx.units, exit=UnitExit.SHIPPED_BACK, move_kind=MoveKind.SHIP_BACK, to_kind=None)
    for unit in ctx.units:
        unit.carrier, unit.tracking_number = carrier, tracking
    units_save(ctx.units, ["state", "exit", "warehouse", "done_at", "carrier", "tracking_number"])
    _notice(ctx.case, CustomerNotice.Kind.SHIPMENT, unit_ids=[u.pk for u in ctx.units], carrier=carrier,
            tracking_number=tracking)
    ctx.unit_to_state = U.DONE
    ctx.changes = {"carrier": carrier, "tracking_number": tracking}


def _unused_advance_serials(line) -> list[str]:
    """Serials shipped ahead for this line that no returned unit has been matched with yet."""
    matched = set(ReturnUnit.objects.filter(line=line, exit=UnitExit.EXCHANGED).values_list("replacement_serial",
                                                                                              flat=True))
    return [serial for serial in line.advance_serials if serial not in matched]


def _replacements_out(ctx, moves: list[Move]) -> None:
    """New units out of finished goods, by serial: each must be in finished-goods stock by the ledger."""
    try:
        stock_moves_apply(actor=ctx.actor, moves=moves, return_case=ctx.case, serials_from_stock=True)
    except SerialNotInStock as error:
        raise Conflict(_("These replacement serials are not in finished-goods stock: %(serials)s.")
                       % {"serials": ", ".join(error.details["serials"][:20])},
                       code="replacement_not_in_stock", details=error.details) from None


def _replacements_register(ctx, by_model: dict[int, dict[str, int | None]], *, today: bool) -> None:
    """The replacements in the units registry as shipped to the customer (today, or when shipped ahead),
    each beside the registered faulty unit it replaces."""
    for model_id, replaces in by_model.items():
        shipped_units_register(product_model_id=model_id, customer_id=ctx.case.customer_id, serials=list(replaces),
                               shipped_date=timezone.localdate() if today else None, sales_order=ctx.case.number,
                               replaces=replaces)


def settle_exchange(ctx: ActionContext) -> None:
    """The faulty unit goes to defective stock; its replacement is a unit shipped ahead for the
    line, or a new one out of finished goods now. Either way its serial is recorded beside it."""
    wh = warehouse_ids()
    shipped_new = []
    ahead: dict[int, list[str]] = {}  # per line, used up as this loop matches units
    new_serials = ctx.params.get("new_serials") or {}
    if not isinstance(new_serials, dict):
        raise InvalidInput(details={"new_serials": [_("Map unit ids to the serials of their new units.")]})
    carrier = parsing.text(ctx.params.get("carrier"), "carrier", max_length=80)
    tracking = parsing.text(ctx.params.get("tracking_number"), "tracking_number", max_length=80)
    for unit in ctx.units:
        line = ReturnLine.objects.select_for_update().get(pk=unit.line_id)
        if line.pk not in ahead:
            ahead[line.pk] = _unused_advance_serials(line)
        if ahead[line.pk]:
            unit.replacement_serial = ahead[line.pk].pop(0)
        else:
            serial = parsing.text(new_serials.get(str(unit.pk), "") if len(ctx.units) > 1 else
                                  ctx.params.get("new_serial", ""), "new_serial", max_length=80)
            if not serial:
                raise InvalidInput(details={"new_serial": [_("Record the serial of the new unit.")]})
            unit.replacement_serial = serial
            line.exchanges_shipped += 1
            line.save(update_fields=["exchanges_shipped"])
            shipped_new.append(Move(kind=MoveKind.EXCHANGE_OUT, quantity=1, from_warehouse_id=wh[WarehouseKind.FINISHED_GOODS],
                                    to_warehouse_id=None, product_model_id=unit.product_model_id, serial=serial))
        unit.carrier, unit.tracking_number = carrier, tracking
    _replacements_out(ctx, shipped_new)
    new = {move.serial for move in shipped_new}
    for fresh in (True, False):
        by_model: dict[int, dict[str, int | None]] = {}
        for unit in ctx.units:
            if (unit.replacement_serial in new) == fresh:
                by_model.setdefault(unit.product_model_id, {})[unit.replacement_serial] = unit.shipped_unit_id
        _replacements_register(ctx, by_model, today=fresh)
    _leave(ctx, ctx.units, exit=UnitExit.EXCHANGED, move_kind=MoveKind.TO_DEFECTIVE, to_kind=WarehouseKind.DEFECTIVE)
    units_save(ctx.units, ["state", "exit", "warehouse", "done_at", "replacement_serial", "carrier",
                           "tracking_number"])
    _notice(ctx.case, CustomerNotice.Kind.SHIPMENT, unit_ids=[u.pk for u in ctx.units],
            replacement_serials=[u.replacement_serial for u in ctx.units], carrier=carrier, tracking_number=tracking)
    ctx.unit_to_state = U.DONE


def ship_exchange_in_advance(ctx: ActionContext) -> None:
    _required(ctx.params, "line", "serials")
    line_no = parsing.whole_number(ctx.params["line"], "line", minimum=1, maximum=10_000)
    line = ReturnLine.objects.select_for_update().filter(return_case=ctx.case, line_no=line_no).first()
    if line is None or line.requested_outcome != Outcome.EXCHANGE:
        raise InvalidInput(details={"line": [_("Name a line of this case that asks for an exchange.")]})
    if not isinstance(ctx.params["serials"], list):
        raise InvalidInput(details={"serials": [_("A list of serial numbers is expected.")]})
    serials = [parsing.text(s, "serials", max_length=80) for s in ctx.params["serials"]]
    serials = [s for s in serials if s]
    carrier = parsing.text(ctx.params.get("carrier"), "carrier", max_length=80)
    tracking = parsing.text(ctx.params.get("tracking_number"), "tracking_number", max_length=80)
    if line.exchanges_shipped + len(serials) > line.quantity:
        raise InvalidInput(details={"serials": [_("More exchange units than the line returns.")]})
    if set(serials) & set(line.advance_serials) or len(set(serials)) != len(serials):
        raise InvalidInput(details={"serials": [_("A serial is listed twice or was already shipped.")]})
    wh = warehouse_ids()
    _replacements_out(ctx, [
        Move(kind=MoveKind.EXCHANGE_OUT, quantity=1, from_warehouse_id=wh[WarehouseKind.FINISHED_GOODS], to_warehouse_id=None,
             product_model_id=line.product_model_id, serial=serial) for serial in serials])
    _replacements_register(ctx, {line.product_model_id: dict.fromkeys(serials)}, today=True)
    line.exchanges_shipped += len(serials)
    line.advance_serials = [*line.advance_serials, *serials]
    line.save(update_fields=["exchanges_shipped", "advance_serials"])
    _notice(ctx.case, CustomerNotice.Kind.SHIPMENT, line=line.line_no, replacement_serials=serials,
            carrier=carrier, tracking_number=tracking)
    ctx.changes = {"line": line.line_no, "serials": serials}
    if ctx.case.state not in AFTER_RECEIPT:  # before the receipt is closed the case does not follow its units
        ctx.case_to_state = ctx.case.state


def settle_refund(ctx: ActionContext) -> None:
    """The refund of a line: a refund line, once (its units decided), or the units of another line refunded
    instead of going back (disposition `refund`), which then leave the case into defective goods stock.
    Finance records it; the e-commerce desk records that of its own no-reason line within its window."""
    _required(ctx.params, "line")
    line_no = parsing.whole_number(ctx.params["line"], "line", minimum=1, maximum=10_000)
    line = ReturnLine.objects.select_for_update().filter(return_case=ctx.case, line_no=line_no).first()
    if line is None:
        raise InvalidInput(details={"line": [_("Name a line of this case with a refund to record.")]})
    if "finance" not in ctx.roles and not rules.desk_may_refund(
            channel=ctx.case.channel, reason=line.reason, outcome=line.requested_outcome,
            window=line.window_decision):
        raise PermissionDenied(code="desk_refund_not_allowed", details={"line": line.line_no})
    if line.requested_outcome == Outcome.REFUND:
        _refund_line_check(line)
        units = []
        refunded = (ReturnUnit.objects.filter(line=line, is_extra=False).exclude(state=U.MISSING)
                    .exclude(disposition=Disposition.RETURN_AS_IS).count())
        gross = line.unit_price * min(refunded, line.quantity)
    else:
        from ..actions import load_units

        units = load_units(ctx.case, list(ReturnUnit.objects.filter(
            line=line, state=U.READY_TO_SETTLE, disposition=Disposition.REFUND).values_list("id", flat=True)))
        if not units:
            raise InvalidInput(details={"line": [_("Name a line of this case with a refund to record.")]})
        gross = line.unit_price * len(units)
    deduction = _money(ctx.params, "deduction")
    reason = parsing.text(ctx.params.get("deduction_reason"), "deduction_reason", max_length=500)
    if deduction and not reason:
        raise InvalidInput(details={"deduction_reason": [_("Say what the deduction is for.")]})
    if deduction > gross:
        raise InvalidInput(details={"deduction": [_("The deduction is larger than the refund.")]})
    if units:
        # Refunded instead of going back: the company keeps the units, as defective goods stock.
        _leave(ctx, units, exit=UnitExit.REFUNDED_INTO_STOCK, move_kind=MoveKind.TO_DEFECTIVE,
               to_kind=WarehouseKind.DEFECTIVE)
        units_save(units, ["state", "exit", "warehouse", "done_at"])
        ctx.unit_to_state = U.DONE
    # Units refunded instead of going back may be refunded in several rounds: the line adds them up.
    paid, deducted = (line.refund_amount or Decimal(0), line.refund_deduction) if units else (Decimal(0),) * 2
    line.refund_deduction, line.refund_amount = deducted + deduction, paid + gross - deduction
    line.refunded_at = _now()
    line.save(update_fields=["refund_deduction", "refund_amount", "refunded_at"])
    _notice(ctx.case, CustomerNotice.Kind.REFUND, line=line.line_no, gross=str(gross), deduction=str(deduction),
            reason=reason, amount=str(gross - deduction), **({"unit_ids": [u.pk for u in units]} if units else {}))
    ctx.changes = {"line": line.line_no, "refund": str(gross - deduction), "deduction": str(deduction),
                   "unit_ids": [u.pk for u in units], "by": "finance" if "finance" in ctx.roles else "ecommerce"}


def _refund_line_check(line) -> None:
    """A refund line is refunded once, after every unit of it (extra units too) is decided."""
    if line.refunded_at is not None:
        raise Conflict(_("This line was already refunded."), code="invalid_state", details={"line": line.line_no})
    undecided = list(ReturnUnit.objects.filter(line=line, disposition="").exclude(state=U.MISSING)
                     .values_list("id", flat=True)[:100])
    if undecided:
        raise Conflict(_("Decide every unit of the line (extra units too) before the refund."),
                       code="refund_units_undecided", details={"line": line.line_no, "unit_ids": undecided})


def override_warranty(ctx: ActionContext) -> None:
    _required({"comment": ctx.comment, **ctx.params}, "comment", "status")
    status = ctx.params["status"]
    if status not in ("in", "out"):
        raise InvalidInput(details={"status": [_("Must be “in” or “out”.")]})
    chargeable = ctx.params.get("chargeable", status == "out")
    if not isinstance(chargeable, bool):
        raise InvalidInput(details={"chargeable": [_("Must be true or false.")]})
    override = {**_who(ctx), "comment": ctx.comment, "status": status, "chargeable": chargeable}
    for unit in ctx.units:
        unit.warranty_override = override
        unit.warranty_status, unit.chargeable = status, chargeable
        unit.warranty_reasons = [*unit.warranty_reasons, {"code": "manager_override", "user": override["by"],
                                                          "comment": ctx.comment}]
    units_save(ctx.units, ["warranty_override", "warranty_status", "chargeable", "warranty_reasons"])
    ctx.changes = {"status": status, "chargeable": chargeable}


def close(ctx: ActionContext) -> None:
    ctx.case.closed_at = _now()
    ctx.case_to_state = CaseState.CLOSED


def agree_return_date(ctx: ActionContext) -> None:
    """出货时限: the date the in-warranty repair goes back, agreed with the customer and told to them."""
    agreed = parsing.date_value(ctx.params.get("date"), "date")
    if agreed < timezone.localdate():
        raise InvalidInput(details={"date": [_("The agreed return date cannot be past.")]})
    previous = ctx.case.agreed_return_date
    ctx.case.agreed_return_date = agreed
    _notice(ctx.case, CustomerNotice.Kind.RETURN_DATE, date=agreed.isoformat(),
            previous=previous.isoformat() if previous else "")
    ctx.changes = {"agreed_return_date": agreed.isoformat(), "previous": previous.isoformat() if previous else ""}
