"""Audit history: every change to audited records is a row in its history table (append-only).

Writes go through `record_save` so the acting user and the reason are stamped explicitly,
whether the change comes from the API, the admin, an import or a command.
"""

import datetime as dt

from django.db import models
from django.db import transaction

from .renderers import local_moment


@transaction.atomic
def record_save(instance: models.Model, *, actor, reason: str = "") -> models.Model:
    instance.full_clean()
    instance._history_user = actor
    instance._change_reason = reason
    instance.save()
    return instance


def history_entries(instance: models.Model) -> list[dict]:
    """The object's history, newest first, each with the fields that changed (old -> new)."""
    records = list(instance.history.select_related("history_user").order_by("history_date", "history_id"))
    entries = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            changes = [
                {"field": change.field, "old": _plain(change.old), "new": _plain(change.new)}
                for change in delta.changes
            ]
        entries.append(
            {
                "id": record.history_id,
                "at": record.history_date,
                "type": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                "user": record.history_user.get_username() if record.history_user else None,
                "reason": record.history_change_reason or "",
                "changes": changes,
            }
        )
        previous = record
    entries.reverse()
    return entries


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dt.datetime):
        return local_moment(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
