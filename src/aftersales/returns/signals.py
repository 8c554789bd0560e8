"""Signals other modules listen to (repair quotes follow the customer's answers)."""

from django.dispatch import Signal

# Sent inside the action's transaction, after the case and its units changed:
# case, action (name), actor, from_state (the case's state before), unit_ids (the units acted on), params.
action_applied = Signal()
