"""Per unit: inspection, disposition, scrap approval, the customer's answers, work, final inspection."""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from aftersales.core import parsing, policies
from aftersales.core.bulk import db_datetime, insert_rows
from aftersales.inventory.models import MoveKind
from aftersales.inventory.services import warehouse_ids
from aftersales.masterdata.models import WarehouseKind
from aftersales.core.errors import InvalidInput

from ...models import CustomerNotice, DefectClass, Department, Inspection, Outcome, Responsibility, UnitExit
from ... import rules
from .. import warranty
from . import sales
from .common import ActionContext, units_save, U, D, _now, _who, _notice, _money, _leave, _to_warehouse


# Teardown, a supplier claim and an internal sale fit every line (with the customer's consent where it wants
# its unit back: rules.keeps_customers_unit); so does a refund instead of the unit wanted back.
ALLOWED_DISPOSITIONS = {
    Outcome.REPAIR: {D.REPAIR, D.REFURBISH, D.RETURN_AS_IS, D.SCRAP, D.REPLACE, D.TEARDOWN, D.SUPPLIER_CLAIM,
                     D.INTERNAL_SALE, D.REFUND},
    Outcome.EXCHANGE: {D.REPLACE, D.REPAIR, D.REFURBISH, D.RETURN_AS_IS, D.TEARDOWN, D.SUPPLIER_CLAIM,
                       D.INTERNAL_SALE, D.REFUND},
    Outcome.REFUND: {D.RESALE, D.DEFECTIVE_STOCK, D.SCRAP, D.TEARDOWN, D.SUPPLIER_CLAIM, D.INTERNAL_SALE,
                     D.REPAIR, D.REFURBISH},
}
WORK = {D.REPAIR, D.REFURBISH}


@dataclass(frozen=True)
class Leave:
    """A disposition by which the unit leaves the case at once: how it leaves (on a refund line, and
    otherwise), the stock move, and the warehouse kind it goes to (None: out of the company)."""

    exit_on_refund: str
    exit: str
    move: str
    to: str | None


# Where each disposition sends the unit: a state it waits in (a function of the unit for the work, which
# may wait for the customer first), or a way of leaving the case.
DISPOSITION_ROUTES = {
    D.SCRAP: U.WAITING_APPROVAL,
    D.REPAIR: "work",
    D.REFURBISH: "work",
    D.RETURN_AS_IS: U.READY_TO_SHIP,
    D.REPLACE: U.READY_TO_SETTLE,
    # Refunded instead: the unit waits in the after-sales warehouse until the refund is recorded (settle_refund).
    D.REFUND: U.READY_TO_SETTLE,
    # Resale waits for its final test: it goes to finished goods only when that passes (handlers/final.py).
    D.RESALE: U.FINAL_INSPECTION,
    D.DEFECTIVE_STOCK: Leave(UnitExit.REFUNDED_INTO_STOCK, UnitExit.EXCHANGED, MoveKind.TO_DEFECTIVE,
                             WarehouseKind.DEFECTIVE),
    D.TEARDOWN: Leave(UnitExit.TORN_DOWN, UnitExit.TORN_DOWN, MoveKind.TEARDOWN, None),
    D.INTERNAL_SALE: Leave(UnitExit.SOLD, UnitExit.SOLD, MoveKind.INTERNAL_SALE, None),
    D.SUPPLIER_CLAIM: Leave(UnitExit.RETURNED_TO_SUPPLIER, UnitExit.RETURNED_TO_SUPPLIER, MoveKind.SUPPLIER_RETURN,
                            None),
}


def dispositions_allowed(unit) -> set[str]:
    """What quality may decide for a unit: what fits the line's outcome; an extra unit (not on the
    note) may always go back as is, and on a refund line only that: nobody paid for it (nor is it refunded)."""
    if not unit.is_extra:
        return ALLOWED_DISPOSITIONS[unit.line.requested_outcome]
    if unit.line.requested_outcome == Outcome.REFUND:
        return {D.RETURN_AS_IS}
    return (ALLOWED_DISPOSITIONS[unit.line.requested_outcome] - {D.REFUND}) | {D.RETURN_AS_IS}


INSPECTION_FIELDS = {
    "defect_class": DefectClass.values, "responsibility": Responsibility.values,
    "responsible_department": Department.values,
}
INSPECTION_FLAGS = ("repairable", "no_fault_found", "human_damage", "warranty_label_broken",
                    "self_repaired_or_modified")


def _inspection_values(raw: dict, grades: tuple[str, ...]) -> dict:
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
    try:
        values.update(parsing.texts(raw, {"grade": 10, "missing_accessories": 200, "notes": 5000}))
    except InvalidInput as error:
        errors.update(error.details)
    if values.get("grade") and values["grade"] not in grades and "grade" not in errors:
        errors["grade"] = [_("Must be one of: %(allowed)s.") % {"allowed": ", ".join(grades)}]
    if values.get("responsible_department") and values.get("responsibility") not in (None, "", Responsibility.COMPANY):
        errors["responsible_department"] = [_("A department is named only when the company is responsible.")]
    elif values.get("responsible_department"):
        values["responsibility"] = Responsibility.COMPANY
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


INSPECTION_COLUMNS = ["unit", "stage", "defect_class", "grade", "repairable", "responsibility", "responsible_department",
                      "no_fault_found", "human_damage", "warranty_label_broken", "self_repaired_or_modified",
                      "missing_accessories", "passed", "checklist", "notes", "inspected_by", "inspected_at"]
_INSPECTION_DEFAULTS = {"defect_class": "", "grade": "", "repairable": None, "responsibility": "",
                        "responsible_department": "", "no_fault_found": False, "human_damage": False,
                        "warranty_label_broken": False, "self_repaired_or_modified": False, "missing_accessories": "",
                        "passed": None, "checklist": [], "notes": ""}


def _inspections_write(ctx, inspections: list[tuple[int, dict]], *, stage: str) -> None:
    """One inspection row per unit, written in bulk (core/bulk.py)."""
    at = db_datetime(_now())
    rows = []
    for unit_id, values in inspections:
        values = {**_INSPECTION_DEFAULTS, **values}
        values["checklist"] = json.dumps(values["checklist"], ensure_ascii=False)  # raw SQL: the JSON text
        rows.append((unit_id, stage, *(values[name] for name in INSPECTION_COLUMNS[2:-2]), ctx.actor.pk, at))
    insert_rows(Inspection, INSPECTION_COLUMNS, rows)


def inspect(ctx: ActionContext) -> None:
    grades = policies.value("inspection_grades")  # the company's scale (core/policies.py)
    common = _inspection_values(ctx.params.get("result") or {}, grades)
    overrides = {pk: _inspection_values(values, grades) for pk, values in _per_unit(ctx).items()}
    inspections, facts = [], {}
    for unit in ctx.units:
        values = {**common, **overrides.get(unit.pk, {})}
        inspections.append((unit.pk, values))
        facts[unit.pk] = {"tampered": bool(values.get("warranty_label_broken") or values.get("self_repaired_or_modified")),
                          "human_damage": bool(values.get("human_damage"))}
        unit.state = U.INSPECTED
    _inspections_write(ctx, inspections, stage=Inspection.Stage.INTAKE)
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


def _wanted_dispositions(ctx) -> dict[int, str]:
    """The disposition asked for each unit (common, or per unit), checked against what fits its line."""
    common = ctx.params.get("disposition")
    overrides = {pk: values.get("disposition") if isinstance(values, dict) else values
                 for pk, values in _per_unit(ctx).items()}
    wanted = {u.pk: overrides.get(u.pk) or common for u in ctx.units}
    unknown = sorted({d for d in wanted.values() if d not in D.values}, key=str)
    if unknown:
        raise InvalidInput(details={"disposition": [_("Unknown disposition: %(value)s.") % {"value": unknown[0]}]})
    unfit = [u.pk for u in ctx.units if wanted[u.pk] not in dispositions_allowed(u)]
    if unfit:
        raise InvalidInput(_("These dispositions do not fit the outcome the customer asked for."),
                           details={"disposition": [_("Not allowed for units %(ids)s.") % {"ids": unfit[:20]}]})
    return wanted


def _dispositions_apply(ctx, wanted: dict[int, str], *, keep_consent: set[int]) -> None:
    """Route each unit by its new disposition: it waits (approval, the customer, the work) or leaves the case.
    Units in `keep_consent` wait for the customer's consent to the company keeping them."""
    responsibility = dict(Inspection.objects.filter(unit__in=[u.pk for u in ctx.units],
                                                    stage=Inspection.Stage.INTAKE)
                          .order_by("unit_id", "id").values_list("unit_id", "responsibility"))
    if any(d == D.INTERNAL_SALE for d in wanted.values()):
        sales.internal_sales_record(ctx, [u for u in ctx.units if wanted[u.pk] == D.INTERNAL_SALE])
    leaving = defaultdict(list)
    for unit in ctx.units:
        disposition = wanted[unit.pk]
        unit.disposition = disposition
        if unit.pk in keep_consent:
            unit.needs_consent, unit.consent, unit.state = True, {}, U.WAITING_CUSTOMER
            continue
        unit.needs_consent = disposition in WORK and responsibility.get(unit.pk) == Responsibility.CUSTOMER
        _route(unit, leaving)
    for (exit_kind, move_kind, to_kind), units in leaving.items():
        _leave(ctx, units, exit=exit_kind, move_kind=move_kind, to_kind=to_kind)
    left = {u.pk for units in leaving.values() for u in units}
    _to_scrap_approval(ctx, [u for u in ctx.units if u.state == U.WAITING_APPROVAL])
    # A unit proposed for scrap and then decided otherwise comes back from the defective goods warehouse.
    defective = warehouse_ids()[WarehouseKind.DEFECTIVE]
    _to_warehouse(ctx, [u for u in ctx.units if u.pk not in left and u.state != U.WAITING_APPROVAL
                        and u.warehouse_id == defective], kind=WarehouseKind.AFTER_SALES, move_kind=MoveKind.TRANSFER)
    units_save(ctx.units, ["state", "disposition", "needs_consent", "consent", "exit", "warehouse", "done_at"])
    sales.replenishments_for(ctx, ctx.units)


def _route(unit, leaving: dict) -> None:
    """Where the unit's disposition sends it: a state it waits in, or (collected in `leaving`) out of the case."""
    route = DISPOSITION_ROUTES[unit.disposition]
    if isinstance(route, Leave):
        refund = unit.line.requested_outcome == Outcome.REFUND
        leaving[(route.exit_on_refund if refund else route.exit, route.move, route.to)].append(unit)
    else:
        unit.state = _route_waiting(unit) if route == "work" else route


def dispose(ctx: ActionContext) -> None:
    wanted = _wanted_dispositions(ctx)
    # Keeping a unit the customer wants back needs its consent (scrap asks the manager instead).
    keep = {u.pk for u in ctx.units if wanted[u.pk] != D.SCRAP
            and rules.keeps_customers_unit(outcome=u.line.requested_outcome, disposition=wanted[u.pk])}
    _dispositions_apply(ctx, wanted, keep_consent=keep)
    waiting = [u for u in ctx.units if u.state == U.WAITING_CUSTOMER]
    consent = [u.pk for u in waiting if u.needs_consent]
    if consent:
        _notice(ctx.case, CustomerNotice.Kind.CONSENT, unit_ids=consent)
    ctx.changes = {"dispositions": dict(Counter(wanted.values())),
                   "states": dict(Counter(u.state for u in ctx.units))}


def redispose(ctx: ActionContext) -> None:
    """Quality changes the disposition before the work is finished (售后返退货流程描述 四.2: the bench found more or
    less than inspection did), with a reason; the customer is told when what it gets changes, and consents
    when the company would keep a unit it was to get back (rules.redisposal_terms)."""
    reason = parsing.text(ctx.params.get("reason"), "reason", max_length=2000, required=True)
    wanted = _wanted_dispositions(ctx)
    unchanged = [u.pk for u in ctx.units if wanted[u.pk] == u.disposition]
    if unchanged:
        raise InvalidInput(details={"disposition": [_("Units %(ids)s have this disposition already.")
                                                    % {"ids": unchanged[:20]}]})
    previous = {u.pk: u.disposition for u in ctx.units}
    terms = {u.pk: rules.redisposal_terms(outcome=u.line.requested_outcome, old=previous[u.pk], new=wanted[u.pk])
             for u in ctx.units}
    keep = {pk for pk, term in terms.items() if term["consent"]}
    _dispositions_apply(ctx, wanted, keep_consent=keep)
    told = [pk for pk, term in terms.items() if term["notify"]]
    if told:
        _notice(ctx.case, CustomerNotice.Kind.REDISPOSED, unit_ids=told, reason=reason, consent_needed=sorted(keep),
                changes={str(pk): {"from": previous[pk], "to": wanted[pk]} for pk in told})
    ctx.changes = {"reason": reason, "from": dict(Counter(previous.values())), "to": dict(Counter(wanted.values())),
                   "told": len(told), "consent_needed": sorted(keep),
                   "states": dict(Counter(u.state for u in ctx.units))}


def _to_scrap_approval(ctx, units) -> None:
    """Units proposed for scrap wait for the approval in the defective goods warehouse (不良品仓)."""
    _to_warehouse(ctx, units, kind=WarehouseKind.DEFECTIVE, move_kind=MoveKind.TO_DEFECTIVE)


def approve_scrap(ctx: ActionContext) -> None:
    # Out of the defective goods warehouse into the scrap warehouse, the moves naming the case.
    _leave(ctx, ctx.units, exit=UnitExit.SCRAPPED, move_kind=MoveKind.SCRAP, to_kind=WarehouseKind.SCRAP)
    units_save(ctx.units, ["state", "exit", "warehouse", "done_at"])
    ctx.unit_to_state = U.DONE
    # The customer is told: scrapped for lack of repair value, or at the customer's own word.
    asked = [u.pk for u in ctx.units if (u.charge_answer or {}).get("scrap")]
    judged = [u.pk for u in ctx.units if u.pk not in set(asked)]
    _notice(ctx.case, CustomerNotice.Kind.SCRAPPED, unit_ids=[u.pk for u in ctx.units],
            serials=[u.serial for u in ctx.units if u.serial], no_repair_value=judged, customer_asked=asked)


def reject_scrap(ctx: ActionContext) -> None:
    """Scrapping refused: the units go back to the after-sales warehouse for another disposition."""
    _to_warehouse(ctx, ctx.units, kind=WarehouseKind.AFTER_SALES, move_kind=MoveKind.TRANSFER)
    for unit in ctx.units:
        unit.state, unit.disposition = U.INSPECTED, ""
    units_save(ctx.units, ["state", "disposition", "warehouse"])
    ctx.unit_to_state = U.INSPECTED


def _expected_return_date(params: dict) -> str:
    raw = params.get("expected_return_date")
    return "" if raw in (None, "") else parsing.date_value(raw, "expected_return_date").isoformat()


def quote_charge(ctx: ActionContext) -> None:
    amount = _money(ctx.params, "amount", positive=True)
    for unit in ctx.units:
        unit.charge_amount = amount
    units_save(ctx.units, ["charge_amount"])
    _notice(ctx.case, CustomerNotice.Kind.CHARGE, unit_ids=[u.pk for u in ctx.units], amount=str(amount),
            expected_return_date=_expected_return_date(ctx.params))
    ctx.changes = {"amount": str(amount)}


def revise_charge(ctx: ActionContext) -> None:
    """The bench found other work than quoted: a new amount, asked of the customer again; work stops."""
    amount = _money(ctx.params, "amount", positive=True)
    previous = sorted({str(u.charge_amount) for u in ctx.units})
    for unit in ctx.units:
        unit.charge_amount, unit.charge_answer, unit.state = amount, {}, U.WAITING_CUSTOMER
    units_save(ctx.units, ["charge_amount", "charge_answer", "state"])
    _notice(ctx.case, CustomerNotice.Kind.CHARGE, unit_ids=[u.pk for u in ctx.units], amount=str(amount),
            expected_return_date=_expected_return_date(ctx.params), revised=True,
            reason=parsing.text(ctx.params.get("reason"), "reason", max_length=5000))
    ctx.unit_to_state = U.WAITING_CUSTOMER
    ctx.changes = {"amount": str(amount), "previous": previous}


def _answer(ctx, field: str, accepted: bool) -> None:
    leaving = defaultdict(list)
    for unit in ctx.units:
        answer = {**_who(ctx), ("given" if field == "consent" else "accepted"): accepted}
        if field == "charge_answer":
            answer["amount"] = str(unit.charge_amount)
        setattr(unit, field, answer)
        if accepted and DISPOSITION_ROUTES.get(unit.disposition) != "work":
            _route(unit, leaving)  # consent to the company keeping the unit: on by its disposition
        elif accepted:
            unit.state = _route_waiting(unit)
        elif field == "charge_answer" and ctx.params.get("scrap") is True:
            # The customer does not want the unit back: it is scrapped, with the manager's approval.
            unit.state, unit.disposition = U.WAITING_APPROVAL, D.SCRAP
            answer["scrap"] = True
        else:
            unit.state, unit.disposition = U.READY_TO_SHIP, D.RETURN_AS_IS
    for (exit_kind, move_kind, to_kind), units in leaving.items():
        _leave(ctx, units, exit=exit_kind, move_kind=move_kind, to_kind=to_kind)
    # Scrap consented to, or asked for instead of the repair: it waits for the approval in 不良品仓.
    _to_scrap_approval(ctx, [u for u in ctx.units if u.state == U.WAITING_APPROVAL])
    units_save(ctx.units, [field, "state", "disposition", "exit", "warehouse", "done_at"])
    ctx.changes = {field: accepted}


def give_consent(ctx):
    _answer(ctx, "consent", True)


def refuse_consent(ctx):
    _answer(ctx, "consent", False)
    ctx.unit_to_state = U.READY_TO_SHIP


def accept_charge(ctx):
    _answer(ctx, "charge_answer", True)


def refuse_charge(ctx):
    """Refused: the unit goes back as is, or, if the customer says so (`scrap`: true), to scrap."""
    if ctx.params.get("scrap") not in (None, True, False):
        raise InvalidInput(details={"scrap": [_("Must be true or false.")]})
    _answer(ctx, "charge_answer", False)
    ctx.unit_to_state = U.WAITING_APPROVAL if ctx.params.get("scrap") is True else U.READY_TO_SHIP


def _move_state(ctx, state) -> None:
    for unit in ctx.units:
        unit.state = state
    units_save(ctx.units, ["state"])
    ctx.unit_to_state = state


def start_work(ctx):
    _move_state(ctx, U.IN_WORK)


def finish_work(ctx):
    _move_state(ctx, U.FINAL_INSPECTION)
