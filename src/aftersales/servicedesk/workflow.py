"""The service request's workflow, whole, in one table (core/workflow.py Machine).

registered → answered (the first reply) → decided (问题评估: one real path) → resolved (the customer told the
result) → closed (the survey goes out); resolved or closed → reopened (再次处理) → decided again.
Contacts with the customer are recorded in any open state. docs/workflow.md is generated from this table.
"""

from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import message_of
from aftersales.core.workflow import GuardContext, Machine, Transition
from aftersales.core.workflow import roles as r

from .models import Category, ServiceRequest
from .models import RequestState as S

OPEN = (S.REGISTERED, S.ANSWERED, S.DECIDED, S.REOPENED)


def own_request(ctx: GuardContext) -> str | None:
    customer_id = getattr(ctx.actor, "customer_id", None)
    return "not_your_request" if customer_id is not None and customer_id != ctx.record.customer_id else None


def case_finished(ctx: GuardContext) -> str | None:
    """A request sent back to the factory is resolved when its return case is settled or closed."""
    from aftersales.returns.models import CaseState

    case_id = ctx.record.return_case_id
    done = (CaseState.SETTLED, CaseState.CLOSED, CaseState.REJECTED, CaseState.CANCELLED)
    return "return_case_open" if case_id and ctx.record.return_case_state not in done else None


def parts_shipped(ctx: GuardContext) -> str | None:
    """Charged parts still waiting for their quote: the result is told once they ship (or are cancelled)."""
    from .models import ShipmentState

    waiting = ctx.record.parts_shipments.filter(state=ShipmentState.AWAITING_QUOTE).exists()
    return "parts_not_shipped" if waiting else None


def staff_complaint(ctx: GuardContext) -> str | None:
    return "not_staff_complaint" if ctx.record.category != Category.STAFF_COMPLAINT else None


def not_judged(ctx: GuardContext) -> str | None:
    """A complaint about staff is verified or rejected once."""
    return "complaint_judged" if ctx.record.conduct_verdict else None


def _timeline(*args) -> None:
    from .services.common import timeline

    timeline(*args)


SERVICE_REQUEST = Machine("service_request", _("service request"), ServiceRequest, S, history=_timeline, closed_states=(S.CLOSED,),
                          transitions=[
    Transition("reply", _("Give the first reply"), (S.REGISTERED,), (S.ANSWERED,), r("service manager")),
    Transition("contact", _("Record a contact"), OPEN + (S.RESOLVED,), (), r("service manager technician")),
    Transition("decide", _("Decide how to help"), (S.ANSWERED, S.REOPENED), (S.DECIDED,), r("service manager")),
    Transition("resolve", _("Tell the customer the result"), (S.DECIDED,), (S.RESOLVED,), r("service manager"),
               (case_finished, parts_shipped)),
    Transition("close", _("Close the request"), (S.RESOLVED,), (S.CLOSED,), r("service manager")),
    Transition("reopen", _("Reopen the request"), (S.RESOLVED, S.CLOSED), (S.REOPENED,),
               r("service manager customer"), (own_request,)),
    Transition("classify", _("Classify the cause"), tuple(S.values), (), r("service quality manager")),
    # 一经查实: the service manager judges a complaint about staff, in any state (a closed one is still filed).
    Transition("verify_complaint", _("Verify the complaint about staff"), tuple(S.values), (), r("manager"),
               (staff_complaint, not_judged)),
    Transition("reject_complaint", _("Reject the complaint about staff"), tuple(S.values), (), r("manager"),
               (staff_complaint, not_judged)),
])

# The steps whose timeline entries name the person and the finding: not shown to the customer.
CONDUCT_ACTIONS = ("verify_complaint", "reject_complaint")

OTHER_EVENTS = {"create": _("Registered"), "case_progress": _("Return case progressed"),
                "survey": _("Survey answered"), "escalate": _("Escalated to the manager"),
                "complaint": _("Complaint to the manager"), "photos": _("Photos added"),
                "parts_quoted": _("Parts quoted to the customer"), "parts_shipped": _("Parts shipped"),
                "parts_cancelled": _("Parts shipment cancelled"),
                "parts_quote_accepted": _("Parts quote accepted by the customer")}


def event_label(action: str):
    spec = SERVICE_REQUEST.table.get(action)
    return spec.label if spec is not None else OTHER_EVENTS.get(action, action)


GUARD_CODES = ("not_your_request", "return_case_open", "parts_not_shipped", "not_staff_complaint", "complaint_judged")
SERVICE_REQUEST.messages.update({code: message_of(code) for code in GUARD_CODES})
