"""The quote (报价) for parts a service request sends out of warranty (保修期外...通过销售中心报价): the parts of
the shipment at cost plus the markup, and transport, as one lot. The customer accepts or refuses it (in the
portal, or service records the answer given on the phone); finance records its payment as for any quote
(quote_payment). The service desk ships the parts once the charge is settled (`parts_charge_refusal`,
registered with core/registry); a refusal cancels the shipment."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing, policies
from aftersales.core.errors import Conflict, InvalidInput, NotFound
from aftersales.core.roles import require_roles
from aftersales.core.workflow import state_change_record
from aftersales.servicedesk.models import PartsShipment, ShipmentState
from aftersales.servicedesk.services import parts_quoted, parts_shipment_cancel
from aftersales.servicedesk.services.common import event_append

from ..models import Quote, QuoteState
from ..workflow import QUOTE
from .quotes import quote_compute


def _shipment_locked(shipment_id) -> PartsShipment:
    """The shipment the body names, locked; an unknown one is a wrong field of what was sent (400)."""
    shipment = PartsShipment.objects.select_for_update(of=("self",)).select_related("request").filter(
        pk=parsing.record_id(shipment_id, "shipment")).first()
    if shipment is None:
        raise InvalidInput(details={"shipment": [_("No such parts shipment.")]})
    return shipment


@transaction.atomic
def parts_quote_send(*, actor, shipment_id, transport=0) -> Quote:
    """The quote of a shipment waiting for one (service): its parts as one lot, and `transport`."""
    require_roles(actor, "service")
    shipment = _shipment_locked(shipment_id)
    if shipment.state != ShipmentState.AWAITING_QUOTE or not shipment.chargeable:
        raise Conflict(_("This parts shipment is not waiting for a quote."), code="invalid_state",
                       details={"state": shipment.state})
    pending = list(Quote.objects.filter(parts_shipment=shipment, state__in=(QuoteState.SENT, QuoteState.ACCEPTED))
                   .values_list("pk", flat=True))
    if pending:
        raise Conflict(_("These parts already have a quote."), code="quote_pending", details={"quotes": pending})
    priced = quote_compute(parts=shipment.lines, labour_hours=0, transport=transport)
    lines = [line for line in priced["lines"] if line["kind"] != "labour"]  # parts sent: no labour of ours
    revision = Quote.objects.filter(parts_shipment=shipment).count() + 1
    quote = Quote.objects.create(parts_shipment=shipment, revision=revision, unit_ids=[], lines=lines,
                                 parts_total=priced["parts_total"], labour_total=0, transport=priced["transport"],
                                 total_per_unit=priced["parts_total"] + priced["transport"], created_by=actor)
    state_change_record(QUOTE, quote, actor, "send", "", quote.state, {"total": str(quote.total_per_unit)})
    parts_quoted(actor=actor, shipment=shipment, quote_id=quote.pk, total=str(quote.total_per_unit))
    return quote


@transaction.atomic
def parts_quote_answer(*, actor, quote_id, accept=None) -> Quote:
    """The customer's answer to a parts quote (its own only; service records one given on the phone): accepted,
    the parts ship once the charge is settled; refused, the shipment is cancelled."""
    accepted = parsing.flag(accept, "accept")
    rows = Quote.objects.filter(parts_shipment__isnull=False)
    if getattr(actor, "customer_id", None) is not None:
        rows = rows.filter(parts_shipment__request__customer_id=actor.customer_id)
    quote_pk = parsing.id_or_none(quote_id)
    if quote_pk is None:
        raise NotFound()

    def answer(ctx):
        quote = ctx.record
        ctx.to_state = QuoteState.ACCEPTED if accepted else QuoteState.REFUSED
        quote.answered_at = timezone.now()
        ctx.changes = {"accepted": accepted}
        if accepted:
            shipment = PartsShipment.objects.select_related("request").get(pk=quote.parts_shipment_id)
            event_append(request=shipment.request, actor=actor, action="parts_quote_accepted",
                         changes={"shipment": shipment.pk, "quote": quote.pk})
        else:
            parts_shipment_cancel(actor=actor, shipment_id=quote.parts_shipment_id,
                                  reason=_("The customer refused the quote %(quote)s.") % {"quote": quote.pk})

    return QUOTE.apply(actor=actor, pk=quote_pk, action="answer", handler=answer, queryset=rows).record


def parts_charge_refusal(shipment) -> str | None:
    """Settled when the shipment's quote is accepted and, if policy says so, paid in full (core/registry)."""
    quote = Quote.objects.filter(parts_shipment_id=shipment.pk, state=QuoteState.ACCEPTED).order_by("-id").first()
    if quote is None:
        return "quote_not_accepted"
    if policies.value("parts_paid_before_shipping") and quote.paid_amount < quote.amount_due:
        return "quote_not_paid"
    return None
