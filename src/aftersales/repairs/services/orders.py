"""Rework orders (重工单): opened by planning for disposed units, answered with a plan, started (a batch's
first article first), checked, recorded, delayed, closed or cancelled. Every change of the order's
state goes through its table (workflow.REWORK_ORDER); the units move through the return case's
workflow (`apply_action`: start_work, finish_work, fail_final)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing, policies
from aftersales.core.errors import Conflict, InvalidInput, NotFound
from aftersales.core.roles import require_roles
from aftersales.core.workflow import state_change_record
from aftersales.deadlines.models import Deadline
from aftersales.deadlines.services import Subject, Want, deadlines_sync
from aftersales.returns.clocks import case_clocks_sync
from aftersales.returns.notices import customer_notice_send
from aftersales.returns.models import CustomerNotice, Disposition, ReturnCase, ReturnUnit, UnitState
from aftersales.returns.services.actions import apply_action

from ..clocks import SUBJECT
from ..models import Delay, FirstArticleCheck, OrderKind, OrderState, OrderUnit, RepairOrder, RepairPlan, RepairRecord
from ..workflow import OPEN_ORDER_STATES, REWORK_ORDER
from .common import NOTE, next_number, text

DELAY_REASONS = ("material", "technical")


def _orders():
    return RepairOrder.objects.select_related("return_case", "first_article_unit")


def order_clock(order: RepairOrder, *, actor=None) -> Deadline | None:
    """The order's clocks: the repair plan reply until repair answers, the order until it is done.
    Returns the order's own clock while it runs."""
    wanted = {}
    if order.state in OPEN_ORDER_STATES:
        wanted["repair_order"] = Want(facts={"batch": order.is_batch, "delay_days": order.delay_working_days})
        if not RepairPlan.objects.filter(order=order).exists():
            wanted["repair_plan_reply"] = Want()
    subject = Subject(SUBJECT, order.pk, order.number, order.return_case.customer_id)
    running = None
    for deadline in deadlines_sync(subject, wanted, actor=actor):
        if deadline.kind == SUBJECT and deadline.state == "open":
            running = deadline
            if order.due_at != deadline.due_at:
                order.due_at = deadline.due_at
                RepairOrder.objects.filter(pk=order.pk).update(due_at=deadline.due_at)
    return running


def order_unit_ids(order: RepairOrder) -> list[int]:
    return list(OrderUnit.objects.filter(order=order).order_by("unit_id").values_list("unit_id", flat=True))


@transaction.atomic
def order_open(*, actor, case_id: int, unit_ids: list[int], kind: str = OrderKind.REPAIR, method: str = "",
               team: str = "", is_batch: bool | None = None) -> RepairOrder:
    """Planning opens a rework order for disposed units of one case (repair, rework or refurbish)."""
    require_roles(actor, "planning")
    case_id = parsing.record_id(case_id, "case")
    unit_ids = parsing.record_ids(unit_ids, "unit_ids")
    if is_batch is not None:
        is_batch = parsing.flag(is_batch, "is_batch")
    if kind not in OrderKind.values:
        raise InvalidInput(details={"kind": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(OrderKind.values)}]})
    method, team = text(method, "method"), text(team, "team", max_length=60)
    case = ReturnCase.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    if not unit_ids:
        raise InvalidInput(details={"unit_ids": [_("Name the units to act on.")]})
    units = list(ReturnUnit.objects.filter(return_case=case, pk__in=unit_ids).order_by("id"))
    if len(units) != len(set(unit_ids)):
        raise NotFound(_("Some units are not on this case."))
    wrong = [u.pk for u in units if u.state != UnitState.DISPOSED
             or u.disposition not in (Disposition.REPAIR, Disposition.REFURBISH)]
    if wrong:
        raise Conflict(_("Only units disposed for repair or refurbishment and waiting for work go on an order."),
                       code="invalid_state", details={"unit_ids": wrong[:100]})
    busy = list(OrderUnit.objects.filter(unit__in=units, order__state__in=OPEN_ORDER_STATES)
                .values_list("unit_id", flat=True))
    if busy:
        raise Conflict(code="unit_on_order", details={"unit_ids": busy[:100]})
    batch = case.volume_class == "batch" if is_batch is None else is_batch
    order = RepairOrder.objects.create(
        number=next_number("RW"), return_case=case, kind=kind, method=method, team=team, is_batch=batch,
        first_article_unit=units[0] if batch and len(units) > 1 else None, due_at=timezone.now(), created_by=actor)
    OrderUnit.objects.bulk_create([OrderUnit(order=order, unit=unit) for unit in units])
    state_change_record(REWORK_ORDER, order, actor, "open", "", order.state, {"units": len(units)})
    order_clock(order, actor=actor)
    case_clocks_sync(order.return_case, actor=actor)  # planning's clock for the units is met
    return order


@transaction.atomic
def order_plan(*, actor, order_id: int, expected_finish, note: str = "") -> RepairOrder:
    """Repair answers the instruction with a plan (policy: 8 hours); a plan past the due date says why."""
    def plan(ctx):
        order = ctx.record
        finish = parsing.moment(expected_finish, "expected_finish")
        why = text(note, "note", max_length=NOTE)
        if finish > order.due_at and not why:
            raise InvalidInput(details={"note": [_("The plan finishes after the due date: say why.")]})
        RepairPlan.objects.update_or_create(order=order, defaults={
            "expected_finish": finish, "note": why, "answered_by": actor, "beyond_due": finish > order.due_at})
        ctx.changes = {"expected_finish": finish.isoformat()}

    order = REWORK_ORDER.apply(actor=actor, pk=order_id, action="plan", handler=plan, queryset=_orders()).record
    order_clock(order, actor=actor)
    return order


@transaction.atomic
def order_findings(*, actor, order_id: int, findings: str, method: str = "") -> RepairOrder:
    """Engineering's analysis of representative units; the order's method carries it."""
    def record(ctx):
        ctx.record.findings = text(findings, "findings")
        if method:
            ctx.record.method = text(method, "method")

    return REWORK_ORDER.apply(actor=actor, pk=order_id, action="findings", handler=record, queryset=_orders()).record


@transaction.atomic
def order_start(*, actor, order_id: int) -> RepairOrder:
    """Repair starts: a batch order works its first article only; otherwise every unit."""
    def start(ctx):
        order = ctx.record
        if order.first_article_unit_id:
            units, ctx.to_state = [order.first_article_unit_id], OrderState.FIRST_ARTICLE
        else:
            units, ctx.to_state = order_unit_ids(order), OrderState.IN_PROGRESS
        apply_action(actor=actor, case_id=order.return_case_id, action="start_work", unit_ids=units)

    return REWORK_ORDER.apply(actor=actor, pk=order_id, action="start", handler=start, queryset=_orders()).record


@transaction.atomic
def first_article_check(*, actor, order_id: int, passed: bool, notes: str = "") -> RepairOrder:
    """Quality checks the first reworked unit: pass lets the rest proceed; fail sends it back to work."""
    def check(ctx):
        order = ctx.record
        unit = ReturnUnit.objects.get(pk=order.first_article_unit_id)
        if unit.state != UnitState.FINAL_INSPECTION:
            raise Conflict(code="first_article_not_ready")
        verdict, said = parsing.flag(passed, "passed"), text(notes, "notes", max_length=NOTE)
        FirstArticleCheck.objects.create(order=order, unit=unit, passed=verdict, notes=said, checked_by=actor)
        if verdict:
            ctx.to_state = OrderState.IN_PROGRESS  # the rest of the batch may now be worked
            _delivery_date_tell(order)
        else:
            ctx.to_state = OrderState.FIRST_ARTICLE
            apply_action(actor=actor, case_id=order.return_case_id, action="fail_final", unit_ids=[unit.pk],
                         params={"notes": said}, comment=_("First article failed."))
        ctx.changes = {"passed": verdict}

    return REWORK_ORDER.apply(actor=actor, pk=order_id, action="first_article", handler=check,
                              queryset=_orders()).record


def _delivery_date_tell(order: RepairOrder) -> None:
    """客退返工品处理流程: once the first article passes, the customer is told when the batch is delivered
    (the repair plan's expected finish, else the order's due date)."""
    plan = RepairPlan.objects.filter(order=order).values_list("expected_finish", flat=True).first()
    delivery = timezone.localdate(plan or order.due_at)
    customer_notice_send(order.return_case, CustomerNotice.Kind.DELIVERY, date=delivery.isoformat(),
                         order=order.number, units=len(order_unit_ids(order)))


@transaction.atomic
def order_close(*, actor, order_id: int) -> RepairOrder:
    """Close the order once every unit has its repair record and is out of work."""
    def close(ctx):
        order = ctx.record
        unit_ids = order_unit_ids(order)
        recorded = set(RepairRecord.objects.filter(order=order).values_list("unit_id", flat=True))
        in_work = list(ReturnUnit.objects.filter(pk__in=unit_ids, state=UnitState.IN_WORK)
                       .values_list("id", flat=True))
        missing = [pk for pk in unit_ids if pk not in recorded]
        if missing or in_work:
            raise Conflict(code="order_not_finished", details={"without_record": missing[:100],
                                                               "in_work": in_work[:100]})
        order.closed_at = timezone.now()

    order = REWORK_ORDER.apply(actor=actor, pk=order_id, action="close", handler=close, queryset=_orders()).record
    order_clock(order, actor=actor)
    return order


@transaction.atomic
def order_cancel(*, actor, order_id: int, reason: str) -> RepairOrder:
    """Planning cancels an order not started yet; its units wait for another order."""
    def cancel(ctx):
        ctx.changes = {"reason": text(reason, "reason", max_length=NOTE, required=True)}
        ctx.record.closed_at = timezone.now()

    order = REWORK_ORDER.apply(actor=actor, pk=order_id, action="cancel", handler=cancel, queryset=_orders()).record
    order_clock(order, actor=actor)
    _material_release(order, actor=actor)
    case_clocks_sync(order.return_case, actor=actor)  # its units wait for an order again
    return order


def _material_release(order: RepairOrder, *, actor) -> None:
    """A cancelled order's material requests not issued yet are released: purchasing stops, stock stays free."""
    from .material_requests import material_request_release

    for request_id in (order.material_requests.filter(state__in=MATERIAL_RELEASABLE).order_by("id")
                       .values_list("id", flat=True)):
        material_request_release(actor=actor, request_id=request_id, order=order)


MATERIAL_RELEASABLE = ("submitted", "approved", "received")
WORK = (Disposition.REPAIR, Disposition.REFURBISH)


def orders_follow_redisposal(sender, *, case, action: str, actor, unit_ids, params, **kwargs) -> None:
    """Quality changed the disposition of units (售后返退货流程描述 四.2): those no longer repaired or refurbished
    leave their open rework orders (returns sends this inside the redisposal's transaction)."""
    if action != "redispose":
        return
    leaving = set(ReturnUnit.objects.filter(pk__in=list(unit_ids)).exclude(disposition__in=WORK)
                  .values_list("id", flat=True))
    if not leaving:
        return
    order_ids = sorted(set(OrderUnit.objects.filter(unit_id__in=leaving, order__state__in=OPEN_ORDER_STATES)
                           .values_list("order_id", flat=True)))
    for order_id in order_ids:
        units_leave_order(actor=actor, order_id=order_id, unit_ids=leaving,
                          reason=str(params.get("reason") or ""))


@transaction.atomic
def units_leave_order(*, actor, order_id: int, unit_ids: set[int], reason: str) -> RepairOrder:
    """Units redisposed away from the work leave the order; an order left without units is cancelled (its
    material released), one whose first article left waits for a new one (planned again if it was at it)."""
    def leave(ctx):
        order = ctx.record
        gone = sorted(set(order_unit_ids(order)) & unit_ids)
        OrderUnit.objects.filter(order=order, unit_id__in=gone).delete()
        remaining = order_unit_ids(order)
        ctx.changes = {"unit_ids": gone, "reason": reason[:500], "remaining": len(remaining)}
        if not remaining:
            ctx.to_state, order.closed_at = OrderState.CANCELLED, timezone.now()
        elif order.first_article_unit_id in gone:
            order.first_article_unit_id = remaining[0] if len(remaining) > 1 else None
            if order.state == OrderState.FIRST_ARTICLE:
                ctx.to_state = OrderState.PLANNED

    order = REWORK_ORDER.lock(order_id, _orders())
    order.units_redisposed = sorted(unit_ids)  # the table's guard: this step comes of a redisposal only
    order = REWORK_ORDER.apply(actor=actor, record=order, action="units_leave", handler=leave).record
    order_clock(order, actor=actor)
    if order.state == OrderState.CANCELLED:
        _material_release(order, actor=actor)
    return order


# --- delays ---

@transaction.atomic
def delay_add(*, actor, order_id: int, reason: str, explanation: str, working_days, notice: str) -> Delay:
    """A delay for missing material or technical reasons, with the written notice to service. Past
    the policy's longest delay (in total) only a manager may grant it."""
    made = {}

    def delay(ctx):
        order = ctx.record
        errors = {}
        if reason not in DELAY_REASONS:
            errors["reason"] = [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(DELAY_REASONS)}]
        texts = {}
        for name, value in (("explanation", explanation), ("notice", notice)):
            try:
                texts[name] = text(value, name, required=True)
            except InvalidInput as error:
                errors.update(error.details)
        try:
            days = parsing.whole_number(working_days, "working_days", minimum=1, maximum=10_000)
        except InvalidInput as error:
            errors.update(error.details)
        if errors:
            raise InvalidInput(details=errors)
        limit = policies.value("max_delay_working_days")
        total = order.delay_working_days + days
        if total > limit and "manager" not in ctx.roles:
            raise Conflict(_("A delay beyond %(limit)s working days in total needs a manager's approval.")
                           % {"limit": limit}, code="delay_beyond_limit", details={"total": total, "limit": limit})
        made.update(before=order.due_at, days=days, total=total, limit=limit, **texts)
        order.delay_working_days = total
        ctx.changes = {"working_days": days, "reason": reason}

    order = REWORK_ORDER.apply(actor=actor, pk=order_id, action="delay", handler=delay, queryset=_orders()).record
    clock = order_clock(order, actor=actor)
    order.refresh_from_db(fields=["due_at"])
    _notify_service_of_delay(order, made["days"], made["notice"], provisional=bool(clock and clock.provisional))
    return Delay.objects.create(order=order, reason=reason, explanation=made["explanation"],
                                working_days=made["days"], notice=made["notice"], requested_by=actor,
                                approved_by=actor if made["total"] > made["limit"] else None,
                                due_before=made["before"], due_after=order.due_at)


def _notify_service_of_delay(order: RepairOrder, working_days: int, notice: str, *, provisional: bool) -> None:
    """The written notice of a delay reaches service (who tells the customer) with the delay itself."""
    from aftersales.notifications.services import notify, recipients

    notify(recipients(role="service"), "repair_delay",
           {"order": order.number, "case": order.return_case.number, "working_days": working_days,
            "notice": notice, "due_at": timezone.localtime(order.due_at).isoformat(), "provisional": provisional},
           subject_type="return_case", subject_id=order.return_case_id)
