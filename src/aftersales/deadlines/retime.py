"""Running clocks follow the calendar: when a manager changes a calendar day (a holiday, a shutdown, an adjusted
working weekend, a year's official schedule imported) or a policy the calendar is made of (the year confirmed
through, the office hours), every running step whose time window the change touches is timed again, once per
transaction, after it commits. A step's time allowed and time used stay as they were: only the calendar that
turns them into a due moment changed."""

import datetime as dt

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from aftersales.core.models import Policy
from aftersales.workcalendar.models import CalendarDay

from .models import AlertLevel, Deadline, DeadlineState

CALENDAR_POLICIES = {"calendar_confirmed_through_year", "working_day_start_hour", "working_hours_per_day",
                     "escalation_grace_hours", "deadline_warning_hours"}
FIELDS = ["due_at", "provisional", "escalate_at", "next_alert_at", "alert_level", "detail"]
CHUNK = 2000

PENDING = "_aftersales_retime_pending"  # on the connection: what its open transaction changed


def deadlines_retime(*, dates: set[dt.date] | None = None, at: dt.datetime | None = None) -> int:
    """Time again the running steps whose window (running since … due) holds one of `dates` (all of them when
    None). The alert level comes down where the due moment moved past what was announced; the sweep raises it
    again when its time comes. Returns how many due moments moved."""
    from django.utils import timezone

    from .services import Clocks

    at = at or timezone.now()
    found = Deadline.objects.filter(state=DeadlineState.OPEN, running_since__isnull=False)
    if dates:
        found = found.filter(running_since__date__lte=max(dates), due_at__date__gte=min(dates))
    clocks, moved, count = Clocks(), [], 0
    for deadline in found.order_by("id").iterator(chunk_size=CHUNK):
        before = deadline.due_at
        clocks.time_alerts(deadline)
        if deadline.due_at == before:
            continue
        warn_at = deadline.due_at - dt.timedelta(hours=clocks.values["deadline_warning_hours"])
        level = (AlertLevel.ESCALATED if deadline.escalate_at <= at else AlertLevel.OVERDUE if deadline.due_at <= at
                 else AlertLevel.APPROACHING if warn_at <= at else AlertLevel.NONE)
        if level < deadline.alert_level:
            deadline.alert_level = level
            clocks.time_alerts(deadline)  # the next alert from the lowered level
        deadline.detail = {**deadline.detail, "calendar_retimed": [
            *deadline.detail.get("calendar_retimed", [])[-9:], {"at": timezone.localtime(at).isoformat(),
                                                       "from": timezone.localtime(before).isoformat()}]}
        moved.append(deadline)
        count += 1
        if len(moved) >= CHUNK:
            Deadline.objects.bulk_update(moved, FIELDS)
            moved.clear()
    Deadline.objects.bulk_update(moved, FIELDS)
    return count


def _schedule(dates: set[dt.date] | None) -> None:
    """Once per transaction: the dates changed in it (None: the whole calendar), retimed after it commits. What a
    rolled-back transaction changed is forgotten with it (its callback is gone, so the next change starts anew)."""
    connection = transaction.get_connection()
    state = getattr(connection, PENDING, None)
    fresh = state is None or not any(entry[1] is _run for entry in connection.run_on_commit)
    if fresh:
        state = {"all": False, "dates": set()}
        setattr(connection, PENDING, state)
    if dates is None:
        state["all"] = True
    else:
        state["dates"] |= dates
    if fresh:
        transaction.on_commit(_run)  # outside a transaction: now


def _run() -> None:
    state = transaction.get_connection().__dict__.pop(PENDING, None)
    if state is not None:
        deadlines_retime(dates=None if state["all"] else state["dates"])


def _day_changed(sender, instance, **kwargs) -> None:
    _schedule({instance.date})


def _policy_changed(sender, instance, **kwargs) -> None:
    if instance.key in CALENDAR_POLICIES:
        _schedule(None)


def connect() -> None:
    post_save.connect(_day_changed, sender=CalendarDay, dispatch_uid="deadlines_retime_day_saved")
    post_delete.connect(_day_changed, sender=CalendarDay, dispatch_uid="deadlines_retime_day_deleted")
    post_save.connect(_policy_changed, sender=Policy, dispatch_uid="deadlines_retime_policy_saved")
