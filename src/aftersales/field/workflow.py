"""Field service's tables (core/workflow.py Machine), whole.

The order: open (waiting for dispatch) → dispatched to a technician → accepted → on site (checked in) → report
submitted → done (checked out); refused back to open, reassigned while not on site, a report returned as
incomplete back on site, cancelled before the technician is on site. Headquarters confirms the technician's call
before they leave (on site or reported). The penalty: proposed → contested by the technician → confirmed or
withdrawn by the manager. docs/workflow.md is generated from these tables.
"""

from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import message_of
from aftersales.core.workflow import GuardContext, Machine, Transition
from aftersales.core.workflow import roles as r

from .models import ClaimState as C
from .models import ExpenseClaim, FieldOrder, Penalty
from .models import OrderState as S
from .models import PenaltyState as P


def own_order(ctx: GuardContext) -> str | None:
    """A technician works their own orders; headquarters (service, manager) any."""
    if ctx.roles & {"service", "manager"}:
        return None
    return "not_your_order" if ctx.record.technician_id != ctx.actor.pk else None


def call_not_confirmed(ctx: GuardContext) -> str | None:
    return "call_confirmed" if ctx.record.call_confirmed_at is not None else None


def own_penalty(ctx: GuardContext) -> str | None:
    return "not_your_penalty" if ctx.record.technician_id != ctx.actor.pk else None


def _order_timeline(*args) -> None:
    from .services.common import order_timeline

    order_timeline(*args)


def _penalty_timeline(*args) -> None:
    from .services.common import penalty_timeline

    penalty_timeline(*args)


NOT_ON_SITE = (S.OPEN, S.DISPATCHED, S.ACCEPTED)

FIELD_ORDER = Machine("field_order", _("field service order"), FieldOrder, S, history=_order_timeline,
                      closed_states=(S.DONE, S.CANCELLED), transitions=[
    Transition("assign", _("Dispatch to a technician"), NOT_ON_SITE, (S.DISPATCHED,), r("service manager")),
    Transition("accept", _("Accept the dispatch"), (S.DISPATCHED,), (S.ACCEPTED,), r("technician"), (own_order,)),
    Transition("refuse", _("Refuse the dispatch"), (S.DISPATCHED,), (S.OPEN,), r("technician"), (own_order,)),
    Transition("check_in", _("Check in on site"), (S.ACCEPTED,), (S.ON_SITE,), r("technician"), (own_order,)),
    Transition("submit_report", _("Submit the service report"), (S.ON_SITE,), (S.REPORTED,), r("technician"),
               (own_order,)),
    Transition("return_report", _("Return the report as incomplete"), (S.REPORTED,), (S.ON_SITE,),
               r("service manager")),
    Transition("confirm_call", _("Confirm the call to headquarters"), (S.ON_SITE, S.REPORTED), (),
               r("service manager"), (call_not_confirmed,)),
    Transition("check_out", _("Check out"), (S.REPORTED,), (S.DONE,), r("technician"), (own_order,)),
    Transition("cancel", _("Cancel the order"), NOT_ON_SITE, (S.CANCELLED,), r("service manager")),
])

PENALTY = Machine("penalty", _("penalty"), Penalty, P, history=_penalty_timeline,
                  closed_states=(P.CONFIRMED, P.WITHDRAWN), transitions=[
    Transition("contest", _("Contest the penalty"), (P.PROPOSED,), (P.CONTESTED,), r("technician"), (own_penalty,)),
    Transition("confirm", _("Confirm the penalty"), (P.PROPOSED, P.CONTESTED), (P.CONFIRMED,), r("manager")),
    Transition("withdraw", _("Withdraw the penalty"), (P.PROPOSED, P.CONTESTED), (P.WITHDRAWN,), r("manager")),
])

def own_claim(ctx: GuardContext) -> str | None:
    return "not_your_claim" if ctx.record.technician_id != ctx.actor.pk else None


def has_lines(ctx: GuardContext) -> str | None:
    """An expense claim is submitted with its receipts (an advance with its amount)."""
    if ctx.record.kind == "advance":
        return "claim_empty" if ctx.record.advance_amount <= 0 else None
    return "claim_empty" if not ctx.record.lines.exists() else None


def _claim_timeline(*args) -> None:
    from .services.common import claim_timeline

    claim_timeline(*args)


EXPENSE_CLAIM = Machine("expense_claim", _("expense claim"), ExpenseClaim, C, history=_claim_timeline,
                        closed_states=(C.PAID, C.REJECTED), transitions=[
    Transition("submit", _("Submit the claim"), (C.DRAFT,), (C.SUBMITTED,), r("technician"), (own_claim, has_lines)),
    Transition("approve", _("Approve the claim"), (C.SUBMITTED,), (C.APPROVED,), r("manager")),
    Transition("reject", _("Reject the claim"), (C.SUBMITTED,), (C.REJECTED,), r("manager")),
    Transition("pay", _("Pay the claim"), (C.APPROVED,), (C.PAID,), r("finance")),
])

OTHER_EVENTS = {"create": _("Created"), "report_saved": _("Report saved"), "feedback": _("Customer feedback recorded"),
                "penalty_proposed": _("Penalty proposed")}


def event_label(machine: Machine, action: str):
    spec = machine.table.get(action)
    return spec.label if spec is not None else OTHER_EVENTS.get(action, action)


GUARD_CODES = ("not_your_order", "call_confirmed")
FIELD_ORDER.messages.update({code: message_of(code) for code in GUARD_CODES})
PENALTY.messages.update({"not_your_penalty": message_of("not_your_penalty")})
EXPENSE_CLAIM.messages.update({code: message_of(code) for code in ("not_your_claim", "claim_empty")})
