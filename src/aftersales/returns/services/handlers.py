"""What each workflow action does, once apply_action has checked state, roles and guards.

Each handler takes the ActionContext, changes records and stock in the open transaction,
and fills ctx.changes (for the timeline), ctx.unit_to_state and, for case actions,
ctx.case_to_state. Bad parameters raise InvalidInput before anything is written.
"""

from collections import Counter, defaultdict
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import policies
from aftersales.core.bulk import db_datetime, insert_rows
from aftersales.core.errors import InvalidInput, PermissionDenied
from aftersales.inventory.services import Move, stock_moves_apply, warehouse_ids
from aftersales.masterdata.models import ProductModel, ShippedUnit

from .. import rules
from ..models import (Approval, CaseState, CustomerNotice, DefectClass, Disposition, Inspection, Outcome,
                      ReceivingDiscrepancy, Responsibility, ReturnLine, ReturnUnit, UnitExit, UnitState,
                      VolumeClass)
from ..workflow import AFTER_RECEIPT
from . import approvals, warranty
from .actions import ActionContext, units_save

U = UnitState
D = Disposition

# Which dispositions fit which requested outcome.
ALLOWED_DISPOSITIONS = {
    Outcome.REPAIR: {D.REPAIR, D.REFURBISH, D.RETURN_AS_IS, D.SCRAP, D.REPLACE},
    Outcome.EXCHANGE: {D.REPLACE, D.REPAIR, D.REFURBISH, D.RETURN_AS_IS},
    Outcome.REFUND: {D.RESALE, D.DEFECTIVE_STOCK, D.SCRAP, D.TEARDOWN, D.SUPPLIER_CLAIM, D.INTERNAL_SALE,
                     D.REPAIR, D.REFURBISH},
}
WORK = {D.REPAIR, D.REFURBISH}


def _now():
    return timezone.now()


def _who(ctx) -> dict:
    return {"by": ctx.actor.get_username(), "at": _now().isoformat(),
            "via": "portal" if ctx.actor.customer_id else "service"}


def _notice(case, kind, **content):
    CustomerNotice.objects.create(return_case=case, kind=kind, content=content)


def _required(params: dict, *names: str) -> None:
    missing = {name: [_("This field is required.")] for name in names if params.get(name) in (None, "", [])}
    if missing:
        raise InvalidInput(details=missing)


MAX_AMOUNT = Decimal("999999999999.99")  # what a money column (14 digits, 2 decimals) holds


def _money(params: dict, name: str, *, positive: bool = False) -> Decimal:
    try:
        value = Decimal(str(params.get(name, "0")))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or (positive and value == 0):
        raise InvalidInput(details={name: [_("Must be an amount greater than 0.") if positive
                                           else _("Must be an amount of 0 or more.")]})
    if value > MAX_AMOUNT:
        raise InvalidInput(details={name: [_("The amount is too large.")]})
    return value.quantize(Decimal("0.01"))


def _moves_for(units, kind: str, to_kind: str | None, wh: dict) -> list[Move]:
    return [Move(kind=kind, quantity=1, from_warehouse_id=u.warehouse_id,
                 to_warehouse_id=wh[to_kind] if to_kind else None, product_model_id=u.product_model_id,
                 return_unit_id=u.pk, serial=u.serial) for u in units]


def _leave(ctx, units, *, exit: str, move_kind: str, to_kind: str | None) -> None:
    """Units leave the case: into a company warehouse that is no longer the case's, or out."""
    wh = warehouse_ids()
    stock_moves_apply(actor=ctx.actor, moves=_moves_for(units, move_kind, to_kind, wh), return_case=ctx.case)
    now = _now()
    for unit in units:
        unit.state, unit.exit, unit.done_at = U.DONE, exit, now
        unit.warehouse_id = wh[to_kind] if to_kind else None


# --- application and approval ---

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
    expected = []
    for line in lines:
        registry = {u.serial: u for u in ShippedUnit.objects.filter(product_model_id=line.product_model_id,
                                                                     serial__in=line.serials)}
        for serial in line.serials:
            shipped = registry.get(serial)
            expected.append(ReturnUnit(return_case=case, line=line, product_model=line.product_model, serial=serial,
                                       shipped_unit=shipped, in_registry=shipped is not None))
    warranty.decide_units(expected, case=case, snapshot=snapshot)
    ReturnUnit.objects.bulk_create(expected, batch_size=2000)

    today = timezone.localdate()
    for line in lines:
        line.window_decision = rules.decide_return_window(
            channel=case.channel, reason=line.reason, requested_outcome=line.requested_outcome,
            delivered_date=case.delivered_date, on=today,
            return_days=snapshot["ecommerce_no_reason_return_days"],
            exchange_days=snapshot["ecommerce_no_reason_exchange_days"])
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
        has_whole_unit_replacement=any(line.requested_outcome == Outcome.EXCHANGE for line in lines))
    case.approval_round += 1
    case.submitted_at = _now()
    ctx.case_to_state = CaseState.SUBMITTED
    ctx.changes = {"volume_class": case.volume_class, "required_approvals": case.required_approvals,
                   "expected_units": len(expected), "needs_quality_sorting": case.needs_quality_sorting}


def approve(ctx: ActionContext) -> None:
    case = ctx.case
    may = approvals.approvals_actor_may_give(case, ctx.actor, ctx.roles)
    kind = ctx.params.get("approval") or may[0]
    if kind not in may:
        raise PermissionDenied(_("You may not give this approval."))
    Approval.objects.create(return_case=case, kind=kind, decision="approved", comment=ctx.comment,
                            decided_by=ctx.actor, round=case.approval_round)
    pending = [k for k in case.required_approvals
               if k not in {a.kind for a in case.approvals.filter(round=case.approval_round, decision="approved")}]
    ctx.case_to_state = CaseState.SUBMITTED if pending else CaseState.APPROVED
    ctx.changes = {"approval": kind, "pending": pending}
    if not pending:
        _notice(case, CustomerNotice.Kind.DECISION, decision="approved", comment=ctx.comment)


def reject(ctx: ActionContext) -> None:
    _required({"comment": ctx.comment}, "comment")
    case = ctx.case
    may = approvals.approvals_actor_may_give(case, ctx.actor, ctx.roles)
    kind = ctx.params.get("approval") or may[0]
    if kind not in may:
        raise PermissionDenied(_("You may not give this approval."))
    Approval.objects.create(return_case=case, kind=kind, decision="rejected", comment=ctx.comment,
                            decided_by=ctx.actor, round=case.approval_round)
    ctx.case_to_state = CaseState.REJECTED
    ctx.changes = {"approval": kind}
    _notice(case, CustomerNotice.Kind.DECISION, decision="rejected", comment=ctx.comment)


def return_for_correction(ctx: ActionContext) -> None:
    _required({"comment": ctx.comment}, "comment")
    ReturnUnit.objects.filter(return_case=ctx.case, state=U.EXPECTED).delete()
    ctx.case_to_state = CaseState.DRAFT


def cancel(ctx: ActionContext) -> None:
    ReturnUnit.objects.filter(return_case=ctx.case, state=U.EXPECTED).delete()
    ctx.case_to_state = CaseState.CANCELLED


# --- receiving ---

def start_receiving(ctx: ActionContext) -> None:
    ctx.case_to_state = CaseState.RECEIVING


def receive(ctx: ActionContext) -> None:
    """Match what arrived against the note. Serials: received, duplicate, extra (a model the note
    lists), wrong case, or refused (no matching line). Quantities: units split from the line."""
    case, items = ctx.case, ctx.params.get("items") or []
    if not isinstance(items, list) or not items:
        raise InvalidInput(details={"items": [_("List what arrived: serials or line quantities.")]})
    lines = list(case.lines.select_related("product_model"))
    lines_by_no = {line.line_no: line for line in lines}
    line_for_model = {}
    for line in lines:
        line_for_model.setdefault(line.product_model_id, line)
    expected = {u.serial: u for u in case.units.filter(state=U.EXPECTED).exclude(serial="")}
    line_numbers = {line.pk: line.line_no for line in lines}
    arrived = set(case.units.exclude(state__in=[U.EXPECTED, U.MISSING]).exclude(serial="")
                  .values_list("serial", flat=True))
    quantity_received = Counter(case.units.filter(serial="").exclude(state=U.MISSING).values_list("line_id", flat=True))

    serials = [str(item.get("serial", "")).strip() for item in items if isinstance(item, dict)]
    strangers = [s for s in serials if s and s not in expected and s not in arrived]
    registry = defaultdict(list)
    for shipped in ShippedUnit.objects.filter(serial__in=strangers).select_related("product_model"):
        registry[shipped.serial].append(shipped)
    elsewhere = dict(ReturnUnit.objects.filter(serial__in=strangers, state=U.EXPECTED).exclude(return_case=case)
                     .values_list("serial", "return_case__number"))
    models_by_code = {m.code: m for m in ProductModel.objects.filter(
        code__in=[item.get("product_model") for item in items if isinstance(item, dict) and item.get("product_model")])}

    results, received, created, discrepancies = [], [], [], []
    seen = set()
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidInput(details={"items": {str(index): [_("Each item is an object.")]}})
        serial = str(item.get("serial", "")).strip()
        if serial:
            if serial in seen or serial in arrived:
                results.append({"serial": serial, "result": "duplicate"})
                continue
            seen.add(serial)
            if serial in expected:
                unit = expected.pop(serial)
                received.append(unit)
                results.append({"serial": serial, "result": "received", "line": line_numbers[unit.line_id]})
                continue
            if serial in elsewhere:
                results.append({"serial": serial, "result": "wrong_case", "case": elsewhere[serial]})
                discrepancies.append(ReceivingDiscrepancy(
                    return_case=case, kind="unmatched", serial=serial, recorded_by=ctx.actor,
                    note=_("Expected on case %(number)s; refused.") % {"number": elsewhere[serial]}))
                continue
            model = models_by_code.get(item.get("product_model"))
            shipped = next((s for s in registry.get(serial, []) if model is None or s.product_model_id == model.pk),
                           None)
            model = model or (shipped.product_model if shipped else None)
            line = line_for_model.get(model.pk) if model else None
            if line is None:
                results.append({"serial": serial, "result": "unknown_serial" if model is None else "refused"})
                discrepancies.append(ReceivingDiscrepancy(
                    return_case=case, kind="unmatched", serial=serial, product_model=model, recorded_by=ctx.actor,
                    note=_("No matching line on the return note; refused.")))
                continue
            unit = ReturnUnit(return_case=case, line=line, product_model=model, serial=serial, shipped_unit=shipped,
                              in_registry=shipped is not None, is_extra=True)
            created.append(unit)
            discrepancies.append(ReceivingDiscrepancy(return_case=case, kind="extra", line=line, product_model=model,
                                                      serial=serial, recorded_by=ctx.actor))
            results.append({"serial": serial, "result": "extra", "line": line.line_no})
            continue
        line = lines_by_no.get(item.get("line"))
        try:
            quantity = int(item.get("quantity", 0))
        except (TypeError, ValueError):
            quantity = 0
        if line is None or quantity < 1 or line.serials:
            raise InvalidInput(details={"items": {str(index): [
                _("Give a serial, or a line without serials and a quantity of at least 1.")]}})
        already = quantity_received[line.pk]
        normal = max(0, min(quantity, line.quantity - already))
        extra = quantity - normal
        quantity_received[line.pk] += quantity
        created.extend(ReturnUnit(return_case=case, line=line, product_model=line.product_model,
                                  is_extra=n >= normal) for n in range(quantity))
        if extra:
            discrepancies.append(ReceivingDiscrepancy(return_case=case, kind="extra", line=line, quantity=extra,
                                                      product_model=line.product_model, recorded_by=ctx.actor))
        results.append({"line": line.line_no, "quantity": quantity, "result": "received", "extra": extra})

    wh = warehouse_ids()
    now = _now()
    for unit in [*received, *created]:
        unit.state, unit.warehouse_id, unit.received_at = U.RECEIVED, wh["after_sales"], now
    if created:
        warranty.decide_units([u for u in created], case=case)
        ReturnUnit.objects.bulk_create(created, batch_size=2000)
    if received:
        units_save(received, ["state", "warehouse", "received_at"])
    ReceivingDiscrepancy.objects.bulk_create(discrepancies)
    stock_moves_apply(actor=ctx.actor, return_case=case, moves=[
        Move(kind="return_receipt", quantity=1, from_warehouse_id=None, to_warehouse_id=wh["after_sales"],
             product_model_id=u.product_model_id, return_unit_id=u.pk, serial=u.serial) for u in [*received, *created]])
    ctx.result = {"results": results}
    counts = Counter(r["result"] for r in results)
    ctx.changes = {"unit_ids": [u.pk for u in [*received, *created]], "results": dict(counts)}
    ctx.unit_to_state = U.RECEIVED


def close_receipt(ctx: ActionContext) -> None:
    case, snapshot = ctx.case, policies.snapshot()
    missing = list(case.units.filter(state=U.EXPECTED).select_related("line"))
    shortages = [ReceivingDiscrepancy(return_case=case, kind="shortage", line=u.line, product_model_id=u.product_model_id,
                                      serial=u.serial, recorded_by=ctx.actor) for u in missing]
    per_line = Counter(case.units.filter(serial="").values_list("line_id", flat=True))
    lines = list(case.lines.all())
    for line in lines:
        if not line.serials and per_line[line.pk] < line.quantity:
            shortages.append(ReceivingDiscrepancy(return_case=case, kind="shortage", line=line,
                                                  product_model_id=line.product_model_id,
                                                  quantity=line.quantity - per_line[line.pk], recorded_by=ctx.actor))
    ReceivingDiscrepancy.objects.bulk_create(shortages)
    case.units.filter(state=U.EXPECTED).update(state=U.MISSING)
    received = case.units.exclude(state=U.MISSING).count()
    case.needs_quality_sorting = case.needs_quality_sorting or received > snapshot["quality_sorting_threshold_units"]
    differences = list(case.discrepancies.values("kind", "serial", "quantity", "line__line_no", "note"))
    arrived = Counter(case.units.exclude(state=U.MISSING).values_list("line__line_no", flat=True))
    _notice(case, CustomerNotice.Kind.RECEIPT, received=received,
            lines=[{"line": line.line_no, "noted": line.quantity, "arrived": arrived[line.line_no]} for line in lines],
            differences=differences)
    ctx.changes = {"received": received, "shortages": len(shortages)}


# --- inspection and disposition ---

INSPECTION_FIELDS = {
    "defect_class": DefectClass.values, "responsibility": Responsibility.values,
}
INSPECTION_FLAGS = ("repairable", "no_fault_found", "human_damage", "warranty_label_broken",
                    "self_repaired_or_modified")


def _inspection_values(raw: dict) -> dict:
    errors, values = {}, {}
    for name, allowed in INSPECTION_FIELDS.items():
        if name in raw and raw[name] not in allowed and raw[name] != "":
            errors[name] = [_("Must be one of: %(allowed)s.") % {"allowed": ", ".join(allowed)}]
        elif name in raw:
            values[name] = raw[name]
    for name in INSPECTION_FLAGS:
        if name in raw:
            if raw[name] is not None and not isinstance(raw[name], bool):
                errors[name] = [_("Must be true or false.")]
            else:
                values[name] = raw[name]
    for name in ("grade", "missing_accessories", "notes"):
        if name in raw:
            values[name] = str(raw[name])[:200 if name != "notes" else 5000]
    if errors:
        raise InvalidInput(details=errors)
    return values


def _per_unit(ctx) -> dict[int, dict]:
    per_unit = ctx.params.get("per_unit") or {}
    if not isinstance(per_unit, dict):
        raise InvalidInput(details={"per_unit": [_("Map unit ids to their own values.")]})
    ids = {u.pk for u in ctx.units}
    try:
        parsed = {int(pk): values for pk, values in per_unit.items()}
    except ValueError:
        raise InvalidInput(details={"per_unit": [_("Map unit ids to their own values.")]}) from None
    stray = sorted(set(parsed) - ids)
    if stray:
        raise InvalidInput(details={"per_unit": [_("Units not acted on: %(ids)s.") % {"ids": stray}]})
    return parsed


INSPECTION_COLUMNS = ["unit", "stage", "defect_class", "grade", "repairable", "responsibility", "no_fault_found",
                      "human_damage", "warranty_label_broken", "self_repaired_or_modified", "missing_accessories",
                      "passed", "notes", "inspected_by", "inspected_at"]
_INSPECTION_DEFAULTS = {"defect_class": "", "grade": "", "repairable": None, "responsibility": "",
                        "no_fault_found": False, "human_damage": False, "warranty_label_broken": False,
                        "self_repaired_or_modified": False, "missing_accessories": "", "passed": None, "notes": ""}


def _inspections_write(ctx, inspections: list[tuple[int, dict]], *, stage: str) -> None:
    """One inspection row per unit, written in bulk (core/bulk.py)."""
    at = db_datetime(_now())
    rows = []
    for unit_id, values in inspections:
        values = {**_INSPECTION_DEFAULTS, **values}
        rows.append((unit_id, stage, *(values[name] for name in INSPECTION_COLUMNS[2:13]), ctx.actor.pk, at))
    insert_rows(Inspection, INSPECTION_COLUMNS, rows)


def inspect(ctx: ActionContext) -> None:
    common = _inspection_values(ctx.params.get("result") or {})
    overrides = {pk: _inspection_values(values) for pk, values in _per_unit(ctx).items()}
    inspections, facts = [], {}
    for unit in ctx.units:
        values = {**common, **overrides.get(unit.pk, {})}
        inspections.append((unit.pk, values))
        facts[unit.pk] = {"tampered": bool(values.get("warranty_label_broken") or values.get("self_repaired_or_modified")),
                          "human_damage": bool(values.get("human_damage"))}
        unit.state = U.INSPECTED
    _inspections_write(ctx, inspections, stage="intake")
    warranty.decide_units(ctx.units, case=ctx.case, facts_by_unit=facts)
    units_save(ctx.units, ["state", "warranty_status", "warranty_until", "warranty_reasons", "chargeable",
                           "warranty_override"])
    ctx.unit_to_state = U.INSPECTED
    ctx.changes = {"result": common, "overridden": sorted(overrides)}


def _route_waiting(unit) -> str:
    if unit.needs_consent and not unit.consent.get("given"):
        return U.WAITING_CUSTOMER
    if unit.chargeable and not unit.charge_answer.get("accepted"):
        return U.WAITING_CUSTOMER
    return U.DISPOSED


def dispose(ctx: ActionContext) -> None:
    common = ctx.params.get("disposition")
    overrides = {pk: values.get("disposition") if isinstance(values, dict) else values
                 for pk, values in _per_unit(ctx).items()}
    wanted = {u.pk: overrides.get(u.pk) or common for u in ctx.units}
    unknown = sorted({d for d in wanted.values() if d not in D.values}, key=str)
    if unknown:
        raise InvalidInput(details={"disposition": [_("Unknown disposition: %(value)s.") % {"value": unknown[0]}]})
    unfit = [u.pk for u in ctx.units if wanted[u.pk] not in ALLOWED_DISPOSITIONS[u.line.requested_outcome]]
    if unfit:
        raise InvalidInput(_("These dispositions do not fit the outcome the customer asked for."),
                           details={"disposition": [_("Not allowed for units %(ids)s.") % {"ids": unfit[:20]}]})
    responsibility = dict(Inspection.objects.filter(unit__in=[u.pk for u in ctx.units], stage="intake")
                          .order_by("unit_id", "id").values_list("unit_id", "responsibility"))
    leaving = defaultdict(list)
    for unit in ctx.units:
        disposition = wanted[unit.pk]
        unit.disposition = disposition
        unit.needs_consent = disposition in WORK and responsibility.get(unit.pk) == Responsibility.CUSTOMER
        refund = unit.line.requested_outcome == Outcome.REFUND
        if disposition == D.SCRAP:
            unit.state = U.WAITING_APPROVAL
        elif disposition in WORK:
            unit.state = _route_waiting(unit)
        elif disposition == D.RETURN_AS_IS:
            unit.state = U.READY_TO_SHIP
        elif disposition == D.REPLACE:
            unit.state = U.READY_TO_SETTLE
        elif disposition == D.RESALE:
            leaving[("refunded_into_stock" if refund else "resold", "to_finished_goods", "finished_goods")].append(unit)
        elif disposition == D.DEFECTIVE_STOCK:
            leaving[("refunded_into_stock" if refund else "exchanged", "to_defective", "defective")].append(unit)
        elif disposition == D.TEARDOWN:
            leaving[(UnitExit.TORN_DOWN, "teardown", None)].append(unit)
        elif disposition == D.INTERNAL_SALE:
            leaving[(UnitExit.SOLD, "internal_sale", None)].append(unit)
        elif disposition == D.SUPPLIER_CLAIM:
            leaving[(UnitExit.RETURNED_TO_SUPPLIER, "supplier_return", None)].append(unit)
    for (exit_kind, move_kind, to_kind), units in leaving.items():
        _leave(ctx, units, exit=exit_kind, move_kind=move_kind, to_kind=to_kind)
    units_save(ctx.units, ["state", "disposition", "needs_consent", "exit", "warehouse", "done_at"])
    waiting = [u for u in ctx.units if u.state == U.WAITING_CUSTOMER]
    consent = [u.pk for u in waiting if u.needs_consent]
    if consent:
        _notice(ctx.case, CustomerNotice.Kind.CONSENT, unit_ids=consent)
    ctx.changes = {"dispositions": dict(Counter(wanted.values())),
                   "states": dict(Counter(u.state for u in ctx.units))}


def approve_scrap(ctx: ActionContext) -> None:
    _leave(ctx, ctx.units, exit=UnitExit.SCRAPPED, move_kind="scrap", to_kind="scrap")
    units_save(ctx.units, ["state", "exit", "warehouse", "done_at"])
    ctx.unit_to_state = U.DONE


def reject_scrap(ctx: ActionContext) -> None:
    for unit in ctx.units:
        unit.state, unit.disposition = U.INSPECTED, ""
    units_save(ctx.units, ["state", "disposition"])
    ctx.unit_to_state = U.INSPECTED


# --- what the customer agrees to ---

def quote_charge(ctx: ActionContext) -> None:
    amount = _money(ctx.params, "amount", positive=True)
    for unit in ctx.units:
        unit.charge_amount = amount
    units_save(ctx.units, ["charge_amount"])
    _notice(ctx.case, CustomerNotice.Kind.CHARGE, unit_ids=[u.pk for u in ctx.units], amount=str(amount),
            expected_return_date=ctx.params.get("expected_return_date", ""))
    ctx.changes = {"amount": str(amount)}


def _answer(ctx, field: str, accepted: bool) -> None:
    for unit in ctx.units:
        answer = {**_who(ctx), ("given" if field == "consent" else "accepted"): accepted}
        if field == "charge_answer":
            answer["amount"] = str(unit.charge_amount)
        setattr(unit, field, answer)
        if accepted:
            unit.state = _route_waiting(unit)
        else:
            unit.state, unit.disposition = U.READY_TO_SHIP, D.RETURN_AS_IS
    units_save(ctx.units, [field, "state", "disposition"])
    ctx.changes = {field: accepted}


def give_consent(ctx):
    _answer(ctx, "consent", True)


def refuse_consent(ctx):
    _answer(ctx, "consent", False)
    ctx.unit_to_state = U.READY_TO_SHIP


def accept_charge(ctx):
    _answer(ctx, "charge_answer", True)


def refuse_charge(ctx):
    _answer(ctx, "charge_answer", False)
    ctx.unit_to_state = U.READY_TO_SHIP


# --- work and final inspection ---

def _move_state(ctx, state) -> None:
    for unit in ctx.units:
        unit.state = state
    units_save(ctx.units, ["state"])
    ctx.unit_to_state = state


def start_work(ctx):
    _move_state(ctx, U.IN_WORK)


def finish_work(ctx):
    _move_state(ctx, U.FINAL_INSPECTION)


def pass_final(ctx: ActionContext) -> None:
    notes = str(ctx.params.get("notes", ""))
    _inspections_write(ctx, [(u.pk, {"passed": True, "notes": notes}) for u in ctx.units], stage="final")
    # Repaired for the customer (a repair, or an exchange quality chose to repair): shipped back.
    back = [u for u in ctx.units if u.line.requested_outcome in (Outcome.REPAIR, Outcome.EXCHANGE)]
    for unit in back:
        unit.state = U.READY_TO_SHIP
    refunded = [u for u in ctx.units if u.line.requested_outcome == Outcome.REFUND]
    if refunded:  # the customer has its money back: the repaired unit is stock for resale
        _leave(ctx, refunded, exit=UnitExit.REFUNDED_INTO_STOCK, move_kind="to_finished_goods",
               to_kind="finished_goods")
    units_save(ctx.units, ["state", "exit", "warehouse", "done_at"])


def fail_final(ctx: ActionContext) -> None:
    notes = str(ctx.params.get("notes", ""))
    _inspections_write(ctx, [(u.pk, {"passed": False, "notes": notes}) for u in ctx.units], stage="final")
    for unit in ctx.units:
        unit.state = U.IN_WORK
        unit.final_inspections_failed += 1
    units_save(ctx.units, ["state", "final_inspections_failed"])
    ctx.unit_to_state = U.IN_WORK


# --- settlement ---

def ship_back(ctx: ActionContext) -> None:
    _required(ctx.params, "carrier", "tracking_number")
    carrier, tracking = str(ctx.params["carrier"])[:80], str(ctx.params["tracking_number"])[:80]
    _leave(ctx, ctx.units, exit=UnitExit.SHIPPED_BACK, move_kind="ship_back", to_kind=None)
    for unit in ctx.units:
        unit.carrier, unit.tracking_number = carrier, tracking
    units_save(ctx.units, ["state", "exit", "warehouse", "done_at", "carrier", "tracking_number"])
    _notice(ctx.case, CustomerNotice.Kind.SHIPMENT, unit_ids=[u.pk for u in ctx.units], carrier=carrier,
            tracking_number=tracking)
    ctx.unit_to_state = U.DONE
    ctx.changes = {"carrier": carrier, "tracking_number": tracking}


def _unused_advance_serials(line) -> list[str]:
    """Serials shipped ahead for this line that no returned unit has been matched with yet."""
    matched = set(ReturnUnit.objects.filter(line=line, exit=UnitExit.EXCHANGED).values_list("replacement_serial",
                                                                                              flat=True))
    return [serial for serial in line.advance_serials if serial not in matched]


def settle_exchange(ctx: ActionContext) -> None:
    """The faulty unit goes to defective stock; its replacement is a unit shipped ahead for the
    line, or a new one out of finished goods now. Either way its serial is recorded beside it."""
    wh = warehouse_ids()
    shipped_new = []
    ahead: dict[int, list[str]] = {}  # per line, used up as this loop matches units
    new_serials = ctx.params.get("new_serials") or {}
    for unit in ctx.units:
        line = ReturnLine.objects.select_for_update().get(pk=unit.line_id)
        if line.pk not in ahead:
            ahead[line.pk] = _unused_advance_serials(line)
        if ahead[line.pk]:
            unit.replacement_serial = ahead[line.pk].pop(0)
        else:
            serial = str(new_serials.get(str(unit.pk), "") if len(ctx.units) > 1 else
                         ctx.params.get("new_serial", "")).strip()
            if not serial:
                raise InvalidInput(details={"new_serial": [_("Record the serial of the new unit.")]})
            unit.replacement_serial = serial
            line.exchanges_shipped += 1
            line.save(update_fields=["exchanges_shipped"])
            shipped_new.append(Move(kind="exchange_out", quantity=1, from_warehouse_id=wh["finished_goods"],
                                    to_warehouse_id=None, product_model_id=unit.product_model_id, serial=serial))
        unit.carrier = str(ctx.params.get("carrier", ""))[:80]
        unit.tracking_number = str(ctx.params.get("tracking_number", ""))[:80]
    stock_moves_apply(actor=ctx.actor, moves=shipped_new, return_case=ctx.case)
    _leave(ctx, ctx.units, exit=UnitExit.EXCHANGED, move_kind="to_defective", to_kind="defective")
    units_save(ctx.units, ["state", "exit", "warehouse", "done_at", "replacement_serial", "carrier",
                           "tracking_number"])
    _notice(ctx.case, CustomerNotice.Kind.SHIPMENT, unit_ids=[u.pk for u in ctx.units],
            replacement_serials=[u.replacement_serial for u in ctx.units], carrier=ctx.params.get("carrier", ""),
            tracking_number=ctx.params.get("tracking_number", ""))
    ctx.unit_to_state = U.DONE


def ship_exchange_in_advance(ctx: ActionContext) -> None:
    _required(ctx.params, "line", "serials")
    line = ReturnLine.objects.select_for_update().filter(return_case=ctx.case, line_no=ctx.params["line"]).first()
    if line is None or line.requested_outcome != Outcome.EXCHANGE:
        raise InvalidInput(details={"line": [_("Name a line of this case that asks for an exchange.")]})
    serials = [str(s).strip() for s in ctx.params["serials"] if str(s).strip()]
    if line.exchanges_shipped + len(serials) > line.quantity:
        raise InvalidInput(details={"serials": [_("More exchange units than the line returns.")]})
    if set(serials) & set(line.advance_serials) or len(set(serials)) != len(serials):
        raise InvalidInput(details={"serials": [_("A serial is listed twice or was already shipped.")]})
    wh = warehouse_ids()
    stock_moves_apply(actor=ctx.actor, return_case=ctx.case, moves=[
        Move(kind="exchange_out", quantity=1, from_warehouse_id=wh["finished_goods"], to_warehouse_id=None,
             product_model_id=line.product_model_id, serial=serial) for serial in serials])
    line.exchanges_shipped += len(serials)
    line.advance_serials = [*line.advance_serials, *serials]
    line.save(update_fields=["exchanges_shipped", "advance_serials"])
    _notice(ctx.case, CustomerNotice.Kind.SHIPMENT, line=line.line_no, replacement_serials=serials,
            carrier=ctx.params.get("carrier", ""), tracking_number=ctx.params.get("tracking_number", ""))
    ctx.changes = {"line": line.line_no, "serials": serials}
    if ctx.case.state not in AFTER_RECEIPT:  # before the receipt is closed the case does not follow its units
        ctx.case_to_state = ctx.case.state


def settle_refund(ctx: ActionContext) -> None:
    _required(ctx.params, "line")
    line = ReturnLine.objects.select_for_update().filter(return_case=ctx.case, line_no=ctx.params["line"]).first()
    if line is None or line.requested_outcome != Outcome.REFUND or line.refunded_at is not None:
        raise InvalidInput(details={"line": [_("Name a refund line of this case not refunded yet.")]})
    pending = ReturnUnit.objects.filter(line=line, state__in=[U.EXPECTED, U.RECEIVED]).exists()
    if pending:
        raise InvalidInput(details={"line": [_("Inspect every unit of the line before the refund.")]})
    deduction = _money(ctx.params, "deduction")
    if deduction and not ctx.params.get("deduction_reason"):
        raise InvalidInput(details={"deduction_reason": [_("Say what the deduction is for.")]})
    returned = ReturnUnit.objects.filter(line=line).exclude(state=U.MISSING).count()
    gross = line.unit_price * returned
    if deduction > gross:
        raise InvalidInput(details={"deduction": [_("The deduction is larger than the refund.")]})
    line.refund_deduction, line.refund_amount, line.refunded_at = deduction, gross - deduction, _now()
    line.save(update_fields=["refund_deduction", "refund_amount", "refunded_at"])
    _notice(ctx.case, CustomerNotice.Kind.REFUND, line=line.line_no, gross=str(gross), deduction=str(deduction),
            reason=ctx.params.get("deduction_reason", ""), amount=str(line.refund_amount))
    ctx.changes = {"line": line.line_no, "refund": str(line.refund_amount), "deduction": str(deduction)}


def override_warranty(ctx: ActionContext) -> None:
    _required({"comment": ctx.comment, **ctx.params}, "comment", "status")
    status = ctx.params["status"]
    if status not in ("in", "out"):
        raise InvalidInput(details={"status": [_("Must be “in” or “out”.")]})
    chargeable = ctx.params.get("chargeable", status == "out")
    if not isinstance(chargeable, bool):
        raise InvalidInput(details={"chargeable": [_("Must be true or false.")]})
    override = {**_who(ctx), "comment": ctx.comment, "status": status, "chargeable": chargeable}
    for unit in ctx.units:
        unit.warranty_override = override
        unit.warranty_status, unit.chargeable = status, chargeable
        unit.warranty_reasons = [*unit.warranty_reasons, {"code": "manager_override", "user": override["by"],
                                                          "comment": ctx.comment}]
    units_save(ctx.units, ["warranty_override", "warranty_status", "chargeable", "warranty_reasons"])
    ctx.changes = {"status": status, "chargeable": chargeable}


def close(ctx: ActionContext) -> None:
    ctx.case.closed_at = _now()
    ctx.case_to_state = CaseState.CLOSED


HANDLERS = {name: globals()[name] for name in [
    "submit", "approve", "reject", "return_for_correction", "cancel", "start_receiving", "receive", "close_receipt",
    "inspect", "dispose", "approve_scrap", "reject_scrap", "quote_charge", "give_consent", "refuse_consent",
    "accept_charge", "refuse_charge", "start_work", "finish_work", "pass_final", "fail_final", "ship_back",
    "settle_exchange", "ship_exchange_in_advance", "settle_refund", "override_warranty", "close",
]}
