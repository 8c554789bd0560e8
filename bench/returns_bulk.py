"""A batch return case worked through the bulk endpoints, and a large case's detail.

The batch: one line of N serial-numbered units of one model, registered in the units
registry, submitted and approved (not timed). Timed, through the API as the roles that act:
`receive` (N scans in one request), `close_receipt`, `inspect` (all units, one result with
per-unit overrides), `dispose` (mixed dispositions per unit). The bare comparison in the same
run: bulk inserts of the rows those requests write (N stock moves, N inspections) and a bulk
update of the N unit rows.
"""

import time
from datetime import date

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from aftersales.accounts.services import user_create
from aftersales.config.runtime import tune_for_serving
from aftersales.inventory.models import StockMove
from aftersales.masterdata.models import Customer, ProductModel, ShippedUnit, Warehouse
from aftersales.returns.models import Inspection, ReturnUnit
from aftersales.returns.services.actions import apply_action
from aftersales.returns.services.cases import case_create
from harness import Context, Figure, Section, Target, check, log, median, percentile

TITLE = "Return cases: bulk work and case detail"
BATCH, QUICK_BATCH = 10_000, 1_000
DETAIL, QUICK_DETAIL = 1_000, 200
WARM_UP, REQUESTS = 3, 20
BULK_TARGET = Target(5, "s")
DETAIL_TARGET = Target(100, "ms")


class _Users:
    def __init__(self):
        self.by_role = {role: user_create(username=f"bench-{role}", password=None, role_codes={role})
                        for role in ("service", "warehouse", "quality", "manager")}
        self.clients = {role: Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
                        for role, user in self.by_role.items()}


def _registered_case(users: _Users, size: int, tag: str):
    customer, _ = Customer.objects.get_or_create(code=f"BENCH-{tag}", defaults={"name": f"基准客户{tag}"})
    model, _ = ProductModel.objects.get_or_create(code="BENCH-HT", defaults={"name": "电热水器 基准", "warranty_months": 12})
    serials = [f"B{tag}{n:07d}" for n in range(size)]
    ShippedUnit.objects.bulk_create([
        ShippedUnit(serial=s, product_model=model, customer=customer, production_lot="260101-1",
                    shipped_date=date(2026, 1, 1) if n % 3 else date(2024, 1, 1)) for n, s in enumerate(serials)])
    case = case_create(actor=users.by_role["service"], customer=customer, lines=[{
        "product_model": model, "item_name": "电热水器", "serials": serials, "production_lot": "260101-1",
        "defect_description": "不加热", "requested_outcome": "repair"}])
    apply_action(actor=users.by_role["service"], case_id=case.pk, action="submit")
    case.refresh_from_db()
    approver = "manager" if "vp" in case.required_approvals else "service"
    apply_action(actor=users.by_role[approver], case_id=case.pk, action="approve")
    apply_action(actor=users.by_role["warehouse"], case_id=case.pk, action="start_receiving")
    return case, serials


def _post(client: Client, url: str, body: dict) -> dict:
    response = client.post(url, body, content_type="application/json")
    check(response.status_code == 200, f"POST {url} answered {response.status_code}: {response.content[:300]!r}")
    return response.json()


def _work_batch(users: _Users, case, serials) -> list[tuple[str, float]]:
    url = f"/api/v1/cases/{case.pk}/actions"
    steps = []
    for client in users.clients.values():  # a running server has its URLs and permissions loaded
        client.get(f"/api/v1/cases/{case.pk}/timeline/")

    def step(name, role, body):
        started = time.perf_counter()
        answer = _post(users.clients[role], f"{url}/{name}/", body)
        steps.append((name, time.perf_counter() - started))
        log(f"{name}: {steps[-1][1]:.3f} s")
        return answer

    answer = step("receive", "warehouse", {"items": [{"serial": s} for s in serials]})
    check(sum(1 for r in answer["results"] if r["result"] == "received") == len(serials), "not every unit received")
    step("close_receipt", "warehouse", {})
    unit_ids = list(ReturnUnit.objects.filter(return_case=case).order_by("id").values_list("id", flat=True))
    overrides = {str(pk): {"defect_class": "appearance", "grade": "B"} for pk in unit_ids[::10]}
    step("inspect", "quality", {"unit_ids": unit_ids, "result": {"defect_class": "function", "grade": "A",
                                                                 "repairable": True, "responsibility": "company"},
                                "per_unit": overrides})
    mixed = {str(pk): {"disposition": "return_as_is" if n % 7 == 0 else "scrap"}
             for n, pk in enumerate(unit_ids[::5])}
    step("dispose", "quality", {"unit_ids": unit_ids, "disposition": "repair", "per_unit": mixed})
    check(ReturnUnit.objects.filter(return_case=case).count() == len(serials), "units lost")
    return steps


def _bare_writes(size: int) -> float:
    """Bulk inserts of the rows the requests write, and a bulk update of the units, rolled back."""
    model = ProductModel.objects.get(code="BENCH-HT")
    after_sales = Warehouse.objects.get(kind="after_sales")
    some_unit = ReturnUnit.objects.order_by("id").first()
    started = time.perf_counter()
    with transaction.atomic():
        StockMove.objects.bulk_create([StockMove(kind="return_receipt", quantity=1, to_warehouse=after_sales,
                                                 product_model=model, serial=f"X{n}") for n in range(size)],
                                      batch_size=2000)
        Inspection.objects.bulk_create([Inspection(unit=some_unit, defect_class="function",
                                                   inspected_by_id=some_unit.return_case.created_by_id)
                                        for _ in range(size)], batch_size=2000)
        ReturnUnit.objects.filter(return_case=some_unit.return_case).update(state="inspected")
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def _detail_times(users: _Users, case) -> tuple[list[float], int]:
    client = users.clients["quality"]
    url = f"/api/v1/cases/{case.pk}/"
    for _ in range(WARM_UP):
        client.get(url)
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        check(response.status_code == 200, f"GET {url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return times, len(captured.captured_queries)


def run(ctx: Context) -> Section:
    batch = QUICK_BATCH if ctx.quick else BATCH
    detail = QUICK_DETAIL if ctx.quick else DETAIL
    users = _Users()
    log(f"preparing a batch case of {batch:,} registered serials")
    case, serials = _registered_case(users, batch, "A")
    steps = _work_batch(users, case, serials)
    total = sum(seconds for _name, seconds in steps)
    bare = _bare_writes(batch)

    log(f"preparing a case of {detail:,} units for the detail page")
    big, big_serials = _registered_case(users, detail, "D")
    _work_batch(users, big, big_serials)
    tune_for_serving()  # the set-up data is not a serving process's: freeze it like the server's start-up
    times, queries = _detail_times(users, big)

    figures = [
        Figure(f"batch of {batch:,}: receive + close receipt + inspect + dispose", total, "s", BULK_TARGET,
               note=", ".join(f"{name} {seconds:.2f} s" for name, seconds in steps)),
        Figure("for comparison: bare bulk writes of the same rows", bare, "s"),
        Figure("ratio to the bare bulk writes", total / bare if bare else 0, "×"),
        Figure(f"case detail with {detail:,} units: median", median(times), "ms", DETAIL_TARGET, times),
        Figure(f"case detail with {detail:,} units: p95", percentile(times, 0.95), "ms", DETAIL_TARGET),
        Figure("case detail: SQL queries per request", queries, ""),
    ]
    return Section(
        key="returns_bulk",
        title=TITLE,
        description=f"""
A batch case of {batch:,} serial-numbered units of one model (registered in the units registry, a
third of them out of warranty), submitted and approved untimed; then, timed, through the API with
tokens as the roles that act: `receive` with {batch:,} scans in one request, `close_receipt`,
`inspect` of every unit (one result, every tenth unit overridden), `dispose` (repair, with every
fifth unit overridden to scrap or return as is). Every request writes its timeline entry and its
stock moves in the same transaction. The bare comparison bulk-inserts {batch:,} stock moves and
{batch:,} inspections and bulk-updates the unit rows, in the same run. The detail page is `GET
/api/v1/cases/<id>/` of a case with {detail:,} received, inspected and disposed units, as quality:
{WARM_UP} warm-up requests, then {REQUESTS} timed, with garbage collection tuned as the WSGI
server tunes it (`config/runtime.py`).
""",
        figures=figures,
    )
