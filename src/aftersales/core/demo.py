"""Building demo data through the services as if it had happened over the past months.

The services stamp what they write with `timezone.now()` (records, timelines, clocks); `clock_at(moment)`
makes that moment the present for the code inside it, so a case applied for ten weeks ago and inspected
the week after reads as such everywhere, with its clocks met on time, late, or overdue today. For
`aftersales demo` only: nothing else moves the clock.
"""

import contextlib
import datetime as dt
from unittest import mock

from django.utils import timezone


@contextlib.contextmanager
def clock_at(moment: dt.datetime):
    with mock.patch("django.utils.timezone.now", lambda: moment):
        yield moment


def days_ago(days: float) -> dt.datetime:
    """The moment `days` (fractions too) before the real present."""
    return timezone.now() - dt.timedelta(days=days)
