"""The clocks of repair: the plan reply (8 hours on working days) and the order's due date
(the sporadic repair deadline, plus the batch's extra hours, plus granted delays)."""

from django.utils.translation import gettext_lazy as _

from aftersales.deadlines.kinds import ClockKind, register
from aftersales.workcalendar.calendar import SECONDS_PER_DAY

SUBJECT = "repair_order"  # the subject type of an order's clocks, and the kind of its own clock


def _order_policies(facts: dict) -> list[str]:
    return ["repair_working_days", "batch_repair_extra_hours"] if facts.get("batch") else ["repair_working_days"]


register(
    ClockKind("repair_plan_reply", _("Repair plan reply"), "repair", "repair_plan_reply_hours"),
    ClockKind(SUBJECT, _("Rework order due"), "repair", policies_for=_order_policies,
              facts_seconds=lambda facts: int(facts.get("delay_days", 0)) * SECONDS_PER_DAY),
)
