"""Running clocks follow the calendar: a holiday entered (or taken back) on a day inside a running step's window
moves its due moment; a day outside it, or a met step, stays as it was; the alert announced for the old moment
comes down when the new one is later."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from aftersales.core.policies import policy_update
from aftersales.deadlines.models import AlertLevel, Deadline, DeadlineState
from aftersales.deadlines.services import Clocks
from aftersales.workcalendar.models import CalendarDay
from aftersales.workcalendar.services import calendar_day_set, calendar_import

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)
SUBJECTS = iter(range(1, 1000))


def step(start=MONDAY, days=2, **fields) -> Deadline:
    deadline = Deadline(kind="inspection", subject_type="return_case", subject_id=next(SUBJECTS), reference="RMA-X",
                        role="quality", clock="day", budget_seconds=days * 86400, started_at=start,
                        running_since=start, **fields)
    Clocks().time_alerts(deadline)
    deadline.save()
    return deadline


def test_a_holiday_inside_the_window_moves_the_due_moment_and_taking_it_back_moves_it_back(
        django_capture_on_commit_callbacks, users):
    running = step()
    due = running.due_at
    assert due.astimezone(SHANGHAI).date() == dt.date(2026, 12, 9)
    later = step(start=MONDAY + dt.timedelta(days=14))
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(actor=users["manager"], date=dt.date(2026, 12, 8), kind="holiday", name="停电检修")
    running.refresh_from_db()
    assert running.due_at.astimezone(SHANGHAI).date() == dt.date(2026, 12, 10)
    assert running.detail["calendar_retimed"][-1]["from"] == due.isoformat()
    later_due = later.due_at
    later.refresh_from_db()
    assert later.due_at == later_due  # the day is not in its window
    with django_capture_on_commit_callbacks(execute=True):
        CalendarDay.objects.filter(date=dt.date(2026, 12, 8)).delete()
    running.refresh_from_db()
    assert running.due_at == due


def test_an_imported_schedule_retimes_once_and_met_steps_stay(django_capture_on_commit_callbacks, users):
    running, met = step(), step()
    met_due = met.due_at
    Deadline.objects.filter(pk=met.pk).update(state=DeadlineState.MET)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        calendar_import(actor=users["manager"], rows=[["2026-12-08", "shutdown", "盘点"],
                                                      ["2026-12-09", "shutdown", "盘点"]])
    assert len(callbacks) == 1
    running.refresh_from_db()
    met.refresh_from_db()
    assert running.due_at.astimezone(SHANGHAI).date() == dt.date(2026, 12, 11)
    assert met.due_at == met_due


def test_an_overdue_alert_comes_down_when_the_due_moment_moves_past_now(django_capture_on_commit_callbacks, users,
                                                                         monkeypatch):
    running = step(alert_level=AlertLevel.OVERDUE)
    now = running.due_at + dt.timedelta(hours=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(actor=users["manager"], date=dt.date(2026, 12, 8), kind="holiday")
    running.refresh_from_db()
    assert running.due_at > now
    assert running.alert_level < AlertLevel.OVERDUE
    assert running.next_alert_at is not None and running.next_alert_at <= running.due_at


def test_changing_the_office_hours_policy_retimes_office_clocks(django_capture_on_commit_callbacks, users):
    deadline = Deadline(kind="first_reply", subject_type="return_case", subject_id=2, reference="RMA-2026-000002",
                        role="service", clock="office", budget_seconds=8 * 3600, started_at=MONDAY,
                        running_since=MONDAY)
    Clocks().time_alerts(deadline)
    deadline.save()
    before = deadline.due_at
    with django_capture_on_commit_callbacks(execute=True):
        policy_update(actor=users["manager"], key="working_hours_per_day", new_value=4)
    deadline.refresh_from_db()
    assert deadline.due_at > before


def test_a_change_rolled_back_is_forgotten_and_the_next_one_retimes(django_capture_on_commit_callbacks, users):
    from django.db import transaction

    running = step()
    with pytest.raises(RuntimeError), transaction.atomic():
        calendar_day_set(actor=users["manager"], date=dt.date(2026, 12, 9), kind="holiday")
        raise RuntimeError
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        calendar_day_set(actor=users["manager"], date=dt.date(2026, 12, 8), kind="holiday")
    assert len(callbacks) == 1
    running.refresh_from_db()
    assert running.due_at.astimezone(SHANGHAI).date() == dt.date(2026, 12, 10)
