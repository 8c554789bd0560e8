"""What the return case tells the shell: its menu entries and the site search, the page of each of its
steps (and the words of the button that opens it) and of a case, what an inbox row says of a case, the
groups of the case's and the unit's states, the approved cases the warehouse waits for (visible in its inbox, not clocked until
the goods arrive), a customer's own cases in its inbox, and the case's printed forms."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.core.registry import (action_page, register_demo, register_doc_section, register_inbox_section,
                                      register_inbox_source, register_menu_group, register_menu_item,
                                      register_print_form,
                                      register_site_search, register_state_groups, register_step_page,
                                      register_subject_page, register_subject_summaries)
from aftersales.core.roles import CUSTOMER

from .clocks import SUBJECT
from .models import CaseState, UnitState

UNIT = "return_unit"  # the machine key of a unit's states, for their badges
C, U = CaseState, UnitState
CASE_STATE_GROUPS = {
    C.DRAFT: "waiting", C.SUBMITTED: "waiting", C.APPROVED: "waiting", C.REJECTED: "cancelled",
    C.RECEIVING: "progress", C.RECEIVED: "progress", C.INSPECTING: "progress", C.DISPOSED: "progress",
    C.IN_WORK: "progress", C.FINAL_INSPECTION: "progress", C.READY: "progress", C.SETTLED: "done",
    C.CLOSED: "done", C.CANCELLED: "cancelled",
}
UNIT_STATE_GROUPS = {
    U.EXPECTED: "waiting", U.RECEIVED: "progress", U.INSPECTED: "progress", U.WAITING_APPROVAL: "blocked",
    U.WAITING_CUSTOMER: "blocked", U.DISPOSED: "progress", U.IN_WORK: "progress", U.FINAL_INSPECTION: "progress",
    U.READY_TO_SHIP: "progress", U.READY_TO_SETTLE: "progress", U.DONE: "done", U.MISSING: "blocked",
}
# The button of each step in the inbox: the verb of the work its page does.
STEP_ACTIONS = {
    "first_reply": _("Reply"), "approval": _("Approve"), "receiving": pgettext_lazy("button", "Receive"),
    "inspection": _("Inspect"), "disposition": _("Dispose"), "quote": _("Quote"),
    "customer_answer": _("Answer"), "final_inspection": _("Final inspection"), "ship_back": _("Ship back"),
    "complaint_cycle": _("Handle"),
}

# A step of the case is done on its own page where it has one; otherwise on the case page.
_STEP_PAGES = {"receiving": "returns:receive", "inspection": "returns:inspect", "disposition": "returns:inspect"}
AWAITING_GOODS = 200  # the inbox lists the oldest first; more are on the receiving page
CUSTOMER_CASES = 10  # a customer's inbox lists its latest cases; the rest are on the case list


def case_page(case_id: int) -> str:
    return reverse("returns:case_detail", args=[case_id])


def case_step_page(item: dict) -> str:
    """The page where the step is done: its own (receiving, inspection, the quote a higher app registered
    for quote_charge), or the case page where its action is."""
    name = _STEP_PAGES.get(item["kind"]) or (action_page(SUBJECT, "quote_charge") if item["kind"] == "quote"
                                             else None)
    return reverse(name or "returns:case_detail", args=[item["subject_id"]])


def case_step_action(item: dict):
    return STEP_ACTIONS.get(item["kind"], _("Open"))


def case_summaries(ids, user) -> dict[int, dict]:
    from .selectors import case_summaries as summaries

    return summaries(ids, user=user)


def cases_awaiting_goods(user) -> list[dict]:
    from .selectors import case_list

    cases = (case_list(user=user).filter(state=CaseState.APPROVED).order_by("submitted_at", "id")
             [:AWAITING_GOODS])
    summaries = case_summaries([case.pk for case in cases], user)
    return [{"label": _("Goods awaited (approved, not arrived)"), "reference": case.number,
             "url": reverse("returns:receive", args=[case.pk]), "case_url": case_page(case.pk),
             "action": STEP_ACTIONS["receiving"], "since": case.submitted_at, "customer": case.customer.name,
             "models": summaries.get(case.pk, {}).get("models", []), "quantity": case.noted_quantity}
            for case in cases]


def cases_to_close(user) -> list[dict]:
    """Settled cases service has not closed yet: the review that closes them is no clocked step."""
    from .selectors import case_list

    cases = list(case_list(user=user).filter(state=CaseState.SETTLED).order_by("updated_at", "id")[:AWAITING_GOODS])
    summaries = case_summaries([case.pk for case in cases], user)
    return [{"label": _("Settled, to close"), "reference": case.number, "url": case_page(case.pk),
             "action": _("Close the case"), "since": case.updated_at, "customer": case.customer.name,
             "models": summaries.get(case.pk, {}).get("models", []), "quantity": case.noted_quantity}
            for case in cases]


def replenishments_open(user) -> list[dict]:
    """补货指令 waiting for planning: units replaced because they are not reworked (客退品处理流程)."""
    from .models import Replenishment

    rows = (Replenishment.objects.filter(state=Replenishment.State.OPEN).select_related("return_case__customer",
                                                                                       "product_model")
            .order_by("due_date", "id")[:AWAITING_GOODS])
    return [{"label": _("Replenishment instruction (due %(due)s)") % {"due": row.due_date.isoformat()},
             "reference": row.return_case.number, "url": case_page(row.return_case_id),
             "case_url": case_page(row.return_case_id), "action": _("Plan production"), "since": row.created_at,
             "customer": row.return_case.customer.name, "models": [row.product_model.code],
             "quantity": row.quantity}
            for row in rows]


def refunds_to_record(user, *, desk: bool = False) -> list[dict]:
    """Refunds waiting to be recorded: refund lines not refunded yet, and units of other lines refunded instead of
    going back (redisposed), on cases past the receipt; for the e-commerce desk, its own no-reason lines only."""
    from django.db.models import Exists, OuterRef, Q

    from .models import Channel, Disposition, Outcome, Reason, ReturnLine, ReturnUnit
    from .selectors import case_list
    from .workflow import AFTER_RECEIPT

    lines = ReturnLine.objects.filter(return_case=OuterRef("pk"), requested_outcome=Outcome.REFUND,
                                      refunded_at__isnull=True)
    if desk:
        lines = lines.filter(reason=Reason.NO_REASON, window_decision__within=True).exclude(
            window_decision__has_key="override")
    pending = Q(Exists(lines))
    if not desk:
        pending |= Q(Exists(ReturnUnit.objects.filter(return_case=OuterRef("pk"), state=UnitState.READY_TO_SETTLE,
                                                      disposition=Disposition.REFUND)))
    cases = case_list(user=user).filter(pending, state__in=AFTER_RECEIPT)
    if desk:
        cases = cases.filter(channel=Channel.ECOMMERCE)
    cases = list(cases.order_by("updated_at", "id")[:AWAITING_GOODS])
    summaries = case_summaries([case.pk for case in cases], user)
    return [{"label": _("Refund to record"), "reference": case.number, "url": case_page(case.pk),
             "action": _("Record the refund"), "since": case.updated_at, "customer": case.customer.name,
             "models": summaries.get(case.pk, {}).get("models", []), "quantity": case.noted_quantity}
            for case in cases]


def desk_refunds_to_record(user) -> list[dict]:
    return refunds_to_record(user, desk=True)


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

    register_menu_group("returns", pgettext_lazy("menu", "Return cases"))
    register_menu_item("returns:case_list", _("Cases"), order=10, group="returns")
    register_menu_item("returns:case_new", _("New return"), roles={"service", CUSTOMER}, order=20, group="returns")
    register_menu_item("returns:receiving", pgettext_lazy("menu", "Receiving"), roles={"warehouse"}, order=30)
    register_menu_item("returns:quality_bench", _("Quality bench"), roles={"quality"}, order=40)
    register_menu_item("returns:repair_bench", _("Repair bench"), roles={"repair"}, order=50)
    register_menu_item("returns:approval_matrix", _("Approval matrix"), roles={"manager", "service"}, order=21,
                       group="returns")
    register_site_search("returns:case_list", label=_("Search by case number, serial or customer"),
                         placeholder=_("Case no., serial, customer"))
    register_step_page(SUBJECT, case_step_page, action=case_step_action)
    register_subject_summaries(SUBJECT, case_summaries)
    register_state_groups(SUBJECT, CASE_STATE_GROUPS)
    register_state_groups(UNIT, UNIT_STATE_GROUPS)
    register_subject_page(SUBJECT, case_page, link_label=_("open the case"))
    register_inbox_source("warehouse", cases_awaiting_goods)
    register_inbox_source("service", cases_to_close)
    register_inbox_source("planning", replenishments_open)
    register_inbox_source("finance", refunds_to_record)
    register_inbox_source("ecommerce", desk_refunds_to_record)
    register_inbox_section(customer_cases)
    for form in FORMS:
        register_print_form(SUBJECT, form)
    register_doc_section(10, workflow_markdown)
    register_demo(10, "returns", demo_build)
