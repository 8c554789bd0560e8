"""What repair tells the shell: its clocked steps are done on the rework order's page."""

from django.urls import reverse

from aftersales.core.registry import register_step_page


def order_step_page(item: dict) -> str:
    return reverse("web:repair_order", args=[item["subject_id"]])


def register() -> None:
    register_step_page("repair_order", order_step_page)
