"""What master data tells the shell: the import page in the menu of the staff who import."""

from django.utils.translation import gettext_lazy as _

from aftersales.core.registry import register_menu_item


def register() -> None:
    register_menu_item("masterdata:import", _("Import"), roles={"service", "manager"}, order=90)
