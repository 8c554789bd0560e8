"""What the shell puts in its own menu: the inbox first (with the count of the steps waiting for the user's
roles), the notifications last; the apps' entries come between (each app's registry.py)."""

from django.utils.translation import gettext_lazy as _

from aftersales.core.registry import register_menu_item

FIRST, LAST = 0, 1000


def open_steps(user) -> int:
    """The running steps of the user's roles (a customer user: its own), in one query."""
    from aftersales.core.roles import roles_of
    from aftersales.deadlines.models import Deadline, DeadlineState

    roles = roles_of(user)
    if not roles:
        return 0
    rows = Deadline.objects.filter(role__in=roles, state=DeadlineState.OPEN)
    if getattr(user, "customer_id", None) is not None:
        rows = rows.filter(customer_id=user.customer_id)
    return rows.count()


def register() -> None:
    register_menu_item("web:inbox", _("Inbox"), order=FIRST, count=open_steps)
    register_menu_item("web:notifications", _("Notifications"), order=LAST)
