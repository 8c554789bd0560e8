"""The field service order's steps, each one transaction: created (from a service request or direct), dispatched,
accepted or refused, checked in, the report saved and submitted (or returned as incomplete), the call to
headquarters confirmed, checked out, cancelled. What the manual fines is proposed to the penalty ledger as it
happens; parts used on site leave the technician's van stock at check-out."""

import base64
import binascii
import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales.core import parsing, policies
from aftersales.core.errors import Conflict, InvalidInput, NotFound
from aftersales.core.roles import require_roles
from aftersales.deadlines.services import deadlines_cancel
from aftersales.inventory.models import MoveKind
from aftersales.inventory.services import stock_moves_apply
from aftersales.lib import file_kinds
from aftersales.masterdata.models import Customer, ProductModel

from .. import rules
from ..clocks import order_clocks_sync
from ..models import FieldOrder, OrderPart, PenaltyRule, ReportPart, ServiceReport, TechnicianLeave, WorkKind
from ..models import OrderState as S
from ..workflow import FIELD_ORDER
from .common import TEXT, choice, next_number, order_event_append, technician_found
from .penalties import penalty_propose
from .van import parts_read, van_moves, van_short, van_stock_of
from .visits import visit_done

MAX_SIGNATURE_BYTES = 300_000
MAX_HOURS = Decimal("999.9")
MAX_TRAINED = 200
MAX_PEOPLE, MAX_DAYS = 50, Decimal("365")


def on_leave(technician, day: dt.date) -> bool:
    return TechnicianLeave.objects.filter(technician=technician, first_day__lte=day, last_day__gte=day).exists()


def _order_day(order: FieldOrder) -> dt.date:
    if order.required_arrival is not None:
        return timezone.localdate(order.required_arrival)
    return order.planned_date or timezone.localdate()


def _earlier_order(request, serial: str, work: str):
    """The repeat repair's earlier order: the earlier request's (the service desk flagged it), or the same
    serial's last repair order within the window."""
    if work != WorkKind.REPAIR:
        return None
    if request is not None and request.repeat_of_id:
        earlier = FieldOrder.objects.filter(request_id=request.repeat_of_id).exclude(technician=None).first()
        if earlier is not None:
            return earlier
    if not serial:
        return None
    since = rules.repeat_window_start(timezone.localdate(), policies.value("repeat_repair_window_days"))
    return (FieldOrder.objects.filter(serial=serial, work=WorkKind.REPAIR, state=S.DONE,
                                      checked_out_at__date__gte=since).order_by("-checked_out_at").first())


def field_order_create(*, actor, customer, work=WorkKind.REPAIR, request=None, site_address="", contact_name="",
                       contact_phone="", product_model=None, serial="", description="", contract_covered=False,
                       required_arrival=None, planned_date=None, technician=None) -> FieldOrder:
    """A new order, dispatched at once when a technician is named (inside the caller's transaction)."""
    order = FieldOrder.objects.create(
        number=next_number(), request=request, customer=customer, work=work, site_address=site_address,
        contact_name=contact_name, contact_phone=contact_phone, product_model=product_model, serial=serial,
        description=description, contract_covered=contract_covered, required_arrival=required_arrival,
        planned_date=planned_date, repeat_of=_earlier_order(request, serial, work), created_by=actor)
    order_event_append(order=order, actor=actor, action="create",
                       changes={"request": request.number if request else None,
                                "repeat_of": order.repeat_of.number if order.repeat_of else None})
    if technician is not None:
        _assign(actor, order, technician)
    return order


# The field work a technician is sent for, by the service request's category.
FIELD_WORK = {"installation": WorkKind.INSTALLATION, "visit": WorkKind.VISIT}


def order_from_request(sender, *, request, actor, technician=None, planned_date=None, site_address="",
                       **kwargs) -> str:
    """The service desk decided to send a technician (its technician_dispatched signal): the order, from the
    request's customer, contact, unit and description; its number is the answer."""
    contact = request.customer.contacts.order_by("-is_primary", "id").first()
    name, phone = request.contact_name, request.contact_phone
    if not name and not phone and contact is not None:  # the request named nobody: the customer's contact
        name, phone = contact.name, contact.phone
    order = field_order_create(
        actor=actor, customer=request.customer, request=request, work=FIELD_WORK.get(request.category,
                                                                                     WorkKind.REPAIR),
        contact_name=name, contact_phone=phone, product_model=request.product_model, serial=request.serial,
        description=request.description, technician=technician, planned_date=planned_date, site_address=site_address)
    return order.number


def _texts(body: dict) -> dict:
    return parsing.texts(body, {"site_address": 300, "contact_name": 80, "contact_phone": 40, "serial": 80,
                                "description": TEXT})


@transaction.atomic
def field_order_open(*, actor, body: dict) -> FieldOrder:
    """Headquarters opens an order directly: installation per contract, a planned visit, training."""
    require_roles(actor, "service", "manager")
    errors: dict = {}

    def read(parse):
        try:
            return parse()
        except InvalidInput as error:
            errors.update(error.details)
            return None

    work = read(lambda: choice(body.get("work"), "work", WorkKind))
    code = body.get("customer")
    customer = Customer.objects.filter(code=str(code)[:40], is_active=True).first() if code not in (None, "") else None
    if code in (None, ""):
        errors["customer"] = [_("This field is required.")]
    elif customer is None:
        errors["customer"] = [_("No active customer “%(value)s”.") % {"value": str(code)[:40]}]
    model = None
    if body.get("product_model") not in (None, ""):
        model = ProductModel.objects.filter(code=str(body["product_model"])[:40]).first()
        if model is None:
            errors["product_model"] = [_("Unknown product model “%(value)s”.") % {"value": str(body[
                "product_model"])[:40]}]
    texts = read(lambda: _texts(body)) or {}
    arrival = read(lambda: parsing.moment(body["required_arrival"], "required_arrival")
                   if body.get("required_arrival") not in (None, "") else None)
    if arrival is not None and arrival < timezone.now():
        errors["required_arrival"] = [_("The customer's arrival time is in the future.")]
    technician = read(lambda: technician_found(body["technician"]) if body.get("technician") not in (None, "")
                      else None)
    covered = read(lambda: parsing.flag(body.get("contract_covered", False), "contract_covered"))
    planned = read(lambda: parts_read(body["parts"], allow_empty=True) if body.get("parts") not in (None, "")
                   else [])
    if not str(body.get("site_address") or "").strip() and "site_address" not in errors:
        errors["site_address"] = [_("Where the technician goes: the site's address.")]
    if covered and work not in (None, WorkKind.INSTALLATION):
        errors["contract_covered"] = [_("Only installation and commissioning is covered by the sales contract.")]
    if errors:
        raise InvalidInput(details=errors)
    order = field_order_create(actor=actor, customer=customer, work=work, product_model=model,
                               contract_covered=bool(covered) and work == WorkKind.INSTALLATION,
                               required_arrival=arrival, technician=technician, **texts)
    _plan_parts(order, planned or [])
    return order


def _plan_parts(order: FieldOrder, parts) -> None:
    totals: dict = {}
    for part, quantity, _serial in parts:
        totals[part] = totals.get(part, 0) + quantity
    OrderPart.objects.bulk_create([OrderPart(order=order, part=part, quantity=n) for part, n in totals.items()])


def _act(*, actor, order_id, action: str, handler=None):
    pk = parsing.id_or_none(order_id)
    if pk is None:
        raise NotFound()
    return FIELD_ORDER.apply(actor=actor, pk=pk, action=action, handler=handler).record


def _assign(actor, order: FieldOrder, technician) -> None:
    """Dispatch (or dispatch again): a previous technician who let the acceptance time run out ignored it."""
    if on_leave(technician, _order_day(order)):
        raise Conflict(_("%(name)s is on leave on %(day)s.") % {
            "name": technician.get_full_name() or technician.get_username(), "day": _order_day(order).isoformat()},
            code="technician_on_leave")
    previous = order.technician_id if order.state == S.DISPATCHED else None

    def assign(ctx):
        ctx.record.technician, ctx.record.dispatched_at, ctx.record.accepted_at = technician, timezone.now(), None
        ctx.changes = {"technician": technician.get_username()}

    overdue = previous is not None and _acceptance_overdue(order)
    FIELD_ORDER.apply(actor=actor, record=order, action="assign", handler=assign)
    if overdue:
        penalty_propose(order=order, technician_id=previous, rule=PenaltyRule.IGNORED_DISPATCH,
                        description=_("Did not accept the dispatch of %(order)s in time; it went to another "
                                      "technician.") % {"order": order.number})
    deadlines_cancel("field_order", order.pk)  # the new technician's time starts now
    order_clocks_sync(order, actor=actor)


def _acceptance_overdue(order: FieldOrder) -> bool:
    from aftersales.deadlines import services as deadlines  # its clock (tests move it)
    from aftersales.deadlines.models import Deadline, DeadlineState

    return Deadline.objects.filter(subject_type="field_order", subject_id=order.pk, kind="field_dispatch_acceptance",
                                   state=DeadlineState.OPEN, due_at__lt=deadlines.now()).exists()


@transaction.atomic
def order_assign(*, actor, order_id, technician=None, **where) -> FieldOrder:
    """Dispatch to a technician, saying where and when if the order does not yet (`site_address`,
    `required_arrival`, `contact_name`, `contact_phone`): an order is not dispatched without its site."""
    pk = parsing.id_or_none(order_id)
    if pk is None:
        raise NotFound()
    errors: dict = {}
    found = {}
    given = {key: value for key, value in where.items() if value not in (None, "")}
    for field, parse in (("technician", lambda: technician_found(technician)),
                         ("texts", lambda: parsing.texts(given, {"site_address": 300, "contact_name": 80,
                                                                 "contact_phone": 40})),
                         ("required_arrival", lambda: parsing.moment(given["required_arrival"], "required_arrival")
                          if "required_arrival" in given else None)):
        try:
            found[field] = parse()
        except InvalidInput as error:
            errors.update(error.details)
    if found.get("required_arrival") is not None and found["required_arrival"] < timezone.now():
        errors["required_arrival"] = [_("The customer's arrival time is in the future.")]
    order = FIELD_ORDER.lock(pk)
    FIELD_ORDER.check(order, actor, "assign")
    if not (found.get("texts") or {}).get("site_address") and not order.site_address and "site_address" not in errors:
        errors["site_address"] = [_("Where the technician goes: the site's address.")]
    if errors:
        raise InvalidInput(details=errors)
    for field, value in (found.get("texts") or {}).items():
        setattr(order, field, value)
    if found.get("required_arrival") is not None:
        order.required_arrival = found["required_arrival"]
    _assign(actor, order, found["technician"])
    return order


def dispatches_ignored(order_ids: list[int]) -> None:
    """The sweep found these dispatches not accepted in time (the acceptance clock overdue): each still waiting is
    an ignored dispatch of its technician (proposed once; accepting or reassigning later proposes nothing more)."""
    for order in FieldOrder.objects.filter(pk__in=order_ids, state=S.DISPATCHED).exclude(technician=None):
        penalty_propose(order=order, technician_id=order.technician_id, rule=PenaltyRule.IGNORED_DISPATCH,
                        description=_("Did not accept the dispatch of %(order)s in the time allowed.")
                        % {"order": order.number})


@transaction.atomic
def order_accept(*, actor, order_id) -> FieldOrder:
    def accept(ctx):
        ctx.record.accepted_at = timezone.now()

    order = _act(actor=actor, order_id=order_id, action="accept", handler=accept)
    met = order_clocks_sync(order, actor=actor)
    if any(deadline.late for deadline in met if deadline.kind == "field_dispatch_acceptance"):
        penalty_propose(order=order, technician_id=order.technician_id, rule=PenaltyRule.IGNORED_DISPATCH,
                        description=_("Accepted the dispatch of %(order)s after the time allowed.")
                        % {"order": order.number})
    return order


@transaction.atomic
def order_refuse(*, actor, order_id, reason=None) -> FieldOrder:
    """Back to headquarters to dispatch again; refused without a reason, it is an ignored dispatch."""
    reason = parsing.text(reason, "reason", max_length=TEXT)
    refused_by = {}

    def refuse(ctx):
        refused_by["id"] = ctx.record.technician_id
        ctx.record.technician, ctx.record.dispatched_at = None, None
        ctx.changes = {"reason": reason}

    order = _act(actor=actor, order_id=order_id, action="refuse", handler=refuse)
    deadlines_cancel("field_order", order.pk)
    if not reason:
        penalty_propose(order=order, technician_id=refused_by["id"], rule=PenaltyRule.IGNORED_DISPATCH,
                        description=_("Refused the dispatch of %(order)s without a reason.") % {"order": order.number})
    return order


def number_read(value, field: str, *, minimum: Decimal, maximum: Decimal, places: int) -> Decimal:
    """A decimal within its bounds with at most `places` decimals: refused, never rounded, beyond them."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(details={field: [_("Must be a number.")]}) from None
    if not number.is_finite() or not minimum <= number <= maximum:
        raise InvalidInput(details={field: [_("Must be from %(minimum)s to %(maximum)s.") % {
            "minimum": minimum, "maximum": maximum}]})
    if number.as_tuple().exponent < -places:
        raise InvalidInput(details={field: [ngettext("At most %(n)s decimal.", "At most %(n)s decimals.", places)
                                            % {"n": places}]})
    return number


def _position(value, field: str, bound: int):
    if value in (None, ""):
        return None
    return number_read(value, field, minimum=Decimal(-bound), maximum=Decimal(bound), places=6)


@transaction.atomic
def order_check_in(*, actor, order_id, latitude=None, longitude=None) -> FieldOrder:
    """On site: the time (and, where the technician allows it, the phone's position); late against the customer's
    time is recorded as such and proposed to the penalty ledger."""
    errors: dict = {}
    position = []
    for value, field, bound in ((latitude, "latitude", rules.LATITUDE), (longitude, "longitude", rules.LONGITUDE)):
        try:
            position.append(_position(value, field, bound))
        except InvalidInput as error:
            errors.update(error.details)
            position.append(None)
    if not errors and (position[0] is None) != (position[1] is None):
        errors["longitude" if position[1] is None else "latitude"] = [_("Send both latitude and longitude, or "
                                                                        "neither.")]
    if errors:
        raise InvalidInput(details=errors)

    def check_in(ctx):
        order, now = ctx.record, timezone.now()
        order.checked_in_at, (order.check_in_latitude, order.check_in_longitude) = now, position
        order.arrived_late = rules.arrived_late(now, order.required_arrival)
        ctx.changes = {"late": order.arrived_late, "position": position[0] is not None}

    order = _act(actor=actor, order_id=order_id, action="check_in", handler=check_in)
    if order.arrived_late:
        late = max(int((order.checked_in_at - order.required_arrival).total_seconds() // 60), 1)
        penalty_propose(order=order, technician_id=order.technician_id, rule=PenaltyRule.LATE_ON_SITE,
                        description=ngettext(
                            "Checked in at %(at)s, %(minutes)s minute after the customer's time (%(required)s).",
                            "Checked in at %(at)s, %(minutes)s minutes after the customer's time (%(required)s).",
                            late) % {
                            "at": timezone.localtime(order.checked_in_at).strftime("%Y-%m-%d %H:%M"), "minutes": late,
                            "required": timezone.localtime(order.required_arrival).strftime("%Y-%m-%d %H:%M")})
    return order


def signature_read(value) -> bytes | None:
    """The signature drawn on the phone: a PNG as a data URL (or plain base64); decoded and checked as a picture."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InvalidInput(details={"signature": [_("The signature is sent as a PNG picture.")]})
    if len(value) > MAX_SIGNATURE_BYTES * 4 // 3 + 100:
        raise InvalidInput(details={"signature": [_("The signature is too large.")]})
    raw = value.split(",", 1)[1] if value.startswith("data:") else value
    try:
        content = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(details={"signature": [_("The signature is not a picture.")]}) from None
    try:
        verified = file_kinds.verify(content, "signature.png")
    except file_kinds.Refused:
        raise InvalidInput(details={"signature": [_("The signature is not a picture.")]}) from None
    if verified.kind is not file_kinds.PNG:
        raise InvalidInput(details={"signature": [_("The signature is sent as a PNG picture.")]})
    return verified.content


REPORT_TEXTS = {"fault_cause": TEXT, "solution": TEXT, "customer_opinion": 2000, "signed_by": 80,
                "training_topics": 2000}


def _report_read(body: dict) -> dict:
    """What the body changes of the report, every field checked and every error named."""
    errors: dict = {}
    changes: dict = {}
    try:
        changes.update(parsing.texts({k: body[k] for k in REPORT_TEXTS if k in body}, REPORT_TEXTS))
    except InvalidInput as error:
        errors.update(error.details)
    if "hours" in body:
        try:
            changes["hours"] = (number_read(body["hours"], "hours", minimum=Decimal("0.1"), maximum=MAX_HOURS,
                                            places=1) if body["hours"] not in (None, "") else None)
        except InvalidInput as error:
            errors.update(error.details)
    for field, parse in (("people", lambda v: parsing.whole_number(v, "people", minimum=1, maximum=MAX_PEOPLE)),
                         ("days_on_site", lambda v: number_read(v, "days_on_site", minimum=Decimal("0.1"),
                                                                maximum=MAX_DAYS, places=1)
                          if v not in (None, "") else None)):
        if field in body:
            try:
                changes[field] = parse(body[field])
            except InvalidInput as error:
                errors.update(error.details)
    if "trained_people" in body:
        people = body["trained_people"]
        if not isinstance(people, list) or len(people) > MAX_TRAINED or not all(
                isinstance(p, str) and 0 < len(p.strip()) <= 80 for p in people):
            errors["trained_people"] = [_("A list of names (at most %(n)s) is expected.") % {"n": MAX_TRAINED}]
        else:
            changes["trained_people"] = [p.strip() for p in people]
    if "signature" in body:
        try:
            changes["signature"] = signature_read(body["signature"])
        except InvalidInput as error:
            errors.update(error.details)
    if "parts" in body:
        try:
            changes["parts"] = parts_read(body["parts"], allow_empty=True)
        except InvalidInput as error:
            errors.update(error.details)
    if errors:
        raise InvalidInput(details=errors)
    return changes


def _own(actor, order: FieldOrder) -> None:
    if order.technician_id != actor.pk:
        raise Conflict(_("This field service order is another technician's."), code="not_your_order")


@transaction.atomic
def report_save(*, actor, order_id, body: dict) -> ServiceReport:
    """The technician's report as it is filled in: a draft, saved as often as it changes (the phone keeps and
    resends it; the Idempotency-Key makes a resend count once)."""
    require_roles(actor, "technician")
    changes = _report_read(body)
    pk = parsing.id_or_none(order_id)
    order = FIELD_ORDER.lock(pk) if pk else None
    if order is None:
        raise NotFound()
    _own(actor, order)
    if order.state not in (S.ACCEPTED, S.ON_SITE):
        raise Conflict(_("The report is filled in on site, before it is submitted."), code="invalid_state",
                       details={"state": order.state})
    report, _made = ServiceReport.objects.get_or_create(order=order)
    parts = changes.pop("parts", None)
    for field, value in changes.items():
        setattr(report, field, value)
    report.save()
    if parts is not None:
        report.parts.all().delete()
        ReportPart.objects.bulk_create([ReportPart(report=report, part=part, quantity=quantity, serial=serial)
                                        for part, quantity, serial in parts])
    order_event_append(order=order, actor=actor, action="report_saved", changes={"fields": sorted(
        [*changes, *(["parts"] if parts is not None else [])])})
    return report


def _report_parts(report: ServiceReport) -> list:
    if report.pk is None:  # nothing saved yet
        return []
    return [(line.part, line.quantity, line.serial) for line in report.parts.select_related("part")]


@transaction.atomic
def order_report_submit(*, actor, order_id) -> FieldOrder:
    """Submitted only when complete (each missing field named) and covered by the van stock."""
    def submit(ctx):
        order = ctx.record
        report = ServiceReport.objects.filter(order=order).first() or ServiceReport(order=order)
        missing = rules.report_missing(
            work=order.work, fault_cause=report.fault_cause, solution=report.solution, hours=report.hours,
            signed_by=report.signed_by, has_signature=bool(report.signature),
            customer_opinion=report.customer_opinion, trained_people=report.trained_people,
            training_topics=report.training_topics, days_on_site=report.days_on_site)
        short = van_short(order.technician, _report_parts(report))
        if short:
            missing["parts"] = short
        if missing:
            raise InvalidInput(_("The service report is not complete."), details=missing)
        report.submitted_at = timezone.now()
        report.save(update_fields=["submitted_at", "updated_at"])

    return _act(actor=actor, order_id=order_id, action="submit_report", handler=submit)


@transaction.atomic
def order_report_return(*, actor, order_id, reason=None) -> FieldOrder:
    """Headquarters sends an incomplete report back; the manual fines it (proposed)."""
    reason = parsing.text(reason, "reason", max_length=TEXT, required=True)

    def send_back(ctx):
        ServiceReport.objects.filter(order=ctx.record).update(submitted_at=None, times_returned=F("times_returned") + 1)
        ctx.changes = {"reason": reason}

    order = _act(actor=actor, order_id=order_id, action="return_report", handler=send_back)
    penalty_propose(order=order, technician_id=order.technician_id, rule=PenaltyRule.INCOMPLETE_REPORT,
                    description=_("The report of %(order)s was returned as incomplete: %(reason)s")
                    % {"order": order.number, "reason": reason})
    return order


@transaction.atomic
def order_call_confirm(*, actor, order_id) -> FieldOrder:
    """The technician called headquarters before leaving; headquarters confirms it."""
    def confirm(ctx):
        ctx.record.call_confirmed_at, ctx.record.call_confirmed_by = timezone.now(), actor

    return _act(actor=actor, order_id=order_id, action="confirm_call", handler=confirm)


@transaction.atomic
def order_check_out(*, actor, order_id) -> FieldOrder:
    """Leaving the site: the parts on the report leave the van stock; without the confirmed call it is recorded
    as leaving without calling headquarters (未来电总部擅自离开) and proposed to the penalty ledger."""
    def check_out(ctx):
        order = ctx.record
        order.checked_out_at = timezone.now()
        order.left_without_call = order.call_confirmed_at is None
        parts = _report_parts(order.report)
        if parts:
            van = van_stock_of(order.technician)
            stock_moves_apply(actor=actor, moves=van_moves(van.pk, parts, kind=MoveKind.FIELD_USE, into_van=False),
                              reference=order.number)
        ctx.changes = {"without_call": order.left_without_call, "parts": len(parts)}

    order = _act(actor=actor, order_id=order_id, action="check_out", handler=check_out)
    visit_done(order)
    if order.left_without_call:
        penalty_propose(order=order, technician_id=order.technician_id, rule=PenaltyRule.LEFT_WITHOUT_CALLING,
                        description=_("Checked out of %(order)s without the call to headquarters confirmed.")
                        % {"order": order.number})
    return order


@transaction.atomic
def order_cancel(*, actor, order_id, reason=None) -> FieldOrder:
    reason = parsing.text(reason, "reason", max_length=TEXT, required=True)

    def cancel(ctx):
        ctx.changes = {"reason": reason}

    order = _act(actor=actor, order_id=order_id, action="cancel", handler=cancel)
    deadlines_cancel("field_order", order.pk)
    return order


def leave_record(*, actor, technician, first_day, last_day, note="") -> TechnicianLeave:
    require_roles(actor, "service", "manager")
    errors: dict = {}
    found = None
    try:
        found = technician_found(technician)
    except InvalidInput as error:
        errors.update(error.details)
    days = []
    for value, field in ((first_day, "first_day"), (last_day, "last_day")):
        try:
            days.append(parsing.date_value(value, field))
        except InvalidInput as error:
            errors.update(error.details)
    if len(days) == 2 and days[1] < days[0]:
        errors["last_day"] = [_("The last day is on or after the first.")]
    try:
        note = parsing.text(note, "note", max_length=200)
    except InvalidInput as error:
        errors.update(error.details)
    if errors:
        raise InvalidInput(details=errors)
    return TechnicianLeave.objects.create(technician=found, first_day=days[0], last_day=days[1], note=note)


ASSIGN_FIELDS = ("site_address", "required_arrival", "contact_name", "contact_phone")
ORDER_STEPS = {  # action -> (actor, order id, the body sent) -> the order
    "assign": lambda actor, pk, body: order_assign(actor=actor, order_id=pk, technician=body.get("technician"),
                                                   **{key: body.get(key) for key in ASSIGN_FIELDS}),
    "accept": lambda actor, pk, body: order_accept(actor=actor, order_id=pk),
    "refuse": lambda actor, pk, body: order_refuse(actor=actor, order_id=pk, reason=body.get("reason")),
    "check_in": lambda actor, pk, body: order_check_in(actor=actor, order_id=pk, latitude=body.get(
        "latitude"), longitude=body.get("longitude")),
    "submit_report": lambda actor, pk, body: order_report_submit(actor=actor, order_id=pk),
    "return_report": lambda actor, pk, body: order_report_return(actor=actor, order_id=pk, reason=body.get("reason")),
    "confirm_call": lambda actor, pk, body: order_call_confirm(actor=actor, order_id=pk),
    "check_out": lambda actor, pk, body: order_check_out(actor=actor, order_id=pk),
    "cancel": lambda actor, pk, body: order_cancel(actor=actor, order_id=pk, reason=body.get("reason")),
}


def order_step(*, actor, order_id, action: str, body: dict) -> FieldOrder:
    """One step of the order by its name, from what the API or the page sent."""
    step = ORDER_STEPS.get(action)
    if step is None:
        raise NotFound(code="unknown_action")
    return step(actor, order_id, body)
