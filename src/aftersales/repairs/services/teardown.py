"""Teardown (拆机) and outsourced refurbishment (外协加工): good parts of a torn-down unit into raw-material
stock, cosmetic ones to a supplier and back through QC (workflow.REFURBISH_ORDER)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import Conflict, InvalidInput, NotFound
from aftersales.core.roles import require_roles, roles_of
from aftersales.core.workflow import state_change_record
from aftersales.inventory.services import Move, stock_moves_apply, warehouse_of_kind
from aftersales.masterdata.models import WarehouseKind
from aftersales.returns.models import ReturnUnit, UnitExit

from ..models import PartOutcome, RefurbishOrder, TeardownPart
from ..workflow import REFURBISH_ORDER
from .common import next_number, parts_list, text

MAX_COST = parsing.amount("999999999999.99", "cost")


@transaction.atomic
def teardown_record(*, actor, unit_id: int, parts) -> list[TeardownPart]:
    """Parts taken from a torn-down unit: good ones into raw-material stock (after QC), cosmetic ones
    wait for outsourced refurbishment, the rest is scrap."""
    require_roles(actor, "repair", "quality")
    unit = ReturnUnit.objects.select_for_update().filter(pk=parsing.record_id(unit_id, "unit")).first()
    if unit is None:
        raise NotFound()
    if unit.exit != UnitExit.TORN_DOWN:
        raise Conflict(_("Only a unit disposed for teardown yields parts."), code="invalid_state")
    if not isinstance(parts, list) or not parts:
        raise InvalidInput(details={"parts": [_("Give at least one part.")]})
    outcomes = [line.get("outcome") if isinstance(line, dict) else None for line in parts]
    bad = {str(i): [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(PartOutcome.values)}]
           for i, outcome in enumerate(outcomes) if outcome not in PartOutcome.values}
    if bad:
        raise InvalidInput(details={"parts": bad})
    parsed = parts_list(parts)
    # Quality recording the teardown passes its good parts at once; the bench's wait for quality.
    by_quality = "quality" in roles_of(actor)
    rows = TeardownPart.objects.bulk_create([
        TeardownPart(unit=unit, part=part, quantity=quantity, outcome=outcome, recorded_by=actor)
        for (part, quantity), outcome in zip(parsed, outcomes)])
    if by_quality:
        _good_parts_pass(actor, [row for row in rows if row.outcome == PartOutcome.GOOD], passed=True)
    return rows


def _good_parts_pass(actor, rows: list[TeardownPart], *, passed: bool) -> None:
    """Quality's verdict on good teardown parts: passed ones into raw-material stock, the others scrap."""
    if not rows:
        return
    now = timezone.now()
    if passed:
        raw = warehouse_of_kind(WarehouseKind.RAW_MATERIAL)
        stock_moves_apply(actor=actor, moves=[Move("teardown", row.quantity, None, raw, part_id=row.part_id,
                                                   return_unit_id=row.unit_id) for row in rows])
    for row in rows:
        row.qc_passed, row.qc_by, row.qc_at = passed, actor, now
    TeardownPart.objects.bulk_update(rows, ["qc_passed", "qc_by", "qc_at"])


@transaction.atomic
def teardown_parts_check(*, actor, teardown_part_ids, passed) -> list[TeardownPart]:
    """Quality checks good teardown parts waiting for it: passed, into raw-material stock; failed, scrap."""
    require_roles(actor, "quality")
    ids = parsing.record_ids(teardown_part_ids, "teardown_part_ids")
    passed = parsing.flag(passed, "passed")
    rows = list(TeardownPart.objects.select_for_update(of=("self",)).select_related("part").filter(pk__in=ids)
                .order_by("pk"))
    wrong = [row.pk for row in rows if row.outcome != PartOutcome.GOOD or row.qc_passed is not None]
    if not rows or len(rows) != len(set(ids)) or wrong:
        raise Conflict(_("Only good teardown parts waiting for quality are checked."), code="invalid_state",
                       details={"teardown_part_ids": wrong[:100]})
    _good_parts_pass(actor, rows, passed=passed)
    return rows


@transaction.atomic
def refurbish_order_create(*, actor, supplier: str, teardown_part_ids: list[int]) -> RefurbishOrder:
    """外协加工单 for cosmetic teardown parts not yet sent."""
    require_roles(actor, "purchasing", "repair")
    supplier = text(supplier, "supplier", max_length=120, required=True)
    teardown_part_ids = parsing.record_ids(teardown_part_ids, "teardown_part_ids")
    rows = list(TeardownPart.objects.select_for_update().filter(pk__in=teardown_part_ids))
    wrong = [row.pk for row in rows if row.outcome != PartOutcome.COSMETIC or row.refurbish_order_id]
    if not rows or len(rows) != len(set(teardown_part_ids)) or wrong:
        raise Conflict(_("Only cosmetic teardown parts not yet sent go on a refurbishment order."),
                       code="invalid_state", details={"teardown_part_ids": wrong[:100]})
    order = RefurbishOrder.objects.create(number=next_number("OR"), supplier=supplier, created_by=actor)
    TeardownPart.objects.filter(pk__in=[row.pk for row in rows]).update(refurbish_order=order)
    state_change_record(REFURBISH_ORDER, order, actor, "send", "", order.state, {"parts": len(rows)})
    return order


@transaction.atomic
def refurbish_order_return(*, actor, order_id: int, passed: int, cost) -> RefurbishOrder:
    """The parts come back: those passing QC enter raw-material stock; the rest are scrap."""
    def take_back(ctx):
        order = ctx.record
        rows = list(order.parts.order_by("id"))
        total = sum(row.quantity for row in rows)
        if not isinstance(passed, int) or isinstance(passed, bool) or not 0 <= passed <= total:
            raise InvalidInput(details={"passed": [_("Between 0 and %(total)s.") % {"total": total}]})
        charged = parsing.amount(cost, "cost", maximum=MAX_COST)
        raw = warehouse_of_kind(WarehouseKind.RAW_MATERIAL)
        moves, left = [], passed
        for row in rows:
            take = min(left, row.quantity)
            left -= take
            if take:
                moves.append(Move("refurbished_in", take, None, raw, part_id=row.part_id))
        stock_moves_apply(actor=actor, moves=moves)
        order.returned_at = timezone.now()
        order.passed_qc, order.failed_qc, order.cost = passed, total - passed, charged
        ctx.changes = {"passed": passed, "failed": total - passed}

    return REFURBISH_ORDER.apply(actor=actor, pk=order_id, action="return", handler=take_back).record
