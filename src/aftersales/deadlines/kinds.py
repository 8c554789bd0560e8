"""Clock kinds: which role owns a step, whom an overdue step escalates to, and its time limit.

Modules register their own kinds (returns/clocks.py; repair, field service and reports later)
without changing the mechanism. A time limit comes from a policy, in the policy's unit:
working days and hours on working days run on the day clock, working hours on the office clock.
"""

from collections.abc import Callable
from dataclasses import dataclass

from aftersales.workcalendar.calendar import DAY, OFFICE, SECONDS_PER_DAY

UNIT_CLOCKS = {"working_days": (DAY, SECONDS_PER_DAY), "hours": (DAY, 3600), "working_hours": (OFFICE, 3600)}


@dataclass(frozen=True)
class ClockKind:
    key: str
    label: object
    role: str
    policy: str = ""
    escalate_to: str = "manager"
    # For limits that depend on the facts of the step (a defect class, a batch): facts, policies -> policy key(s)
    # whose values add up, e.g. the sporadic deadline plus the batch's extra hours.
    policies_for: Callable[[dict], list[str]] | None = None
    # Time the facts add on the same clock, in seconds (a granted delay of N working days).
    facts_seconds: Callable[[dict], int] | None = None
    # What the owning app does when the sweep finds steps of this kind overdue (beyond the reminders): called with
    # the overdue rows (subject_type, subject_id, reference, ...) inside the sweep's transaction.
    on_overdue: Callable[[list[dict]], None] | None = None

    def budget(self, facts: dict, values: dict) -> tuple[str, int]:
        """(clock, seconds) allowed for the step, from the policies as they are now."""
        from aftersales.core.policies import REGISTRY

        keys = self.policies_for(facts) if self.policies_for else [self.policy]
        clock, seconds = None, 0
        for key in keys:
            key_clock, unit_seconds = UNIT_CLOCKS[REGISTRY[key].unit]
            if clock is not None and key_clock != clock:
                raise ValueError(f"{self.key}: policies {keys} mix clocks")
            clock = key_clock
            seconds += int(values[key] * unit_seconds)
        if self.facts_seconds:
            seconds += self.facts_seconds(facts)
        return clock, seconds


KINDS: dict[str, ClockKind] = {}


def register(*kinds: ClockKind) -> None:
    for kind in kinds:
        if kind.key in KINDS and KINDS[kind.key] != kind:
            raise ValueError(f"clock kind {kind.key!r} registered twice")
        KINDS[kind.key] = kind
