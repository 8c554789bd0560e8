"""One form for every moment the API sends: ISO 8601 with the offset of TIME_ZONE ("+08:00").

DRF's DateTimeField already writes a moment in the current time zone; a hand-built answer (the
case detail, the timeline, the queues, the repair answers) goes through this encoder, which does the
same, so an answer never mixes UTC "Z" with "+08:00". Dates stay dates ("2026-11-20").
"""

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder


def local_moment(value: dt.datetime) -> str:
    """An aware moment in TIME_ZONE's offset; a naive one as it is (none is stored)."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.isoformat()


def local_moment_text(value):
    """A moment kept as text in a JSON column (an answer's `at`), written in TIME_ZONE's offset;
    anything else unchanged."""
    if not isinstance(value, str):
        return value
    try:
        found = parse_datetime(value)
    except ValueError:
        return value
    return local_moment(found) if found is not None and timezone.is_aware(found) else value


class LocalTimeJSONEncoder(JSONEncoder):
    def default(self, obj):
        if isinstance(obj, dt.datetime):
            return local_moment(obj)
        return super().default(obj)


class JSONRenderer(renderers.JSONRenderer):
    encoder_class = LocalTimeJSONEncoder
