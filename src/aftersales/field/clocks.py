"""The field order's clock, on China's working days (deadlines app): a dispatched order is accepted by its
technician within `field_dispatch_accept_hours`; overdue, it reminds the technician and escalates to the manager
through the existing queues and sweep; falling overdue, accepted late or reassigned while overdue it is an
ignored dispatch (services/orders.py), proposed once."""

from django.utils.translation import gettext_lazy as _

from aftersales.deadlines.kinds import ClockKind, register
from aftersales.deadlines.services import Subject, Want, deadlines_sync

from .models import OrderState as S

SUBJECT = "field_order"

def _ignored(rows: list[dict]) -> None:
    from .services.orders import dispatches_ignored

    dispatches_ignored([row["subject_id"] for row in rows])


register(ClockKind("field_dispatch_acceptance", _("Dispatch accepted by the technician"), "technician",
                   "field_dispatch_accept_hours", on_overdue=_ignored))


def order_wanted(order) -> dict[str, Want]:
    return {"field_dispatch_acceptance": Want()} if order.state == S.DISPATCHED else {}


def order_clocks_sync(order, *, actor=None, at=None) -> list:
    """Bring the order's clock in line with its state (inside the step's transaction); the deadlines changed."""
    return deadlines_sync(Subject(SUBJECT, order.pk, order.number, order.customer_id), order_wanted(order),
                          actor=actor, at=at)
