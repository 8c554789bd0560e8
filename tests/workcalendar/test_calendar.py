"""The working-day calendar on known dates (2025 and 2026 are officially published years)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core.errors import ImportRejected, InvalidInput
from aftersales.core.policies import policy_update
from aftersales.lib.dates import parse_date_or_moment
from aftersales.workcalendar.calendar import DAY, OFFICE, WorkCalendar, calendar_load, calendar_warnings
from aftersales.workcalendar.models import CalendarDay
from aftersales.workcalendar.services import calendar_import

from tests.conftest import SHANGHAI as SH
from tests.conftest import at


def calendar(**kwargs) -> WorkCalendar:
    return WorkCalendar(**{"confirmed_through": 2026, **kwargs})


@pytest.mark.parametrize("date, workday, reason", [
    ("2026-09-30", True, "weekday"),
    ("2026-10-01", False, "holiday"),          # 国庆节
    ("2026-10-04", False, "weekend"),           # Sunday inside the golden week
    ("2026-10-07", False, "holiday"),           # 休息日（由 2026-10-10 调休）
    ("2026-10-10", True, "adjusted_workday"),   # Saturday worked for the golden week
    ("2026-09-20", True, "adjusted_workday"),   # Sunday worked
    ("2026-09-25", False, "holiday"),           # 中秋节
    ("2026-02-14", True, "adjusted_workday"),   # Saturday before the Spring Festival
    ("2026-02-17", False, "holiday"),           # 春节
    ("2026-11-28", False, "weekend"),
])
def test_days_of_2026(date, workday, reason):
    info = calendar().day(dt.date.fromisoformat(date))
    assert (info.workday, info.reason, info.provisional) == (workday, reason, False)


def test_a_holiday_has_its_name_in_the_language_asked():
    assert calendar().day(dt.date(2026, 10, 1)).name == "国庆节"
    assert calendar(language="en").day(dt.date(2026, 10, 1)).name == "National Day"


def test_a_step_started_on_the_friday_before_national_day_is_due_after_the_holiday():
    # 2025: Sat 27 Sep off, Sun 28 Sep worked (调休), 1–8 Oct off, Sat 11 Oct worked.
    friday = at("2025-09-26T10:00")
    assert calendar().add_working_days(friday, 2) == at("2025-09-29T10:00")  # the adjusted Sunday counts
    assert calendar().add_working_days(friday, 5) == at("2025-10-10T10:00")
    assert calendar().add_working_days(friday, 6) == at("2025-10-11T10:00")  # adjusted Saturday
    assert calendar().add_working_days(at("2026-09-30T16:00"), 1) == at("2026-10-08T16:00")


@pytest.mark.parametrize("received, days, due", [
    # 2026: 1–7 Oct off (国庆节), Thu 8 Oct the first working day after.
    ("2026-09-30", 1, "2026-10-08"),
    # 8 Oct (1), Fri 9 Oct (2), Sat 10 Oct worked (调休) (3).
    ("2026-09-30", 3, "2026-10-10"),
    # … Sun 11 Oct off, Mon 12 Oct (4).
    ("2026-09-30", 4, "2026-10-12"),
    # Received on a day off: counting starts the day after all the same.
    ("2026-10-03", 1, "2026-10-08"),
    # 2026: 1–3 Jan off (元旦), Sun 4 Jan worked (调休).
    ("2025-12-31", 1, "2026-01-04"),
    ("2025-12-31", 2, "2026-01-05"),
    # 2026: Sat 14 Feb worked, 15–23 Feb off (春节), Tue 24 Feb.
    ("2026-02-13", 1, "2026-02-14"),
    ("2026-02-13", 2, "2026-02-24"),
    # 2026: 1–5 May off (劳动节); 6, 7, 8 May, then Sat 9 May worked.
    ("2026-04-30", 1, "2026-05-06"),
    ("2026-04-30", 4, "2026-05-09"),
    # 2025: Sat 27 Sep off, Sun 28 Sep worked; Mon 29, Tue 30; 1–8 Oct off; Thu 9, Fri 10, Sat 11 Oct worked.
    ("2025-09-26", 1, "2025-09-28"),
    ("2025-09-26", 4, "2025-10-09"),
    ("2025-09-26", 6, "2025-10-11"),
    ("2025-09-26", 7.0, "2025-10-13"),  # a whole number written as a decimal is still whole
])
def test_whole_working_days_after_a_date_end_on_a_working_day(received, days, due):
    assert calendar().working_days_after(dt.date.fromisoformat(received), days) == dt.date.fromisoformat(due)


@pytest.mark.parametrize("text, read", [
    ("2026-09-30", dt.date(2026, 9, 30)),
    ("2026/9/30", dt.date(2026, 9, 30)),
    ("2026年9月30日", dt.date(2026, 9, 30)),
    ("20260930", dt.date(2026, 9, 30)),
    ("2026-09-30T16:00", dt.datetime(2026, 9, 30, 16)),
    ("2026-09-30 00:00", dt.datetime(2026, 9, 30)),  # midnight written out is a moment
    ("2026-09-30T16:00+08:00", at("2026-09-30T16:00")),
])
def test_a_start_without_a_time_of_day_is_a_date(text, read):
    assert parse_date_or_moment(text) == read and type(parse_date_or_moment(text)) is type(read)


@pytest.mark.parametrize("days", [0, 1.5, -1, 0.25])
def test_from_a_date_only_whole_working_days_count(days):
    with pytest.raises(InvalidInput) as refused:
        calendar().working_days_after(dt.date(2026, 9, 30), days)
    assert refused.value.code == "whole_working_days"


@settings(max_examples=80, deadline=None)
@given(received=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 11, 30)),
       days=st.integers(min_value=1, max_value=20))
def test_the_due_date_is_the_end_of_the_day_clock_from_the_end_of_the_day_received(received, days):
    cal = calendar()
    due = cal.working_days_after(received, days)
    assert due > received and cal.day(due).workday
    end_of = lambda date: dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), tzinfo=SH)  # noqa: E731
    assert cal.between(end_of(received), end_of(due), DAY) == dt.timedelta(days=days)


def test_working_hours_run_in_office_hours_only():
    cal = calendar(day_start_hour=8, hours_per_day=8)  # 08:00-16:00
    assert cal.add_working_hours(at("2026-09-30T15:00"), 4) == at("2026-10-08T11:00")
    assert cal.add_working_hours(at("2026-09-30T18:00"), 1) == at("2026-10-08T09:00")
    assert cal.add_working_hours(at("2026-10-03T12:00"), 8) == at("2026-10-08T16:00")
    assert cal.between(at("2026-09-30T15:00"), at("2026-10-08T11:00"), OFFICE) == dt.timedelta(hours=4)


def test_hours_on_working_days_stop_on_days_off():
    assert calendar().add_hours_on_working_days(at("2026-09-30T20:00"), 24) == at("2026-10-08T20:00")
    assert calendar().between(at("2026-09-30T20:00"), at("2026-10-08T20:00"), DAY) == dt.timedelta(hours=24)


def test_a_company_shutdown_moves_a_due_date():
    shutdown = calendar(overrides={dt.date(2026, 10, 8): ("shutdown", "年度停产检修")})
    assert shutdown.add_working_days(at("2026-09-30T16:00"), 1) == at("2026-10-09T16:00")
    info = shutdown.day(dt.date(2026, 10, 8))
    assert (info.workday, info.reason, info.name) == (False, "shutdown", "年度停产检修")
    extra = calendar(overrides={dt.date(2026, 10, 3): ("workday", "赶工")})
    assert extra.add_working_days(at("2026-09-30T16:00"), 1) == at("2026-10-03T16:00")


def test_an_unconfirmed_year_falls_back_to_the_library_and_is_flagged():
    cal = calendar()
    info = cal.day(dt.date(2027, 10, 1))
    assert (info.workday, info.provisional) == (False, True)  # the library's guess, flagged
    assert cal.is_provisional(cal.add_working_days(at("2027-03-01T09:00"), 1))
    assert calendar_warnings(cal, dt.date(2026, 11, 26)) != []
    assert calendar_warnings(calendar(confirmed_through=2027), dt.date(2026, 11, 26)) == []


@settings(max_examples=60, deadline=None)
@given(start=st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2026, 12, 1)),
       seconds=st.integers(min_value=0, max_value=40 * 86400), office=st.booleans())
def test_working_time_between_a_moment_and_its_due_moment_is_what_was_added(start, seconds, office):
    cal = calendar()
    clock = OFFICE if office else DAY
    start = start.replace(tzinfo=SH)
    due = cal.add(start, seconds, clock)
    assert due >= start
    assert cal.between(start, due, clock) == dt.timedelta(seconds=seconds)


# --- stored overrides, policies, the command, the API, the health check ---

@pytest.mark.django_db
def test_overrides_and_policies_come_from_the_database(users):
    CalendarDay.objects.create(date=dt.date(2026, 10, 8), kind="shutdown", name="停产")
    policy_update(actor=users["manager"], key="calendar_confirmed_through_year", new_value=2027)
    cal = calendar_load()
    assert cal.day(dt.date(2026, 10, 8)).reason == "shutdown"
    assert cal.confirmed_through == 2027 and not cal.day(dt.date(2027, 5, 1)).provisional


def run(*args, language="en") -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with translation.override(language):
        call_command("calendar", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_command_due_and_is_workday():
    assert run("due", "2026-09-30T16:00", "--working-days", "1")[0].startswith("2026-10-08 16:00")
    assert run("due", "2026-09-30 15:00", "--working-hours", "4")[0].startswith("2026-10-08 11:00")
    assert run("due", "2026-09-30T20:00", "--hours", "24")[0].startswith("2026-10-08 20:00")
    out, err = run("is-workday", "2026-10-10")
    assert out.startswith("yes (adjusted working day") and err == ""
    assert run("is-workday", "2026-10-01")[0].startswith("no (statutory holiday: National Day")
    assert run("is-workday", "2026-10-01", language="zh-hans")[0].startswith("no (法定节假日: 国庆节")
    assert run("is-workday", "2026-10-04")[0].startswith("no (weekend")
    assert run("is-workday", "2026-10-10", language="zh-hans")[0] == "yes (调休上班日)\n"
    out, err = run("is-workday", "2031-10-01")
    assert out.startswith("no") and "2031 is provisional" in err
    with pytest.raises(CommandError):
        run("is-workday", "next tuesday")


@pytest.mark.django_db
def test_command_due_from_a_date_is_that_working_day_without_a_time():
    assert run("due", "2026-09-30", "--working-days", "1") == ("2026-10-08 Thursday\n", "")
    assert run("due", "2026-09-30", "--working-days", "3")[0] == "2026-10-10 Saturday\n"
    assert run("due", "2025/12/31", "--working-days", "1")[0] == "2026-01-04 Sunday\n"
    for fraction in ("1.5", "0"):
        with pytest.raises(CommandError, match="whole working days"):
            run("due", "2026-09-30", "--working-days", fraction)
    with pytest.raises(CommandError, match="give the time too"):
        run("due", "2026-09-30", "--hours", "24")


@pytest.mark.django_db
def test_command_marks_a_due_in_an_unconfirmed_year_on_its_own_line():
    # Confirmed through 2026 (the policy's default): 1 Jan 2027 is the library's guess, 2–3 Jan a weekend.
    out, err = run("due", "2026-12-31", "--working-days", "1")
    assert out == "2027-01-04 Monday (provisional: 2027 schedule not confirmed)\n"
    assert "2027 is provisional" in err
    out, _err = run("due", "2026-12-31T16:00", "--working-days", "1")
    assert out == "2027-01-04 16:00 Monday (provisional: 2027 schedule not confirmed)\n"
    assert run("due", "2026-12-30", "--working-days", "1") == ("2026-12-31 Thursday\n", "")


def test_a_moment_is_provisional_by_its_day_in_china():
    new_year_in_shanghai = dt.datetime(2026, 12, 31, 17, tzinfo=dt.timezone.utc)  # 2027-01-01 01:00 +08:00
    assert calendar().is_provisional(new_year_in_shanghai)
    assert not calendar().is_provisional(dt.datetime(2026, 12, 31, 15, tzinfo=dt.timezone.utc))


@pytest.mark.django_db
def test_command_imports_a_year_all_or_nothing(tmp_path):
    good = tmp_path / "2027.csv"
    good.write_text("date,kind,name\n2027-02-06,holiday,春节\n2027-02-20,workday,调休上班\n", encoding="utf-8")
    assert run("import", str(good))[0].startswith("2 day(s) saved")
    assert CalendarDay.objects.get(date="2027-02-20").kind == "workday"
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,name\n2027-10-01,holiday,国庆\n2027-13-01,holiday,x\n2027-10-02,vacation,\n",
                   encoding="utf-8")
    with pytest.raises(CommandError):
        run("import", str(bad))
    assert not CalendarDay.objects.filter(date="2027-10-01").exists()
    with pytest.raises(ImportRejected) as rejected:
        calendar_import(actor=None, rows=[["2027-10-01", "holiday", ""], ["2027-10-01", "workday", ""]])
    assert rejected.value.details["errors"][0]["row"] == 2


@pytest.mark.django_db
def test_a_moment_whose_plus_was_not_escaped_in_the_query_string_keeps_its_offset(api):
    # ?start=2026-09-30T16:00+08:00 typed into a URL: the "+" arrives as a space.
    answer = api("quality").get("/api/v1/calendar/due/?start=2026-09-30T08:00+00:00&working_days=1")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["due"] == "2026-10-08T16:00:00+08:00"


@pytest.mark.django_db
def test_api_workday_due_and_overrides_by_managers_only(api):
    answer = api("quality").get("/api/v1/calendar/workday/", {"date": "2026-10-10"}).json()
    assert (answer["workday"], answer["reason"], answer["provisional"]) == (True, "adjusted_workday", False)
    answer = api("quality").get("/api/v1/calendar/due/", {"start": "2026-09-30T16:00", "working_days": "1"}).json()
    assert answer["due"] == "2026-10-08T16:00:00+08:00" and answer["provisional"] is False
    assert api("quality").get("/api/v1/calendar/due/", {"start": "2027-12-30T16:00", "hours": "24"}).json()[
        "provisional"] is True
    answer = api("quality").get("/api/v1/calendar/due/", {"start": "2026-09-30", "working_days": "1"}).json()
    assert answer == {"start": "2026-09-30", "due": None, "due_date": "2026-10-08", "provisional": False}
    answer = api("quality").get("/api/v1/calendar/due/", {"start": "2026-12-31", "working_days": "1"}).json()
    assert (answer["due_date"], answer["provisional"]) == ("2027-01-04", True)
    for amount, code in ({"working_days": "1.5"}, "whole_working_days"), ({"hours": "24"}, "moment_required"):
        bad = api("quality").get("/api/v1/calendar/due/", {"start": "2026-09-30", **amount})
        assert (bad.status_code, bad.json()["code"]) == (400, code)
    bad = api("quality").get("/api/v1/calendar/due/", {"start": "yesterday", "working_days": "x"})
    assert bad.status_code == 400 and "start" in bad.json()["details"]
    bad = api("quality").get("/api/v1/calendar/due/", {"start": "2026-09-30T16:00"})
    assert bad.status_code == 400 and "working_days" in bad.json()["details"]
    day = {"date": "2026-10-08", "kind": "shutdown", "name": "停产检修"}
    assert api("quality").post("/api/v1/calendar/days/", day).status_code == 403
    assert api("alice").get("/api/v1/calendar/days/").status_code == 403
    created = api("manager").post("/api/v1/calendar/days/", day)
    assert created.status_code == 201, created.json()
    answer = api("quality").get("/api/v1/calendar/due/", {"start": "2026-09-30T16:00", "working_days": "1"}).json()
    assert answer["due"] == "2026-10-09T16:00:00+08:00"
    answer = api("quality").get("/api/v1/calendar/due/", {"start": "2026-09-30", "working_days": "1"}).json()
    assert answer["due_date"] == "2026-10-09"
    assert api("manager").post("/api/v1/calendar/days/", day).status_code == 400  # one entry per date
    assert api("manager").delete(f"/api/v1/calendar/days/{created.json()['id']}/").status_code == 204


@pytest.mark.django_db
def test_health_check_warns_of_a_provisional_year_ahead(client, users):
    policy_update(actor=users["manager"], key="calendar_confirmed_through_year", new_value=2026)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2026, 11, 26))
        body = client.get("/healthz").json()
    assert body["status"] == "ok" and "2027" in body["warnings"][0]
    policy_update(actor=users["manager"], key="calendar_confirmed_through_year", new_value=2027)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2026, 11, 26))
        assert client.get("/healthz").json()["warnings"] == []
