"""China's working days and working time on them.

A day is a working day by, in this order: the company's override (shutdown, holiday or extra
working day), the statutory calendar of the `holidays` library (public holidays and the
adjusted working weekends, 调休), and the weekend. Years after the "confirmed through" policy
are provisional: `holidays` guesses them (no adjusted working days), so every answer that
touches them says so.

Working time runs on two clocks:
- the day clock runs all 24 hours of every working day and stops on days off: deadlines in
  working days (N working days = N × 24 hours on it) and in hours on working days;
- the office clock runs the working hours of each working day (from the policy's start hour,
  for the policy's hours per day): deadlines in working hours.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from aftersales.core import policies
from aftersales.core.errors import InvalidInput

DAY, OFFICE = "day", "office"
# A deadline further than this is a mistake (a shutdown typed for years, a budget in seconds).
HORIZON_DAYS = 3660
SECONDS_PER_DAY = 86400

REASONS = {
    "weekday": _("weekday"),
    "weekend": _("weekend"),
    "holiday": _("statutory holiday"),
    "adjusted_workday": _("adjusted working day (调休)"),
    "override_workday": _("company working day"),
    "override_holiday": _("company holiday"),
    "shutdown": _("company shutdown"),
}


def _beyond_horizon() -> InvalidInput:
    return InvalidInput(_("No working time within ten years of this moment: check the calendar's overrides."),
                        code="calendar_horizon")


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    workday: bool
    reason: str
    name: str
    provisional: bool

    @property
    def reason_label(self) -> str:
        return str(REASONS[self.reason])


@lru_cache(maxsize=64)
def _statutory(year: int, language: str) -> tuple[dict, frozenset]:
    """The library's holidays and adjusted working days of one year (pure: cached)."""
    calendar = holidays.China(years=year, language="zh_CN" if language.startswith("zh") else "en_US")
    days = {day: name for day, name in calendar.items() if day.year == year}
    return days, frozenset(day for day in calendar.weekend_workdays if day.year == year)


class WorkCalendar:
    def __init__(self, *, overrides: dict | None = None, confirmed_through: int, day_start_hour: int = 8,
                 hours_per_day: int = 8, language: str = "zh-hans", tz: str | None = None):
        self.overrides = overrides or {}  # date -> (kind, name)
        self.confirmed_through = confirmed_through
        self.day_start = dt.time(day_start_hour)
        self.hours_per_day = hours_per_day
        self.language = language
        self.tz = ZoneInfo(tz or settings.TIME_ZONE)
        self._days: dict[dt.date, DayInfo] = {}

    # --- days ---

    def day(self, date: dt.date) -> DayInfo:
        info = self._days.get(date)
        if info is None:
            info = self._days[date] = self._day(date)
        return info

    def _day(self, date: dt.date) -> DayInfo:
        provisional = date.year > self.confirmed_through
        if date in self.overrides:
            kind, name = self.overrides[date]
            reason = {"workday": "override_workday", "holiday": "override_holiday", "shutdown": "shutdown"}[kind]
            return DayInfo(date, kind == "workday", reason, name, provisional)
        statutory, adjusted = _statutory(date.year, self.language)
        if date in adjusted:
            return DayInfo(date, True, "adjusted_workday", "", provisional)
        if date in statutory:
            return DayInfo(date, False, "holiday", statutory[date], provisional)
        if date.weekday() >= 5:
            return DayInfo(date, False, "weekend", "", provisional)
        return DayInfo(date, True, "weekday", "", provisional)

    def is_workday(self, date: dt.date) -> bool:
        return self.day(date).workday

    def is_provisional(self, moment: dt.datetime | dt.date) -> bool:
        """Whether the day of `moment` (in the calendar's zone: a moment read back from the database is UTC)
        falls in a year whose official schedule is not confirmed."""
        if isinstance(moment, dt.datetime):
            moment = moment.astimezone(self.tz)
        return moment.year > self.confirmed_through

    # --- working time ---

    def _intervals(self, start: dt.datetime, clock: str):
        """The working intervals from the day of `start` on, as (begin, end) aware datetimes."""
        local = start.astimezone(self.tz)
        date = local.date()
        for _offset in range(HORIZON_DAYS):
            if self.day(date).workday:
                if clock == DAY:
                    begin = dt.datetime.combine(date, dt.time(), tzinfo=self.tz)
                    end = begin + dt.timedelta(days=1)
                else:
                    begin = dt.datetime.combine(date, self.day_start, tzinfo=self.tz)
                    end = begin + dt.timedelta(hours=self.hours_per_day)
                yield begin, end
            date += dt.timedelta(days=1)
        raise _beyond_horizon()

    def add(self, moment: dt.datetime, seconds: float, clock: str = DAY) -> dt.datetime:
        """The moment when `seconds` of working time on `clock` have passed since `moment`."""
        remaining = dt.timedelta(seconds=seconds)
        cursor = moment
        for begin, end in self._intervals(moment, clock):
            if end <= cursor:
                continue
            begin = max(begin, cursor)
            if remaining <= end - begin:
                return (begin + remaining).astimezone(self.tz)
            remaining -= end - begin
            cursor = end
        raise AssertionError("unreachable")  # _intervals raises past the horizon

    def between(self, start: dt.datetime, end: dt.datetime, clock: str = DAY) -> dt.timedelta:
        """Working time on `clock` from `start` to `end` (zero if `end` is not later)."""
        total = dt.timedelta()
        if end <= start:
            return total
        for begin, stop in self._intervals(start, clock):
            if begin >= end:
                break
            overlap = min(stop, end) - max(begin, start)
            if overlap > dt.timedelta():
                total += overlap
        return total

    def time_left(self, at: dt.datetime, due: dt.datetime, clock: str = DAY) -> tuple[bool, str, int]:
        """(overdue, unit, amount): the working time from `at` to `due` (or since `due`, once past) in its
        largest whole unit: "working_days" (a full day of the clock), "hours", or "minutes" (at least 1)."""
        overdue = due <= at
        left = self.between(due, at, clock) if overdue else self.between(at, due, clock)
        seconds = left.total_seconds()
        day = SECONDS_PER_DAY if clock == DAY else self.hours_per_day * 3600
        if seconds >= day:
            return overdue, "working_days", int(seconds // day)
        if seconds >= 3600:
            return overdue, "hours", int(seconds // 3600)
        return overdue, "minutes", max(1, int(-(-seconds // 60)))

    def add_working_days(self, moment: dt.datetime, days: float) -> dt.datetime:
        return self.add(moment, days * SECONDS_PER_DAY, DAY)

    def add_working_hours(self, moment: dt.datetime, hours: float) -> dt.datetime:
        return self.add(moment, hours * 3600, OFFICE)

    def add_hours_on_working_days(self, moment: dt.datetime, hours: float) -> dt.datetime:
        return self.add(moment, hours * 3600, DAY)

    def working_days_after(self, date: dt.date, days: int | float) -> dt.date:
        """The `days`-th working day after `date`: what is received on a day and allowed N working days is
        due by the end of that working day, so the answer is the day itself (its midnight would name the next)."""
        if days != int(days) or not 1 <= days <= HORIZON_DAYS:
            raise InvalidInput(_("From a date, count whole working days (1 or more); to count part of a day, "
                                 "give the moment it starts, such as 2026-09-30T16:00."), code="whole_working_days")
        counted = 0
        for offset in range(1, HORIZON_DAYS + 1):
            day = date + dt.timedelta(days=offset)
            if self.day(day).workday:
                counted += 1
                if counted == days:
                    return day
        raise _beyond_horizon()

    def next_workday(self, date: dt.date) -> dt.date:
        for _offset in range(HORIZON_DAYS):
            if self.day(date).workday:
                return date
            date += dt.timedelta(days=1)
        raise _beyond_horizon()


def calendar_load(*, language: str | None = None, values: dict | None = None) -> WorkCalendar:
    """The company's calendar now: overrides and policies from the database (two queries)."""
    from django.utils import translation

    from .models import CalendarDay

    values = values or policies.snapshot()
    overrides = {row.date: (row.kind, row.name) for row in CalendarDay.objects.only("date", "kind", "name")}
    return WorkCalendar(
        overrides=overrides,
        confirmed_through=values["calendar_confirmed_through_year"],
        day_start_hour=values["working_day_start_hour"],
        hours_per_day=values["working_hours_per_day"],
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
    )


def calendar_warnings(calendar: WorkCalendar, today: dt.date, *, horizon_days: int = 90) -> list[str]:
    """What the health check says about the calendar: a provisional year within reach of deadlines."""
    reach = today + dt.timedelta(days=horizon_days)
    if reach.year <= calendar.confirmed_through:
        return []
    return [str(_("The working-day calendar is confirmed through %(year)s only: deadlines in %(next)s are "
                  "provisional until the official schedule is entered and confirmed.")
                % {"year": calendar.confirmed_through, "next": calendar.confirmed_through + 1})]
