"""Deciding how to help (问题评估): one decision per handling round, each a real path.

- remote: the solution recorded, the customer told;
- parts: a parts shipment from raw-material stock through the stock ledger, carrier and tracking; free in
  warranty, it ships at once; out of warranty it is charged through a quote and waits for the customer's
  accepted (per policy paid) quote before it ships (shipments.py);
- technician: a field service order (FO-2026-000001) opened by field service (the technician_dispatched signal),
  dispatched at once when a technician is named;
- return: a return case (a draft) with its line filled from the request, linked both ways; the request
  follows the case's state (returns' action_applied signal);
- supplier: a referral purchasing sees, for a purchased product or part;
- quality: a major quality problem handed to quality and engineering (notified, in their inbox).
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import InvalidInput
from aftersales.masterdata.models import Part
from aftersales.returns.models import Channel, Outcome
from aftersales.returns.services.cases import case_create

from .. import rules
from ..models import Decision, DecisionKind, QualityEscalation, ServiceRequest, SupplierReferral
from ..signals import technician_dispatched
from ..notices import notify_customer, notify_roles
from .common import TEXT, choice
from .requests import act
from .shipments import parts_shipment_create

MAX_PART_QUANTITY = 10_000


def _parts(lines) -> list[tuple[Part, int]]:
    if not isinstance(lines, list) or not lines:
        raise InvalidInput(details={"parts": [_("A list of parts and quantities is expected.")]})
    found = {p.code: p for p in Part.objects.filter(is_active=True, code__in=[
        str(line.get("part", "")) for line in lines if isinstance(line, dict)])}
    errors, parsed = {}, []
    for index, line in enumerate(lines):
        part = found.get(str(line.get("part", ""))) if isinstance(line, dict) else None
        if part is None:
            errors[str(index)] = [_("Unknown part “%(value)s”.") % {"value": line.get("part", "") if isinstance(
                line, dict) else line}]
            continue
        try:
            quantity = parsing.whole_number(line.get("quantity"), "quantity", minimum=1, maximum=MAX_PART_QUANTITY)
        except InvalidInput as error:
            errors[str(index)] = error.details["quantity"]
            continue
        parsed.append((part, quantity))
    if errors:
        raise InvalidInput(details={"parts": errors})
    return parsed


def _technician(username):
    if username in (None, ""):
        return None
    user = get_user_model().objects.filter(username=parsing.text(username, "technician", max_length=150),
                                           is_active=True, groups__name="technician").first()
    if user is None:
        raise InvalidInput(details={"technician": [_("No active field technician “%(value)s”.")
                                                   % {"value": username}]})
    return user


def _read(kind: str, body: dict, *, chargeable: bool) -> dict:
    """Everything the path needs, read before anything is written; every wrong field named at once."""
    read: dict = {}
    errors: dict = {}

    def take(key, parse):
        try:
            value = parse()
        except InvalidInput as error:
            errors.update(error.details)
            return
        if key is None:
            read.update(value)
        else:
            read[key] = value

    take("solution", lambda: parsing.text(body.get("solution"), "solution", max_length=TEXT,
                                          required=kind == DecisionKind.REMOTE))
    if kind == DecisionKind.PARTS:
        take("parts", lambda: _parts(body.get("parts")))
        # Charged parts are handed to the carrier once their quote is settled: carrier and tracking come then.
        take(None, lambda: parsing.texts(body, {"carrier": 80, "tracking": 80},
                                         required=() if chargeable else ("carrier", "tracking")))
    elif kind == DecisionKind.TECHNICIAN:
        take("technician", lambda: _technician(body.get("technician")))
        take("site_address", lambda: parsing.text(body.get("site_address"), "site_address", max_length=300))
        planned = body.get("planned_date")
        take("planned_date", lambda: parsing.date_value(planned, "planned_date") if planned not in (None, "")
             else None)
        if read.get("planned_date") is not None and read["planned_date"] < timezone.localdate():
            errors["planned_date"] = [_("The visit is planned for today or a later day.")]
    elif kind == DecisionKind.SUPPLIER:
        take(None, lambda: parsing.texts(body, {"supplier": 120, "problem": TEXT}, required=("supplier", "problem")))
        code = body.get("part")
        take("part", lambda: _parts([{"part": code, "quantity": 1}])[0][0] if code not in (None, "") else None)
    elif kind == DecisionKind.QUALITY:
        take(None, lambda: parsing.texts(body, {"problem": TEXT}, required=("problem",)))
    if errors:
        raise InvalidInput(details=errors)
    return read


def _return_case(actor, request, solution: str):
    if request.product_model is None:
        raise InvalidInput(details={"product_model": [
            _("A return to the factory needs the request's product model.")]})
    line = {"product_model": request.product_model, "item_name": request.product_model.name,
            "serials": [request.serial] if request.serial else [], "quantity": 1,
            "defect_description": request.description[:2000], "requested_outcome": Outcome.REPAIR}
    return case_create(actor=actor, customer=request.customer, lines=[line], channel=Channel.SERVICE_DESK,
                       customer_reference=request.number, notes=solution)


def _dispatched(actor, request, read) -> str:
    """Field service opens the order (its receiver of technician_dispatched); the answer names it."""
    numbers = [number for _receiver, number in technician_dispatched.send(
        sender=ServiceRequest, request=request, actor=actor, technician=read["technician"],
        planned_date=read["planned_date"], site_address=read["site_address"]) if number]
    if not numbers:
        raise InvalidInput(details={"kind": [_("Field service is not set up: no technician can be dispatched.")]})
    return numbers[0]


@transaction.atomic
def request_decide(*, actor, request_id, kind=None, **body) -> dict:
    """The decision and its path, with the records it makes, in one transaction; the answer names them."""
    kind = choice(kind, "kind", DecisionKind)
    warranty = ServiceRequest.objects.filter(pk=parsing.id_or_none(request_id) or 0).values_list(
        "warranty_status", flat=True).first()  # read before the lock to check the input; it does not change
    read = _read(kind, body, chargeable=rules.parts_chargeable(warranty or ""))
    made: dict = {}

    def decide(ctx):
        request = ctx.record
        Decision.objects.create(request=request, round=request.reopen_count, kind=kind, solution=read["solution"],
                                decided_by=actor)
        if kind == DecisionKind.REMOTE:
            notify_customer(request, "solution", read["solution"])
        elif kind == DecisionKind.PARTS:
            made["parts_shipment"] = parts_shipment_create(actor=actor, request=request, parts=read["parts"],
                                                           carrier=read.get("carrier", ""),
                                                           tracking=read.get("tracking", "")).pk
        elif kind == DecisionKind.TECHNICIAN:
            made["field_order"] = _dispatched(actor, request, read)
        elif kind == DecisionKind.RETURN:
            case = _return_case(actor, request, read["solution"])
            request.return_case, request.return_case_state = case, case.state
            made["return_case"] = case.number
        elif kind == DecisionKind.SUPPLIER:
            referral = SupplierReferral.objects.create(request=request, supplier=read["supplier"], part=read["part"],
                                                       problem=read["problem"])
            made["supplier_referral"] = referral.pk
            notify_roles(request, ("purchasing",), "supplier", read["problem"])
        elif kind == DecisionKind.QUALITY:
            escalation = QualityEscalation.objects.create(request=request, problem=read["problem"])
            made["quality_escalation"] = escalation.pk
            notify_roles(request, ("quality", "engineering"), "quality", read["problem"])
        ctx.changes = {"kind": kind, **{key: value for key, value in made.items()}}

    request = act(actor=actor, request_id=request_id, action="decide", handler=decide)
    return {"request": request, "made": made}
