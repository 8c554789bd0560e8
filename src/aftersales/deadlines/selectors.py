"""Queues (what waits for a role now, by due moment) and a subject's clocks."""

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from .kinds import KINDS
from .models import Deadline, DeadlineState


def queue(role: str, *, customer_id: int | None = None, at: dt.datetime | None = None):
    """The running steps of a role, soonest due first (for a customer user: its own only)."""
    rows = Deadline.objects.filter(role=role, state=DeadlineState.OPEN)
    if customer_id is not None:
        rows = rows.filter(customer_id=customer_id)
    return rows.order_by("due_at", "id")


def queue_counts(role: str, *, customer_id: int | None = None, at: dt.datetime | None = None) -> dict:
    """Open, overdue and due-today counts of a role's queue, in one query on the queue index."""
    at = at or timezone.now()
    end_of_today = dt.datetime.combine(timezone.localdate(at) + dt.timedelta(days=1), dt.time(),
                                       tzinfo=timezone.get_current_timezone())
    counts = queue(role, customer_id=customer_id).aggregate(
        open=Count("id"),
        overdue=Count("id", filter=Q(due_at__lte=at)),
        due_today=Count("id", filter=Q(due_at__gt=at, due_at__lt=end_of_today)),
    )
    return {"role": role, **counts}


def deadline_data(deadline: Deadline, at: dt.datetime) -> dict:
    kind = KINDS.get(deadline.kind)
    return {
        "id": deadline.pk, "kind": deadline.kind, "label": str(kind.label) if kind else deadline.kind,
        "role": deadline.role, "state": deadline.state, "subject_type": deadline.subject_type,
        "subject_id": deadline.subject_id, "reference": deadline.reference,
        "started_at": deadline.started_at, "due_at": deadline.due_at, "met_at": deadline.met_at,
        "late": deadline.late, "provisional": deadline.provisional,
        "overdue": deadline.state == DeadlineState.OPEN and deadline.due_at <= at,
        "alert_level": deadline.alert_level,
    }


def subject_deadlines(subject_type: str, subject_id: int, *, at: dt.datetime | None = None) -> list[dict]:
    at = at or timezone.now()
    rows = Deadline.objects.filter(subject_type=subject_type, subject_id=subject_id).order_by("started_at", "id")
    return [deadline_data(d, at) for d in rows]
