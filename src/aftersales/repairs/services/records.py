"""Repair records (维修记录): per unit the fault found, cause, action, hours, revisions and parts; the
parts come from what was issued to the order first, the rest straight from raw-material stock."""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import Conflict, InvalidInput
from aftersales.inventory.services import Move, stock_moves_apply, warehouse_of_kind
from aftersales.masterdata.models import WarehouseKind
from aftersales.returns.models import ReturnUnit, UnitState
from aftersales.returns.services.actions import apply_action

from ..models import MAJOR_ANOMALY_LABELS, OrderState, PartUse, RepairOrder, RepairRecord
from ..workflow import REWORK_ORDER
from .common import TEXT, parts_by_code, parts_list
from .orders import _orders, order_unit_ids

MAJOR_ANOMALIES = tuple(MAJOR_ANOMALY_LABELS)
MAX_HOURS = Decimal("100000")
REVISION = 40
REVISIONS = ("hardware_before", "hardware_after", "software_before", "software_after")


def _record_fields(record: dict, known_parts: dict) -> tuple[dict, dict]:
    """A record's values, and its input problems by field."""
    problems = {}
    lengths = {"fault_found": TEXT, "cause": TEXT, "action": TEXT, **{name: REVISION for name in REVISIONS}}
    values = dict.fromkeys(lengths, "")
    try:
        values.update(parsing.texts(record, lengths, required=("fault_found", "action")))
    except InvalidInput as error:
        problems.update(error.details)
    if record.get("major_anomaly") not in (None, "", *MAJOR_ANOMALIES):
        problems["major_anomaly"] = [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(MAJOR_ANOMALIES)}]
    try:
        values["labour_hours"] = parsing.amount(record.get("labour_hours", 0), "labour_hours", maximum=MAX_HOURS)
        values["parts"] = parts_list(record.get("parts", []), found=known_parts)
    except InvalidInput as error:
        problems.update(error.details)
    return values, problems


@transaction.atomic
def records_add(*, actor, order_id: int, records: list[dict]) -> list[RepairRecord]:
    """Record the work on units of the order (one or a thousand at once): fault, cause, action,
    hours, revisions, parts. Parts come from what was issued to the order, else from raw-material
    stock (never negative). The units go to final inspection."""
    made: list[RepairRecord] = []

    def record_work(ctx):
        made.extend(_records_write(actor, ctx.record, records))
        ctx.changes = {"records": len(made)}

    REWORK_ORDER.apply(actor=actor, pk=order_id, action="record", handler=record_work, queryset=_orders())
    return made


def _records_write(actor, order: RepairOrder, records) -> list[RepairRecord]:
    if not isinstance(records, list) or not records:
        raise InvalidInput(details={"records": [_("Give at least one repair record.")]})
    on_order = set(order_unit_ids(order))
    units = {u.pk: u for u in ReturnUnit.objects.filter(pk__in=[
        r["unit"] for r in records if isinstance(r, dict) and isinstance(r.get("unit"), int)
        and not isinstance(r.get("unit"), bool) and 0 < r["unit"] <= parsing.MAX_ID]).select_related("product_model")}
    known_parts = parts_by_code([r.get("parts", []) for r in records if isinstance(r, dict)])
    errors, conflicts, parsed = {}, {}, []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            errors[str(index)] = {"record": [_("A repair record is expected.")]}
            continue
        unit = units.get(record.get("unit"))
        values, problems = _record_fields(record, known_parts)
        if not isinstance(record.get("unit"), int) or isinstance(record.get("unit"), bool):
            problems["unit"] = [_("An id (a whole number) is expected.")]
        elif (conflict := _record_conflict(order, unit, on_order)) is not None:
            conflicts[str(index)] = conflict
        if problems:
            errors[str(index)] = problems
            continue
        parsed.append((unit, record, values))
    if errors:
        raise InvalidInput(details={"records": errors})
    if len({record["unit"] for record in records}) != len(records):
        raise InvalidInput(details={"records": [_("A unit is listed twice.")]})
    if conflicts:  # the body is well formed; some units are not where a record may be written now
        code = next(code for code in RECORD_CONFLICTS if any(c[0] == code for c in conflicts.values()))
        raise Conflict(_("A repair record cannot be written for some of these units now."), code=code,
                       details={"records": {index: {"unit": [message], "code": found}
                                            for index, (found, message) in conflicts.items()}})
    waiting = [unit.pk for unit, *_rest in parsed if unit.state == UnitState.DISPOSED]
    if waiting:  # the rest of a batch after its first article: worked now
        apply_action(actor=actor, case_id=order.return_case_id, action="start_work", unit_ids=waiting)
    _consume_parts(actor, order, [(unit, values["parts"]) for unit, _record, values in parsed])
    made = RepairRecord.objects.bulk_create([
        RepairRecord(order=order, unit=unit, fault_found=v["fault_found"], cause=v["cause"], action=v["action"],
                     labour_hours=v["labour_hours"], technician=actor, hardware_before=v["hardware_before"],
                     hardware_after=v["hardware_after"] or unit.product_model.latest_hardware_revision,
                     software_before=v["software_before"],
                     software_after=v["software_after"] or unit.product_model.latest_software_revision,
                     is_anomaly=bool(r.get("is_anomaly") or r.get("major_anomaly")),
                     major_anomaly=r.get("major_anomaly") or "")
        for unit, r, v in parsed], batch_size=1000)
    apply_action(actor=actor, case_id=order.return_case_id, action="finish_work",
                 unit_ids=[unit.pk for unit, *_rest in parsed])
    _flag_major_anomalies(order, [record for record in made if record.major_anomaly])
    return made


# Why a unit takes no record now, most basic first: the code of the refusal is the first that applies.
RECORD_CONFLICTS = ("unit_not_on_order", "invalid_state", "first_article_pending")


def _record_conflict(order: RepairOrder, unit, on_order: set) -> tuple[str, str] | None:
    if unit is None or unit.pk not in on_order:
        return "unit_not_on_order", _("Not a unit of this order.")
    if unit.state not in (UnitState.IN_WORK, UnitState.DISPOSED):
        return "invalid_state", _("The unit is not in work.")
    if order.state == OrderState.FIRST_ARTICLE and unit.pk != order.first_article_unit_id:
        return "first_article_pending", _("The first article is checked before the rest of the batch is worked.")
    return None


def _flag_major_anomalies(order: RepairOrder, records: list[RepairRecord]) -> None:
    """Major anomalies (design, process, incoming material, workmanship) go to quality, engineering
    and service at once, written with the records."""
    if not records:
        return
    from aftersales.notifications.services import notify_many, recipients

    serials = dict(ReturnUnit.objects.filter(pk__in=[r.unit_id for r in records]).values_list("id", "serial"))
    context = {"order": order.number, "case": order.return_case.number, "team": order.team,
               "items": [{"unit": r.unit_id, "serial": serials.get(r.unit_id, ""), "major": r.major_anomaly,
                          "fault_found": r.fault_found[:200], "cause": r.cause[:200]} for r in records[:20]],
               "count": len(records)}
    roles = ["quality", "engineering", "service"]
    if any(r.major_anomaly == "incoming_material" for r in records):
        roles.append("purchasing")  # incoming material at fault: purchasing claims from the supplier
    notify_many([(recipients(role=role), "major_anomaly", context, "return_case", order.return_case_id)
                 for role in roles])


def _consume_parts(actor, order: RepairOrder, wanted_by_unit) -> None:
    """Parts of the records: from the order's issued material first, the rest issued from stock now."""
    wanted = defaultdict(int)
    for _unit, parts in wanted_by_unit:
        for part, quantity in parts:
            wanted[part.pk] += quantity
    if not wanted:
        return
    issued = defaultdict(int)
    for part_id, quantity in PartUse.objects.filter(order=order, unit__isnull=True).values_list("part_id", "quantity"):
        issued[part_id] += quantity
    consumed = defaultdict(int)
    for part_id, quantity in PartUse.objects.filter(order=order, unit__isnull=False, from_issue=True).values_list(
            "part_id", "quantity"):
        consumed[part_id] += quantity
    available = {part_id: issued[part_id] - consumed[part_id] for part_id in wanted}
    raw = warehouse_of_kind(WarehouseKind.RAW_MATERIAL)
    moves, uses = [], []
    for unit, parts in wanted_by_unit:
        for part, quantity in parts:
            from_issue = min(quantity, max(available[part.pk], 0))
            available[part.pk] -= from_issue
            if from_issue:
                uses.append(PartUse(order=order, unit=unit, part=part, quantity=from_issue, unit_cost=part.unit_cost,
                                    from_issue=True))
            direct = quantity - from_issue
            if direct:
                moves.append(Move("part_issue", direct, raw, None, part_id=part.pk, return_unit_id=unit.pk))
                uses.append(PartUse(order=order, unit=unit, part=part, quantity=direct, unit_cost=part.unit_cost))
    stock_moves_apply(actor=actor, moves=moves, return_case=order.return_case)
    PartUse.objects.bulk_create(uses, batch_size=1000)
