"""Final inspection by checklist (售后客返品管理流程 5.2.7, 售后返退货流程描述 六.2): each unit is tested on its
model's test items and on the customer's complaint points, one result per item; a unit passes only
when every item has passed, and only then goes back to the customer or into finished-goods stock."""

from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import Conflict, InvalidInput
from aftersales.inventory.models import MoveKind
from aftersales.masterdata.models import TestItem, WarehouseKind

from ... import rules
from ...models import Disposition, Inspection, Outcome, UnitExit
from .common import ActionContext, U, _leave, units_save
from .units import _inspections_write, _per_unit

VALUE_LENGTH = 200  # a measured value or a remark per item
NOTES_LENGTH = 5000


def checklists_for(units) -> dict[int, list[dict]]:
    """unit id -> the unit's final checklist (the models' test items in one query)."""
    by_model: dict[int, list[tuple[str, str, str]]] = {}
    for model_id, code, name, requirement in (TestItem.objects.filter(
            product_model__in={u.product_model_id for u in units}, is_active=True)
            .order_by("product_model_id", "position", "id")
            .values_list("product_model_id", "code", "name", "requirement")):
        by_model.setdefault(model_id, []).append((code, name, requirement))
    return {u.pk: rules.final_checklist(test_items=by_model.get(u.product_model_id, []),
                                        defect_description=u.line.defect_description) for u in units}


def _results(raw, field: str) -> dict[str, dict]:
    """code -> {"passed": bool, "value": str}; an item may be given as true/false alone."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise InvalidInput(details={field: [_("Map each test item's code to its result.")]})
    errors, results = {}, {}
    for code, result in raw.items():
        if isinstance(result, bool):
            result = {"passed": result}
        if not isinstance(result, dict) or not isinstance(result.get("passed"), bool):
            errors[str(code)[:40]] = [_("Give passed (true or false) and, if measured, a value.")]
            continue
        try:
            value = parsing.text(result.get("value"), "value", max_length=VALUE_LENGTH)
        except InvalidInput as error:
            errors[str(code)[:40]] = error.details["value"]
            continue
        results[str(code)] = {"passed": result["passed"], "value": value}
    if errors:
        raise InvalidInput(details={field: errors})
    return results


def _tested(ctx: ActionContext) -> dict[int, list[dict]]:
    """Per unit, its checklist with the results given (common `results`, per-unit `per_unit`: {id: {results}})."""
    common = _results(ctx.params.get("results"), "results")
    overrides = {pk: _results(values.get("results") if isinstance(values, dict) else None, "per_unit")
                 for pk, values in _per_unit(ctx).items()}
    checklists = checklists_for(ctx.units)
    tested, stray = {}, set()
    for unit in ctx.units:
        given = {**common, **overrides.get(unit.pk, {})}
        codes = {item["code"] for item in checklists[unit.pk]}
        stray |= set(given) - codes
        tested[unit.pk] = (checklists[unit.pk], given)
    if stray:
        raise InvalidInput(details={"results": [_("Not on the unit's checklist: %(codes)s.")
                                                % {"codes": ", ".join(sorted(stray)[:20])}]})
    return tested


def pass_final(ctx: ActionContext) -> None:
    notes = parsing.text(ctx.params.get("notes"), "notes", max_length=NOTES_LENGTH)
    rows, missing, failed = {}, {}, {}
    for unit_id, (checklist, given) in _tested(ctx).items():
        rows[unit_id], missing_codes, failed_codes = rules.final_results(checklist, given)
        if missing_codes:
            missing[unit_id] = missing_codes
        if failed_codes:
            failed[unit_id] = failed_codes
    if missing:
        raise Conflict(_("The final test is not complete: every test item and complaint point needs a result."),
                       code="final_test_incomplete", details={"missing": {str(k): v for k, v in missing.items()}})
    if failed:
        raise Conflict(_("A test item failed: the unit fails its final inspection, it cannot pass."),
                       code="final_test_failed", details={"failed": {str(k): v for k, v in failed.items()}})
    _inspections_write(ctx, [(u.pk, {"passed": True, "notes": notes, "checklist": rows[u.pk]}) for u in ctx.units],
                       stage=Inspection.Stage.FINAL)
    # Repaired for the customer (a repair, or an exchange quality chose to repair): shipped back.
    for unit in ctx.units:
        if unit.line.requested_outcome in (Outcome.REPAIR, Outcome.EXCHANGE) and unit.disposition != Disposition.RESALE:
            unit.state = U.READY_TO_SHIP
    # Refunded (the customer has its money back) or disposed for resale: into finished goods, tested.
    to_stock = [u for u in ctx.units if u.state == U.FINAL_INSPECTION]
    if to_stock:
        refunded = [u for u in to_stock if u.line.requested_outcome == Outcome.REFUND]
        resold = [u for u in to_stock if u.line.requested_outcome != Outcome.REFUND]
        for units, exit_kind in ((refunded, UnitExit.REFUNDED_INTO_STOCK), (resold, UnitExit.RESOLD)):
            if units:
                _leave(ctx, units, exit=exit_kind, move_kind=MoveKind.TO_FINISHED_GOODS,
                       to_kind=WarehouseKind.FINISHED_GOODS)
    units_save(ctx.units, ["state", "exit", "warehouse", "done_at"])
    ctx.changes = {"items": sum(len(r) for r in rows.values())}


def fail_final(ctx: ActionContext) -> None:
    notes = parsing.text(ctx.params.get("notes"), "notes", max_length=NOTES_LENGTH)
    rows = {unit_id: rules.final_results(checklist, given)[0] for unit_id, (checklist, given) in _tested(ctx).items()}
    _inspections_write(ctx, [(u.pk, {"passed": False, "notes": notes, "checklist": rows[u.pk]}) for u in ctx.units],
                       stage=Inspection.Stage.FINAL)
    for unit in ctx.units:
        unit.state = U.IN_WORK
        unit.final_inspections_failed += 1
    units_save(ctx.units, ["state", "final_inspections_failed"])
    ctx.unit_to_state = U.IN_WORK
