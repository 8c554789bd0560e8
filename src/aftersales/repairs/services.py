"""Repair and rework: orders, the repair plan, first-article checks, repair records with parts,
material requests, delays, quotes, scrap applications, teardown and outsourced refurbishment.

Units move through the return case's workflow (`apply_action`: start_work, finish_work,
fail_final, quote_charge, revise_charge, approve_scrap); parts move through the stock ledger
(`stock_moves_apply`, never negative). Each function is one transaction.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing, policies
from aftersales.core.roles import require_roles
from aftersales.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from aftersales.deadlines.models import Deadline
from aftersales.deadlines.services import Subject, Want, deadlines_sync
from aftersales.inventory.services import Move, stock_moves_apply, warehouse_of_kind
from aftersales.masterdata.models import Part, ScrapClass, WarehouseKind
from aftersales.returns.models import Disposition, ReturnCase, ReturnUnit, UnitExit, UnitState
from aftersales.returns.services.actions import apply_action

from .clocks import SUBJECT
from .models import (Delay, FirstArticleCheck, MaterialRequest, MaterialRequestLine, NumberSequence, OrderKind,
                     OrderState, OrderUnit, PartOutcome, PartUse, Quote, QuoteState, RefurbishOrder,
                     RefurbishState, RepairOrder, RepairPlan, RepairRecord, RequestState, ScrapApplication, ScrapState,
                     TeardownPart)

CENT = Decimal("0.01")
MAJOR_ANOMALIES = ("design", "process", "incoming_material", "workmanship")
MAX_QUANTITY = 1_000_000  # one line of parts; far above any real one, far below the database's integers


def _flag(value, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(details={field: [_("Must be true or false.")]})
    return value


def _id(value, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput(details={field: [_("An id (a whole number) is expected.")]})
    return value


def _ids(value, field: str) -> list[int]:
    """A list of record ids; a string or a number is refused, not read digit by digit."""
    if not isinstance(value, list) or not all(isinstance(pk, int) and not isinstance(pk, bool) for pk in value):
        raise InvalidInput(details={field: [_("A list of ids is expected.")]})
    return value


def next_number(prefix: str) -> str:
    """RW-2026-0001 and the like: gap-free per prefix and year, inside the creating transaction."""
    year = timezone.localdate().year
    NumberSequence.objects.get_or_create(prefix=prefix, year=year)
    NumberSequence.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
    last = NumberSequence.objects.select_for_update().values_list("last", flat=True).get(prefix=prefix, year=year)
    return f"{prefix}-{year}-{last:04d}"


def _decimal(value, field: str, *, minimum=Decimal("0"), maximum=Decimal("1e10")) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidInput(details={field: [_("Must be a number.")]}) from None
    if not number.is_finite() or number < minimum:
        raise InvalidInput(details={field: [_("Must be at least %(minimum)s.") % {"minimum": minimum}]})
    if number >= maximum:
        raise InvalidInput(details={field: [_("Too large.")]})
    return number


def _parts(lines, field: str = "parts", found: dict | None = None) -> list[tuple[Part, int]]:
    """[{"part": code, "quantity": n}] → [(Part, n)], every bad line reported. `found` (code → Part)
    spares the query when many lists are read at once."""
    if not isinstance(lines, list):
        raise InvalidInput(details={field: [_("A list of parts and quantities is expected.")]})
    if found is None:
        found = _parts_by_code([lines])
    errors, parsed = {}, []
    for index, line in enumerate(lines):
        if not isinstance(line, dict):
            errors[str(index)] = [_("A part and a quantity are expected.")]
            continue
        part = found.get(str(line.get("part", "")))
        quantity = line.get("quantity")
        if part is None:
            errors[str(index)] = [_("Unknown part “%(value)s”.") % {"value": line.get("part", "")}]
        elif not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 < quantity <= MAX_QUANTITY:
            errors[str(index)] = [_("The quantity must be a whole number from 1 to %(maximum)s.")
                                  % {"maximum": MAX_QUANTITY}]
        else:
            parsed.append((part, quantity))
    if errors:
        raise InvalidInput(details={field: errors})
    return parsed


def _parts_by_code(lists) -> dict:
    codes = {str(line.get("part", "")) for lines in lists if isinstance(lines, list)
             for line in lines if isinstance(line, dict)}
    return {p.code: p for p in Part.objects.filter(code__in=codes, is_active=True)}


# --- orders ---

def _order_for_update(order_id: int) -> RepairOrder:
    order = RepairOrder.objects.select_for_update().select_related("return_case").filter(pk=order_id).first()
    if order is None:
        raise NotFound()
    return order


def _order_clock(order: RepairOrder, *, actor=None) -> Deadline | None:
    """The order's clocks: the repair plan reply until repair answers, the order until it is done.
    Returns the order's own clock while it runs."""
    wanted = {}
    if order.state not in (OrderState.DONE, OrderState.CANCELLED):
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


@transaction.atomic
def order_open(*, actor, case_id: int, unit_ids: list[int], kind: str = OrderKind.REPAIR, method: str = "",
               team: str = "", is_batch: bool | None = None) -> RepairOrder:
    """Planning opens a rework order for disposed units of one case (repair, rework or refurbish)."""
    require_roles(actor, "planning")
    case_id = _id(case_id, "case")
    unit_ids = _ids(unit_ids, "unit_ids")
    if is_batch is not None:
        is_batch = _flag(is_batch, "is_batch")
    if kind not in OrderKind.values:
        raise InvalidInput(details={"kind": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(OrderKind.values)}]})
    case = ReturnCase.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    if not unit_ids or not isinstance(unit_ids, list):
        raise InvalidInput(details={"unit_ids": [_("Name the units to act on.")]})
    units = list(ReturnUnit.objects.filter(return_case=case, pk__in=unit_ids).order_by("id"))
    if len(units) != len(set(unit_ids)):
        raise NotFound(_("Some units are not on this case."))
    wrong = [u.pk for u in units if u.state != UnitState.DISPOSED
             or u.disposition not in (Disposition.REPAIR, Disposition.REFURBISH)]
    if wrong:
        raise Conflict(_("Only units disposed for repair or refurbishment and waiting for work go on an order."),
                       code="invalid_state", details={"unit_ids": wrong[:100]})
    busy = list(OrderUnit.objects.filter(unit__in=units, order__state__in=[
        OrderState.PLANNED, OrderState.FIRST_ARTICLE, OrderState.IN_PROGRESS]).values_list("unit_id", flat=True))
    if busy:
        raise Conflict(_("Some units are already on an open order."), code="unit_on_order",
                       details={"unit_ids": busy[:100]})
    batch = case.volume_class == "batch" if is_batch is None else bool(is_batch)
    order = RepairOrder.objects.create(
        number=next_number("RW"), return_case=case, kind=kind, method=str(method)[:5000], team=str(team)[:60],
        is_batch=batch, first_article_unit=units[0] if batch and len(units) > 1 else None,
        due_at=timezone.now(), created_by=actor)
    OrderUnit.objects.bulk_create([OrderUnit(order=order, unit=unit) for unit in units])
    _order_clock(order, actor=actor)
    return order


@transaction.atomic
def order_plan(*, actor, order_id: int, expected_finish, note: str = "") -> RepairOrder:
    """Repair answers the instruction with a plan (policy: 8 hours); a plan past the due date says why."""
    require_roles(actor, "repair")
    order = _order_for_update(order_id)
    if order.state in (OrderState.DONE, OrderState.CANCELLED):
        raise Conflict(_("The order is closed."), code="invalid_state")
    finish = parsing.moment(expected_finish, "expected_finish")
    if finish > order.due_at and not str(note).strip():
        raise InvalidInput(details={"note": [_("The plan finishes after the due date: say why.")]})
    RepairPlan.objects.update_or_create(order=order, defaults={
        "expected_finish": finish, "note": str(note)[:2000], "answered_by": actor,
        "beyond_due": finish > order.due_at})
    _order_clock(order, actor=actor)
    return order


@transaction.atomic
def order_findings(*, actor, order_id: int, findings: str, method: str = "") -> RepairOrder:
    """Engineering's analysis of representative units; the order's method carries it."""
    require_roles(actor, "engineering")
    order = _order_for_update(order_id)
    order.findings = str(findings)[:5000]
    if method:
        order.method = str(method)[:5000]
    order.version += 1
    order.save(update_fields=["findings", "method", "version"])
    return order


def _order_unit_ids(order: RepairOrder) -> list[int]:
    return list(OrderUnit.objects.filter(order=order).order_by("unit_id").values_list("unit_id", flat=True))


@transaction.atomic
def order_start(*, actor, order_id: int) -> RepairOrder:
    """Repair starts: a batch order works its first article only; otherwise every unit."""
    require_roles(actor, "repair")
    order = _order_for_update(order_id)
    if order.state != OrderState.PLANNED:
        raise Conflict(_("The order has already started."), code="invalid_state")
    if order.first_article_unit_id:
        units, order.state = [order.first_article_unit_id], OrderState.FIRST_ARTICLE
    else:
        units, order.state = _order_unit_ids(order), OrderState.IN_PROGRESS
    apply_action(actor=actor, case_id=order.return_case_id, action="start_work", unit_ids=units)
    order.version += 1
    order.save(update_fields=["state", "version"])
    return order


@transaction.atomic
def first_article_check(*, actor, order_id: int, passed: bool, notes: str = "") -> RepairOrder:
    """Quality checks the first reworked unit: pass lets the rest proceed; fail sends it back to work."""
    require_roles(actor, "quality")
    order = _order_for_update(order_id)
    unit = order.first_article_unit
    if order.state != OrderState.FIRST_ARTICLE or unit is None:
        raise Conflict(_("This order has no first article waiting for its check."), code="invalid_state")
    unit.refresh_from_db()
    if unit.state != UnitState.FINAL_INSPECTION:
        raise Conflict(_("The first article is not reworked yet."), code="first_article_not_ready")
    if not isinstance(passed, bool):
        raise InvalidInput(details={"passed": [_("Must be true or false.")]})
    FirstArticleCheck.objects.create(order=order, unit=unit, passed=passed, notes=str(notes)[:2000],
                                     checked_by=actor)
    if passed:
        order.state = OrderState.IN_PROGRESS  # the rest of the batch may now be worked
    else:
        apply_action(actor=actor, case_id=order.return_case_id, action="fail_final", unit_ids=[unit.pk],
                     params={"notes": str(notes)[:2000]}, comment=_("First article failed."))
    order.version += 1
    order.save(update_fields=["state", "version"])
    return order


# --- repair records and parts ---

@transaction.atomic
def records_add(*, actor, order_id: int, records: list[dict]) -> list[RepairRecord]:
    """Record the work on units of the order (one or a thousand at once): fault, cause, action,
    hours, revisions, parts. Parts come from what was issued to the order, else from raw-material
    stock (never negative). The units go to final inspection."""
    require_roles(actor, "repair")
    order = _order_for_update(order_id)
    if order.state not in (OrderState.FIRST_ARTICLE, OrderState.IN_PROGRESS):
        raise Conflict(_("Work is recorded on a started order only."), code="invalid_state")
    if not isinstance(records, list) or not records:
        raise InvalidInput(details={"records": [_("Give at least one repair record.")]})
    on_order = set(_order_unit_ids(order))
    units = {u.pk: u for u in ReturnUnit.objects.filter(pk__in=[
        r["unit"] for r in records if isinstance(r, dict) and isinstance(r.get("unit"), int)
        and not isinstance(r.get("unit"), bool)]).select_related("product_model")}
    known_parts = _parts_by_code([r.get("parts", []) for r in records if isinstance(r, dict)])
    errors, conflicts, parsed = {}, {}, []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            errors[str(index)] = {"record": [_("A repair record is expected.")]}
            continue
        problems = {}
        unit = units.get(record.get("unit"))
        if not isinstance(record.get("unit"), int) or isinstance(record.get("unit"), bool):
            problems["unit"] = [_("An id (a whole number) is expected.")]
        elif (conflict := _record_conflict(order, unit, on_order)) is not None:
            conflicts[str(index)] = conflict
        for name in ("fault_found", "action"):
            if not str(record.get(name, "")).strip():
                problems[name] = [_("This field is required.")]
        if record.get("major_anomaly") not in (None, "", *MAJOR_ANOMALIES):
            problems["major_anomaly"] = [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(MAJOR_ANOMALIES)}]
        try:
            hours = _decimal(record.get("labour_hours", 0), "labour_hours", maximum=Decimal("100000"))
            parts = _parts(record.get("parts", []), found=known_parts)
        except InvalidInput as error:
            problems.update(error.details)
        if problems:
            errors[str(index)] = problems
            continue
        parsed.append((unit, record, hours, parts))
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
    _consume_parts(actor, order, parsed)
    made = RepairRecord.objects.bulk_create([
        RepairRecord(order=order, unit=unit, fault_found=str(r["fault_found"])[:5000], cause=str(r.get("cause", ""))[:5000],
                     action=str(r["action"])[:5000], labour_hours=hours, technician=actor,
                     hardware_before=str(r.get("hardware_before", ""))[:40],
                     hardware_after=str(r.get("hardware_after") or unit.product_model.latest_hardware_revision)[:40],
                     software_before=str(r.get("software_before", ""))[:40],
                     software_after=str(r.get("software_after") or unit.product_model.latest_software_revision)[:40],
                     is_anomaly=bool(r.get("is_anomaly") or r.get("major_anomaly")),
                     major_anomaly=r.get("major_anomaly") or "")
        for unit, r, hours, _parts_ in parsed], batch_size=1000)
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
    notify_many([(recipients(role=role), "major_anomaly", context, "return_case", order.return_case_id)
                 for role in ("quality", "engineering", "service")])


def _consume_parts(actor, order: RepairOrder, parsed) -> None:
    """Parts of the records: from the order's issued material first, the rest issued from stock now."""
    wanted = defaultdict(int)
    for _unit, _record, _hours, parts in parsed:
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
    for unit, _record, _hours, parts in parsed:
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


@transaction.atomic
def order_close(*, actor, order_id: int) -> RepairOrder:
    """Close the order once every unit has its repair record and is out of work."""
    require_roles(actor, "repair", "planning")
    order = _order_for_update(order_id)
    if order.state != OrderState.IN_PROGRESS:
        raise Conflict(_("Only an order in progress is closed."), code="invalid_state")
    unit_ids = _order_unit_ids(order)
    recorded = set(RepairRecord.objects.filter(order=order).values_list("unit_id", flat=True))
    in_work = list(ReturnUnit.objects.filter(pk__in=unit_ids, state=UnitState.IN_WORK).values_list("id", flat=True))
    missing = [pk for pk in unit_ids if pk not in recorded]
    if missing or in_work:
        raise Conflict(_("Some units have no repair record or are still in work."), code="order_not_finished",
                       details={"without_record": missing[:100], "in_work": in_work[:100]})
    order.state, order.closed_at = OrderState.DONE, timezone.now()
    order.version += 1
    order.save(update_fields=["state", "closed_at", "version"])
    _order_clock(order, actor=actor)
    return order


# --- delays ---

@transaction.atomic
def delay_add(*, actor, order_id: int, reason: str, explanation: str, working_days, notice: str) -> Delay:
    """A delay for missing material or technical reasons, with the written notice to service. Past
    the policy's longest delay (in total) only a manager may grant it."""
    held = require_roles(actor, "repair", "planning", "manager")
    order = _order_for_update(order_id)
    if order.state in (OrderState.DONE, OrderState.CANCELLED):
        raise Conflict(_("The order is closed."), code="invalid_state")
    errors = {}
    if reason not in ("material", "technical"):
        errors["reason"] = [_("Choose one of: %(kinds)s.") % {"kinds": "material, technical"}]
    for name, value in (("explanation", explanation), ("notice", notice)):
        if not str(value or "").strip():
            errors[name] = [_("This field is required.")]
    if not isinstance(working_days, int) or isinstance(working_days, bool) or working_days <= 0:
        errors["working_days"] = [_("The quantity must be a whole number above 0.")]
    if errors:
        raise InvalidInput(details=errors)
    limit = policies.value("max_delay_working_days")
    total = order.delay_working_days + working_days
    if total > limit and "manager" not in held:
        raise Conflict(_("A delay beyond %(limit)s working days in total needs a manager's approval.")
                       % {"limit": limit}, code="delay_beyond_limit", details={"total": total, "limit": limit})
    before = order.due_at
    order.delay_working_days = total
    order.version += 1
    order.save(update_fields=["delay_working_days", "version"])
    clock = _order_clock(order, actor=actor)
    order.refresh_from_db(fields=["due_at"])
    _notify_service_of_delay(order, working_days, str(notice), provisional=bool(clock and clock.provisional))
    return Delay.objects.create(order=order, reason=reason, explanation=str(explanation)[:5000],
                                working_days=working_days, notice=str(notice)[:5000], requested_by=actor,
                                approved_by=actor if total > limit else None, due_before=before,
                                due_after=order.due_at)


def _notify_service_of_delay(order: RepairOrder, working_days: int, notice: str, *, provisional: bool) -> None:
    """The written notice of a delay reaches service (who tells the customer) with the delay itself."""
    from aftersales.notifications.services import notify, recipients

    notify(recipients(role="service"), "repair_delay",
           {"order": order.number, "case": order.return_case.number, "working_days": working_days,
            "notice": notice[:2000], "due_at": timezone.localtime(order.due_at).isoformat(), "provisional": provisional},
           subject_type="return_case", subject_id=order.return_case_id)


# --- material requests ---

def _request_for_update(request_id: int) -> MaterialRequest:
    found = MaterialRequest.objects.select_for_update().select_related("order").filter(pk=request_id).first()
    if found is None:
        raise NotFound()
    return found


@transaction.atomic
def material_request_create(*, actor, order_id: int, lines, comment: str = "") -> MaterialRequest:
    require_roles(actor, "repair")
    order = _order_for_update(_id(order_id, "order"))
    if order.state in (OrderState.DONE, OrderState.CANCELLED):
        raise Conflict(_("The order is closed."), code="invalid_state")
    parts = _parts(lines, "lines")
    if not parts:
        raise InvalidInput(details={"lines": [_("Give at least one part.")]})
    request = MaterialRequest.objects.create(number=next_number("MR"), order=order, requested_by=actor,
                                             comment=str(comment)[:2000])
    MaterialRequestLine.objects.bulk_create([MaterialRequestLine(request=request, part=part, quantity=quantity)
                                             for part, quantity in parts])
    return request


@transaction.atomic
def material_request_decide(*, actor, request_id: int, approve: bool, comment: str = "") -> MaterialRequest:
    require_roles(actor, "purchasing")
    approve = _flag(approve, "approve")
    request = _request_for_update(request_id)
    if request.state != RequestState.SUBMITTED:
        raise Conflict(_("This request was already decided."), code="invalid_state")
    if not approve and not str(comment).strip():
        raise InvalidInput(details={"comment": [_("Say why the request is refused.")]})
    request.state = RequestState.APPROVED if approve else RequestState.REJECTED
    request.decided_by, request.decided_at = actor, timezone.now()
    request.comment = "\n".join(filter(None, [request.comment, str(comment)[:2000]]))
    request.save()
    return request


@transaction.atomic
def material_request_receive(*, actor, request_id: int) -> MaterialRequest:
    """Purchasing records the arrival: the parts enter raw-material stock."""
    require_roles(actor, "purchasing", "warehouse")
    request = _request_for_update(request_id)
    if request.state != RequestState.APPROVED:
        raise Conflict(_("Only an approved request is received."), code="invalid_state")
    raw = warehouse_of_kind(WarehouseKind.RAW_MATERIAL)
    lines = list(request.lines.all())
    stock_moves_apply(actor=actor, moves=[Move("purchase_receipt", line.quantity, None, raw, part_id=line.part_id)
                                          for line in lines], return_case=request.order.return_case)
    MaterialRequestLine.objects.filter(request=request).update(received=F("quantity"))
    request.state, request.received_at = RequestState.RECEIVED, timezone.now()
    request.save(update_fields=["state", "received_at"])
    return request


@transaction.atomic
def material_request_issue(*, actor, request_id: int) -> MaterialRequest:
    """The warehouse issues the parts to the order: out of raw-material stock, onto the order's cost."""
    require_roles(actor, "warehouse")
    request = _request_for_update(request_id)
    if request.state != RequestState.RECEIVED:
        raise Conflict(_("Only received material is issued."), code="invalid_state")
    raw = warehouse_of_kind(WarehouseKind.RAW_MATERIAL)
    lines = list(request.lines.select_related("part"))
    stock_moves_apply(actor=actor, moves=[Move("part_issue", line.quantity, raw, None, part_id=line.part_id)
                                          for line in lines], return_case=request.order.return_case)
    PartUse.objects.bulk_create([PartUse(order=request.order, part=line.part, quantity=line.quantity,
                                         unit_cost=line.part.unit_cost) for line in lines])
    MaterialRequestLine.objects.filter(request=request).update(issued=F("quantity"))
    request.state, request.issued_at = RequestState.ISSUED, timezone.now()
    request.save(update_fields=["state", "issued_at"])
    return request


# --- quotes ---

def quote_compute(*, parts, labour_hours, transport, values: dict | None = None) -> dict:
    """Parts at cost plus the markup, labour at the rate, transport: per unit, in yuan."""
    values = values or policies.snapshot()
    parsed = _parts(parts)
    hours = _decimal(labour_hours, "labour_hours")
    carriage = _decimal(transport, "transport")
    markup = Decimal(1) + Decimal(values["parts_markup_percent"]) / 100
    lines = [{"kind": "part", "part": part.code, "name": part.name, "quantity": quantity,
              "unit_cost": str(part.unit_cost), "unit_price": str((part.unit_cost * markup).quantize(CENT, ROUND_HALF_UP)),
              "amount": str((part.unit_cost * markup * quantity).quantize(CENT, ROUND_HALF_UP))}
             for part, quantity in parsed]
    parts_total = sum((Decimal(line["amount"]) for line in lines), Decimal("0"))
    labour_total = (hours * values["labour_rate_per_hour"]).quantize(CENT, ROUND_HALF_UP)
    lines.append({"kind": "labour", "hours": str(hours), "rate": str(values["labour_rate_per_hour"]),
                  "amount": str(labour_total)})
    if carriage:
        lines.append({"kind": "transport", "amount": str(carriage.quantize(CENT))})
    return {"lines": lines, "parts_total": parts_total, "labour_total": labour_total,
            "transport": carriage.quantize(CENT), "total": parts_total + labour_total + carriage.quantize(CENT)}


def _expected(value):
    if value in (None, ""):
        return None
    return parsing.date_value(value, "expected_return_date")


@transaction.atomic
def quote_send(*, actor, case_id: int, unit_ids: list[int], parts, labour_hours, transport=0,
               expected_return_date=None) -> Quote:
    """收费清单 to the customer: the case's quote_charge step, with the full quote behind the amount."""
    require_roles(actor, "service")
    case_id, unit_ids = _id(case_id, "case"), sorted(set(_ids(unit_ids, "unit_ids")))
    quoted = [q.pk for q in Quote.objects.filter(return_case_id=case_id, state=QuoteState.SENT)
              if set(q.unit_ids) & set(unit_ids)]
    if quoted:
        raise Conflict(_("These units already have a quote waiting for the customer: revise it instead."),
                       code="quote_pending", details={"quotes": quoted})
    priced = quote_compute(parts=parts, labour_hours=labour_hours, transport=transport)
    expected = _expected(expected_return_date)
    apply_action(actor=actor, case_id=case_id, action="quote_charge", unit_ids=unit_ids,
                 params={"amount": str(priced["total"]), "expected_return_date": str(expected or "")})
    return Quote.objects.create(
        return_case_id=case_id, unit_ids=unit_ids, lines=priced["lines"],
        parts_total=priced["parts_total"], labour_total=priced["labour_total"], transport=priced["transport"],
        total_per_unit=priced["total"], expected_return_date=expected, created_by=actor)


@transaction.atomic
def quote_revise(*, actor, quote_id: int, parts, labour_hours, transport=0, expected_return_date=None,
                 reason: str) -> Quote:
    """The bench found other work than quoted: the revision replaces the quote and is asked again."""
    require_roles(actor, "service")
    quote = Quote.objects.select_for_update().filter(pk=quote_id).first()
    if quote is None:
        raise NotFound()
    if quote.state not in (QuoteState.ACCEPTED, QuoteState.SENT):
        raise Conflict(_("Only the quote in force is revised."), code="invalid_state")
    if not str(reason).strip():
        raise InvalidInput(details={"reason": [_("Say what the bench found.")]})
    priced = quote_compute(parts=parts, labour_hours=labour_hours, transport=transport)
    expected = _expected(expected_return_date)
    params = {"amount": str(priced["total"]), "expected_return_date": str(expected or ""), "reason": str(reason)}
    if quote.state == QuoteState.SENT:
        # Not answered yet: the new amount is quoted again (charge cleared first, so the step applies).
        ReturnUnit.objects.filter(pk__in=quote.unit_ids).update(charge_amount=None)
        action = "quote_charge"
    else:
        action = "revise_charge"
    apply_action(actor=actor, case_id=quote.return_case_id, action=action, unit_ids=quote.unit_ids,
                 params=params, comment=str(reason)[:2000])
    quote.state = QuoteState.SUPERSEDED
    quote.save(update_fields=["state"])
    return Quote.objects.create(
        return_case_id=quote.return_case_id, revision=quote.revision + 1, unit_ids=quote.unit_ids,
        lines=priced["lines"], parts_total=priced["parts_total"], labour_total=priced["labour_total"],
        transport=priced["transport"], total_per_unit=priced["total"], expected_return_date=expected,
        reason=str(reason)[:5000], created_by=actor)


@transaction.atomic
def quote_payment(*, actor, quote_id: int, amount) -> Quote:
    """Finance records the customer's payment of an accepted quote (all or part of the fee)."""
    require_roles(actor, "finance")
    quote = Quote.objects.select_for_update().filter(pk=quote_id).first()
    if quote is None:
        raise NotFound()
    if quote.state != QuoteState.ACCEPTED:
        raise Conflict(_("Only an accepted quote is paid."), code="invalid_state")
    paid = _decimal(amount, "amount", minimum=CENT)
    if quote.paid_amount + paid > quote.amount_due:
        raise InvalidInput(details={"amount": [_("More than the fee due (%(due)s).")
                                               % {"due": quote.amount_due - quote.paid_amount}]})
    quote.paid_amount += paid
    quote.paid_at, quote.paid_by = timezone.now(), actor
    quote.save(update_fields=["paid_amount", "paid_at", "paid_by"])
    return quote


def quotes_follow_answers(sender, *, case, action, unit_ids, **kwargs) -> None:
    """The customer answered on the case (portal or recorded by service): the quote in force follows."""
    if action not in ("accept_charge", "refuse_charge"):
        return
    for quote in Quote.objects.select_for_update().filter(return_case=case, state=QuoteState.SENT):
        if not set(quote.unit_ids) & set(unit_ids):
            continue
        answers = list(ReturnUnit.objects.filter(pk__in=quote.unit_ids).values_list("charge_answer", flat=True))
        if all(answers):  # settled once every unit of the quote has its answer; any refusal refuses it
            accepted = all(answer.get("accepted") for answer in answers)
            quote.state = QuoteState.ACCEPTED if accepted else QuoteState.REFUSED
            quote.answered_at = timezone.now()
            quote.save(update_fields=["state", "answered_at"])


# --- scrap ---

def _weights(raw) -> dict:
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise InvalidInput(details={"weights_kg": [_("Give kilograms per scrap class.")]})
    errors, weights = {}, {}
    for key, value in raw.items():
        if key not in ScrapClass.values:
            errors[key] = [_("Unknown scrap class.")]
            continue
        try:
            weights[key] = str(_decimal(value, key).quantize(Decimal("0.001")))
        except InvalidInput as error:
            errors.update(error.details)
    if errors:
        raise InvalidInput(details={"weights_kg": errors})
    return {key: value for key, value in weights.items() if Decimal(value) > 0}


@transaction.atomic
def scrap_apply(*, actor, reason: str, case_id: int | None = None, unit_ids=None, parts=None,
                weights_kg=None) -> ScrapApplication:
    """报废申请单 for units waiting for scrap approval and/or scrapped materials (by part or by weight)."""
    require_roles(actor, "quality", "repair", "warehouse")
    unit_ids = sorted(set(_ids(unit_ids, "unit_ids"))) if unit_ids not in (None, []) else []
    if case_id is not None:
        case_id = _id(case_id, "case")
    parsed = _parts(parts or [])
    weights = _weights(weights_kg)
    if not str(reason).strip():
        raise InvalidInput(details={"reason": [_("This field is required.")]})
    if not (unit_ids or parsed or weights):
        raise InvalidInput(details={"unit_ids": [_("Name the units, parts or weights to scrap.")]})
    if unit_ids:
        if case_id is None:
            raise InvalidInput(details={"case": [_("Units are scrapped with their case.")]})
        found = list(ReturnUnit.objects.filter(return_case_id=case_id, pk__in=unit_ids).values_list("id", "state"))
        wrong = [pk for pk, state in found if state != UnitState.WAITING_APPROVAL]
        if len(found) != len(unit_ids) or wrong:
            raise Conflict(_("Only units disposed for scrap and waiting for approval are applied for."),
                           code="invalid_state", details={"unit_ids": wrong[:100]})
    return ScrapApplication.objects.create(
        number=next_number("SA"), return_case_id=case_id, unit_ids=unit_ids,
        parts=[{"part": part.code, "quantity": quantity} for part, quantity in parsed], weights_kg=weights,
        reason=str(reason)[:5000], applied_by=actor)


@transaction.atomic
def scrap_decide(*, actor, application_id: int, approve: bool, comment: str = "") -> ScrapApplication:
    """The manager decides: approved units go to the scrap warehouse, parts leave raw-material stock."""
    require_roles(actor, "manager")
    approve = _flag(approve, "approve")
    application = ScrapApplication.objects.select_for_update().filter(pk=application_id).first()
    if application is None:
        raise NotFound()
    if application.state != ScrapState.SUBMITTED:
        raise Conflict(_("This application was already decided."), code="invalid_state")
    if application.unit_ids:
        apply_action(actor=actor, case_id=application.return_case_id,
                     action="approve_scrap" if approve else "reject_scrap", unit_ids=application.unit_ids,
                     comment=str(comment)[:2000] or application.number)
    if approve and application.parts:
        raw, scrap = warehouse_of_kind(WarehouseKind.RAW_MATERIAL), warehouse_of_kind(WarehouseKind.SCRAP)
        codes = {p.code: p.pk for p in Part.objects.filter(code__in=[line["part"] for line in application.parts])}
        stock_moves_apply(actor=actor, moves=[Move("scrap", line["quantity"], raw, scrap, part_id=codes[line["part"]])
                                              for line in application.parts])
    application.state = ScrapState.APPROVED if approve else ScrapState.REJECTED
    application.decided_by, application.decided_at = actor, timezone.now()
    application.save(update_fields=["state", "decided_by", "decided_at"])
    return application


# --- teardown and outsourced refurbishment ---

@transaction.atomic
def teardown_record(*, actor, unit_id: int, parts) -> list[TeardownPart]:
    """Parts taken from a torn-down unit: good ones into raw-material stock (after QC), cosmetic ones
    wait for outsourced refurbishment, the rest is scrap."""
    require_roles(actor, "repair", "quality")
    unit = ReturnUnit.objects.select_for_update().filter(pk=_id(unit_id, "unit")).first()
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
    parsed = _parts(parts)
    raw = warehouse_of_kind(WarehouseKind.RAW_MATERIAL)
    stock_moves_apply(actor=actor, moves=[
        Move("teardown", quantity, None, raw, part_id=part.pk, return_unit_id=unit.pk)
        for (part, quantity), outcome in zip(parsed, outcomes) if outcome == PartOutcome.GOOD])
    return TeardownPart.objects.bulk_create([
        TeardownPart(unit=unit, part=part, quantity=quantity, outcome=outcome, recorded_by=actor)
        for (part, quantity), outcome in zip(parsed, outcomes)])


@transaction.atomic
def refurbish_order_create(*, actor, supplier: str, teardown_part_ids: list[int]) -> RefurbishOrder:
    """外协加工单 for cosmetic teardown parts not yet sent."""
    require_roles(actor, "purchasing", "repair")
    if not str(supplier).strip():
        raise InvalidInput(details={"supplier": [_("This field is required.")]})
    teardown_part_ids = _ids(teardown_part_ids, "teardown_part_ids")
    rows = list(TeardownPart.objects.select_for_update().filter(pk__in=teardown_part_ids))
    wrong = [row.pk for row in rows if row.outcome != PartOutcome.COSMETIC or row.refurbish_order_id]
    if not rows or len(rows) != len(set(teardown_part_ids)) or wrong:
        raise Conflict(_("Only cosmetic teardown parts not yet sent go on a refurbishment order."),
                       code="invalid_state", details={"teardown_part_ids": wrong[:100]})
    order = RefurbishOrder.objects.create(number=next_number("OR"), supplier=str(supplier)[:120], created_by=actor)
    TeardownPart.objects.filter(pk__in=[row.pk for row in rows]).update(refurbish_order=order)
    return order


@transaction.atomic
def refurbish_order_return(*, actor, order_id: int, passed: int, cost) -> RefurbishOrder:
    """The parts come back: those passing QC enter raw-material stock; the rest are scrap."""
    require_roles(actor, "quality", "warehouse")
    order = RefurbishOrder.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        raise NotFound()
    if order.state != RefurbishState.SENT:
        raise Conflict(_("These parts are already back."), code="invalid_state")
    rows = list(order.parts.order_by("id"))
    total = sum(row.quantity for row in rows)
    if not isinstance(passed, int) or isinstance(passed, bool) or not 0 <= passed <= total:
        raise InvalidInput(details={"passed": [_("Between 0 and %(total)s.") % {"total": total}]})
    raw = warehouse_of_kind(WarehouseKind.RAW_MATERIAL)
    moves, left = [], passed
    for row in rows:
        take = min(left, row.quantity)
        left -= take
        if take:
            moves.append(Move("refurbished_in", take, None, raw, part_id=row.part_id))
    stock_moves_apply(actor=actor, moves=moves)
    order.state, order.returned_at = RefurbishState.RETURNED, timezone.now()
    order.passed_qc, order.failed_qc, order.cost = passed, total - passed, _decimal(cost, "cost")
    order.save()
    return order

