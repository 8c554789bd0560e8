"""Parts sent for the customer's own repair (发配件维修). In warranty they are free and leave stock at once;
out of warranty they are charged through a quote (保修期外...报价): the shipment waits until the charge is
settled (the customer accepted the quote, and paid it if policy says so), then ships and the stock leaves.

The quote lives in repairs, which comes after this app: whether a shipment's charge is settled is asked
through core/registry (`charge_refusal`), which repairs answers; when the customer refuses the quote,
repairs cancels the shipment here."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import Conflict, InvalidInput, NotFound
from aftersales.core.registry import charge_refusal
from aftersales.core.roles import require_roles
from aftersales.inventory.services import Move, stock_moves_apply, warehouse_of_kind
from aftersales.masterdata.models import Part, WarehouseKind

from .. import rules
from ..models import PartsShipment, ShipmentState
from ..notices import notify_customer, notify_roles
from .common import event_append

SUBJECT = "parts_shipment"  # the subject type repairs' charge check answers for


def _issue(*, actor, shipment: PartsShipment) -> None:
    """The parts leave raw-material stock through the ledger (409 insufficient_stock)."""
    raw = warehouse_of_kind(WarehouseKind.RAW_MATERIAL)
    ids = dict(Part.objects.filter(code__in=[line["part"] for line in shipment.lines]).values_list("code", "id"))
    stock_moves_apply(actor=actor, moves=[Move("part_issue", line["quantity"], raw, None, part_id=ids[line["part"]])
                                          for line in shipment.lines])
    shipment.state, shipment.shipped_at = ShipmentState.SHIPPED, timezone.now()


def parts_shipment_create(*, actor, request, parts: list[tuple[Part, int]], carrier: str = "",
                          tracking: str = "") -> PartsShipment:
    """The decision's shipment (in the decision's transaction): shipped now if free, else waiting for its quote."""
    chargeable = rules.parts_chargeable(request.warranty_status)
    shipment = PartsShipment(request=request, carrier=carrier, tracking=tracking, chargeable=chargeable,
                             state=ShipmentState.AWAITING_QUOTE,
                             lines=[{"part": part.code, "quantity": quantity} for part, quantity in parts])
    if chargeable:
        shipment.save()
        notify_roles(request, ("service",), "parts_quote", ", ".join(
            f"{line['part']} × {line['quantity']}" for line in shipment.lines))
        return shipment
    _issue(actor=actor, shipment=shipment)
    shipment.save()
    notify_customer(request, "parts", f"{shipment.carrier} {shipment.tracking}")
    return shipment


def _locked(*, shipment_id, request_id=None) -> PartsShipment:
    rows = PartsShipment.objects.select_for_update(of=("self",)).select_related("request")
    if request_id is not None:
        rows = rows.filter(request_id=parsing.id_or_none(request_id) or 0)
    shipment = rows.filter(pk=parsing.id_or_none(shipment_id) or 0).first()
    if shipment is None:
        raise NotFound()
    return shipment


@transaction.atomic
def parts_shipment_ship(*, actor, request_id, shipment_id, carrier=None, tracking=None) -> PartsShipment:
    """Charged parts handed to the carrier once their charge is settled (409 quote_not_accepted,
    quote_not_paid): the stock leaves now, the customer is told the tracking number."""
    require_roles(actor, "service", "manager")
    fields = parsing.texts({"carrier": carrier, "tracking": tracking}, {"carrier": 80, "tracking": 80},
                           required=("carrier", "tracking"))
    shipment = _locked(shipment_id=shipment_id, request_id=request_id)
    if shipment.state != ShipmentState.AWAITING_QUOTE:
        raise Conflict(_("This parts shipment is not waiting to ship."), code="invalid_state",
                       details={"state": shipment.state})
    refusal = charge_refusal(SUBJECT, shipment)
    if refusal is not None:
        raise Conflict(code=refusal, details={"shipment": shipment.pk})
    shipment.carrier, shipment.tracking = fields["carrier"], fields["tracking"]
    _issue(actor=actor, shipment=shipment)
    shipment.save()
    event_append(request=shipment.request, actor=actor, action="parts_shipped",
                 changes={"shipment": shipment.pk, "carrier": shipment.carrier, "tracking": shipment.tracking})
    notify_customer(shipment.request, "parts", f"{shipment.carrier} {shipment.tracking}")
    return shipment


def parts_shipment_cancel(*, actor, shipment_id, reason: str) -> PartsShipment:
    """The customer refused the charge: the parts do not go (in the caller's transaction; nothing left stock)."""
    if not reason:
        raise InvalidInput(details={"reason": [_("This field is required.")]})
    shipment = _locked(shipment_id=shipment_id)
    if shipment.state != ShipmentState.AWAITING_QUOTE:
        raise Conflict(_("This parts shipment is not waiting to ship."), code="invalid_state",
                       details={"state": shipment.state})
    shipment.state = ShipmentState.CANCELLED
    shipment.save(update_fields=["state"])
    event_append(request=shipment.request, actor=actor, action="parts_cancelled",
                 changes={"shipment": shipment.pk, "reason": reason})
    return shipment


def parts_quoted(*, actor, shipment: PartsShipment, quote_id: int, total: str) -> None:
    """Repairs sent the customer the quote of a waiting shipment: the timeline keeps it, the customer is told."""
    event_append(request=shipment.request, actor=actor, action="parts_quoted",
                 changes={"shipment": shipment.pk, "quote": quote_id, "total": total})
    notify_customer(shipment.request, "parts_quote", total)
