"""Dates as offices write them: 2025/03/07, 2025-03-07, 2025年3月7日, 2025.3.7, 20250307."""

import re
from datetime import date, datetime

_YMD = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s*$")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_CLOCK = re.compile(r"\d:\d")
# A moment whose "+08:00" lost its plus on the way: in a query string, an unescaped "+" reads as a space.
_LOST_PLUS = re.compile(r"^(.*\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d(?::?\d\d)?)$")


def restore_offset(text: str) -> str:
    """2026-09-30T16:00 08:00 (from ?at=2026-09-30T16:00+08:00 not escaped) is 2026-09-30T16:00+08:00."""
    return _LOST_PLUS.sub(r"\1+\2", text)


def parse_date(value) -> date:
    """Return the date, or raise ValueError when it is not one of the styles above."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value)
    match = _YMD.match(text) or _COMPACT.match(text)
    if not match:
        raise ValueError(text)
    year, month, day = (int(part) for part in match.groups())
    return date(year, month, day)


def parse_date_or_moment(value) -> date | datetime:
    """A date in any style above, or a moment in ISO 8601 (2026-09-30T16:00, 2026-09-30 16:00+08:00):
    a text without a time of day is a date, never midnight. Raise ValueError for anything else."""
    text = str(value).strip()
    if not _CLOCK.search(text):
        return parse_date(text)
    return datetime.fromisoformat(restore_offset(text))
