"""What the return case tells the shell: the page of each of its steps, and the approved cases the
warehouse waits for (visible in its inbox, not clocked until the goods arrive)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core.registry import register_doc_section, register_inbox_source, register_step_page

from .models import CaseState

# A step of the case is done on its own page where it has one; otherwise on the case page.
_STEP_PAGES = {"receiving": "web:receive", "inspection": "web:inspect", "disposition": "web:inspect"}
AWAITING_GOODS = 200  # the inbox lists the oldest first; more are on the receiving page


def case_step_page(item: dict) -> str:
    return reverse(_STEP_PAGES.get(item["kind"], "web:case_detail"), args=[item["subject_id"]])


def cases_awaiting_goods(user) -> list[dict]:
    from .selectors import case_list

    cases = (case_list(user=user).filter(state=CaseState.APPROVED).order_by("submitted_at", "id")
             [:AWAITING_GOODS])
    return [{"label": _("Goods awaited (approved, not arrived)"), "reference": case.number,
             "url": reverse("web:case_detail", args=[case.pk]), "since": case.submitted_at,
             "customer": case.customer.name, "quantity": case.noted_quantity} for case in cases]


def register() -> None:
    from .docs import workflow_markdown

    register_step_page("return_case", case_step_page)
    register_inbox_source("warehouse", cases_awaiting_goods)
    register_doc_section(10, workflow_markdown)
