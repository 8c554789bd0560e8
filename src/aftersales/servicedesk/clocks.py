"""The clocks of a service request, on China's working days (deadlines app):

- the first reply (service, `service_first_reply_hours`, 24 hours on working days) while registered;
- the resolution (service), from registration (or reopening) until the result is told, by priority
  (`service_resolution_<priority>_days`) plus on-site time for installation and visit requests.

Reminders and escalation to the manager run through the existing queues and sweep.
"""

from django.utils.translation import gettext_lazy as _

from aftersales.deadlines.kinds import ClockKind, register
from aftersales.deadlines.services import Subject, Want, deadlines_sync

from . import rules
from .models import RequestState as S

SUBJECT = "service_request"
RESOLVING = (S.REGISTERED, S.ANSWERED, S.DECIDED, S.REOPENED)


def _resolution_policies(facts: dict) -> list[str]:
    return rules.resolution_policies(category=facts.get("category", ""), priority=facts.get("priority", "normal"))


register(
    ClockKind("service_first_reply", _("First reply to a service request"), "service", "service_first_reply_hours"),
    ClockKind("service_resolution", _("Resolution of a service request"), "service",
              policies_for=_resolution_policies),
)


def request_wanted(request) -> dict[str, Want]:
    wanted: dict[str, Want] = {}
    if request.state == S.REGISTERED:
        wanted["service_first_reply"] = Want()
    if request.state in RESOLVING:
        wanted["service_resolution"] = Want(facts={"category": request.category, "priority": request.priority})
    return wanted


def request_clocks_sync(request, *, actor=None, at=None) -> None:
    """Bring the request's clocks in line with its state (inside the step's transaction)."""
    deadlines_sync(Subject(SUBJECT, request.pk, request.number, request.customer_id), request_wanted(request),
                   actor=actor, at=at)
