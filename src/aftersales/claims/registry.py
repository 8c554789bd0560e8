"""What claims tells the shell: its menu entries, its clocks' page, the state groups of its tables."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core.registry import (register_demo, register_menu_group, register_menu_item, register_related_documents,
                                      register_state_groups, register_step_page)

from .clocks import SUBJECT
from .models import ClaimState, CompensationState

STATE_GROUPS = {
    "supplier_claim": {ClaimState.DRAFTED: "waiting", ClaimState.SENT: "blocked", ClaimState.ANSWERED: "progress",
                       ClaimState.CLOSED: "done", ClaimState.CANCELLED: "cancelled"},
    "compensation": {CompensationState.PROPOSED: "waiting", CompensationState.APPROVED: "progress",
                     CompensationState.REJECTED: "cancelled", CompensationState.SETTLED: "done"},
}


def claim_step_page(item: dict) -> str:
    return reverse("claims:claim", args=[item["subject_id"]])


def case_documents(case, request) -> list[dict]:
    """A return case's supplier claims and compensations, for its page and its API (staff who read them)."""
    from .selectors import case_documents as documents

    return documents(case, request.user)


def register() -> None:
    from .demo import build as demo_build

    register_menu_group("claims", _("Claims and compensation"))
    register_menu_item("claims:claim_list", _("Supplier claims"), roles={"purchasing", "manager", "quality"}, order=85,
                       group="claims")
    register_menu_item("claims:compensation_list", _("Compensations"), roles={"finance", "manager", "service"},
                       order=86, group="claims")
    register_step_page(SUBJECT, claim_step_page)
    register_related_documents("return_case", case_documents)
    for machine, groups in STATE_GROUPS.items():
        register_state_groups(machine, groups)
    register_demo(25, "claims", demo_build)
