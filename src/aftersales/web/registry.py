"""What the shell puts in its own menu: the inbox first, the notifications last; the apps' entries
come between (each app's registry.py)."""

from django.utils.translation import gettext_lazy as _

from aftersales.core.registry import register_menu_item

FIRST, LAST = 0, 1000


def register() -> None:
    register_menu_item("web:inbox", _("Inbox"), order=FIRST)
    register_menu_item("web:notifications", _("Notifications"), order=LAST)
