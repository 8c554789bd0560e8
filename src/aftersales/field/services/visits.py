"""Key-customer visits (定期走访): a plan per key customer (how often, by whom, where); the plans due are opened as
field orders of work `visit`; a visit's check-out moves its plan's next visit on; what the customer said about
the products' use, design, assembly and process is recorded on the visit and routed to engineering, who answers
it (engineering's inbox lists what waits for an answer)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import Conflict, InvalidInput, NotFound
from aftersales.core.roles import require_roles
from aftersales.masterdata.models import Customer

from ..models import Feedback, FeedbackTopic, FieldOrder, VisitPlan, WorkKind
from ..models import OrderState as S
from .common import TEXT, choice, order_event_append, technician_found

MAX_EVERY_DAYS = 366
OPEN = (S.OPEN, S.DISPATCHED, S.ACCEPTED, S.ON_SITE, S.REPORTED)


@transaction.atomic
def visit_plan_create(*, actor, body: dict) -> VisitPlan:
    require_roles(actor, "service", "manager")
    body = parsing.json_object(body)
    errors: dict = {}
    read: dict = {}

    def take(field, parse):
        try:
            read[field] = parse()
        except InvalidInput as error:
            errors.update(error.details)

    code = str(body.get("customer") or "")[:40]
    customer = Customer.objects.filter(code=code, is_active=True).first()
    if customer is None:
        errors["customer"] = [_("No active customer “%(value)s”.") % {"value": code}]
    elif not customer.is_key_customer:
        errors["customer"] = [_("Regular visits are planned for key customers (set in the customer's master data).")]
    take("every_days", lambda: parsing.whole_number(body.get("every_days"), "every_days", minimum=1,
                                                    maximum=MAX_EVERY_DAYS))
    take("next_due", lambda: parsing.date_value(body.get("first_visit"), "first_visit"))
    take("texts", lambda: parsing.texts(body, {"site_address": 300, "note": 300}, required=("site_address",)))
    if body.get("technician") not in (None, ""):
        take("technician", lambda: technician_found(body["technician"]))
    if errors:
        raise InvalidInput(details=errors)
    return VisitPlan.objects.create(customer=customer, every_days=read["every_days"], next_due=read["next_due"],
                                    technician=read.get("technician"), **read["texts"])


@transaction.atomic
def visits_schedule(*, actor, until=None) -> list[FieldOrder]:
    """Open a visit order for every active plan due by `until` (default today) that has none open yet; a plan
    with a technician is dispatched to them at once."""
    from .orders import field_order_create

    require_roles(actor, "service", "manager")
    until = parsing.date_value(until, "until") if until not in (None, "") else timezone.localdate()
    opened = []
    plans = (VisitPlan.objects.select_for_update(of=("self",)).filter(is_active=True, next_due__lte=until)
             .exclude(orders__state__in=OPEN).select_related("customer", "technician").order_by("next_due", "id"))
    for plan in plans:
        order = field_order_create(
            actor=actor, customer=plan.customer, work=WorkKind.VISIT, site_address=plan.site_address,
            description=_("Regular visit (every %(n)s days). %(note)s") % {"n": plan.every_days, "note": plan.note},
            planned_date=max(plan.next_due, timezone.localdate()), technician=plan.technician)
        order.visit_plan = plan
        order.save(update_fields=["visit_plan"])
        opened.append(order)
    return opened


def visit_done(order: FieldOrder) -> None:
    """A visit checked out: its plan's next visit is due `every_days` later (inside the check-out's transaction)."""
    if order.visit_plan_id is None:
        return
    plan = VisitPlan.objects.select_for_update().get(pk=order.visit_plan_id)
    plan.next_due = timezone.localdate(order.checked_out_at) + dt.timedelta(days=plan.every_days)
    plan.save(update_fields=["next_due"])


@transaction.atomic
def feedback_add(*, actor, order_id, topic=None, text=None) -> Feedback:
    """The technician records what the customer said, on site or with the report."""
    require_roles(actor, "technician")
    errors: dict = {}
    try:
        choice(topic, "topic", FeedbackTopic)
    except InvalidInput as error:
        errors.update(error.details)
    try:
        text = parsing.text(text, "text", max_length=TEXT, required=True)
    except InvalidInput as error:
        errors.update(error.details)
    if errors:
        raise InvalidInput(details=errors)
    order = FieldOrder.objects.select_for_update().filter(pk=parsing.id_or_none(order_id) or 0).first()
    if order is None:
        raise NotFound()
    if order.technician_id != actor.pk:
        raise Conflict(code="not_your_order")
    if order.state not in (S.ON_SITE, S.REPORTED):
        raise Conflict(_("Feedback is recorded on site."), code="invalid_state", details={"state": order.state})
    item = Feedback.objects.create(order=order, topic=topic, text=text, recorded_by=actor)
    order_event_append(order=order, actor=actor, action="feedback", changes={"topic": topic, "feedback": item.pk})
    return item


@transaction.atomic
def feedback_answer(*, actor, feedback_id, answer=None) -> Feedback:
    require_roles(actor, "engineering", "manager")
    answer = parsing.text(answer, "answer", max_length=TEXT, required=True)
    item = Feedback.objects.select_for_update().filter(pk=parsing.id_or_none(feedback_id) or 0).first()
    if item is None:
        raise NotFound()
    if item.answered_at is not None:
        raise Conflict(_("This feedback has been answered already."), code="invalid_state")
    item.answer, item.answered_by, item.answered_at = answer, actor, timezone.now()
    item.save(update_fields=["answer", "answered_by", "answered_at"])
    return item
