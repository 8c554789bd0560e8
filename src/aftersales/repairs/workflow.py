"""The five documents of repair and rework, each a state machine in one table (core/workflow.py).

Every change of a document's state goes through its machine's `apply` (services/): the row locked,
the table, the roles and the guards checked, the state and a history row written in one transaction.
Rows whose target is "(same)" are the document's other steps that the table also governs: they may
be taken only while the document is in one of their states (a plan is not given for a closed order).
docs/workflow.md is generated from these tables.
"""

from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import message_of
from aftersales.core.workflow import GuardContext, Machine, Transition
from aftersales.core.workflow import roles as r

from .models import (MaterialRequest, OrderState, Quote, QuoteState, RefurbishOrder, RefurbishState, RepairOrder,
                     RequestState, ScrapApplication, ScrapState)

O, M, Q, S, F = OrderState, RequestState, QuoteState, ScrapState, RefurbishState
WORKING = (O.PLANNED, O.FIRST_ARTICLE, O.IN_PROGRESS)
STARTED = (O.FIRST_ARTICLE, O.IN_PROGRESS)



def by_redisposal(ctx: GuardContext) -> str | None:
    """Units leave an order only as quality's redisposal on the case takes them off it (orders.units_leave_order)."""
    return None if getattr(ctx.record, "units_redisposed", None) else "redisposal_only"


REWORK_ORDER = Machine("repair_order", _("rework order"), RepairOrder, OrderState, [
    Transition("plan", _("Answer with the repair plan"), WORKING, (), r("repair")),
    Transition("findings", _("Record engineering's findings"), WORKING, (), r("engineering")),
    Transition("start", _("Start the work"), (O.PLANNED,), (O.FIRST_ARTICLE, O.IN_PROGRESS), r("repair")),
    Transition("first_article", _("Check the first article"), (O.FIRST_ARTICLE,), (O.FIRST_ARTICLE, O.IN_PROGRESS),
               r("quality")),
    Transition("record", _("Record repairs"), STARTED, (), r("repair")),
    Transition("request_material", _("Request material"), WORKING, (), r("repair")),
    Transition("delay", _("Record a delay"), WORKING, (), r("repair planning manager")),
    Transition("close", _("Close the order"), (O.IN_PROGRESS,), (O.DONE,), r("repair planning")),
    Transition("cancel", _("Cancel the order"), (O.PLANNED,), (O.CANCELLED,), r("planning manager")),
    # Quality changed the disposition of units on the order (redispose): they leave it; an order left without
    # units is cancelled, one whose first article left waits for a new first article.
    Transition("units_leave", _("Units leave after a changed disposition"), WORKING,
               (O.PLANNED, O.FIRST_ARTICLE, O.IN_PROGRESS, O.CANCELLED), r("quality"), (by_redisposal,)),
], messages={"redisposal_only": message_of("redisposal_only")})

MATERIAL_REQUEST = Machine("material_request", _("material request"), MaterialRequest, RequestState, [
    Transition("decide", _("Decide the request"), (M.SUBMITTED,), (M.APPROVED, M.REJECTED), r("purchasing")),
    Transition("receive", _("Receive the material"), (M.APPROVED,), (M.RECEIVED,), r("purchasing warehouse")),
    Transition("issue", _("Issue to the order"), (M.RECEIVED,), (M.ISSUED,), r("warehouse")),
    # The order was cancelled: nothing more is bought or issued for it; material received stays free in stock.
    Transition("release", _("Release (its order was cancelled)"), (M.SUBMITTED, M.APPROVED, M.RECEIVED),
               (M.RELEASED,), r("quality planning manager")),
])

QUOTE = Machine("quote", _("quote"), Quote, QuoteState, [
    # The customer answers on the case (accept_charge / refuse_charge); the quote in force follows.
    Transition("answer", _("Follow the customer's answer"), (Q.SENT,), (Q.ACCEPTED, Q.REFUSED), r("customer service")),
    Transition("revise", _("Revise after the bench finding"), (Q.SENT, Q.ACCEPTED), (Q.SUPERSEDED,), r("service")),
    Transition("pay", _("Record a payment"), (Q.ACCEPTED,), (), r("finance")),
])

SCRAP_APPLICATION = Machine("scrap_application", _("scrap application"), ScrapApplication, ScrapState, [
    Transition("decide", _("Decide the application"), (S.SUBMITTED,), (S.APPROVED, S.REJECTED), r("manager")),
])

REFURBISH_ORDER = Machine("refurbish_order", _("outsourced refurbishment order"), RefurbishOrder, RefurbishState, [
    Transition("return", _("Take the parts back after QC"), (F.SENT,), (F.RETURNED,), r("quality warehouse")),
])

# Orders that still hold their units (one open order per unit).
OPEN_ORDER_STATES = REWORK_ORDER.open_states
