"""Start, pause, resume, re-time and meet clocked steps; the sweep that reminds and escalates.

Callers do not start or stop clocks one by one: a module says which steps of a subject should
be running now (and which of them wait for the customer), and `deadlines_sync` brings the
subject's clocks in line, inside the caller's transaction.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from aftersales.core import policies
from aftersales.workcalendar.calendar import DAY, WorkCalendar, calendar_load

from .kinds import KINDS
from .models import AlertLevel, Deadline, DeadlinePause, DeadlineState

CHUNK = 5000


def now() -> dt.datetime:
    """The present moment (tests move it)."""
    return timezone.now()


@dataclass
class Want:
    """A step that should be running on the subject now."""

    facts: dict = field(default_factory=dict)
    paused_because: str = ""  # set while the step waits for the customer: the clock stands still
    role: str = ""  # when the step's owner depends on the facts; else the kind's role


@dataclass
class Subject:
    type: str
    id: int
    reference: str
    customer_id: int | None = None


class Clocks:
    """What timing needs: the policies and the calendar, loaded once, when first needed."""

    def __init__(self, calendar: WorkCalendar | None = None, values: dict | None = None):
        self._values, self._calendar = values, calendar

    @property
    def values(self) -> dict:
        if self._values is None:
            self._values = policies.snapshot()
        return self._values

    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = calendar_load(values=self.values)
        return self._calendar

    def budget(self, kind_key: str, facts: dict) -> tuple[str, int]:
        return KINDS[kind_key].budget(facts, self.values)

    def time_alerts(self, deadline: Deadline) -> None:
        """Due moment from the time left; reminder, escalation and the next alert from it."""
        left = max(deadline.budget_seconds - deadline.consumed_seconds, 0)
        deadline.due_at = self.calendar.add(deadline.running_since, left, deadline.clock)
        deadline.provisional = self.calendar.is_provisional(deadline.due_at)
        deadline.escalate_at = self.calendar.add(deadline.due_at, self.values["escalation_grace_hours"] * 3600, DAY)
        warn_at = deadline.due_at - dt.timedelta(hours=self.values["deadline_warning_hours"])
        moments = {AlertLevel.APPROACHING: warn_at, AlertLevel.OVERDUE: deadline.due_at,
                   AlertLevel.ESCALATED: deadline.escalate_at}
        deadline.next_alert_at = next((moment for level, moment in moments.items() if level > deadline.alert_level),
                                      None)


def deadlines_sync(subject: Subject, wanted: dict[str, Want], *, actor=None, at: dt.datetime | None = None,
                   clocks: Clocks | None = None) -> list[Deadline]:
    """Bring the subject's running clocks in line with `wanted` (kind -> Want): start what is
    missing, meet what is no longer wanted, pause and resume, re-time when the facts changed."""
    at = at or now()
    running = {d.kind: d for d in Deadline.objects.filter(subject_type=subject.type, subject_id=subject.id,
                                                          state__in=[DeadlineState.OPEN, DeadlineState.PAUSED])}
    if not wanted and not running:
        return []
    clocks = clocks or Clocks()
    changed = []
    for kind_key, deadline in running.items():
        if kind_key not in wanted:
            _meet(deadline, at, clocks)
            changed.append(deadline)
    for kind_key, want in wanted.items():
        deadline = running.get(kind_key)
        if deadline is None:
            deadline = _start(subject, kind_key, want, at, clocks)
        else:
            _follow(deadline, want, at, clocks, actor)
        if want.paused_because and deadline.state == DeadlineState.OPEN:
            _pause(deadline, want.paused_because, at, clocks, actor)
        changed.append(deadline)
    return changed


def deadlines_cancel(subject_type: str, subject_id: int, *, at: dt.datetime | None = None) -> int:
    """The subject ended without its steps being done (a case cancelled or rejected)."""
    return Deadline.objects.filter(subject_type=subject_type, subject_id=subject_id,
                                   state__in=[DeadlineState.OPEN, DeadlineState.PAUSED]).update(
        state=DeadlineState.CANCELLED, met_at=at or now(), next_alert_at=None)


def _start(subject: Subject, kind_key: str, want: Want, at, clocks: Clocks) -> Deadline:
    kind = KINDS[kind_key]
    clock, seconds = clocks.budget(kind_key, want.facts)
    deadline = Deadline(kind=kind_key, subject_type=subject.type, subject_id=subject.id, reference=subject.reference,
                        customer_id=subject.customer_id, role=want.role or kind.role, clock=clock, budget_seconds=seconds,
                        started_at=at, running_since=at, detail={"facts": want.facts})
    clocks.time_alerts(deadline)
    deadline.save()
    return deadline


def _follow(deadline: Deadline, want: Want, at, clocks: Clocks, actor) -> None:
    if want.role and want.role != deadline.role:
        deadline.role = want.role
        deadline.save(update_fields=["role"])
    if deadline.detail.get("facts") != want.facts:
        clock, seconds = clocks.budget(deadline.kind, want.facts)
        deadline.detail = {**deadline.detail, "facts": want.facts,
                           "retimed": [*deadline.detail.get("retimed", []),
                                       {"at": at.isoformat(), "from_seconds": deadline.budget_seconds,
                                        "to_seconds": seconds}]}
        deadline.clock, deadline.budget_seconds = clock, seconds
        if deadline.state == DeadlineState.OPEN:
            clocks.time_alerts(deadline)
        deadline.save()
    if deadline.state == DeadlineState.PAUSED and not want.paused_because:
        _resume(deadline, at, clocks)


def _pause(deadline: Deadline, reason: str, at, clocks: Clocks, actor) -> None:
    used = clocks.calendar.between(deadline.running_since, at, deadline.clock)
    deadline.consumed_seconds += int(used.total_seconds())
    deadline.state, deadline.running_since, deadline.next_alert_at = DeadlineState.PAUSED, None, None
    deadline.save()
    DeadlinePause.objects.create(deadline=deadline, paused_at=at, reason=reason,
                                 by=actor if getattr(actor, "pk", None) else None)


def _resume(deadline: Deadline, at, clocks: Clocks) -> None:
    deadline.state, deadline.running_since = DeadlineState.OPEN, at
    clocks.time_alerts(deadline)
    deadline.save()
    DeadlinePause.objects.filter(deadline=deadline, resumed_at__isnull=True).update(resumed_at=at)


def _meet(deadline: Deadline, at, clocks: Clocks) -> None:
    if deadline.state == DeadlineState.PAUSED:
        deadline.late = deadline.consumed_seconds > deadline.budget_seconds
        DeadlinePause.objects.filter(deadline=deadline, resumed_at__isnull=True).update(resumed_at=at)
    else:
        deadline.late = at > deadline.due_at
    deadline.state, deadline.met_at, deadline.next_alert_at = DeadlineState.MET, at, None
    deadline.save()


# --- the sweep ---

@transaction.atomic
def _overdue_hooks(rows: list[dict]) -> None:
    """The owning apps' own steps for what just fell overdue (a clock kind's `on_overdue`)."""
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
    for kind_key, kind_rows in by_kind.items():
        hook = KINDS[kind_key].on_overdue if kind_key in KINDS else None
        if hook is not None:
            hook(kind_rows)


def deadlines_sweep(*, at: dt.datetime | None = None) -> dict:
    """Raise the alert level of every running step whose next alert has come, and tell the
    responsible role (approaching, overdue) or its escalation role (past the grace), in one
    digest per recipient group and level. Returns counts per level."""
    from .notices import notify_deadlines

    at = at or now()
    # skip_locked: a second sweep running at the same moment (PostgreSQL) leaves these rows to this one.
    rows = list(Deadline.objects.select_for_update(skip_locked=True)
                .filter(state=DeadlineState.OPEN, next_alert_at__lte=at).order_by()
                .values("id", "kind", "role", "customer_id", "reference", "subject_type", "subject_id", "due_at",
                        "provisional", "escalate_at", "alert_level"))
    by_level: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        if row["escalate_at"] is not None and row["escalate_at"] <= at:
            level = AlertLevel.ESCALATED
        elif row["due_at"] <= at:
            level = AlertLevel.OVERDUE
        else:
            level = AlertLevel.APPROACHING
        if level > row["alert_level"]:
            by_level[level].append(row)
    next_alert = {AlertLevel.APPROACHING: F("due_at"), AlertLevel.OVERDUE: F("escalate_at"),
                  AlertLevel.ESCALATED: None}
    for level, level_rows in by_level.items():
        ids = [row["id"] for row in level_rows]
        for start in range(0, len(ids), CHUNK):
            Deadline.objects.filter(pk__in=ids[start:start + CHUNK]).update(alert_level=level,
                                                                             next_alert_at=next_alert[level])
        notify_deadlines(level, level_rows)
        if level == AlertLevel.OVERDUE:
            _overdue_hooks(level_rows)
    return {AlertLevel(level).name.lower(): len(level_rows) for level, level_rows in by_level.items()}
