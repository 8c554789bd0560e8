"""The data of the service request's printed forms: the 售后服务单 (the request, its contacts, decision and
result) and the 满意度调查表 (the survey of its latest closing, blank to fill in by hand when unanswered).
The shell prints them (`web/printing.py`); the request page links them (views: print_form)."""

from django.utils.translation import gettext_lazy

from aftersales.core.registry import PrintForm
from aftersales.web.printing import moment

from .models import Category, Channel, DecisionKind, Priority
from .rules import DIMENSIONS


def service_order_data(request) -> dict:
    decision = request.decisions.order_by("-id").select_related("decided_by").first()
    return {
        "channel": Channel(request.channel).label, "category": Category(request.category).label,
        "priority": Priority(request.priority).label,
        "decision": DecisionKind(decision.kind).label if decision else "", "solution": decision.solution if decision
        else "", "decided_by": decision.decided_by.get_username() if decision else "",
        "contacts": [{"at": moment(c.at), "by": c.by.get_username() if c.by else "", "channel": Channel(c.channel).label,
                      "content": c.content} for c in request.contacts.select_related("by")],
        "created": moment(request.created_at), "answered": moment(request.answered_at),
        "resolved": moment(request.resolved_at),
    }


def survey_form_data(request) -> dict:
    survey = request.surveys.order_by("-closing").first()
    return {"survey": survey, "scores": [(name, getattr(survey, name) if survey else None) for name in DIMENSIONS],
            "closed": moment(request.closed_at)}


FORMS = [
    PrintForm("service_order", "servicedesk/print/service_order.html", "售后服务单", "After-sales Service Order",
              service_order_data, gettext_lazy("Service order"), staff_only=True, order=10),
    PrintForm("survey", "servicedesk/print/survey.html", "满意度调查表", "Customer Satisfaction Survey", survey_form_data,
              gettext_lazy("Satisfaction survey"), staff_only=True, order=20),
]
