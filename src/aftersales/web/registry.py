"""What the shell puts in its own menu: the inbox first (with the count of the steps waiting for the user's
roles), the notifications last; the apps' entries come between (each app's registry.py)."""

from django.utils.translation import gettext_lazy as _

from aftersales.core.registry import register_menu_item

FIRST, LAST = 0, 1000


MENU_COUNT_CAP = 999  # a badge counts this far ("999+" past it): a desk with 100,000 open steps is not counted


def open_steps(user) -> int:
    """The running steps of the user's roles (a customer user: its own), in one query that stops counting past
    MENU_COUNT_CAP (the badge says "999+")."""
    from aftersales.core.roles import roles_of
    from aftersales.deadlines.models import Deadline, DeadlineState

    roles = roles_of(user)
    if not roles:
        return 0
    rows = Deadline.objects.filter(role__in=roles, state=DeadlineState.OPEN)
    if getattr(user, "customer_id", None) is not None:
        rows = rows.filter(customer_id=user.customer_id)
    return rows.order_by()[:MENU_COUNT_CAP + 1].count()


def register() -> None:
    register_menu_item("web:inbox", _("Inbox"), order=FIRST, count=open_steps)
    register_menu_item("web:notifications", _("Notifications"), order=LAST)
