"""Receiving against the return note: start, scans and counts, closing the receipt."""

from collections import Counter, defaultdict

from django.db.models import F, Q
from django.utils.translation import gettext as _

from aftersales.core import parsing, policies
from aftersales.core.errors import InvalidInput
from aftersales.inventory.models import MoveKind
from aftersales.inventory.services import Move, stock_moves_apply, warehouse_ids
from aftersales.masterdata.models import ProductModel, ShippedUnit, WarehouseKind

from ...models import CaseState, CustomerNotice, ReceivingDiscrepancy, ReturnUnit
from .. import warranty
from . import receiving_checks
from .common import CHUNK, LINE_FIELDS_DEFERRED, ActionContext, units_save, U, _now, _notice, units_create

SCANNED_FIELDS = ("id", "return_case_id", "serial", "state", "line_id", "product_model_id", "warehouse_id", "received_at")


def start_receiving(ctx: ActionContext) -> None:
    ctx.case_to_state = CaseState.RECEIVING


def receive(ctx: ActionContext) -> None:
    """Match what arrived against the note. Serials: received, duplicate, extra (a model the note
    lists), wrong case, or refused (no matching line). Quantities: units split from the line."""
    case = ctx.case
    parcel_check = receiving_checks.check_values(ctx.params.get("parcel_check"), "parcel_check")
    # A scanner sends one serial per request on a case of thousands: read only the units scanned (with
    # their line's number), and the lines, without their serial lists (has_serials says whether a line has
    # any), only when something is not one of the units expected.
    lines = None

    def case_lines() -> list:
        nonlocal lines
        if lines is None:
            lines = list(case.lines.select_related("product_model").defer(*LINE_FIELDS_DEFERRED)
                         .annotate(has_serials=~Q(serials=[])))
        return lines

    raw_accessories = ctx.params.get("accessories")
    accessories = receiving_checks.accessories_values(
        raw_accessories, {line.line_no: line for line in case_lines()} if raw_accessories else {})
    items = _items(ctx.params.get("items"), optional=bool(parcel_check or accessories))
    serials = [item["serial"] for item in items if item["serial"]]
    expected, arrived = {}, set()
    for start in range(0, len(serials), CHUNK):
        for unit in (case.units.filter(serial__in=serials[start:start + CHUNK]).exclude(state=U.MISSING)
                     .only(*SCANNED_FIELDS).annotate(line_no=F("line__line_no"))):
            if unit.state == U.EXPECTED:
                expected[unit.serial] = unit
            else:
                arrived.add(unit.serial)
    if len(expected) + len(arrived) < len(items):  # a stranger, or a counted line: the note's lines are needed
        case_lines()
    lines_by_no = {line.line_no: line for line in lines or []}
    line_for_model = {}
    for line in lines or []:
        line_for_model.setdefault(line.product_model_id, line)
    quantity_received = Counter()
    if len(serials) < len(items):  # counted lines: what they have received so far
        quantity_received.update(case.units.filter(serial="").exclude(state=U.MISSING)
                                 .values_list("line_id", flat=True))

    strangers = [s for s in serials if s and s not in expected and s not in arrived]
    registry = defaultdict(list)
    elsewhere, held = {}, {}
    if strangers:  # a scan of a unit the case expects asks nothing more of the database
        for shipped in ShippedUnit.objects.filter(serial__in=strangers).select_related("product_model"):
            registry[shipped.serial].append(shipped)
        # Another open case holds the serial: expected there (goods sent under the wrong note), or already
        # received there and not gone (the same physical unit cannot be received twice).
        for serial, number, state in (ReturnUnit.objects.filter(serial__in=strangers).exclude(return_case=case)
                                      .exclude(state__in=[U.DONE, U.MISSING])
                                      .values_list("serial", "return_case__number", "state")):
            (elsewhere if state == U.EXPECTED else held)[serial] = number
    codes = [item["product_model"] for item in items if item.get("product_model")]
    models_by_code = {m.code: m for m in ProductModel.objects.filter(code__in=codes)} if codes else {}

    results, received, created, discrepancies, unit_checks = [], [], [], [], []
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
                if item.get("check"):
                    unit_checks.append((unit, item["check"]))
                results.append({"serial": serial, "result": "received", "line": unit.line_no})
                continue
            other = elsewhere.get(serial) or held.get(serial)
            if other is not None:  # refused: the unit belongs to another open case
                expected_there = serial in elsewhere
                results.append({"serial": serial, "result": "wrong_case" if expected_there else "serial_on_open_case",
                                "case": other})
                note = (_("Expected on case %(number)s; refused.") if expected_there
                        else _("Already received on the open case %(number)s; refused."))
                discrepancies.append(ReceivingDiscrepancy(return_case=case, kind=ReceivingDiscrepancy.Kind.UNMATCHED, serial=serial,
                                                          recorded_by=ctx.actor, note=note % {"number": other}))
                continue
            model = models_by_code.get(item.get("product_model"))
            shipped = next((s for s in registry.get(serial, []) if model is None or s.product_model_id == model.pk),
                           None)
            model = model or (shipped.product_model if shipped else None)
            line = line_for_model.get(model.pk) if model else None
            if line is None:
                results.append({"serial": serial, "result": "unknown_serial" if model is None else "refused"})
                discrepancies.append(ReceivingDiscrepancy(
                    return_case=case, kind=ReceivingDiscrepancy.Kind.UNMATCHED, serial=serial, product_model=model, recorded_by=ctx.actor,
                    note=_("No matching line on the return note; refused.")))
                continue
            unit = ReturnUnit(return_case=case, line=line, product_model=model, serial=serial, shipped_unit=shipped,
                              in_registry=shipped is not None, is_extra=True)
            created.append(unit)
            if item.get("check"):
                unit_checks.append((unit, item["check"]))
            discrepancies.append(ReceivingDiscrepancy(return_case=case, kind=ReceivingDiscrepancy.Kind.EXTRA, line=line, product_model=model,
                                                      serial=serial, recorded_by=ctx.actor))
            results.append({"serial": serial, "result": "extra", "line": line.line_no})
            continue
        line = lines_by_no.get(item.get("line"))
        try:
            quantity = int(item.get("quantity", 0))
        except (TypeError, ValueError):
            quantity = 0
        if line is None or quantity < 1 or line.has_serials:
            raise InvalidInput(details={"items": {str(index): [
                _("Give a serial, or a line without serials and a quantity of at least 1.")]}})
        already = quantity_received[line.pk]
        normal = max(0, min(quantity, line.quantity - already))
        extra = quantity - normal
        quantity_received[line.pk] += quantity
        created.extend(ReturnUnit(return_case=case, line=line, product_model=line.product_model,
                                  is_extra=n >= normal) for n in range(quantity))
        if extra:
            discrepancies.append(ReceivingDiscrepancy(return_case=case, kind=ReceivingDiscrepancy.Kind.EXTRA, line=line, quantity=extra,
                                                      product_model=line.product_model, recorded_by=ctx.actor))
        results.append({"line": line.line_no, "quantity": quantity, "result": "received", "extra": extra})
        if item.get("check"):  # counted units: the check is the parcel's they came in
            unit_checks.append((None, item["check"]))

    wh = warehouse_ids()
    now = _now()
    for unit in [*received, *created]:
        unit.state, unit.warehouse_id, unit.received_at = U.RECEIVED, wh[WarehouseKind.AFTER_SALES], now
    if created:
        warranty.decide_units([u for u in created], case=case)
        units_create(created)
    if received:
        units_save(received, ["state", "warehouse", "received_at"])
    ReceivingDiscrepancy.objects.bulk_create(discrepancies)
    stock_moves_apply(actor=ctx.actor, return_case=case, moves=[
        Move(kind=MoveKind.RETURN_RECEIPT, quantity=1, from_warehouse_id=None, to_warehouse_id=wh[WarehouseKind.AFTER_SALES],
             product_model_id=u.product_model_id, return_unit_id=u.pk, serial=u.serial) for u in [*received, *created]])
    ctx.result = {"results": results}
    counts = Counter(r["result"] for r in results)
    ctx.changes = {"unit_ids": [u.pk for u in [*received, *created]], "results": dict(counts)}
    if unit_checks or parcel_check or accessories:
        recorded = receiving_checks.checks_record(ctx, unit_checks=unit_checks, parcel_check=parcel_check,
                                                  accessories=accessories)
        ctx.result.update(recorded)
        ctx.changes.update(recorded)
    ctx.unit_to_state = U.RECEIVED


MAX_ITEMS = 10_000  # entries in one receiving call (a scanner sends one; a counted list a few thousand)


def _items(raw, *, optional: bool = False) -> list[dict]:
    """What arrived, each entry a serial (and maybe its model) or a line and a quantity, checked for type
    and bounds before anything is matched (none needed when only a parcel's checklist or accessories are sent)."""
    if optional and raw in (None, []):
        return []
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(details={"items": [_("List what arrived: serials or line quantities.")]})
    if len(raw) > MAX_ITEMS:
        raise InvalidInput(details={"items": [_("At most %(maximum)s entries at once.") % {"maximum": MAX_ITEMS}]})
    errors, items = {}, []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            errors[str(index)] = [_("Each item is an object.")]
            continue
        try:
            serial = item.get("serial")
            if isinstance(serial, int) and not isinstance(serial, bool):  # a scanner's digits sent as a number
                serial = str(serial)
            entry = {"serial": parsing.text(serial, "serial", max_length=80)}
            model = item.get("product_model")
            if model not in (None, ""):
                entry["product_model"] = parsing.text(model, "product_model", max_length=40)
            if not entry["serial"]:
                entry["line"] = parsing.whole_number(item.get("line"), "line", minimum=1, maximum=10_000)
                entry["quantity"] = parsing.whole_number(item.get("quantity"), "quantity", minimum=1,
                                                         maximum=parsing.MAX_UNITS)
        except InvalidInput as error:
            errors[str(index)] = [message for messages in error.details.values() for message in messages]
            continue
        try:
            check = receiving_checks.check_values(item.get("check"), "check")
        except InvalidInput as error:
            errors[str(index)] = error.details
            continue
        if check:
            entry["check"] = check
        items.append(entry)
    if errors:
        raise InvalidInput(details={"items": errors})
    return items


def close_receipt(ctx: ActionContext) -> None:
    case, snapshot = ctx.case, policies.snapshot()
    missing = list(case.units.filter(state=U.EXPECTED).select_related("line"))
    shortages = [ReceivingDiscrepancy(return_case=case, kind=ReceivingDiscrepancy.Kind.SHORTAGE, line=u.line, product_model_id=u.product_model_id,
                                      serial=u.serial, recorded_by=ctx.actor) for u in missing]
    per_line = Counter(case.units.filter(serial="").values_list("line_id", flat=True))
    lines = list(case.lines.all())
    for line in lines:
        if not line.serials and per_line[line.pk] < line.quantity:
            shortages.append(ReceivingDiscrepancy(return_case=case, kind=ReceivingDiscrepancy.Kind.SHORTAGE, line=line,
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
