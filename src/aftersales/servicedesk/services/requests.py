"""Registering a service request (serial first) and taking its workflow's steps: the first reply, contacts,
the result told, closing (the survey goes out) and reopening (再次处理, the manager told past the limit)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing, policies
from aftersales.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from aftersales.core.roles import roles_of
from aftersales.masterdata.models import Customer, ProductModel, ShippedUnit
from aftersales.returns.services.warranty import warranty_for_registered_units

from .. import rules
from ..clocks import request_clocks_sync
from ..models import (
    Category,
    Channel,
    ContactEntry,
    Priority,
    RequestState,
    ServiceRequest,
)
from ..notices import notify_customer, notify_manager
from ..workflow import SERVICE_REQUEST
from .common import TEXT, choice, event_append, next_number
from .photos import photos_checked, photos_keep

FIELD_LENGTHS = {"contact_name": 80, "contact_phone": 40, "serial": 80, "description": TEXT}


def unit_history(serial: str, *, exclude_id: int | None = None) -> list[dict]:
    rows = ServiceRequest.objects.filter(serial=serial).exclude(pk=exclude_id).values(
        "id", "number", "category", "created_at", "state")
    return [{**row, "created_on": timezone.localdate(row["created_at"])} for row in rows]


def repeat_found(serial: str, category: str, *, exclude_id: int | None = None) -> dict | None:
    if not serial:
        return None
    return rules.repeat_of(unit_history(serial, exclude_id=exclude_id), category=category, on=timezone.localdate(),
                           window_days=policies.value("repeat_repair_window_days"))


def _customer(actor, code) -> Customer | None:
    if actor.customer_id is not None:
        if code not in (None, "") and code != actor.customer.code:
            raise PermissionDenied(_("A customer registers requests for its own customer only."))
        return actor.customer
    if code in (None, ""):
        return None
    found = Customer.objects.filter(code=parsing.text(code, "customer", max_length=40), is_active=True).first()
    if found is None:
        raise InvalidInput(details={"customer": [_("Unknown customer “%(value)s”.") % {"value": code}]})
    return found


def _staff_member(actor, category: str, username):
    """A complaint about service staff names the person (the desk must; a customer describes them instead)."""
    from .conduct import staff_member_found

    given = username not in (None, "")
    if given and category != Category.STAFF_COMPLAINT:
        raise InvalidInput(details={"staff_member": [_("Only a complaint about service staff names a staff member.")]})
    if actor.customer_id is not None:
        if given:
            raise InvalidInput(details={"staff_member": [
                _("Describe the person in the description: the service desk names them.")]})
        return None
    if category == Category.STAFF_COMPLAINT and not given:
        raise InvalidInput(details={"staff_member": [_("Name the staff member the complaint is about.")]})
    return staff_member_found(username) if given else None


@transaction.atomic
def request_register(*, actor, customer: str | None = None, channel: str | None = None, category=None,
                     priority=None, product_model: str | None = None, staff_member: str | None = None,
                     photos=(), **raw) -> ServiceRequest:
    """A request as the desk takes it on the phone, the customer in the portal or a gateway through the API.
    Serial first: a registered unit fills the product model, the customer and the warranty. Its photos are
    checked and added in the same transaction: a refused photo registers nothing."""
    held = roles_of(actor)
    if not held & {"service", "manager", "customer"}:
        raise PermissionDenied(_("Your roles do not allow this."))
    fields = parsing.texts(raw, FIELD_LENGTHS, required=("description",))
    found_customer = _customer(actor, customer)
    channel = Channel.PORTAL if actor.customer_id is not None else choice(channel, "channel", Channel)
    category = choice(category, "category", Category)
    named = _staff_member(actor, category, staff_member)
    checked = photos_checked(photos)  # every photo read and judged before anything is written
    priority = choice(priority, "priority", Priority, default=Priority.NORMAL)
    serial = fields.get("serial", "")
    unit = ShippedUnit.objects.select_related("product_model", "customer").filter(serial=serial).first() if serial \
        else None
    if unit is not None and actor.customer_id is not None and unit.customer_id != actor.customer_id:
        unit = None  # another customer's unit tells this customer nothing
    model = unit.product_model if unit is not None else None
    if product_model not in (None, ""):
        model = ProductModel.objects.filter(code=parsing.text(product_model, "product_model", max_length=40)).first()
        if model is None:
            raise InvalidInput(details={"product_model": [_("Unknown product model “%(value)s”.")
                                                          % {"value": product_model}]})
    found_customer = found_customer or (unit.customer if unit is not None else None)
    if found_customer is None:
        raise InvalidInput(details={"customer": [_("This field is required.")]})
    warranty = warranty_for_registered_units([unit])[0].status if unit is not None and unit.customer else ""
    repeat = repeat_found(serial, category)
    request = ServiceRequest.objects.create(
        number=next_number("SR"), channel=channel, customer=found_customer, product_model=model, shipped_unit=unit,
        warranty_status=warranty, category=category, priority=priority, repeat_of_id=repeat["id"] if repeat else None,
        staff_member=named, created_by=actor, **{name: fields[name] for name in FIELD_LENGTHS if name in fields})
    event_append(request=request, actor=actor, action="create",
                 changes={"channel": channel, "category": category, "repeat_of": repeat["number"] if repeat else ""})
    photos_keep(actor=actor, request=request, checked=checked)
    request_clocks_sync(request, actor=actor)
    return request


def act(*, actor, request_id, action: str, handler=None, params=None) -> ServiceRequest:
    """One step of the table on a locked request, its clocks brought in line, in the caller's transaction."""
    request_id = parsing.id_or_none(request_id)
    if request_id is None:
        raise NotFound()
    with transaction.atomic():
        queryset = ServiceRequest.objects.all()
        if getattr(actor, "customer_id", None) is not None:
            queryset = queryset.filter(customer_id=actor.customer_id)
        ctx = SERVICE_REQUEST.apply(actor=actor, pk=request_id, action=action, handler=handler, params=params,
                                    queryset=queryset)
        request_clocks_sync(ctx.record, actor=actor)
        return ctx.record


PHOTO_ROLES = {"service", "manager", "technician", "customer"}


def request_for_photos(*, actor, request_id, locked: bool) -> ServiceRequest:
    """The request photos are added to: the desk's (or a technician's), or the customer's own (another's is
    not found), while it is not closed."""
    if not roles_of(actor) & PHOTO_ROLES:
        raise PermissionDenied(_("Your roles do not allow this."))
    rows = ServiceRequest.objects.all()
    if actor.customer_id is not None:
        rows = rows.filter(customer_id=actor.customer_id)
    if locked:
        rows = rows.select_for_update(of=("self",))
    request = rows.filter(pk=parsing.id_or_none(request_id) or 0).first()
    if request is None:
        raise NotFound()
    if request.state == RequestState.CLOSED:
        raise Conflict(_("Photos are added while the request is open."), code="invalid_state",
                       details={"state": request.state})
    return request


def _contact_fields(raw: dict, *, default_channel=Channel.PHONE) -> dict:
    content = parsing.text(raw.get("content"), "content", max_length=TEXT, required=True)
    return {"content": content, "channel": choice(raw.get("channel"), "channel", Channel, default=default_channel),
            "inbound": parsing.flag(raw.get("inbound", False), "inbound")}


@transaction.atomic
def request_reply(*, actor, request_id, content=None, channel=None) -> ServiceRequest:
    """The first reply (within 24 working hours): what the desk told the customer, as a contact."""
    contact = _contact_fields({"content": content, "channel": channel})

    def reply(ctx):
        ContactEntry.objects.create(request=ctx.record, by=actor, **contact)
        ctx.record.answered_at = timezone.now()
        ctx.changes = {"content": contact["content"]}
        notify_customer(ctx.record, "reply", contact["content"])

    return act(actor=actor, request_id=request_id, action="reply", handler=reply)


@transaction.atomic
def contact_add(*, actor, request_id, content=None, channel=None, inbound=False) -> ServiceRequest:
    """A call, letter or visit: who, when, which channel, what was said."""
    contact = _contact_fields({"content": content, "channel": channel, "inbound": inbound})

    def record(ctx):
        ContactEntry.objects.create(request=ctx.record, by=actor, **contact)
        ctx.changes = {"channel": contact["channel"]}

    return act(actor=actor, request_id=request_id, action="contact", handler=record)


@transaction.atomic
def request_resolve(*, actor, request_id, result=None) -> ServiceRequest:
    """The customer told the result (a notice in the portal, a notification)."""
    result = parsing.text(result, "result", max_length=TEXT, required=True)

    def resolve(ctx):
        ctx.record.result, ctx.record.resolved_at = result, timezone.now()
        ctx.changes = {"result": result}
        notify_customer(ctx.record, "result", result)

    return act(actor=actor, request_id=request_id, action="resolve", handler=resolve)


@transaction.atomic
def request_close(*, actor, request_id) -> ServiceRequest:
    """Closed: the satisfaction survey of this closing goes out (portal and signed link)."""
    from .surveys import survey_send

    def close(ctx):
        ctx.record.closed_at = timezone.now()

    request = act(actor=actor, request_id=request_id, action="close", handler=close)
    survey_send(request)
    return request


def _reopen_handler(reason: str):
    def reopen(ctx):
        request = ctx.record
        request.reopen_count += 1
        ctx.changes = {"reason": reason, "times": request.reopen_count}
        if rules.escalates(request.reopen_count, limit=policies.value("service_reopen_limit")) \
                and not request.escalated_to_manager:
            request.escalated_to_manager = True
            ctx.changes["escalated"] = True
            notify_manager(request, "reopened", reason)

    return reopen


@transaction.atomic
def request_reopen(*, actor, request_id, reason=None) -> ServiceRequest:
    """Handled again (再次处理): the resolution clock starts anew; past the policy's limit the manager is told."""
    reason = parsing.text(reason, "reason", max_length=TEXT, required=True)
    return act(actor=actor, request_id=request_id, action="reopen", handler=_reopen_handler(reason))


__all__ = ["RequestState", "contact_add", "request_close", "request_register", "request_reopen", "request_reply",
           "request_resolve", "repeat_found", "unit_history"]
