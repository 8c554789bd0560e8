"""What the service desk tells the shell and the return case's pages: its menu entries, the request's page
(where its clocked steps are done), the groups of its states, what an inbox row says of a request, the
work its decisions hand to quality, engineering, purchasing and the manager (inbox items without a clock),
the request on the page of the return case it created (上查), its printed forms and its demo."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.core.registry import (
    register_demo,
    register_inbox_source,
    register_menu_group,
    register_menu_item,
    register_print_form,
    register_related_documents,
    register_state_groups,
    register_step_page,
    register_subject_page,
    register_subject_summaries,
)
from aftersales.core.roles import CUSTOMER
from aftersales.returns.clocks import SUBJECT as CASE

from .clocks import SUBJECT
from .models import RequestState as S

STATE_GROUPS = {S.REGISTERED: "waiting", S.ANSWERED: "progress", S.DECIDED: "progress", S.RESOLVED: "done",
                S.CLOSED: "done", S.REOPENED: "blocked"}
STEP_ACTIONS = {"service_first_reply": _("Reply"), "service_resolution": _("Handle")}
WAITING_ROWS = 200  # an inbox lists the oldest handed-over items first; the rest are on the request pages


def request_page(request_id: int) -> str:
    return reverse("servicedesk:request", args=[request_id])


def step_page(item: dict) -> str:
    return request_page(item["subject_id"])


def step_action(item: dict):
    return STEP_ACTIONS.get(item["kind"], _("Open"))


def summaries(ids, user) -> dict[int, dict]:
    from aftersales.core.permissions import scope_to_customer

    from .models import ServiceRequest

    rows = scope_to_customer(ServiceRequest.objects.select_related("customer", "product_model"), user, "customer")
    return {r.pk: {"reference": r.number, "customer": r.customer.name,
                   "models": [r.product_model.code] if r.product_model else [], "quantity": 1,
                   "url": request_page(r.pk)} for r in rows.filter(pk__in=ids)}


def case_documents(case, request) -> list[dict]:
    """The service request a return case came from (上查); the complaints a low score on its survey raised and,
    for its customer, the survey of its closing (下查)."""
    from aftersales.core.permissions import scope_to_customer

    from .models import ServiceRequest, Survey

    surveys = list(scope_to_customer(Survey.objects.filter(return_case=case), request.user, "customer"))
    raised = {s.complaint_id for s in surveys if s.complaint_id}
    rows = scope_to_customer(ServiceRequest.objects.filter(return_case=case), request.user, "customer")
    found = [{"kind": "service_request", "kind_label": _("Service request"), "number": r.number,
              "url": request_page(r.pk), "state_machine": SUBJECT, "state": r.state,
              "state_label": r.get_state_display(), "at": r.created_at,
              "direction": "down" if r.pk in raised else "up"} for r in rows]
    if getattr(request.user, "customer_id", None) is not None:
        found += [{"kind": "satisfaction_survey", "kind_label": _("Satisfaction survey"), "number": case.number,
                   "url": reverse("servicedesk:survey", args=[s.pk]), "state": "answered" if s.answered_at else "open",
                   "state_label": _("Answered") if s.answered_at else _("Waiting for your answer"),
                   "direction": "down", "at": s.sent_at} for s in surveys]
    return found


def _waiting(model_name: str, label):
    def source(user) -> list[dict]:
        from . import models

        model = getattr(models, model_name)
        rows = model.objects.filter(state="open").select_related("request").order_by("id")[:WAITING_ROWS]
        return [{"label": label, "reference": row.request.number, "url": request_page(row.request_id),
                 "since": row.created_at} for row in rows]

    source.__name__ = f"open_{model_name.lower()}"
    return source


def escalated_requests(user) -> list[dict]:
    from .models import ServiceRequest

    rows = ServiceRequest.objects.filter(escalated_to_manager=True).exclude(state=S.CLOSED).order_by("id")
    return [{"label": _("Service request escalated to the manager"), "reference": r.number,
             "url": request_page(r.pk), "since": r.created_at} for r in rows[:WAITING_ROWS]]


QUALITY_PROBLEMS = _waiting("QualityEscalation", _("Major quality problem from the service desk"))
SUPPLIER_PROBLEMS = _waiting("SupplierReferral", _("Problem to pass to the supplier"))


def register() -> None:
    from .demo import build as demo_build
    from .forms_print import FORMS

    register_menu_group("service", pgettext_lazy("menu", "Service"))
    register_menu_item("servicedesk:inbox", _("Service desk"), roles={"service", "manager"}, order=15, group="service")
    register_menu_item("servicedesk:register", _("New service request"), roles={"service", "manager", CUSTOMER},
                       order=16, group="service")
    register_menu_item("servicedesk:complaints", _("Complaint ledger"), roles={"service", "quality", "engineering",
                                                                             "manager"}, order=18, group="service")
    register_menu_item("servicedesk:satisfaction", _("Satisfaction"), roles={"service", "manager"}, order=19,
                       group="service")
    register_menu_item("servicedesk:portal", _("My service requests"), roles={CUSTOMER}, order=17, group="service")
    register_step_page(SUBJECT, step_page, action=step_action)
    register_subject_summaries(SUBJECT, summaries)
    register_subject_page(SUBJECT, request_page, link_label=_("open the service request"))
    register_state_groups(SUBJECT, STATE_GROUPS)
    register_related_documents(CASE, case_documents)
    register_inbox_source("quality", QUALITY_PROBLEMS)
    register_inbox_source("engineering", QUALITY_PROBLEMS)
    register_inbox_source("purchasing", SUPPLIER_PROBLEMS)
    register_inbox_source("manager", escalated_requests)
    for form in FORMS:
        register_print_form(SUBJECT, form)
    register_demo(30, "servicedesk", demo_build)
