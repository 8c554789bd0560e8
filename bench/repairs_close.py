"""A rework order of N units worked from opening to closing, through the repair services.

Set-up (not timed): a return case of N serial-numbered in-warranty units of one model, received,
inspected and disposed for repair through `apply_action` (no quote is needed); parts in the
masterdata with their cost, and raw-material stock of each put in through the stock ledger.
Timed, as the roles that act: `order_open` (planning), `order_start` (repair), a material
request for part of the parts (create as repair, decide and receive as purchasing, issue as
warehouse), `records_add` with the N repair records in one call (1–2 parts and labour hours each:
taken from the issued material first, the rest straight from raw-material stock), `order_close`.
The bare comparison in the same run: bulk inserts of the rows the close writes (N repair records,
the stock moves and part uses) and a bulk update of the unit rows, rolled back.
"""

import time
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from aftersales.accounts.services import user_create
from aftersales.inventory.models import StockBalance, StockMove
from aftersales.inventory.services import Move, stock_moves_apply, warehouse_of_kind
from aftersales.masterdata.models import Customer, Part, ProductModel, ShippedUnit
from aftersales.repairs import services as repairs
from aftersales.repairs.models import OrderState, PartUse, RepairRecord
from aftersales.returns.models import ReturnUnit
from aftersales.returns.services.actions import apply_action
from aftersales.returns.services.cases import case_create
from harness import Context, Figure, Section, Target, check, log

TITLE = "Repair: closing a rework order"
UNITS, QUICK_UNITS = 1_000, 100
CLOSE_TARGET = Target(10, "s")
ROLES = ("service", "warehouse", "quality", "manager", "planning", "repair", "purchasing")
# (code, name, unit cost): the first goes into every unit, the others into every second unit, in turn.
PARTS = [("RW-ELEM", "加热管 2000W", "35.00"), ("RW-THERM", "温控器", "12.50"), ("RW-PANEL", "前面板", "20.00"),
         ("RW-VALVE", "安全阀", "8.80"), ("RW-ANODE", "镁棒", "15.00"), ("RW-BOARD", "控制板", "68.00")]
# Steps that close the order once the work is done: the target's figure.
CLOSING = ("material_request_issue", "records_add", "order_close")


class _QueryCount:
    """Counts the SQL statements sent (cheap: no SQL text kept, unlike CaptureQueriesContext)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def _counting():
    counter = _QueryCount()
    with connection.execute_wrapper(counter):
        yield counter


def _users() -> dict:
    return {role: user_create(username=f"rc-{role}", password=None, role_codes={role}) for role in ROLES}


def _disposed_case(users: dict, size: int):
    """A case of `size` in-warranty units, received, inspected and disposed for repair."""
    customer, _ = Customer.objects.get_or_create(code="BENCH-RC", defaults={"name": "基准客户 返工"})
    model, _ = ProductModel.objects.get_or_create(code="BENCH-RW", defaults={
        "name": "电热水器 返工基准", "warranty_months": 24, "latest_hardware_revision": "H2",
        "latest_software_revision": "S1.4"})
    shipped = timezone.localdate() - timedelta(days=90)
    lot = f"{shipped:%y%m%d}-1"
    serials = [f"RC{n:07d}" for n in range(size)]
    ShippedUnit.objects.bulk_create([ShippedUnit(serial=s, product_model=model, customer=customer,
                                                 production_lot=lot, shipped_date=shipped) for s in serials])
    case = case_create(actor=users["service"], customer=customer, lines=[{
        "product_model": model, "item_name": "电热水器", "serials": serials, "production_lot": lot,
        "defect_description": "不加热", "requested_outcome": "repair"}])
    apply_action(actor=users["service"], case_id=case.pk, action="submit")
    case.refresh_from_db()
    apply_action(actor=users["manager" if "vp" in case.required_approvals else "service"], case_id=case.pk,
                 action="approve")
    apply_action(actor=users["warehouse"], case_id=case.pk, action="start_receiving")
    apply_action(actor=users["warehouse"], case_id=case.pk, action="receive",
                 params={"items": [{"serial": s} for s in serials]})
    apply_action(actor=users["warehouse"], case_id=case.pk, action="close_receipt")
    unit_ids = list(ReturnUnit.objects.filter(return_case=case).order_by("id").values_list("id", flat=True))
    apply_action(actor=users["quality"], case_id=case.pk, action="inspect", unit_ids=unit_ids,
                 params={"result": {"defect_class": "function", "grade": "A", "repairable": True,
                                    "responsibility": "company"}})
    apply_action(actor=users["quality"], case_id=case.pk, action="dispose", unit_ids=unit_ids,
                 params={"disposition": "repair"})
    states = set(ReturnUnit.objects.filter(return_case=case).values_list("state", "disposition"))
    check(len(unit_ids) == size and states == {("disposed", "repair")},
          f"{len(unit_ids)} units, states {states}: expected {size} disposed for repair (in warranty, no quote)")
    return case, unit_ids


def _parts_in_stock(users: dict, size: int) -> dict[str, Part]:
    parts = {code: Part.objects.create(code=code, name=name, unit_cost=Decimal(cost)) for code, name, cost in PARTS}
    raw = warehouse_of_kind("raw_material")
    stock_moves_apply(actor=users["warehouse"], moves=[
        Move("purchase_receipt", 2 * size, None, raw, part_id=part.pk) for part in parts.values()])
    return parts


def _records(unit_ids: list[int]) -> list[dict]:
    codes = [code for code, _name, _cost in PARTS]
    records = []
    for n, unit_id in enumerate(unit_ids):
        parts = [{"part": codes[0], "quantity": 1}]
        if n % 2:
            parts.append({"part": codes[1 + (n // 2) % (len(codes) - 1)], "quantity": 1 + n % 3 // 2})
        records.append({"unit": unit_id, "fault_found": "加热管断路" if n % 2 else "温控失灵", "cause": "来料不良",
                        "action": "更换加热管" + ("及配件" if n % 2 else ""),
                        "labour_hours": "1.50" if n % 2 else "0.75", "hardware_before": "H1",
                        "software_before": "S1.2", "is_anomaly": n % 50 == 0})
        records[-1]["parts"] = parts
    return records


def _raw_stock() -> dict[str, int]:
    raw = warehouse_of_kind("raw_material")
    return dict(StockBalance.objects.filter(warehouse_id=raw, part__isnull=False).values_list("part__code",
                                                                                               "quantity"))


def _work_order(users: dict, case, unit_ids: list[int]) -> tuple[list[tuple[str, float, int]], object]:
    """Open, start, request and issue material, record every unit, close: each step timed."""
    steps = []
    size = len(unit_ids)
    records = _records(unit_ids)  # the request body a client sends: built before the clock starts
    request_lines = [{"part": PARTS[0][0], "quantity": size // 2}, {"part": PARTS[1][0], "quantity": size // 12}]

    def step(name, call):
        with _counting() as counter:
            started = time.perf_counter()
            result = call()
            seconds = time.perf_counter() - started
        steps.append((name, seconds, counter.count))
        log(f"{name}: {seconds:.3f} s, {counter.count} SQL queries")
        return result

    order = step("order_open", lambda: repairs.order_open(
        actor=users["planning"], case_id=case.pk, unit_ids=unit_ids, kind="rework", method="更换加热管并升级固件",
        team="维修一组", is_batch=False))
    step("order_start", lambda: repairs.order_start(actor=users["repair"], order_id=order.pk))
    request = step("material_request_create", lambda: repairs.material_request_create(
        actor=users["repair"], order_id=order.pk, lines=request_lines, comment="返工用料"))
    step("material_request_decide", lambda: repairs.material_request_decide(
        actor=users["purchasing"], request_id=request.pk, approve=True))
    step("material_request_receive", lambda: repairs.material_request_receive(
        actor=users["purchasing"], request_id=request.pk))
    step("material_request_issue", lambda: repairs.material_request_issue(
        actor=users["warehouse"], request_id=request.pk))
    made = step("records_add", lambda: repairs.records_add(actor=users["repair"], order_id=order.pk,
                                                           records=records))
    check(len(made) == size, f"records_add made {len(made)} records for {size} units")
    step("order_close", lambda: repairs.order_close(actor=users["repair"], order_id=order.pk))
    return steps, order


def _verify(order, case, unit_ids: list[int], stock_before: dict[str, int]) -> dict[str, int]:
    """The work really happened: records, unit states, part uses and stock consistent."""
    order.refresh_from_db()
    check(order.state == OrderState.DONE, f"order is {order.state}, not done")
    check(RepairRecord.objects.filter(order=order).count() == len(unit_ids), "not one record per unit")
    states = set(ReturnUnit.objects.filter(pk__in=unit_ids).values_list("state", flat=True))
    check(states == {"final_inspection"}, f"units in {states}, not all in final inspection")
    wanted = {}
    for record in _records(unit_ids):
        for line in record["parts"]:
            wanted[line["part"]] = wanted.get(line["part"], 0) + line["quantity"]
    on_units = dict.fromkeys(wanted, 0)
    for code, quantity in PartUse.objects.filter(order=order, unit__isnull=False).values_list("part__code",
                                                                                               "quantity"):
        on_units[code] += quantity
    check(on_units == wanted, f"parts used on the units {on_units}, records asked for {wanted}")
    stock_after = _raw_stock()
    for code, quantity in wanted.items():
        # received by the request, then issued: net zero; the rest of each record's parts came from stock
        issued = sum(PartUse.objects.filter(order=order, unit__isnull=True, part__code=code).values_list(
            "quantity", flat=True))
        from_stock = quantity - min(quantity, issued)
        check(stock_before[code] - stock_after[code] == from_stock,
              f"{code}: stock went {stock_before[code]} → {stock_after[code]}, expected {from_stock} taken")
    return {"moves": StockMove.objects.filter(return_case=case, kind="part_issue").count(),
            "uses": PartUse.objects.filter(order=order).count(),
            "from_issue": PartUse.objects.filter(order=order, from_issue=True).count(),
            "direct": StockMove.objects.filter(return_case=case, kind="part_issue", return_unit__isnull=False).count()}


def _bare_writes(order, unit_ids: list[int], moves: int, uses: int) -> float:
    """Bulk inserts of the rows the close writes and a bulk update of the units, rolled back."""
    part = Part.objects.get(code=PARTS[0][0])
    raw = warehouse_of_kind("raw_material")
    units = list(ReturnUnit.objects.filter(pk__in=unit_ids).order_by("id"))
    technician = order.created_by
    started = time.perf_counter()
    with transaction.atomic():
        RepairRecord.objects.bulk_create([
            RepairRecord(order=order, unit=unit, fault_found="加热管断路", cause="来料不良", action="更换加热管",
                         labour_hours=Decimal("1.50"), technician=technician, hardware_before="H1",
                         hardware_after="H2", software_before="S1.2", software_after="S1.4") for unit in units],
            batch_size=1000)
        StockMove.objects.bulk_create([
            StockMove(kind="part_issue", quantity=1, from_warehouse_id=raw, part=part,
                      return_unit=units[n % len(units)], return_case_id=order.return_case_id)
            for n in range(moves)], batch_size=1000)
        PartUse.objects.bulk_create([
            PartUse(order=order, unit=units[n % len(units)], part=part, quantity=1, unit_cost=part.unit_cost)
            for n in range(uses)], batch_size=1000)
        ReturnUnit.objects.filter(pk__in=unit_ids).update(state="final_inspection")
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def run(ctx: Context) -> Section:
    size = QUICK_UNITS if ctx.quick else UNITS
    users = _users()
    log(f"preparing a case of {size:,} in-warranty units disposed for repair, and parts in stock")
    case, unit_ids = _disposed_case(users, size)
    _parts_in_stock(users, size)
    stock_before = _raw_stock()
    steps, order = _work_order(users, case, unit_ids)
    counts = _verify(order, case, unit_ids, stock_before)
    bare = _bare_writes(order, unit_ids, counts["moves"], counts["uses"])

    by_name = {name: (seconds, queries) for name, seconds, queries in steps}
    closing = sum(by_name[name][0] for name in CLOSING)
    total = sum(seconds for _name, seconds, _queries in steps)
    figures = [
        Figure(f"order of {size:,} units: issue parts + {size:,} records + close", closing, "s", CLOSE_TARGET,
               note=", ".join(f"{name} {by_name[name][0]:.2f} s" for name in CLOSING)),
        Figure("whole order: open → close (every timed step)", total, "s"),
        *[Figure(f"step: {name}", seconds, "s", note=f"{queries:,} SQL queries") for name, seconds, queries in steps],
        Figure(f"records_add of {size:,} records: SQL queries", by_name["records_add"][1], ""),
        Figure("for comparison: bare bulk writes of the same rows", bare, "s"),
        Figure("ratio of records_add to the bare bulk writes", by_name["records_add"][0] / bare if bare else 0, "×"),
    ]
    table = ["| step | seconds | SQL queries |", "|---|---:|---:|"]
    table += [f"| `{name}` | {seconds:.3f} | {queries:,} |" for name, seconds, queries in steps]
    return Section(
        key="repairs_close",
        title=TITLE,
        description=f"""
A rework order of {size:,} in-warranty units of one model: the case is received, closed for
receipt, inspected and disposed for repair through `apply_action`, and {len(PARTS)} parts are put
into raw-material stock, untimed. Then, timed, through the services in `repairs/services.py` as the
roles that act: `order_open` (planning; a non-batch order, so every unit is worked at once with no
first-article gate), `order_start` (repair), a material request for half the heating elements and
some thermostats (create as repair, decide and receive as purchasing, issue as warehouse),
`records_add` with all {size:,} records in one call (every unit a heating element, every second unit
one more part, labour hours and revisions; {counts['from_issue']:,} part uses come out of the issued
material, the rest go straight out of raw-material stock as {counts['direct']:,} stock
moves), and `order_close`. The target ({CLOSE_TARGET}) is on the close of the order: the issue of the
requested parts, the records with their parts, and the close. Afterwards the run checks the order is
done, every unit has its record and is in final inspection, and the raw-material stock moved by
exactly what the records took beyond the issue. The bare comparison bulk-inserts {size:,} repair
records, {counts['moves']:,} stock moves and {counts['uses']:,} part uses and bulk-updates the unit
rows, in the same run, rolled back.
""",
        figures=figures,
        details=["\n".join(table)],
    )

