"""The return windows of a case's lines (rules.return_windows), decided from the delivery date with the
company's calendar for windows in working days; a manager's override of a line stays with it."""

from django.utils import timezone

from aftersales.core import policies
from aftersales.workcalendar.calendar import calendar_load

from .. import rules


def lines_windows_decide(case, lines, *, snapshot: dict | None = None, on=None) -> None:
    """Set each line's window_decision (not saved here); the lines come with their product model."""
    snapshot = snapshot or policies.snapshot()
    on = on or timezone.localdate()
    calendar = []

    def last_day(window: dict, delivered):
        if not calendar:
            calendar.append(calendar_load(values=snapshot))
        return calendar[0].working_days_after(delivered, window["days"])

    for line in lines:
        category = line.product_model.category if line.product_model_id else ""
        windows = rules.return_windows(channel=case.channel, reason=line.reason,
                                       requested_outcome=line.requested_outcome, category=category,
                                       snapshot=snapshot)
        override = (line.window_decision or {}).get("override")
        decision = rules.decide_return_window(windows=windows, delivered_date=case.delivered_date, on=on,
                                              last_day=last_day)
        if decision and override:
            decision["override"] = override
        line.window_decision = decision


def case_windows_refresh(case) -> None:
    """Decide and save the windows of a draft's lines (after it is created or edited)."""
    from ..models import ReturnLine

    lines = list(ReturnLine.objects.filter(return_case=case).select_related("product_model"))
    lines_windows_decide(case, lines)
    ReturnLine.objects.bulk_update(lines, ["window_decision"])
