"""What the handlers share: timestamps, notices, parameter checks, units leaving the case."""

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.errors import Conflict, InvalidInput
from aftersales.inventory.services import Move, stock_moves_apply, warehouse_ids

from ...models import CustomerNotice, Disposition, ReturnUnit, UnitState


U = UnitState
D = Disposition


def _now():
    return timezone.now()


def _who(ctx) -> dict:
    return {"by": ctx.actor.get_username(), "at": timezone.localtime(_now()).isoformat(),
            "via": "portal" if ctx.actor.customer_id else "service"}


def _notice(case, kind, **content):
    """Tell the customer: the notice in the portal, and a notification (e-mail) to its users, with the event."""
    from aftersales.notifications.services import notify_customer_notice

    notice = CustomerNotice.objects.create(return_case=case, kind=kind, content=content)
    notify_customer_notice(case, notice)


def _required(params: dict, *names: str) -> None:
    missing = {name: [_("This field is required.")] for name in names if params.get(name) in (None, "", [])}
    if missing:
        raise InvalidInput(details=missing)


MAX_AMOUNT = Decimal("999999999999.99")  # what a money column (14 digits, 2 decimals) holds


def _money(params: dict, name: str, *, positive: bool = False) -> Decimal:
    try:
        value = Decimal(str(params.get(name, "0")))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or (positive and value == 0):
        raise InvalidInput(details={name: [_("Must be an amount greater than 0.") if positive
                                           else _("Must be an amount of 0 or more.")]})
    if value > MAX_AMOUNT:
        raise InvalidInput(details={name: [_("The amount is too large.")]})
    return value.quantize(Decimal("0.01"))


def _moves_for(units, kind: str, to_kind: str | None, wh: dict) -> list[Move]:
    return [Move(kind=kind, quantity=1, from_warehouse_id=u.warehouse_id,
                 to_warehouse_id=wh[to_kind] if to_kind else None, product_model_id=u.product_model_id,
                 return_unit_id=u.pk, serial=u.serial) for u in units]


def _leave(ctx, units, *, exit: str, move_kind: str, to_kind: str | None) -> None:
    """Units leave the case: into a company warehouse that is no longer the case's, or out."""
    wh = warehouse_ids()
    stock_moves_apply(actor=ctx.actor, moves=_moves_for(units, move_kind, to_kind, wh), return_case=ctx.case)
    now = _now()
    for unit in units:
        unit.state, unit.exit, unit.done_at = U.DONE, exit, now
        unit.warehouse_id = wh[to_kind] if to_kind else None


def open_units_elsewhere(case, serials) -> dict[tuple[int, str], str]:
    """(model id, serial) -> number of the other open case a unit with that serial is on."""
    rows = (ReturnUnit.objects.filter(serial__in=list(serials)).exclude(return_case=case)
            .exclude(state__in=[U.DONE, U.MISSING]).values_list("product_model_id", "serial", "return_case__number"))
    return {(model_id, serial): number for model_id, serial, number in rows}


def units_create(units: list) -> None:
    """Insert new unit records; a serial another case took in the meantime is refused, not a crash."""
    try:
        with transaction.atomic():
            ReturnUnit.objects.bulk_create(units, batch_size=2000)
    except IntegrityError:
        raise Conflict(_("Some serials are already on another open return case."),
                       code="serial_on_open_case") from None
