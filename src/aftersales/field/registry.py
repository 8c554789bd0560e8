"""What field service tells the shell: its menu entries, the order's page (where its clocked step is done), the
groups of its states, what an inbox row says of an order, a technician's orders of today and the reports waiting
for headquarters (inbox items without a clock), the orders on the page of the service request they came from,
its printed form and its demo."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.core.registry import (
    register_demo,
    register_inbox_source,
    register_menu_item,
    register_print_form,
    register_state_groups,
    register_step_page,
    register_subject_page,
    register_subject_summaries,
)

from .clocks import SUBJECT
from .models import OrderState as S

STATE_GROUPS = {S.OPEN: "waiting", S.DISPATCHED: "waiting", S.ACCEPTED: "progress", S.ON_SITE: "progress",
                S.REPORTED: "progress", S.DONE: "done", S.CANCELLED: "cancelled"}
CLAIM_GROUPS = {"draft": "waiting", "submitted": "waiting", "approved": "progress", "paid": "done",
                "rejected": "cancelled"}
PENALTY_GROUPS = {"proposed": "waiting", "contested": "blocked", "confirmed": "done", "withdrawn": "cancelled"}
INBOX_ROWS = 200


def order_page(order_id: int) -> str:
    return reverse("field:order", args=[order_id])


def step_page(item: dict) -> str:
    return order_page(item["subject_id"])


def step_action(item: dict):
    return _("Accept") if item["kind"] == "field_dispatch_acceptance" else _("Open")


def summaries(ids, user) -> dict[int, dict]:
    from .models import FieldOrder

    rows = FieldOrder.objects.select_related("customer", "product_model").filter(pk__in=ids)
    return {o.pk: {"reference": o.number, "customer": o.customer.name if o.customer else "",
                   "models": [o.product_model.code] if o.product_model else [], "quantity": 1,
                   "url": order_page(o.pk)} for o in rows}


def todays_orders(user) -> list[dict]:
    """A technician's accepted and on-site orders (their day), soonest first."""
    from .models import FieldOrder

    rows = (FieldOrder.objects.filter(technician=user, state__in=[S.ACCEPTED, S.ON_SITE])
            .select_related("customer").order_by("required_arrival", "id")[:INBOX_ROWS])
    return [{"label": _("Field service: %(work)s at %(customer)s") % {
                "work": o.get_work_display(), "customer": o.customer.name if o.customer else o.site_address},
             "reference": o.number, "url": order_page(o.pk), "since": o.accepted_at or o.created_at} for o in rows]


def reports_waiting(user) -> list[dict]:
    """Reports submitted and open orders waiting for dispatch: headquarters' work without a clock."""
    from .models import FieldOrder

    rows = FieldOrder.objects.filter(state__in=[S.REPORTED, S.OPEN]).order_by("id")[:INBOX_ROWS]
    labels = {S.REPORTED: _("Service report to check, call to confirm"), S.OPEN: _("Field order to dispatch")}
    return [{"label": labels[o.state], "reference": o.number, "url": order_page(o.pk), "since": o.created_at}
            for o in rows]


def feedback_waiting(user) -> list[dict]:
    """Key customers' feedback from visits waiting for engineering's answer."""
    from .models import Feedback

    rows = Feedback.objects.filter(answered_at__isnull=True).select_related("order").order_by("id")[:INBOX_ROWS]
    return [{"label": _("Customer feedback to answer: %(topic)s") % {"topic": f.get_topic_display()},
             "reference": f.order.number, "url": order_page(f.order_id), "since": f.recorded_at} for f in rows]


def register() -> None:
    from .demo import build as demo_build
    from .forms_print import FORMS

    register_menu_item("field:board", _("Dispatch board"), roles={"service", "manager"}, order=20, group="service")
    register_menu_item("field:day", _("My day"), roles={"technician"}, order=21, group="service")
    register_menu_item("field:penalties", pgettext_lazy("menu", "Penalty ledger"),
                       roles={"technician", "service", "manager"}, order=22, group="service")
    register_menu_item("field:expenses", _("Travel expenses"), roles={"technician", "manager", "finance"}, order=23,
                       group="service")
    register_step_page(SUBJECT, step_page, action=step_action)
    register_subject_summaries(SUBJECT, summaries)
    register_subject_page(SUBJECT, order_page, link_label=_("open the field service order"))
    register_state_groups(SUBJECT, STATE_GROUPS)
    register_state_groups("penalty", PENALTY_GROUPS)
    register_state_groups("expense_claim", CLAIM_GROUPS)
    register_inbox_source("technician", todays_orders)
    register_inbox_source("service", reports_waiting)
    register_inbox_source("engineering", feedback_waiting)
    for form in FORMS:
        register_print_form(SUBJECT, form)
    register_demo(40, "field", demo_build)
