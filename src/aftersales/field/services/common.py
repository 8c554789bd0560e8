"""What field service's writers share: the order's number, the timelines, the technician read from what was sent."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from aftersales.core import numbering, parsing
from aftersales.core.errors import InvalidInput

from ..models import ClaimEvent, OrderEvent, PenaltyEvent

TEXT = 5000
USERNAME_LENGTH = 150


def next_number() -> str:
    """FO-2026-000001."""
    return numbering.next_number("FO", width=6)


def technician_found(username, field: str = "technician"):
    """The active field technician a username names."""
    username = parsing.text(username, field, max_length=USERNAME_LENGTH, required=True)
    user = get_user_model().objects.filter(username=username, is_active=True, groups__name="technician").first()
    if user is None:
        raise InvalidInput(details={field: [_("No active field technician “%(value)s”.") % {"value": username}]})
    return user


def choice(value, field: str, choices) -> str:
    """One of a TextChoices' values as sent, or a refusal that lists them (the empty one left out)."""
    if not isinstance(value, str) or value not in choices.values:
        raise InvalidInput(details={field: [_("Choose one of: %(kinds)s.") % {
            "kinds": ", ".join(v for v in choices.values if v)}]})
    return value


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def order_timeline(machine, record, actor, action: str, from_state: str, to_state: str, changes: dict) -> None:
    OrderEvent.objects.create(order=record, actor=_actor(actor), action=action, from_state=from_state,
                              to_state=to_state, changes=changes)


def order_event_append(*, order, actor, action: str, changes: dict | None = None) -> None:
    OrderEvent.objects.create(order=order, actor=_actor(actor), action=action, from_state=order.state,
                              to_state=order.state, changes=changes or {})


def penalty_timeline(machine, record, actor, action: str, from_state: str, to_state: str, changes: dict) -> None:
    PenaltyEvent.objects.create(penalty=record, actor=_actor(actor), action=action, from_state=from_state,
                                to_state=to_state, changes=changes)


def claim_timeline(machine, record, actor, action: str, from_state: str, to_state: str, changes: dict) -> None:
    ClaimEvent.objects.create(claim=record, actor=_actor(actor), action=action, from_state=from_state,
                              to_state=to_state, changes=changes)
