"""The calendar against the State Council's published schedules, typed in from the notices, not from
the `holidays` library: every day of 2025 and 2026 must agree."""

import datetime as dt

import pytest

from aftersales.workcalendar.calendar import WorkCalendar

# 国务院办公厅关于2025年部分节假日安排的通知 and 国务院办公厅关于2026年部分节假日安排的通知:
# the days off of each holiday (first, last, both included) and the weekend days worked instead (调休上班).
SCHEDULES = {
    2025: {
        "days_off": [("元旦", "01-01", "01-01"), ("春节", "01-28", "02-04"), ("清明节", "04-04", "04-06"),
                     ("劳动节", "05-01", "05-05"), ("端午节", "05-31", "06-02"), ("国庆节、中秋节", "10-01", "10-08")],
        "weekend_days_worked": ["01-26", "02-08", "04-27", "09-28", "10-11"],
    },
    2026: {
        "days_off": [("元旦", "01-01", "01-03"), ("春节", "02-15", "02-23"), ("清明节", "04-04", "04-06"),
                     ("劳动节", "05-01", "05-05"), ("端午节", "06-19", "06-21"), ("中秋节", "09-25", "09-27"),
                     ("国庆节", "10-01", "10-07")],
        "weekend_days_worked": ["01-04", "02-14", "02-28", "05-09", "09-20", "10-10"],
    },
}


def _days(year: int, month_day: str) -> dt.date:
    return dt.date.fromisoformat(f"{year}-{month_day}")


def official(year: int) -> tuple[set, set]:
    """The days off and the weekend days worked of a year, as the notice lists them."""
    schedule = SCHEDULES[year]
    off = set()
    for _name, first, last in schedule["days_off"]:
        day = _days(year, first)
        while day <= _days(year, last):
            off.add(day)
            day += dt.timedelta(days=1)
    return off, {_days(year, month_day) for month_day in schedule["weekend_days_worked"]}


def test_the_typed_schedules_are_consistent():
    for year in SCHEDULES:
        off, worked = official(year)
        assert all(day.weekday() >= 5 for day in worked), year  # 调休上班 falls on a Saturday or Sunday
        assert not off & worked, year


@pytest.mark.parametrize("year", sorted(SCHEDULES))
def test_every_day_of_the_year_is_what_the_state_council_published(year):
    off, worked = official(year)
    calendar = WorkCalendar(confirmed_through=2026)
    day, disagreements = dt.date(year, 1, 1), []
    while day.year == year:
        expected = day in worked or (day.weekday() < 5 and day not in off)
        info = calendar.day(day)
        if info.workday != expected or info.provisional:
            disagreements.append((day.isoformat(), day.strftime("%a"), "expected", expected, info))
        if day in worked and info.reason != "adjusted_workday":
            disagreements.append((day.isoformat(), "expected an adjusted working day", info))
        day += dt.timedelta(days=1)
    assert disagreements == []
