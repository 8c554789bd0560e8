"""What the service desk's writers share: numbers per year, choices read from what was sent, the timeline."""

from django.utils.translation import gettext as _

from aftersales.core import numbering
from aftersales.core.errors import InvalidInput

from ..models import RequestEvent

TEXT = 5000


def next_number(prefix: str) -> str:
    """SR-2026-000123 (service requests), FO-2026-000001 (field orders)."""
    return numbering.next_number(prefix, width=6)


def choice(value, field: str, choices, *, default=None) -> str:
    if value in (None, "") and default is not None:
        return default
    if not isinstance(value, str) or value not in choices.values:
        raise InvalidInput(details={field: [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(choices.values)}]})
    return value


def event_append(*, request, actor, action: str, changes: dict | None = None) -> RequestEvent:
    return RequestEvent.objects.create(request=request, actor=actor if getattr(actor, "pk", None) else None,
                                       action=action, from_state=request.state, to_state=request.state,
                                       changes=changes or {})


def timeline(machine, record, actor, action: str, from_state: str, to_state: str, changes: dict) -> None:
    """The machine's history row is the request's timeline entry."""
    RequestEvent.objects.create(request=record, actor=actor if getattr(actor, "pk", None) else None, action=action,
                                from_state=from_state, to_state=to_state, changes=changes)
