"""What repair tells the shell and the return case's pages: its menu entries, the rework order's page
(where its clocked steps are done), the printed forms of a case's repair work, the quote page behind the
case's quote_charge action, and the quotes on the case page."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core.registry import (register_action_page, register_demo, register_menu_item, register_print_form,
                                      register_step_page, register_subject_panel)
from aftersales.returns.clocks import SUBJECT as CASE

from .clocks import SUBJECT


def order_step_page(item: dict) -> str:
    return reverse("repairs:repair_order", args=[item["subject_id"]])


def case_quotes(case, request) -> dict:
    from .selectors import quote_list

    return {"template": "repairs/_case_quotes.html", "quotes": quote_list(case)}


def register() -> None:
    from .demo import build as demo_build
    from .forms_print import FORMS

    register_menu_item("repairs:repair_board", _("Rework board"),
                       roles={"planning", "repair", "quality", "engineering", "purchasing"}, order=60)
    register_menu_item("repairs:repair_daily", _("Repair daily report"),
                       roles={"repair", "quality", "engineering", "manager"}, order=70)
    register_menu_item("repairs:scrap_list", _("Scrap applications"), roles={"manager"}, order=80)
    register_step_page(SUBJECT, order_step_page)
    register_action_page(CASE, "quote_charge", "repairs:quote_new")
    register_subject_panel(CASE, case_quotes)
    for form in FORMS:
        register_print_form(CASE, form)
    register_demo(20, "repairs", demo_build)
