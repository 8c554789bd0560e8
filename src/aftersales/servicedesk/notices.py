"""What the service desk tells: the customer (`service_request_notice`: the first reply, the solution, parts
on their way, the result, the survey and its link), the roles a decision hands work to
(`service_request_handover`: purchasing, quality and engineering) and the manager (`service_request_escalation`:
reopened past the limit, a complaint from a survey) and a return case's customer (`service_case_survey`: the
survey of its closing and its link)."""

from django.utils.translation import gettext_lazy as _

from aftersales.notifications.kinds import NotificationKind, register
from aftersales.notifications.services import notify, notify_many, recipients

NOTICES = {"reply": _("First reply"), "solution": _("Solution"), "parts": _("Parts sent"),
           "parts_quote": _("Quote for the parts"),
           "result": _("Result"), "survey": _("Satisfaction survey")}
HANDOVERS = {"supplier": _("Passed to the supplier through purchasing"),
             "quality": _("Major quality problem (重大质量问题)"),
             "parts_quote": _("Parts out of warranty: send the customer a quote")}
ESCALATIONS = {"reopened": _("Reopened more often than the policy allows"),
               "complaint": _("The customer complains to the manager (进一步投诉)"),
               "case_complaint": _("The customer is not satisfied with a closed return case")}


def _context(request, content: str, **more) -> dict:
    return {"request": request.number, "category": request.category, "content": content, **more}


def notify_customer(request, notice: str, content: str, *, token: str = "") -> int:
    return notify(recipients(customer_id=request.customer_id), "service_request_notice",
                  _context(request, content, notice=notice, token=token), subject_type="service_request",
                  subject_id=request.pk)


def notify_case_survey(case, *, token: str) -> int:
    """A return case closed: its customer is asked how satisfied they are (portal and signed link)."""
    return notify(recipients(customer_id=case.customer_id), "service_case_survey", {"case": case.number,
                                                                                   "token": token},
                  subject_type="return_case", subject_id=case.pk)


def notify_roles(request, roles, reason: str, content: str) -> int:
    context = _context(request, content, reason=reason)
    return notify_many([(recipients(role=role), "service_request_handover", context, "service_request", request.pk)
                        for role in roles])


def notify_manager(request, reason: str, content: str) -> int:
    return notify(recipients(role="manager"), "service_request_escalation", _context(request, content, reason=reason),
                  subject_type="service_request", subject_id=request.pk)


def _reads(labels: dict, key: str):
    def enrich(context: dict) -> dict:
        context["label"] = labels.get(context.get(key), context.get(key))
        return context

    return enrich


register(NotificationKind("service_request_notice", _reads(NOTICES, "notice")),
         NotificationKind("service_request_handover", _reads(HANDOVERS, "reason")),
         NotificationKind("service_request_escalation", _reads(ESCALATIONS, "reason")),
         NotificationKind("service_case_survey"))
