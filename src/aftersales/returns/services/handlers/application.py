"""The application and its approval: submit, approve, reject, return for correction, cancel."""

from collections import Counter

from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing, policies
from aftersales.core.errors import Conflict, InvalidInput, PermissionDenied
from aftersales.masterdata.models import ShippedUnit, Warehouse, WarehouseKind

from ... import rules
from ...models import Approval, CaseState, CustomerNotice, Outcome, ReturnLine, ReturnUnit, VolumeClass
from .. import approvals, warranty, windows
from .common import ActionContext, U, _now, _notice, _required, _who, open_units_elsewhere, units_create


def submit(ctx: ActionContext) -> None:
    case, snapshot = ctx.case, policies.snapshot()
    lines = list(case.lines.select_related("product_model"))
    incomplete = {str(line.line_no): {"product_model": [_("Name the product model.")]}
                  for line in lines if line.product_model_id is None}
    incomplete.update({str(line.line_no): {"quantity": [_("Must be at least 1.")]}
                       for line in lines if line.quantity < 1})
    if incomplete:
        raise InvalidInput(details={"lines": incomplete})

    ReturnUnit.objects.filter(return_case=case, state=U.EXPECTED).delete()
    _refuse_serials_on_open_cases(case, lines)
    expected = []
    for line in lines:
        registry = {u.serial: u for u in ShippedUnit.objects.filter(product_model_id=line.product_model_id,
                                                                     serial__in=line.serials)}
        for serial in line.serials:
            shipped = registry.get(serial)
            expected.append(ReturnUnit(return_case=case, line=line, product_model=line.product_model, serial=serial,
                                       shipped_unit=shipped, in_registry=shipped is not None))
    warranty.decide_units(expected, case=case, snapshot=snapshot)
    units_create(expected)

    today = timezone.localdate()
    windows.lines_windows_decide(case, lines, snapshot=snapshot, on=today)
    _refuse_lines_outside_windows(lines)
    ReturnLine.objects.bulk_update(lines, ["window_decision"])

    quantities = Counter()
    same_day = ReturnLine.objects.filter(
        return_case__customer=case.customer, return_case__submitted_at__date=today,
    ).exclude(return_case=case).exclude(return_case__state__in=[CaseState.DRAFT, CaseState.CANCELLED])
    for model_id, quantity in same_day.values_list("product_model_id", "quantity"):
        quantities[model_id] += quantity
    for line in lines:
        quantities[line.product_model_id] += line.quantity
    case.volume_class, case.volume_detail = rules.volume_class(
        quantities_by_model=quantities, per_model_threshold=snapshot["batch_threshold_per_model_per_day"],
        all_models_threshold=snapshot["batch_threshold_all_models_per_day"])
    total = sum(line.quantity for line in lines)
    case.needs_quality_sorting = (total > snapshot["quality_sorting_threshold_units"]
                                  or case.volume_class == VolumeClass.BATCH)
    case.required_approvals = rules.required_approvals(
        volume=case.volume_class, is_quality_incident=case.is_quality_incident,
        has_whole_unit_replacement=any(line.requested_outcome == Outcome.EXCHANGE for line in lines),
        desk_handles=rules.desk_handles(channel=case.channel, decisions=[line.window_decision for line in lines],
                                        reasons=[line.reason for line in lines]))
    case.approval_round += 1
    case.submitted_at = _now()
    ctx.case_to_state = CaseState.SUBMITTED if case.required_approvals else CaseState.APPROVED
    ctx.changes = {"volume_class": case.volume_class, "required_approvals": case.required_approvals,
                   "expected_units": len(expected), "needs_quality_sorting": case.needs_quality_sorting}
    if not case.required_approvals:  # within its window: the e-commerce desk handles it (自行办理退款)
        ctx.changes["desk_handles"] = True
        _notice(case, CustomerNotice.Kind.DECISION, decision=Approval.Decision.APPROVED, desk_handles=True,
                comment=ctx.comment)


def _refuse_lines_outside_windows(lines) -> None:
    """A line under a return window needs the delivery date; one outside its window is refused unless a
    manager overrode it (override_window)."""
    undated = [line.line_no for line in lines if line.window_decision.get("within") is None
               and line.window_decision.get("applies")]
    if undated:
        raise InvalidInput(details={"delivered_date": [
            _("Give the delivery date: the return window of lines %(lines)s counts from it.") % {"lines": undated}]})
    late = [line for line in lines if not rules.window_open(line.window_decision)]
    if late:
        reasons = {str(line.line_no): rules.window_refusal(line.line_no, line.window_decision) for line in late}
        raise Conflict(" ".join(reasons.values()), code="return_window_passed",
                       details={"lines": reasons, "windows": {str(line.line_no): {
                           key: line.window_decision.get(key) for key in ("window", "days", "working_days",
                                                                           "delivered", "deadline")}
                           for line in late}})


def override_window(ctx: ActionContext) -> None:
    """A manager lets a line outside its return window be submitted; the comment says why."""
    _required({"comment": ctx.comment, **ctx.params}, "comment", "line")
    line_no = parsing.whole_number(ctx.params["line"], "line", minimum=1, maximum=10_000)
    line = ReturnLine.objects.select_for_update().filter(return_case=ctx.case, line_no=line_no).first()
    if line is None or not line.window_decision:
        raise InvalidInput(details={"line": [_("Name a line of this case that a return window applies to.")]})
    override = {**_who(ctx), "comment": ctx.comment}
    line.window_decision = {**line.window_decision, "override": override}
    line.save(update_fields=["window_decision"])
    ctx.case_to_state = ctx.case.state
    ctx.changes = {"line": line_no, "window": line.window_decision.get("window"),
                   "deadline": line.window_decision.get("deadline")}


def _refuse_serials_on_open_cases(case, lines) -> None:
    """A serial still on another open case (expected there, or received and not yet gone) is refused:
    one physical unit is on one case at a time."""
    wanted = {(line.product_model_id, serial): line.line_no for line in lines for serial in line.serials}
    if not wanted:
        return
    taken = open_units_elsewhere(case, {serial for _model, serial in wanted})
    clashes = {key: number for key, number in taken.items() if key in wanted}
    if not clashes:
        return
    per_line: dict[str, dict] = {}
    for (model_id, serial), number in sorted(clashes.items(), key=lambda item: item[0][1]):
        message = _("Serial %(serial)s is on the open case %(case)s.") % {"serial": serial, "case": number}
        per_line.setdefault(str(wanted[(model_id, serial)]), {}).setdefault("serials", []).append(message)
    raise Conflict(_("Some serials are already on another open return case."), code="serial_on_open_case",
                   details={"lines": per_line,
                            "cases": {serial: number for (_model, serial), number in sorted(clashes.items())}})


def approve(ctx: ActionContext) -> None:
    case = ctx.case
    may = approvals.approvals_actor_may_give(case, ctx.actor, ctx.roles)
    kind = ctx.params.get("approval") or may[0]
    if kind not in may:
        raise PermissionDenied(_("You may not give this approval."))
    Approval.objects.create(return_case=case, kind=kind, decision=Approval.Decision.APPROVED, comment=ctx.comment,
                            decided_by=ctx.actor, round=case.approval_round)
    pending = [k for k in case.required_approvals
               if k not in {a.kind for a in case.approvals.filter(round=case.approval_round, decision=Approval.Decision.APPROVED)}]
    ctx.case_to_state = CaseState.SUBMITTED if pending else CaseState.APPROVED
    ctx.changes = {"approval": kind, "pending": pending}
    if not pending:
        _notice(case, CustomerNotice.Kind.DECISION, decision=Approval.Decision.APPROVED, comment=ctx.comment,
                **sending_instructions())


ENCLOSURES = ("invoice", "return_note", "original_packaging")


def sending_instructions() -> dict:
    """Where and how the customer sends the goods: the after-sales warehouse's address (master data) and
    what to enclose (policies)."""
    warehouse = (Warehouse.objects.filter(kind=WarehouseKind.AFTER_SALES, is_active=True).order_by("id")
                 .values("name", "address", "receiver", "phone").first()) or {}
    snapshot = policies.snapshot()
    return {"send_to": warehouse, "enclose": [name for name in ENCLOSURES if snapshot[f"enclose_{name}"]]}


def reject(ctx: ActionContext) -> None:
    _required({"comment": ctx.comment}, "comment")
    case = ctx.case
    may = approvals.approvals_actor_may_give(case, ctx.actor, ctx.roles)
    kind = ctx.params.get("approval") or may[0]
    if kind not in may:
        raise PermissionDenied(_("You may not give this approval."))
    Approval.objects.create(return_case=case, kind=kind, decision=Approval.Decision.REJECTED, comment=ctx.comment,
                            decided_by=ctx.actor, round=case.approval_round)
    ReturnUnit.objects.filter(return_case=case, state=U.EXPECTED).delete()  # no longer on an open case
    ctx.case_to_state = CaseState.REJECTED
    ctx.changes = {"approval": kind}
    _notice(case, CustomerNotice.Kind.DECISION, decision=Approval.Decision.REJECTED, comment=ctx.comment)


def return_for_correction(ctx: ActionContext) -> None:
    _required({"comment": ctx.comment}, "comment")
    ReturnUnit.objects.filter(return_case=ctx.case, state=U.EXPECTED).delete()
    ctx.case_to_state = CaseState.DRAFT


def cancel(ctx: ActionContext) -> None:
    ReturnUnit.objects.filter(return_case=ctx.case, state=U.EXPECTED).delete()
    ctx.case_to_state = CaseState.CANCELLED
