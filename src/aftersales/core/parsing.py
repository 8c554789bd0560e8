"""Reading what a client sent: ids, id lists, whole numbers, flags, amounts, text and dates.

One module for the API and the pages alike, so every edge refuses the same things the same way:
a value of the wrong type, an id past what the database's integer keys hold, a quantity no return
could have, a date that does not exist, text that is too long (refused, never cut) or holds a NUL
character. Each failure is an InvalidInput naming the field, in the user's language; nothing is
written because nothing has started yet.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from aftersales.lib.dates import restore_offset

from .errors import InvalidInput

# The largest id the integer keys hold, the same on SQLite and PostgreSQL (PostgreSQL's integer).
MAX_ID = 2**31 - 1
# Units on one line or one receiving entry: far above any real return, far below the columns.
MAX_UNITS = 100_000
_ASCII_DIGITS = re.compile(r"[0-9]+")


def _refuse(field: str, message) -> InvalidInput:
    return InvalidInput(details={field: [message]})


def whole_number(value, field: str, *, minimum: int = 0, maximum: int = MAX_UNITS) -> int:
    """An int, or a string of ASCII digits ("²" is a digit to str.isdigit, not here); within the bounds."""
    if isinstance(value, str) and _ASCII_DIGITS.fullmatch(value.strip()):
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool):
        raise _refuse(field, _("A whole number is expected."))
    if not minimum <= value <= maximum:
        raise _refuse(field, _("Must be a whole number from %(minimum)s to %(maximum)s.")
                      % {"minimum": minimum, "maximum": maximum})
    return value


def record_id(value, field: str) -> int:
    """The id of a record: a whole number from 1 to MAX_ID."""
    try:
        return whole_number(value, field, minimum=1, maximum=MAX_ID)
    except InvalidInput:
        raise _refuse(field, _("An id (a whole number) is expected.")) from None


def id_or_none(value) -> int | None:
    """An id from a URL or a query string, or None when it cannot be one (the record is then not found)."""
    try:
        return record_id(value, "id")
    except InvalidInput:
        return None


def record_ids(value, field: str) -> list[int]:
    """A list of ids; a string or a lone number is refused, not read digit by digit."""
    if not isinstance(value, (list, tuple)):
        raise _refuse(field, _("A list of ids is expected."))
    return [record_id(item, field) for item in value]


def flag(value, field: str) -> bool:
    if not isinstance(value, bool):
        raise _refuse(field, _("Must be true or false."))
    return value


def text(value, field: str, *, max_length: int, required: bool = False) -> str:
    """A string (not an object or a number written as one), at most max_length characters, no NUL."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _refuse(field, _("Text is expected."))
    value = value.strip()
    if required and not value:
        raise _refuse(field, _("This field is required."))
    if len(value) > max_length:
        raise _refuse(field, _("At most %(maximum)s characters (this has %(length)s).")
                      % {"maximum": max_length, "length": len(value)})
    if "\x00" in value:
        raise _refuse(field, _("Null characters are not allowed."))
    return value


def texts(raw: dict, lengths: dict[str, int], *, required: tuple[str, ...] = ()) -> dict:
    """The text fields of `raw` that `lengths` names (and only those present, unless required), each
    checked as `text`; every bad field reported at once."""
    errors, values = {}, {}
    for name, length in lengths.items():
        if name in raw or name in required:
            try:
                values[name] = text(raw.get(name), name, max_length=length, required=name in required)
            except InvalidInput as error:
                errors.update(error.details)
    if errors:
        raise InvalidInput(details=errors)
    return values


def amount(value, field: str, *, minimum: Decimal = Decimal("0"), maximum: Decimal = Decimal("999999999999.99"),
           places: int | None = 2) -> Decimal:
    """A decimal amount within the bounds, rounded to `places` (None: as written)."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise _refuse(field, _("Must be a number.")) from None
    if not number.is_finite() or number < minimum:
        raise _refuse(field, _("Must be at least %(minimum)s.") % {"minimum": minimum})
    if number > maximum:
        raise _refuse(field, _("The amount is too large."))
    return number if places is None else number.quantize(Decimal(1).scaleb(-places))


# Dates a business record may carry; beyond them date arithmetic (a due date years ahead) would overflow.
FIRST_DATE, LAST_DATE = dt.date(1990, 1, 1), dt.date(2199, 12, 31)


def _within_years(found: dt.date, field: str):
    if not FIRST_DATE <= found <= LAST_DATE:
        raise _refuse(field, _("Enter a date from %(first)s to %(last)s.")
                      % {"first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()})
    return found


def date_value(value, field: str) -> dt.date:
    """A calendar date (2026-12-10, 2026/12/10 or 20261210) that exists, within FIRST_DATE..LAST_DATE."""
    from aftersales.lib.dates import parse_date

    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return _within_years(value, field)
    try:
        found = parse_date(str(value))
    except (ValueError, OverflowError):
        raise _refuse(field, _("Enter a date that exists, such as 2026-12-10.")) from None
    return _within_years(found, field)


def moment(value, field: str) -> dt.datetime:
    """A moment (2026-12-01T17:00, in the company's time zone unless it says otherwise) that exists."""
    if isinstance(value, dt.datetime):
        found = value
    else:
        try:
            found = parse_datetime(restore_offset(str(value).strip()).replace(" ", "T"))
        except (ValueError, OverflowError):
            found = None
    if found is None:
        raise _refuse(field, _("Enter a moment that exists, such as 2026-12-01T17:00."))
    _within_years(found.date(), field)
    if timezone.is_naive(found):
        found = timezone.make_aware(found)
    return found


def number_or_text(raw: str):
    """A form field as typed: an int when it is ASCII digits (within MAX_ID), otherwise the text itself,
    for the service to refuse with its own message."""
    text_value = str(raw).strip()
    if _ASCII_DIGITS.fullmatch(text_value) and len(text_value) <= 10 and int(text_value) <= MAX_ID:
        return int(text_value)
    return text_value


def json_object(value, field: str = "body") -> dict:
    if not isinstance(value, dict):
        raise _refuse(field, _("A JSON object is expected."))
    return value
