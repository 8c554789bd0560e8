"""What repair tells the shell and the return case's pages: its menu entries, the rework order's page
(where its clocked steps are done), the printed forms of a case's repair work, the quote page behind the
case's quote_charge action, and the quotes on the case page."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.core.registry import (register_action_page, register_charge_check, register_demo,
                                      register_menu_group, register_menu_item, register_print_form,
                                      register_related_documents, register_state_groups, register_step_page,
                                      register_subject_panel, register_subject_summaries)
from aftersales.returns.clocks import SUBJECT as CASE

from .clocks import MATERIAL_REQUEST, SUBJECT
from .models import OrderState, QuoteState, RefurbishState, RequestState, ScrapState

STATE_GROUPS = {
    "repair_order": {OrderState.PLANNED: "waiting", OrderState.FIRST_ARTICLE: "blocked",
                     OrderState.IN_PROGRESS: "progress", OrderState.DONE: "done", OrderState.CANCELLED: "cancelled"},
    "material_request": {RequestState.SUBMITTED: "waiting", RequestState.APPROVED: "progress",
                         RequestState.REJECTED: "cancelled", RequestState.RECEIVED: "progress",
                         RequestState.ISSUED: "done", RequestState.RELEASED: "cancelled"},
    "quote": {QuoteState.SENT: "blocked", QuoteState.ACCEPTED: "done", QuoteState.REFUSED: "cancelled",
              QuoteState.SUPERSEDED: "cancelled"},
    "scrap_application": {ScrapState.SUBMITTED: "waiting", ScrapState.APPROVED: "done",
                          ScrapState.REJECTED: "cancelled"},
    "refurbish_order": {RefurbishState.SENT: "progress", RefurbishState.RETURNED: "done"},
}
STEP_ACTIONS = {"repair_plan_reply": _("Reply with the plan"), SUBJECT: _("Repair"),
                "material_request_decision": _("Decide the material request")}


def request_step_page(item: dict) -> str:
    """A material request is decided on its rework order's page."""
    from .models import MaterialRequest

    order_id = MaterialRequest.objects.filter(pk=item["subject_id"]).values_list("order_id", flat=True).first()
    return reverse("repairs:repair_order", args=[order_id]) if order_id else reverse("repairs:repair_board")


def order_step_page(item: dict) -> str:
    return reverse("repairs:repair_order", args=[item["subject_id"]])


def order_step_action(item: dict):
    return STEP_ACTIONS.get(item["kind"], _("Open"))


def order_summaries(ids, user) -> dict[int, dict]:
    from .selectors import order_summaries as summaries

    return summaries(ids)


def case_documents(case, request) -> list[dict]:
    """The case's documents down the flow (下查), for its page; a customer sees its quotes only."""
    from aftersales.core.roles import roles_of

    from .selectors import case_documents as documents

    found = documents(case)
    return [d for d in found if d["kind"] == "quote"] if "customer" in roles_of(request.user) else found


def case_quotes(case, request) -> dict:
    from .selectors import quote_list

    return {"template": "repairs/_case_quotes.html", "quotes": quote_list(case)}


def request_parts_quotes(service_request, request) -> dict | None:
    """The quotes of a service request's charged parts shipments, with the forms to send and to answer them."""
    from aftersales.core.roles import CUSTOMER, roles_of

    from .models import Quote

    shipments = [s for s in service_request.parts_shipments.all() if s.chargeable]
    if not shipments:
        return None
    held = roles_of(request.user)
    quotes = {}
    for quote in Quote.objects.filter(parts_shipment__in=shipments).order_by("id"):
        quotes.setdefault(quote.parts_shipment_id, []).append(quote)
    open_states = (QuoteState.SENT, QuoteState.ACCEPTED)
    return {"template": "repairs/_parts_quotes.html", "may_quote": "service" in held,
            "may_answer": bool(held & {"service", CUSTOMER}),
            "shipments": [{"shipment": s, "quotes": quotes.get(s.pk, []), "waiting": s.state == "awaiting_quote",
                           "open_quote": any(q.state in open_states for q in quotes.get(s.pk, []))}
                          for s in shipments]}


def _parts_charge_refusal(shipment) -> str | None:
    from .services.parts_quotes import parts_charge_refusal

    return parts_charge_refusal(shipment)


def register() -> None:
    from .demo import build as demo_build
    from .forms_print import FORMS

    register_menu_group("repairs", pgettext_lazy("menu", "Repairs"))
    register_menu_item("repairs:repair_board", _("Rework board"),
                       roles={"planning", "repair", "quality", "engineering", "purchasing"}, order=60, group="repairs")
    register_menu_item("repairs:repair_daily", _("Repair daily report"),
                       roles={"repair", "quality", "engineering", "manager"}, order=70, group="repairs")
    register_menu_item("repairs:scrap_list", _("Scrap applications"), roles={"manager"}, order=80, group="repairs")
    register_step_page(SUBJECT, order_step_page, action=order_step_action)
    register_step_page(MATERIAL_REQUEST, request_step_page, action=order_step_action)
    register_subject_summaries(SUBJECT, order_summaries)
    register_related_documents(CASE, case_documents)
    for machine, groups in STATE_GROUPS.items():
        register_state_groups(machine, groups)
    register_action_page(CASE, "quote_charge", "repairs:quote_new")
    register_subject_panel(CASE, case_quotes)
    register_charge_check("parts_shipment", _parts_charge_refusal)
    register_subject_panel("service_request", request_parts_quotes)
    for form in FORMS:
        register_print_form(CASE, form)
    register_demo(20, "repairs", demo_build)
