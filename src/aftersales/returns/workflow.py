"""The return case's workflow, whole, in one table.

Each row: the action, whether it acts on the case or on units, the states it starts from,
the state it leads to (or, where the service routes by the facts, the states it may lead
to), the roles that may take it, and its guards. The API's "allowed actions", the UI's
buttons, the permission check and docs/workflow.md (generated) all read this table.
Guards are pure functions of objects already loaded: they return an error code, or None.
"""

from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import message_of
from aftersales.core.workflow import Guard, GuardContext, Transition
from aftersales.core.workflow import roles as _roles

from .models import CaseState as C
from .models import Disposition, Outcome, VolumeClass
from .models import UnitState as U

CASE, UNIT = "case", "unit"


def action(name, label, level, sources, targets, roles, guards=()) -> Transition:
    """A row of the table, in the order the table reads: name, label, level, from, to, roles, guards."""
    return Transition(name=name, label=label, sources=sources, targets=targets, roles=roles, guards=guards,
                      level=level)


# --- guards ---

def has_lines(ctx: GuardContext) -> str | None:
    return None if ctx.case.lines.all() else "no_lines"


def own_case(ctx: GuardContext) -> str | None:
    customer_id = getattr(ctx.actor, "customer_id", None)
    return "not_your_case" if customer_id is not None and customer_id != ctx.case.customer_id else None


def may_approve_pending(ctx: GuardContext) -> str | None:
    from .services.approvals import approvals_actor_may_give, gave_another_kind

    if not approvals_actor_may_give(ctx.case, ctx.actor, ctx.roles, ctx.cache):
        return "no_approval_for_you"
    return "one_approval_per_person" if gave_another_kind(ctx.case, ctx.actor) else None


def note_complete(ctx: GuardContext) -> str | None:
    from .rules import note_missing

    return "return_note_incomplete" if note_missing(ctx.case.lines.all()) else None


def sorting_by_quality(ctx: GuardContext) -> str | None:
    needs_quality = ctx.case.needs_quality_sorting and "quality" not in ctx.roles
    return "quality_sorting_required" if needs_quality else None


def consent_pending(ctx: GuardContext) -> str | None:
    return None if all(u.needs_consent and not u.consent for u in ctx.units) else "no_consent_pending"


def charge_to_quote(ctx: GuardContext) -> str | None:
    return None if all(u.chargeable and not u.charge_answer for u in ctx.units) else "not_chargeable"


def charge_quoted(ctx: GuardContext) -> str | None:
    ok = all(u.charge_amount is not None and not u.charge_answer for u in ctx.units)
    return None if ok else "no_charge_quoted"


def charge_accepted(ctx: GuardContext) -> str | None:
    ok = all(u.charge_answer.get("accepted") for u in ctx.units)
    return None if ok else "no_charge_accepted"


def window_to_override(ctx: GuardContext) -> str | None:
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    late = any(line.window_decision.get("deadline", today) < today and not line.window_decision.get("override")
               for line in ctx.case.lines.all())
    return None if late else "no_window_to_override"


def work_not_finished(ctx: GuardContext) -> str | None:
    """A disposition changes until the work is finished: not at final inspection, not once passed."""
    from .services.handlers.units import WORK

    done = any(u.state == U.FINAL_INSPECTION or (u.state == U.READY_TO_SHIP and u.disposition in WORK)
               for u in ctx.units)
    return "work_finished" if done else None


def in_warranty_repair(ctx: GuardContext) -> str | None:
    """An in-warranty repair of the case, not yet back with the customer: its return date is agreed."""
    key = "in_warranty_repair"
    if key not in ctx.cache:
        from .models import ReturnUnit

        ctx.cache[key] = ReturnUnit.objects.filter(
            return_case=ctx.case, warranty_status="in", disposition__in=("repair", "refurbish"),
            state__in=(U.DISPOSED, U.IN_WORK, U.FINAL_INSPECTION, U.READY_TO_SHIP)).exists()
    return None if ctx.cache[key] else "no_in_warranty_repair"


def batch_case(ctx: GuardContext) -> str | None:
    return None if ctx.case.volume_class == VolumeClass.BATCH else "not_a_batch_case"


def exchange_to_ship(ctx: GuardContext) -> str | None:
    waiting = any(line.requested_outcome == Outcome.EXCHANGE and line.exchanges_shipped < line.quantity
                  for line in ctx.case.lines.all())
    return None if waiting else "no_exchange_to_ship"


def refund_pending(ctx: GuardContext) -> str | None:
    """A refund line not refunded yet, or a unit of another line refunded instead of going back (redisposed)."""
    pending = any(line.requested_outcome == Outcome.REFUND and line.refunded_at is None for line in ctx.case.lines.all())
    return None if pending or units_awaiting_refund(ctx) else "no_refund_pending"


def units_awaiting_refund(ctx: GuardContext) -> bool:
    key = "units_awaiting_refund"
    if key not in ctx.cache:
        from .models import ReturnUnit

        ctx.cache[key] = ReturnUnit.objects.filter(return_case=ctx.case, state=U.READY_TO_SETTLE,
                                                   disposition=Disposition.REFUND).exists()
    return ctx.cache[key]


def desk_refund_in_window(ctx: GuardContext) -> str | None:
    """Finance records every refund; the e-commerce desk that of its no-reason lines within their window only."""
    from .rules import desk_may_refund

    if "finance" in ctx.roles:
        return None
    ok = any(line.refunded_at is None and desk_may_refund(channel=ctx.case.channel, reason=line.reason,
                                                          outcome=line.requested_outcome, window=line.window_decision)
             for line in ctx.case.lines.all())
    return None if ok else "desk_refund_not_allowed"


def exchange_units(ctx: GuardContext) -> str | None:
    """Units waiting to settle are exchanged only if they are to be replaced (a refund is finance's)."""
    return None if all(u.disposition != Disposition.REFUND for u in ctx.units) else "unit_awaits_refund"


# Checks that other apps put on the work itself (repairs: a batch's first-article gate). Each takes
# the GuardContext (its action is start_work or finish_work) and returns an error code or None.
WORK_GATES: list[Guard] = []


def register_work_gate(gate: Guard) -> None:
    """Add a check on the work (its codes and messages are in core/errors.CODES)."""
    if gate not in WORK_GATES:
        WORK_GATES.append(gate)


def work_gates_pass(ctx: GuardContext) -> str | None:
    for gate in WORK_GATES:
        code = gate(ctx)
        if code is not None:
            return code
    return None


# Guards that look at the units acted on; the others look at the case and the actor only.
UNIT_GUARDS = {consent_pending, charge_to_quote, charge_quoted, charge_accepted, work_gates_pass, work_not_finished,
               exchange_units}


# --- the table ---

AFTER_RECEIPT = (C.RECEIVED, C.INSPECTING, C.DISPOSED, C.IN_WORK, C.FINAL_INSPECTION, C.READY)


ACTIONS: dict[str, Transition] = {a.name: a for a in [
    # The application and its approval.
    action("submit", _("Submit"), CASE, (C.DRAFT,), (C.SUBMITTED, C.APPROVED), _roles("service customer"),
           (own_case, has_lines)),
    action("override_window", _("Allow a line outside its return window"), CASE, (C.DRAFT,), (C.DRAFT,),
           _roles("manager"), (window_to_override,)),
    action("approve", _("Approve"), CASE, (C.SUBMITTED,), (C.SUBMITTED, C.APPROVED), _roles("service manager"),
           (may_approve_pending,)),
    action("reject", _("Reject"), CASE, (C.SUBMITTED,), (C.REJECTED,), _roles("service manager"),
           (may_approve_pending,)),
    # Also once approved and before anything arrives: a note found incomplete at receiving (start_receiving refuses
    # it) goes back to be completed and submitted again (its approvals asked again, in a new round).
    action("return_for_correction", _("Return for correction"), CASE, (C.SUBMITTED, C.APPROVED), (C.DRAFT,),
           _roles("service manager")),
    action("cancel", _("Cancel"), CASE, (C.DRAFT, C.SUBMITTED, C.APPROVED), (C.CANCELLED,),
           _roles("service manager customer"), (own_case,)),
    # Receiving.
    action("start_receiving", _("Start receiving"), CASE, (C.APPROVED,), (C.RECEIVING,), _roles("warehouse"),
           (note_complete,)),
    action("receive", _("Receive goods"), CASE, (C.RECEIVING,), (C.RECEIVING,), _roles("warehouse")),
    action("close_receipt", _("Close the receipt"), CASE, (C.RECEIVING,), (C.RECEIVED, C.INSPECTING, C.READY, C.SETTLED),
           _roles("warehouse")),
    # Per unit: inspection and disposition.
    action("inspect", _("Inspect"), UNIT, (U.RECEIVED, U.INSPECTED), (U.INSPECTED,), _roles("quality service"),
           (sorting_by_quality,)),
    action("dispose", _("Decide the disposition"), UNIT, (U.INSPECTED,),
           (U.WAITING_APPROVAL, U.WAITING_CUSTOMER, U.DISPOSED, U.FINAL_INSPECTION, U.READY_TO_SHIP,
            U.READY_TO_SETTLE, U.DONE),
           _roles("quality")),
    action("redispose", _("Change the disposition"), UNIT,
           (U.WAITING_APPROVAL, U.WAITING_CUSTOMER, U.DISPOSED, U.IN_WORK, U.READY_TO_SETTLE, U.FINAL_INSPECTION,
            U.READY_TO_SHIP),
           (U.WAITING_APPROVAL, U.WAITING_CUSTOMER, U.DISPOSED, U.READY_TO_SHIP, U.READY_TO_SETTLE, U.DONE),
           _roles("quality"), (work_not_finished,)),
    action("approve_scrap", _("Approve scrapping"), UNIT, (U.WAITING_APPROVAL,), (U.DONE,), _roles("manager")),
    action("reject_scrap", _("Refuse scrapping"), UNIT, (U.WAITING_APPROVAL,), (U.INSPECTED,), _roles("manager")),
    # Per unit: what the customer must agree to.
    action("quote_charge", _("Quote the charge"), UNIT, (U.WAITING_CUSTOMER,), (U.WAITING_CUSTOMER,),
           _roles("service"), (charge_to_quote,)),
    action("give_consent", _("Consent to rework"), UNIT, (U.WAITING_CUSTOMER,), (U.WAITING_CUSTOMER, U.DISPOSED),
           _roles("customer service"), (own_case, consent_pending)),
    action("refuse_consent", _("Refuse rework"), UNIT, (U.WAITING_CUSTOMER,), (U.READY_TO_SHIP,),
           _roles("customer service"), (own_case, consent_pending)),
    action("accept_charge", _("Accept the charge"), UNIT, (U.WAITING_CUSTOMER,), (U.WAITING_CUSTOMER, U.DISPOSED),
           _roles("customer service"), (own_case, charge_quoted)),
    action("refuse_charge", _("Refuse the charge"), UNIT, (U.WAITING_CUSTOMER,), (U.READY_TO_SHIP, U.WAITING_APPROVAL),
           _roles("customer service"), (own_case, charge_quoted)),
    action("revise_charge", _("Revise the quoted charge"), UNIT, (U.DISPOSED, U.IN_WORK), (U.WAITING_CUSTOMER,),
           _roles("service"), (charge_accepted,)),
    # Per unit: the work and its final inspection.
    action("start_work", _("Start work"), UNIT, (U.DISPOSED,), (U.IN_WORK,), _roles("repair"), (work_gates_pass,)),
    action("finish_work", _("Finish work"), UNIT, (U.IN_WORK,), (U.FINAL_INSPECTION,), _roles("repair"),
           (work_gates_pass,)),
    action("pass_final", _("Pass final inspection"), UNIT, (U.FINAL_INSPECTION,), (U.READY_TO_SHIP, U.DONE),
           _roles("quality")),
    action("fail_final", _("Fail final inspection"), UNIT, (U.FINAL_INSPECTION,), (U.IN_WORK,), _roles("quality")),
    # Settlement.
    action("ship_back", _("Ship back"), UNIT, (U.READY_TO_SHIP,), (U.DONE,), _roles("warehouse service")),
    action("settle_exchange", _("Ship the exchange"), UNIT, (U.READY_TO_SETTLE,), (U.DONE,),
           _roles("service warehouse"), (exchange_units,)),
    action("ship_exchange_in_advance", _("Ship exchange units ahead of the returns"), CASE,
           (C.APPROVED, C.RECEIVING, *AFTER_RECEIPT), (), _roles("service warehouse"), (batch_case, exchange_to_ship)),
    action("settle_refund", _("Record the refund"), CASE, AFTER_RECEIPT, (), _roles("finance ecommerce"),
           (refund_pending, desk_refund_in_window)),
    action("agree_return_date", _("Record the return date agreed with the customer"), CASE,
           (C.DISPOSED, C.IN_WORK, C.FINAL_INSPECTION, C.READY), (), _roles("service"), (in_warranty_repair,)),
    action("override_warranty", _("Override the warranty decision"), UNIT,
           (U.EXPECTED, U.RECEIVED, U.INSPECTED, U.WAITING_APPROVAL, U.WAITING_CUSTOMER, U.DISPOSED), (),
           _roles("manager")),
    action("close", _("Close the case"), CASE, (C.SETTLED,), (C.CLOSED,), _roles("service manager")),
]}

# States in which units may be acted on (after the receipt is closed; warranty overrides earlier too).
UNIT_ACTION_CASE_STATES = {
    "override_warranty": (C.SUBMITTED, C.APPROVED, C.RECEIVING, *AFTER_RECEIPT),
}
DEFAULT_UNIT_ACTION_CASE_STATES = AFTER_RECEIPT

# Timeline entries that are not workflow actions, and the words people read for every entry.
OTHER_EVENTS = {"create": _("Created"), "edit": _("Edited"), "attach": _("Added a file")}


def event_label(action: str):
    spec = ACTIONS.get(action)
    return spec.label if spec is not None else OTHER_EVENTS.get(action, action)


# The codes the guards (and the work gates) answer, with their messages from the one catalogue.
GUARD_CODES = ("no_lines", "not_your_case", "no_approval_for_you", "return_note_incomplete", "quality_sorting_required",
               "no_consent_pending", "not_chargeable", "no_charge_quoted", "not_a_batch_case", "no_charge_accepted",
               "no_exchange_to_ship", "no_refund_pending", "no_window_to_override", "one_approval_per_person",
               "work_finished", "first_article_pending", "batch_work_needs_order", "no_in_warranty_repair",
               "unit_awaits_refund", "desk_refund_not_allowed")
GUARD_MESSAGES = {code: message_of(code) for code in GUARD_CODES}


def case_states_for(action: Transition) -> tuple[str, ...]:
    if action.level == CASE:
        return action.sources
    return UNIT_ACTION_CASE_STATES.get(action.name, DEFAULT_UNIT_ACTION_CASE_STATES)
