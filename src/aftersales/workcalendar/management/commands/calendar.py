"""`aftersales calendar …`: the working-day calendar for people who check by hand.

    aftersales calendar due 2026-09-30 --working-days 1       (received that day: due by the end of 2026-10-08)
    aftersales calendar due 2026-09-30T16:00 --working-days 2
    aftersales calendar due "2026-09-30 16:00" --working-hours 12
    aftersales calendar is-workday 2026-10-10
    aftersales calendar import schedule-2027.csv     (date,kind,name; kind: holiday|shutdown|workday)
    aftersales calendar status
"""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aftersales.core.errors import AppError
from aftersales.lib.dates import parse_date, parse_date_or_moment
from aftersales.workcalendar.calendar import calendar_load


def _start(text: str, calendar) -> dt.date | dt.datetime:
    """A date (something received that day) or a moment, in the calendar's zone when none is given."""
    try:
        start = parse_date_or_moment(text)
    except ValueError:
        raise CommandError(f"Not a date or moment: {text!r} (use 2026-09-30 or 2026-09-30T16:00).") from None
    if isinstance(start, dt.datetime) and timezone.is_naive(start):
        start = start.replace(tzinfo=calendar.tz)
    return start


class Command(BaseCommand):
    help = "Working days in China (statutory holidays, adjusted working days, company overrides)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        due = sub.add_parser("due", help="The due moment N working days or hours after START.")
        due.add_argument("start")
        amount = due.add_mutually_exclusive_group(required=True)
        amount.add_argument("--working-days", type=float)
        amount.add_argument("--working-hours", type=float, help="Office hours (policy: start hour, hours per day).")
        amount.add_argument("--hours", type=float, help="Hours counted on working days only (24 per working day).")
        workday = sub.add_parser("is-workday", help="yes or no, with the reason.")
        workday.add_argument("date")
        imported = sub.add_parser("import", help="Company days or a year's official schedule from CSV/XLSX.")
        imported.add_argument("file")
        sub.add_parser("status", help="The year the calendar is confirmed through, and warnings.")

    def handle(self, *args, what, **options):
        calendar = calendar_load()
        if what == "due":
            self._due(calendar, options)
        elif what == "is-workday":
            self._is_workday(calendar, options["date"])
        elif what == "import":
            self._import(options["file"])
        else:
            self._status(calendar)

    def _due(self, calendar, options):
        start = _start(options["start"], calendar)
        if not isinstance(start, dt.datetime):
            due = self._due_date(calendar, start, options)
            line = due.strftime("%Y-%m-%d %A")
        else:
            if options["working_days"] is not None:
                due = calendar.add_working_days(start, options["working_days"])
            elif options["working_hours"] is not None:
                due = calendar.add_working_hours(start, options["working_hours"])
            else:
                due = calendar.add_hours_on_working_days(start, options["hours"])
            line = due.strftime("%Y-%m-%d %H:%M %A")
        if calendar.is_provisional(due):
            line += f" (provisional: {due.year} schedule not confirmed)"
        self.stdout.write(line)
        self._warn_provisional(calendar, start, due)

    @staticmethod
    def _due_date(calendar, start: dt.date, options) -> dt.date:
        if options["working_days"] is None:
            raise CommandError("Hours count from a moment: give the time too, such as 2026-09-30T16:00.")
        try:
            return calendar.working_days_after(start, options["working_days"])
        except AppError as error:
            raise CommandError(str(error.message)) from None

    def _is_workday(self, calendar, text):
        try:
            date = parse_date(text)
        except ValueError:
            raise CommandError(f"Not a date: {text!r}") from None
        info = calendar.day(date)
        reason = info.reason_label + (f": {info.name}" if info.name else "")
        self.stdout.write(f"{'yes' if info.workday else 'no'} ({reason})")
        self._warn_provisional(calendar, date)

    def _import(self, path):
        from aftersales.core.uploads import TABLE_ERRORS, path_read, table_refusal
        from aftersales.lib.tabular import MAX_FILE_BYTES, TableError, TableTooLarge, raw_rows
        from aftersales.workcalendar.services import calendar_import

        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No file at {file}.")
        try:
            rows = raw_rows(path_read(file, max_bytes=MAX_FILE_BYTES), file.name)
        except TableTooLarge as exc:
            raise CommandError(f"{table_refusal(exc).message} ({exc.code}; nothing was saved)") from None
        except TableError as exc:
            raise CommandError(f"{TABLE_ERRORS[exc.code]} ({exc.code}; nothing was saved)") from None
        except AppError as error:  # the file's size
            raise CommandError(f"{error.message} ({error.code}; nothing was saved)") from None
        try:
            count = calendar_import(actor=None, rows=rows)
        except AppError as error:
            for problem in (error.details or {}).get("errors", []):
                self.stderr.write(f"row {problem['row']}, {problem['column']}: {problem['message']}")
            raise CommandError(str(error.message)) from None
        self.stdout.write(f"{count} day(s) saved.")

    def _status(self, calendar):
        from aftersales.workcalendar.calendar import calendar_warnings

        self.stdout.write(f"confirmed through {calendar.confirmed_through}")
        for warning in calendar_warnings(calendar, timezone.localdate()):
            self.stderr.write(f"warning: {warning}")

    def _warn_provisional(self, calendar, *moments):
        years = sorted({m.year for m in moments if calendar.is_provisional(m)})
        if years:
            self.stderr.write(
                f"warning: {', '.join(map(str, years))} is provisional: the calendar is confirmed through "
                f"{calendar.confirmed_through}; the library guesses later holidays and knows no adjusted working days."
            )
