"""Changes to the company's calendar days: by a manager, audited, whole files all-or-nothing."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import ImportRejected, InvalidInput
from aftersales.lib.dates import parse_date

from .models import CalendarDay, DayKind

NAME_LENGTH = 80


def calendar_day_set(*, actor, date: dt.date, kind: str, name: str = "") -> CalendarDay:
    if kind not in DayKind.values:
        raise InvalidInput(details={"kind": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(DayKind.values)}]})
    name = parsing.text(name, "name", max_length=NAME_LENGTH)
    day, _created = CalendarDay.objects.update_or_create(
        date=date, defaults={"kind": kind, "name": name, "created_by": actor if getattr(actor, "pk", None) else None})
    return day


@transaction.atomic
def calendar_import(*, actor, rows: list[list[str]]) -> int:
    """Rows of (date, kind, name), e.g. a year's official schedule: every bad row is reported, none is saved."""
    errors, days = [], {}
    for number, row in enumerate(rows, start=1):
        cells = [str(cell).strip() for cell in row] + ["", "", ""]
        if not any(cells[:3]) or (number == 1 and cells[0].lower() in {"date", "日期"}):
            continue
        try:
            date = parse_date(cells[0])
        except ValueError:
            errors.append({"row": number, "column": "date", "message": _("Not a date: %(value)s") % {"value": cells[0]}})
            continue
        if cells[1] not in DayKind.values:
            errors.append({"row": number, "column": "kind",
                           "message": _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(DayKind.values)}})
            continue
        if date in days:
            errors.append({"row": number, "column": "date",
                           "message": _("This date is listed twice: %(value)s") % {"value": cells[0]}})
            continue
        if len(cells[2]) > NAME_LENGTH:
            errors.append({"row": number, "column": "name", "message": _("At most %(maximum)s characters.")
                           % {"maximum": NAME_LENGTH}})
            continue
        days[date] = (cells[1], cells[2])
    if errors:
        raise ImportRejected(details={"errors": errors, "error_count": len(errors)})
    for date, (kind, name) in days.items():
        calendar_day_set(actor=actor, date=date, kind=kind, name=name)
    return len(days)
