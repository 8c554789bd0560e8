"""Field service's dispatch board with 10,000 open orders and 200 technicians, and a technician's day.

The board `/field/` (field/views.py `board`: the open orders' counts per state and late, the first 50 by the
customer's required arrival, and every technician with the day's orders, open orders and leave) through
django.test.Client logged in as headquarters (service), and its API `/api/v1/field-board/`; the day `/field/day/`
and `/api/v1/field-day/` as a technician with a full day (8 orders today, 4 open from earlier days, van stock).
The orders are written in bulk as the services would have left them, spread over the states of an open order,
their required arrivals around today (a share past due and not checked in: late), 30 days of done orders behind.
"""

import random
from datetime import timedelta

from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from aftersales.accounts.models import User
from aftersales.core.bulk import insert_rows
from aftersales.field.models import FieldOrder, OrderState, TechnicianLeave, WorkKind
from harness import Context, Figure, Section, Target, check, log, median, percentile
from servicedesk_inbox import customers_and_models, measure, queries_block

TITLE = "Field service: dispatch board and a technician's day"
OPEN, QUICK_OPEN = 10_000, 2_000
DONE_SHARE = 1.0  # as many done orders behind as open ones
TECHNICIANS, QUICK_TECHNICIANS = 200, 50
WARM_UP, REQUESTS, QUICK_REQUESTS = 3, 30, 10
BOARD_TARGET, DAY_TARGET = Target(100, "ms"), Target(50, "ms")
STATES = {OrderState.OPEN: 0.15, OrderState.DISPATCHED: 0.25, OrderState.ACCEPTED: 0.35, OrderState.ON_SITE: 0.15,
          OrderState.REPORTED: 0.10}
WORKS = {WorkKind.REPAIR: 0.6, WorkKind.INSTALLATION: 0.2, WorkKind.TRAINING: 0.05, WorkKind.VISIT: 0.1,
         WorkKind.INSPECTION: 0.05}
LATE_SHARE = 0.08
ORDER_FIELDS = ("number", "customer", "work", "site_address", "contact_name", "contact_phone", "product_model",
                "serial", "description", "contract_covered", "required_arrival", "planned_date", "technician", "state",
                "dispatched_at", "accepted_at", "checked_in_at", "arrived_late", "checked_out_at",
                "left_without_call", "created_at", "version")


def _pick(rng, shares: dict):
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def _technicians(count: int) -> list[int]:
    group = Group.objects.get(name="technician")
    users = User.objects.bulk_create([User(username=f"bench-tech-{n:03d}", first_name=f"{n:03d}", last_name="技术员",
                                           is_staff=True, language="zh-hans") for n in range(count)])
    group.user_set.add(*users)
    return [u.pk for u in users]


def _orders(rng, *, count: int, done: int, technicians, customers, models, now, mine: int) -> tuple[list, int]:
    rows, late = [], 0
    today = timezone.localdate()
    for n in range(count + done):
        state = _pick(rng, STATES) if n < count else OrderState.DONE
        tech = None if state == OrderState.OPEN else rng.choice(technicians)
        arrival = now + timedelta(hours=rng.uniform(-30, 72)) if n < count else now - timedelta(days=rng.uniform(1, 30))
        checked_in = arrival + timedelta(minutes=rng.uniform(-30, 20)) if state in (
            OrderState.ON_SITE, OrderState.REPORTED, OrderState.DONE) else None
        if n < count and state in (OrderState.OPEN, OrderState.DISPATCHED, OrderState.ACCEPTED) and rng.random() > (
                LATE_SHARE * 3):
            arrival = max(arrival, now + timedelta(minutes=5))  # most of what waits is not due yet
        if n < count and checked_in is None and arrival < now:
            late += 1
        elif checked_in is not None and checked_in > arrival and n < count:
            late += 1
        created = (arrival if n >= count else now) - timedelta(days=1)
        rows.append((f"FO-B-{n:07d}", rng.choice(customers), _pick(rng, WORKS), f"测试路 {n} 号", "王先生", "13800000001",
                     rng.choice(models), f"SN{n:08d}", "基准派工", False, arrival, None, tech, state,
                     created if tech else None, created + timedelta(hours=1) if state not in (
                         OrderState.OPEN, OrderState.DISPATCHED) else None, checked_in,
                     checked_in > arrival if checked_in else None, arrival + timedelta(hours=2) if n >= count else None,
                     False, created, 1))
    # The technician whose day is measured: 8 orders today and 4 open from earlier days.
    start = timezone.make_aware(timezone.datetime.combine(today, timezone.datetime.min.time()))
    for k in range(12):
        arrival = start + timedelta(hours=8 + k) if k < 8 else now - timedelta(days=2)
        rows.append((f"FO-B-M{k:04d}", customers[0], WorkKind.REPAIR, f"我的路 {k} 号", "李先生", "13900000000",
                     models[0], f"SNM{k:05d}", "基准派工", False, arrival, None, mine, OrderState.ACCEPTED,
                     now - timedelta(days=3), now - timedelta(days=3), None, None, None, False,
                     now - timedelta(days=3), 1))
    return rows, late


def run(ctx: Context) -> Section:
    count = QUICK_OPEN if ctx.quick else OPEN
    technician_count = QUICK_TECHNICIANS if ctx.quick else TECHNICIANS
    repeat = QUICK_REQUESTS if ctx.quick else REQUESTS
    rng = random.Random(ctx.seed)
    now = timezone.now()
    customers, models = customers_and_models()
    technicians = _technicians(technician_count)
    mine = technicians[0]
    log(f"inserting {count:,} open field orders and {int(count * DONE_SHARE):,} done ones for "
        f"{technician_count} technicians")
    rows, late = _orders(rng, count=count, done=int(count * DONE_SHARE), technicians=technicians[1:],
                         customers=customers, models=models, now=now, mine=mine)
    insert_rows(FieldOrder, list(ORDER_FIELDS), rows)
    TechnicianLeave.objects.bulk_create([TechnicianLeave(technician_id=t, first_day=timezone.localdate(),
                                                         last_day=timezone.localdate() + timedelta(days=2))
                                         for t in technicians[1:technician_count // 10]])
    from servicedesk_inbox import analyze

    analyze(FieldOrder, TechnicianLeave)
    open_total = FieldOrder.objects.exclude(state__in=[OrderState.DONE, OrderState.CANCELLED]).count()
    check(open_total >= count, f"{open_total} open orders, expected {count}")

    service, tech = ctx.actor, User.objects.get(pk=mine)
    board_page, day_page = Client(), Client()
    board_page.force_login(service)
    day_page.force_login(tech)
    board_api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=service)[0].key}")
    day_api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=tech)[0].key}")

    def board_shows(response):
        rows = response.content.decode().count('<td><a href="/field/')
        check(rows == 50, f"the board listed {rows} orders")

    def board_api_shows(response):
        data = response.json()
        check(len(data["orders"]) == 50 and len(data["technicians"]) >= technician_count,
              f"board API: {len(data['orders'])} orders, {len(data['technicians'])} technicians")

    def day_shows(response):
        check(response.content.decode().count("<article") == 12, "the day lists 12 orders")

    def day_api_shows(response):
        check(len(response.json()["orders"]) == 12, "the day API lists 12 orders")

    from aftersales.config.runtime import tune_for_serving

    tune_for_serving()
    cases = [("dispatch board page", "/field/", board_page, board_shows, BOARD_TARGET),
             ("dispatch board API", "/api/v1/field-board/", board_api, board_api_shows, BOARD_TARGET),
             ("technician's day page", "/field/day/", day_page, day_shows, DAY_TARGET),
             ("technician's day API", "/api/v1/field-day/", day_api, day_api_shows, DAY_TARGET)]
    measured = [(label, measure(client, url, answer, warm_up=WARM_UP, repeat=repeat), target)
                for label, url, client, answer, target in cases]
    figures = []
    for label, result, target in measured:
        note = f"{len(result['queries'])} queries, {result['sql_ms']:.1f} ms SQL"
        figures.append(Figure(f"{label}: median", median(result["times"]), "ms", None, result["times"], note=note,
                              cpu_share=result["cpu"]))
        figures.append(Figure(f"{label}: p95", percentile(result["times"], 0.95), "ms", target))
    details = [queries_block(label, result, plans=not target.met(percentile(result["times"], 0.95))
                             or label.startswith("dispatch board page")) for label, result, target in measured]
    return Section(
        key="field_dispatch",
        title=TITLE,
        description=f"""
{count:,} open field service orders ({', '.join(f'{s} {v:.0%}' for s, v in STATES.items())}; about {late:,} late:
past the customer's required arrival and not checked in, or checked in late) and {int(count * DONE_SHARE):,}
done ones, for {technician_count} technicians ({technician_count // 10 - 1} on leave today), written in bulk. The
dispatch board `/field/` as headquarters (service, `force_login`) and `/api/v1/field-board/` with a token; a
technician's day `/field/day/` (8 orders today, 4 open from earlier days) and `/api/v1/field-day/`. {WARM_UP}
warm-up requests, then {repeat} timed; the SQL of one more is listed below, with the plans of the slowest queries
where a p95 misses its target (and always for the board page).
""",
        figures=figures,
        details=details,
    )

