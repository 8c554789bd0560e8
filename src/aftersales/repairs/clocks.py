"""The clocks of repair: the plan reply (8 hours on working days) and the order's due date
(the sporadic repair deadline, plus the batch's extra hours, plus granted delays)."""

from django.utils.translation import gettext_lazy as _

from aftersales.deadlines.kinds import ClockKind, register
from aftersales.workcalendar.calendar import SECONDS_PER_DAY

SUBJECT = "repair_order"  # the subject type of an order's clocks, and the kind of its own clock
MATERIAL_REQUEST = "material_request"  # the subject type of a material request's clock
REWORK_ORDER_OPENING = "rework_order_opening"  # a case's clock: disposed units waiting for an order


def _order_policies(facts: dict) -> list[str]:
    return ["repair_working_days", "batch_repair_extra_hours"] if facts.get("batch") else ["repair_working_days"]


register(
    ClockKind("repair_plan_reply", _("Repair plan reply"), "repair", "repair_plan_reply_hours"),
    ClockKind(SUBJECT, _("Rework order due"), "repair", policies_for=_order_policies,
              facts_seconds=lambda facts: int(facts.get("delay_days", 0)) * SECONDS_PER_DAY),
    ClockKind(REWORK_ORDER_OPENING, _("Rework order for disposed units"), "planning",
              "rework_order_opening_working_days"),
    ClockKind("material_request_decision", _("Decision on a material request"), "purchasing",
              "material_request_decision_working_days"),
)


def rework_order_wanted(case, unit_states) -> dict:
    """A return case's clock that repair keeps: while units disposed for work wait with no open rework
    order, planning's clock to open one runs (returns/clocks.py asks this after every case action)."""
    from aftersales.deadlines.services import Want
    from aftersales.returns.models import ReturnUnit, UnitState

    from .models import OrderUnit
    from .workflow import OPEN_ORDER_STATES

    if not unit_states.get(UnitState.DISPOSED):
        return {}
    on_orders = OrderUnit.objects.filter(order__return_case=case, order__state__in=OPEN_ORDER_STATES).values("unit_id")
    waiting = (ReturnUnit.objects.filter(return_case=case, state=UnitState.DISPOSED).exclude(pk__in=on_orders)
               .exists())
    return {REWORK_ORDER_OPENING: Want()} if waiting else {}
