"""A scanner at receiving: one scan per request on a large case.

A case of N serial-numbered units of one model (registered in the units registry), submitted,
approved and receiving (not timed). Timed, as the warehouse with a token: every unit scanned by
its own `receive` request (`{"items": [{"serial": ...}]}`), then the receiving page's scan (the
htmx POST the scanner's Enter sends) on a second case of the same size. Each request's time is
the server's (the Django test client in process: no network); the target is on the p95.
"""

import time
from datetime import date

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from aftersales.accounts.services import user_create
from aftersales.config.runtime import tune_for_serving
from aftersales.masterdata.models import Customer, ProductModel, ShippedUnit
from aftersales.returns.models import ReturnUnit
from aftersales.returns.services.actions import apply_action
from aftersales.returns.services.cases import case_create
from harness import Context, Figure, Section, Target, check, log, median, percentile

TITLE = "Receiving: one scan per request"
UNITS, QUICK_UNITS = 1_000, 200
SCAN_TARGET = Target(30, "ms")
WARM_UP = 3  # scans of serials not on the case (refused), before the timed ones


def _case(users: dict, size: int, tag: str):
    customer, _ = Customer.objects.get_or_create(code=f"SCAN-{tag}", defaults={"name": f"扫码客户{tag}"})
    model, _ = ProductModel.objects.get_or_create(code="SCAN-HT", defaults={"name": "电热水器 扫码", "warranty_months": 12})
    serials = [f"S{tag}{n:07d}" for n in range(size)]
    ShippedUnit.objects.bulk_create([ShippedUnit(serial=s, product_model=model, customer=customer,
                                                 production_lot="260101-1", shipped_date=date(2026, 1, 1))
                                     for s in serials])
    case = case_create(actor=users["service"], customer=customer, lines=[{
        "product_model": model, "item_name": "电热水器", "serials": serials, "production_lot": "260101-1",
        "defect_description": "不加热", "requested_outcome": "repair"}])
    apply_action(actor=users["service"], case_id=case.pk, action="submit")
    case.refresh_from_db()
    for kind in case.required_approvals:
        apply_action(actor=users["manager" if kind != "service" else "service"], case_id=case.pk, action="approve",
                     params={"approval": kind})
    apply_action(actor=users["warehouse"], case_id=case.pk, action="start_receiving")
    return case, serials


def _scan_times(post, serials: list[str]) -> tuple[list[float], float]:
    """Each scan's wall time (ms), and the process's CPU time over the wall time of them all."""
    times, cpu = [], 0.0
    for serial in serials:
        started, started_cpu = time.perf_counter(), time.process_time()
        post(serial)
        times.append((time.perf_counter() - started) * 1000)
        cpu += time.process_time() - started_cpu
    return times, cpu * 1000 / sum(times)


def run(ctx: Context) -> Section:
    size = QUICK_UNITS if ctx.quick else UNITS
    users = {role: user_create(username=f"scan-{role}", password=None, role_codes={role})
             for role in ("service", "warehouse", "manager")}
    api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=users['warehouse']).key}")
    page = Client()
    page.force_login(users["warehouse"])

    log(f"preparing two receiving cases of {size:,} registered serials")
    case, serials = _case(users, size, "A")
    page_case, page_serials = _case(users, size, "B")
    tune_for_serving()
    url = f"/api/v1/cases/{case.pk}/actions/receive/"

    def api_scan(serial):
        response = api.post(url, {"items": [{"serial": serial}]}, content_type="application/json")
        check(response.status_code == 200, f"scan answered {response.status_code}: {response.content[:300]!r}")
        return response.json()

    page_url = f"/cases/{page_case.pk}/receive/"

    def page_scan(serial):
        response = page.post(page_url, {"serial": serial}, HTTP_HX_REQUEST="true")
        check(response.status_code == 200, f"page scan answered {response.status_code}")

    for n in range(WARM_UP):
        api_scan(f"WARM-{n}")
        page_scan(f"WARM-{n}")
    log(f"scanning {size:,} units through the API, one request each")
    api_times, api_cpu = _scan_times(api_scan, serials)
    check(ReturnUnit.objects.filter(return_case=case, state="received").count() == size, "not every unit received")
    log(f"scanning {size:,} units through the receiving page, one request each")
    page_times, page_cpu = _scan_times(page_scan, page_serials)
    check(ReturnUnit.objects.filter(return_case=page_case, state="received").count() == size,
          "not every unit received on the page")
    with CaptureQueriesContext(connection) as captured:
        api_scan(serials[0])  # a duplicate: matched against the whole case like any scan
    queries = len(captured.captured_queries)

    figures = [
        Figure(f"API scan on a {size:,}-unit case: median", median(api_times), "ms", SCAN_TARGET, cpu_share=api_cpu),
        Figure(f"API scan on a {size:,}-unit case: p95", percentile(api_times, 0.95), "ms", SCAN_TARGET,
               cpu_share=api_cpu),
        Figure("API scan: the last 10% of the case: p95", percentile(api_times[-size // 10:], 0.95), "ms",
               SCAN_TARGET, cpu_share=api_cpu),
        Figure(f"receiving page scan on a {size:,}-unit case: median", median(page_times), "ms", SCAN_TARGET,
               cpu_share=page_cpu),
        Figure(f"receiving page scan on a {size:,}-unit case: p95", percentile(page_times, 0.95), "ms", SCAN_TARGET,
               cpu_share=page_cpu),
        Figure("API scan: SQL queries per request", queries, ""),
    ]
    return Section(
        key="receiving_scans",
        title=TITLE,
        description=f"""
A barcode scanner sends one scan per request. Two cases of {size:,} serial-numbered units of one
model (registered in the units registry), submitted, approved and receiving, untimed. Timed: every
unit of the first case scanned by its own `POST /api/v1/cases/<id>/actions/receive/` with
`{{"items": [{{"serial": ...}}]}}` as the warehouse (a token), and every unit of the second scanned
through the receiving page (`POST /cases/<id>/receive/`, htmx, session), after {WARM_UP} warm-up
scans. Each request writes the unit, its stock move, the timeline entry and the case's clocks in one
transaction. Times are the server's, in process (no network).
""",
        figures=figures,
    )
