"""What the return case tells the shell: its menu entries and the site search, the page of each of its
steps and of a case, the approved cases the warehouse waits for (visible in its inbox, not clocked until
the goods arrive), a customer's own cases in its inbox, and the case's printed forms."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core.registry import (register_demo, register_doc_section, register_inbox_section, register_inbox_source,
                                      register_menu_item, register_print_form, register_site_search,
                                      register_step_page, register_subject_page)
from aftersales.core.roles import CUSTOMER

from .clocks import SUBJECT
from .models import CaseState

# A step of the case is done on its own page where it has one; otherwise on the case page.
_STEP_PAGES = {"receiving": "returns:receive", "inspection": "returns:inspect", "disposition": "returns:inspect"}
AWAITING_GOODS = 200  # the inbox lists the oldest first; more are on the receiving page
CUSTOMER_CASES = 10  # a customer's inbox lists its latest cases; the rest are on the case list


def case_page(case_id: int) -> str:
    return reverse("returns:case_detail", args=[case_id])


def case_step_page(item: dict) -> str:
    return reverse(_STEP_PAGES.get(item["kind"], "returns:case_detail"), args=[item["subject_id"]])


def cases_awaiting_goods(user) -> list[dict]:
    from .selectors import case_list

    cases = (case_list(user=user).filter(state=CaseState.APPROVED).order_by("submitted_at", "id")
             [:AWAITING_GOODS])
    return [{"label": _("Goods awaited (approved, not arrived)"), "reference": case.number,
             "url": case_page(case.pk), "since": case.submitted_at,
             "customer": case.customer.name, "quantity": case.noted_quantity} for case in cases]


def customer_cases(request) -> dict | None:
    """A customer's latest cases, and the way to a new application, in its inbox."""
    from .selectors import case_list

    if request.user.customer_id is None:
        return None
    return {"template": "returns/_inbox_cases.html",
            "cases": case_list(user=request.user).order_by("-id")[:CUSTOMER_CASES]}


def register() -> None:
    from .demo import build as demo_build
    from .docs import workflow_markdown
    from .forms_print import FORMS

    register_menu_item("returns:case_list", _("Cases"), order=10)
    register_menu_item("returns:case_new", _("New return"), roles={"service", CUSTOMER}, order=20)
    register_menu_item("returns:receiving", _("Receiving"), roles={"warehouse"}, order=30)
    register_menu_item("returns:quality_bench", _("Quality bench"), roles={"quality"}, order=40)
    register_menu_item("returns:repair_bench", _("Repair bench"), roles={"repair"}, order=50)
    register_site_search("returns:case_list", label=_("Search by case number, serial or customer"),
                         placeholder=_("Case no., serial, customer"))
    register_step_page(SUBJECT, case_step_page)
    register_subject_page(SUBJECT, case_page, link_label=_("open the case"))
    register_inbox_source("warehouse", cases_awaiting_goods)
    register_inbox_section(customer_cases)
    for form in FORMS:
        register_print_form(SUBJECT, form)
    register_doc_section(10, workflow_markdown)
    register_demo(10, "returns", demo_build)
