"""What each workflow action does, once apply_action has checked state, roles and guards.

Each handler takes the ActionContext, changes records and stock in the open transaction,
and fills ctx.changes (for the timeline), ctx.unit_to_state and, for case actions,
ctx.case_to_state. Bad parameters raise InvalidInput before anything is written.
"""

from . import application, final, receiving, settlement, units
from .units import ALLOWED_DISPOSITIONS

HANDLERS = {
    name: getattr(module, name)
    for module, names in [
        (application, ["submit", "approve", "reject", "return_for_correction", "cancel", "override_window"]),
        (receiving, ["start_receiving", "receive", "close_receipt"]),
        (units, ["inspect", "dispose", "redispose", "approve_scrap", "reject_scrap", "quote_charge", "give_consent",
                 "refuse_consent", "accept_charge", "refuse_charge", "start_work", "finish_work",
                 "revise_charge"]),
        (final, ["pass_final", "fail_final"]),
        (settlement, ["ship_back", "settle_exchange", "ship_exchange_in_advance", "settle_refund",
                      "override_warranty", "close", "agree_return_date"]),
    ]
    for name in names
}

__all__ = ["ALLOWED_DISPOSITIONS", "HANDLERS"]
