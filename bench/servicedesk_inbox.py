"""The service desk's inbox with 100,000 open service requests: its page and its API, a page of 50.

The page `/service-desk/` (servicedesk/views.py `inbox`: the chosen queue's first 50 rows, each with its
overdue mark, and the counts of the new, unanswered, overdue and reopened tabs) through django.test.Client
logged in as a service-desk user; the API `GET /api/v1/service-requests/?queue=...` (the inbox's queues, a
page of 50 with its count) with a token. The rows are written in bulk, as the services would have left them:
the requests with their numbers, customers, categories, priorities and states, and their clocks (the first
reply and the resolution, servicedesk/clocks.py) open, met or overdue as the sweep would have left them.
"""

import random
import time
from datetime import UTC, timedelta

from django.db import connection, transaction
from django.db.models import Max
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from aftersales.core import policies
from aftersales.core.bulk import insert_rows
from aftersales.core.models import DocumentSequence
from aftersales.deadlines.models import AlertLevel, Deadline
from aftersales.masterdata.models import Customer, ProductModel
from aftersales.servicedesk import rules, selectors
from aftersales.servicedesk.clocks import SUBJECT
from aftersales.servicedesk.models import (
    Category,
    Channel,
    Priority,
    RequestState,
    ServiceRequest,
)
from harness import Context, Figure, Section, Target, check, explain, explain_label, log, median, percentile

TITLE = "Service desk inbox"
OPEN, QUICK_OPEN = 100_000, 10_000  # open requests; half as many closed ones besides
WARM_UP, REQUESTS, QUICK_REQUESTS = 3, 30, 10
TARGET = Target(100, "ms")
PAGE = 50
CUSTOMERS, MODELS = 300, 40
DAY = 86400
WORKING_WEEK = 7 / 5  # a working-day budget taken as this many calendar days
WARNING, GRACE = timedelta(hours=4), timedelta(hours=24)  # deadline_warning_hours, escalation_grace_hours
OVERDUE_SHARE = 0.12  # open requests whose resolution clock is past due
# Open states by share, and what the desk's mix looks like (DOMAIN.md: repairs and complaints most).
STATES = {RequestState.REGISTERED: 0.30, RequestState.ANSWERED: 0.22, RequestState.DECIDED: 0.40,
          RequestState.REOPENED: 0.08}
CATEGORIES = {Category.REPAIR: 0.34, Category.PRODUCT_COMPLAINT: 0.22, Category.CONSULTATION: 0.14,
              Category.PARTS: 0.12, Category.INSTALLATION: 0.10, Category.VISIT: 0.05, Category.STAFF_COMPLAINT: 0.03}
PRIORITIES = {Priority.NORMAL: 0.62, Priority.HIGH: 0.22, Priority.LOW: 0.10, Priority.URGENT: 0.06}
CHANNELS = {Channel.PHONE: 0.55, Channel.PORTAL: 0.18, Channel.EMAIL: 0.10, Channel.API: 0.08, Channel.LETTER: 0.05,
            Channel.VISIT: 0.04}
DESCRIPTIONS = ("不加热，指示灯不亮", "漏水", "显示屏无显示", "运行噪音大", "外壳破损", "通电跳闸", "温控失灵", "电机不转",
                "新机需要上门安装调试", "咨询保修期", "需要更换密封圈", "遥控器失灵")
REGIONS = ("华东", "华南", "华北", "华中", "西南", "西北", "东北")

REQUEST_FIELDS = ("number", "channel", "customer", "contact_name", "contact_phone", "product_model", "serial",
                  "warranty_status", "category", "priority", "description", "state", "result", "reopen_count",
                  "escalated_to_manager", "return_case_state", "created_by", "created_at", "answered_at",
                  "resolved_at", "closed_at", "version", "cause", "conduct_verdict", "created_on")
DEADLINE_FIELDS = ("kind", "subject_type", "subject_id", "reference", "customer", "role", "state", "clock",
                   "budget_seconds", "started_at", "running_since", "consumed_seconds", "due_at", "provisional",
                   "met_at", "late", "alert_level", "next_alert_at", "escalate_at", "detail")


# --- data (servicedesk_causes uses these too) ---

def pick(rng: random.Random, shares: dict):
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def customers_and_models() -> tuple[list[int], list[int]]:
    """Customers (dealers, e-commerce, end users across the regions) and product models of the service desk's
    benchmarks, made once."""
    Customer.objects.bulk_create([
        Customer(code=f"BENCH-SD-{n:03d}", name=f"基准客户{n:03d}（{REGIONS[n % len(REGIONS)]}）",
                 kind=("dealer", "ecommerce", "direct")[n % 3], region=REGIONS[n % len(REGIONS)])
        for n in range(CUSTOMERS)], ignore_conflicts=True)
    ProductModel.objects.bulk_create([
        ProductModel(code=f"SD-{('HT', 'WH', 'MC', 'AC')[n % 4]}-{1000 + n * 50}", name=f"基准型号{n:02d}",
                     category=("heater", "water heater", "controller", "air conditioner")[n % 4])
        for n in range(MODELS)], ignore_conflicts=True)
    customers = list(Customer.objects.filter(code__startswith="BENCH-SD-").order_by("id").values_list("id", flat=True))
    models = list(ProductModel.objects.filter(code__startswith="SD-").order_by("id").values_list("id", flat=True))
    return customers, models


def numbers(count: int, *, at) -> list[str]:
    """`count` request numbers after the last one taken this year, the sequence moved on as next_number would."""
    year = timezone.localdate(at).year
    sequence, _ = DocumentSequence.objects.get_or_create(prefix="SR", year=year)
    first = sequence.last + 1
    DocumentSequence.objects.filter(pk=sequence.pk).update(last=sequence.last + count)
    return [f"SR-{year}-{n:06d}" for n in range(first, first + count)]


def copy_rows(model, fields, rows) -> None:
    """Rows in the database's form, fast: PostgreSQL's COPY, or core.bulk.insert_rows (executemany) on SQLite."""
    with transaction.atomic():  # one commit, not one per row
        if connection.vendor != "postgresql":
            insert_rows(model, fields, rows)
            return
        meta = model._meta
        quote = connection.ops.quote_name
        columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
        with connection.cursor() as cursor, \
                cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def db_datetimes():
    """A function giving a moment in the database's form, as core.bulk.db_datetime does, at a fraction of its
    cost per row: UTC without its offset as text on SQLite, the aware datetime itself for psycopg."""
    if connection.vendor == "postgresql":
        return lambda value: value
    return lambda value: str(value.astimezone(UTC).replace(tzinfo=None))


def budget_seconds(category: str, priority: str) -> int:
    """The resolution clock's working days (the policies servicedesk/rules.py names), in seconds."""
    return sum(policies.value(key) for key in rules.resolution_policies(category=category, priority=priority)) * DAY


def settled(due, at) -> tuple[int, object]:
    """(alert level, next alert) of an open clock as the sweeps up to `at` have left it."""
    if due + GRACE <= at:
        return AlertLevel.ESCALATED, None
    if due <= at:
        return AlertLevel.OVERDUE, due + GRACE
    if due - WARNING <= at:
        return AlertLevel.APPROACHING, due
    return AlertLevel.NONE, due - WARNING


class Clocks:
    """Deadline rows of the requests, as servicedesk/clocks.py and deadlines_sync write them."""

    def __init__(self):
        self.rows, self.stamp = [], db_datetimes()

    def add(self, kind: str, request_id: int, number: str, customer: int, *, started, budget: int, met_at=None,
            at, facts: dict) -> None:
        due = started + timedelta(seconds=budget * WORKING_WEEK)
        if met_at is None:
            level, next_alert = settled(due, at)
            state, late, running = "open", None, self.stamp(started)
        else:
            level, next_alert, state, late, running = AlertLevel.NONE, None, "met", met_at > due, self.stamp(started)
        detail = '{"facts": {"category": "%s", "priority": "%s"}}' % (facts["category"], facts["priority"]) \
            if facts else '{"facts": {}}'
        self.rows.append((kind, SUBJECT, request_id, number, customer, "service", state, "day", budget,
                          self.stamp(started), running, 0, self.stamp(due), False,
                          self.stamp(met_at) if met_at else None, late, int(level),
                          self.stamp(next_alert) if next_alert else None, self.stamp(due + GRACE), detail))


def request_row(rng, *, number, customer, model, state, category, priority, created, answered, resolved, closed,
                reopens, actor_id, stamp, escalated=False, cause=None, result="") -> tuple:
    serial = f"SN{model:03d}{rng.randrange(10**9):09d}" if category != Category.CONSULTATION else ""
    return (number, pick(rng, CHANNELS), customer, f"联系人{rng.randrange(1000):03d}",
            f"13{rng.randrange(10**9):09d}", model if category != Category.CONSULTATION else None, serial,
            rng.choice(("in_warranty", "in_warranty", "out_of_warranty")) if serial else "", category, priority,
            rng.choice(DESCRIPTIONS), state, result, reopens, escalated, "",
            actor_id, stamp(created), stamp(answered) if answered else None,
            stamp(resolved) if resolved else None, stamp(closed) if closed else None,
            1 + reopens * 3 + (state != RequestState.REGISTERED), cause, "",
            timezone.localdate(created).isoformat())  # created_on, as the model writes it


def _generate(rng: random.Random, *, open_count: int, closed_count: int, customers, models, actor_id: int, at):
    """Request rows (ids to come: after the highest one) and their clocks; the counts each queue should show."""
    first_id = (ServiceRequest.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    total = open_count + closed_count
    taken = numbers(total, at=at)
    today = timezone.localtime(at).replace(hour=0, minute=0, second=0, microsecond=0)
    plan = ["open"] * open_count + ["closed"] * closed_count
    rng.shuffle(plan)  # interleaved as they come in
    requests, clocks, stamp = [], Clocks(), db_datetimes()
    expected = {"open": 0, "unanswered": 0, "new": 0, "reopened": 0, "overdue": 0, "all": total}
    first_reply = policies.value("service_first_reply_hours") * 3600
    limit = policies.value("service_reopen_limit")
    budgets = {(c, p): budget_seconds(c, p) for c in CATEGORIES for p in PRIORITIES}
    for offset, kind in enumerate(plan):
        request_id, number = first_id + offset, taken[offset]
        customer, model = rng.choice(customers), rng.choice(models)
        category, priority = pick(rng, CATEGORIES), pick(rng, PRIORITIES)
        budget = budgets[category, priority]
        facts = {"category": category, "priority": priority}
        span = timedelta(seconds=budget * WORKING_WEEK)
        if kind == "closed":
            created = at - timedelta(days=rng.uniform(30, 400))
            answered = created + timedelta(hours=rng.uniform(0.2, 30))
            resolved = created + span * rng.uniform(0.2, 1.3)
            closed = resolved + timedelta(hours=rng.uniform(1, 72))
            requests.append(request_row(rng, number=number, customer=customer, model=model,
                                        state=RequestState.CLOSED, category=category, priority=priority,
                                        created=created, answered=answered, resolved=resolved, closed=closed,
                                        reopens=0, actor_id=actor_id, stamp=stamp, result="已处理，客户确认"))
            clocks.add("service_first_reply", request_id, number, customer, started=created, budget=first_reply,
                       met_at=answered, at=at, facts={})
            clocks.add("service_resolution", request_id, number, customer, started=created, budget=budget,
                       met_at=resolved, at=at, facts=facts)
            expected["open"] += RequestState.CLOSED in selectors.OPEN_STATES  # see the description
            continue
        state = pick(rng, STATES)
        overdue = rng.random() < OVERDUE_SHARE
        # The resolution clock: past due for the overdue share, else due within its budget from now.
        due = at - timedelta(seconds=rng.uniform(600, 10 * DAY)) if overdue else at + span * rng.uniform(0.01, 1)
        started = due - span
        if state == RequestState.REGISTERED and not overdue and rng.random() < 0.3:
            started = today + (at - today) * rng.random()  # registered today: the new tab
        created = started if state != RequestState.REOPENED else started - timedelta(days=rng.uniform(3, 40))
        answered = None if state == RequestState.REGISTERED else created + timedelta(hours=rng.uniform(0.2, 20))
        if answered is not None and answered > at:
            answered = at
        reopens = rng.choice((1, 1, 1, 2, 3)) if state == RequestState.REOPENED else 0
        resolved = started - timedelta(days=rng.uniform(0.5, 2)) if reopens else None
        requests.append(request_row(rng, number=number, customer=customer, model=model, state=state,
                                    category=category, priority=priority, created=created, answered=answered,
                                    resolved=resolved, closed=None, reopens=reopens, actor_id=actor_id, stamp=stamp,
                                    escalated=rules.escalates(reopens, limit=limit)))
        if state == RequestState.REGISTERED:
            clocks.add("service_first_reply", request_id, number, customer, started=created, budget=first_reply,
                       at=at, facts={})
        else:
            clocks.add("service_first_reply", request_id, number, customer, started=created, budget=first_reply,
                       met_at=answered, at=at, facts={})
        clocks.add("service_resolution", request_id, number, customer, started=started, budget=budget, at=at,
                   facts=facts)
        first_reply_due = created + timedelta(seconds=first_reply * WORKING_WEEK)
        expected["open"] += 1
        expected["reopened"] += state == RequestState.REOPENED
        expected["unanswered"] += state == RequestState.REGISTERED
        expected["new"] += state == RequestState.REGISTERED and created >= today
        expected["overdue"] += overdue or (state == RequestState.REGISTERED and first_reply_due < at)
    return first_id, requests, clocks.rows, expected


def requests_insert(rows: list[tuple], first_id: int) -> None:
    """The rows with their ids given (as the ids the clocks name), in bulk."""
    copy_rows(ServiceRequest, ("id", *REQUEST_FIELDS), ((first_id + n, *row) for n, row in enumerate(rows)))
    if connection.vendor == "postgresql":  # ids given: move the sequence past them, as inserts would have
        with connection.cursor() as cursor:
            table = ServiceRequest._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")


def analyze(*models) -> None:
    """Fresh statistics of the tables for the planner, as autovacuum (PostgreSQL) or `optimize` (SQLite) keep
    them."""
    # PostgreSQL: VACUUM as well, which sets the visibility map index-only scans need (autovacuum does so after
    # a bulk insert); SQLite has no such map.
    command = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")


# --- measuring ---

class _Queries:
    """An execute wrapper that keeps each query's SQL and time."""

    def __init__(self):
        self.queries: list[tuple[str, list, float]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, time.perf_counter() - started))


def measure(client: Client, url: str, check_answer, *, warm_up: int, repeat: int) -> dict:
    """Warm-up requests, then timed ones (wall and CPU ms), then one more with its SQL recorded."""
    def get():
        response = client.get(url)
        check(response.status_code == 200, f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
        check_answer(response)
        return response

    for _ in range(warm_up):
        get()
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        get()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    recorder = _Queries()
    with connection.execute_wrapper(recorder):
        response = get()
    sql_ms = sum(seconds for *_rest, seconds in recorder.queries) * 1000
    log(f"{url}: median {median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms, "
        f"{len(recorder.queries)} queries ({sql_ms:.1f} ms SQL)")
    return {"url": url, "times": times, "cpu": sum(cpu) / sum(times) if sum(times) else 1.0,
            "queries": recorder.queries, "sql_ms": sql_ms, "size": len(response.content)}


def literal_sql(sql: str, params) -> str:
    """The query with its parameters in it, to EXPLAIN."""
    if connection.vendor == "postgresql":
        return connection.ops.compose_sql(sql, params)
    return connection.ops.last_executed_query(None, sql, params)


def queries_block(label: str, measured: dict, *, plans: bool) -> str:
    listed = "\n".join(f"{n}. `{sql[:300]}{'…' if len(sql) > 300 else ''}` ({seconds * 1000:.1f} ms)"
                       for n, (sql, _params, seconds) in enumerate(measured["queries"], start=1))
    block = f"<details><summary>The {len(measured['queries'])} SQL queries of {label}</summary>\n\n{listed}\n"
    if plans:
        slowest = sorted(measured["queries"], key=lambda query: -query[2])[:2]
        for sql, params, seconds in slowest:
            if sql.lstrip().upper().startswith("SELECT"):
                block += (f"\nPlan ({explain_label()}) of the {seconds * 1000:.1f} ms query:\n\n"
                          f"```\n{explain(literal_sql(sql, params))}\n```\n")
    return block + "\n</details>"


def run(ctx: Context) -> Section:
    open_count = QUICK_OPEN if ctx.quick else OPEN
    closed_count = open_count // 2
    repeat = QUICK_REQUESTS if ctx.quick else REQUESTS
    rng = random.Random(ctx.seed)
    at = timezone.now().replace(microsecond=0)
    customers, models = customers_and_models()
    baseline = {queue: selectors.request_list(user=ctx.actor, queue=queue).count() for queue in selectors.QUEUES}
    started = time.perf_counter()
    first_id, requests, clocks, expected = _generate(rng, open_count=open_count, closed_count=closed_count,
                                                     customers=customers, models=models, actor_id=ctx.actor.pk, at=at)
    generated = time.perf_counter() - started
    log(f"inserting {len(requests):,} service requests ({open_count:,} open) and {len(clocks):,} clocks")
    started = time.perf_counter()
    requests_insert(requests, first_id)
    copy_rows(Deadline, DEADLINE_FIELDS, clocks)
    analyze(ServiceRequest, Deadline)
    inserted = time.perf_counter() - started
    log(f"generated in {generated:.1f} s, inserted in {inserted:.1f} s")
    expected = {queue: expected[queue] + baseline[queue] for queue in expected}
    for queue in ("new", "open", "unanswered", "reopened", "all"):
        counted = selectors.request_list(user=ctx.actor, queue=queue).count()
        check(counted == expected[queue], f"queue {queue}: {counted:,} requests, expected {expected[queue]:,}")
    counted_overdue = selectors.request_list(user=ctx.actor, queue="overdue").count()
    check(abs(counted_overdue - expected["overdue"]) <= max(10, expected["overdue"] // 100),
          f"queue overdue: {counted_overdue:,} requests, expected about {expected['overdue']:,}")
    expected["overdue"] = counted_overdue  # the clock moved on a little while the rows were written

    page_client = Client()
    page_client.force_login(ctx.actor)
    token = Token.objects.get_or_create(user=ctx.actor)[0]
    api_client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")

    def page_shows(queue):
        def answer(response):
            body = response.content.decode()
            rows = body.count('<td><a href="/service-desk/')
            check(rows == min(PAGE, expected[queue]), f"the {queue} tab listed {rows} rows")
        return answer

    def api_shows(queue):
        def answer(response):
            body = response.json()
            # Overdue grows while the clock moves on (a clock falls due during the run); the others stand still.
            counted = expected[queue] <= body["count"] <= expected[queue] * 1.01 if queue == "overdue" \
                else body["count"] == expected[queue]
            check(counted and len(body["results"]) == min(PAGE, expected[queue]),
                  f"API {queue}: count {body['count']}, {len(body['results'])} results; expected {expected[queue]}")
            ids = [row["id"] for row in body["results"]]
            check(ids == sorted(ids, reverse=True), f"API {queue}: not newest first")
        return answer

    cases = [
        ("page, unanswered tab (the default)", "/service-desk/", page_client, page_shows("unanswered")),
        ("page, open tab", "/service-desk/?queue=open", page_client, page_shows("open")),
        ("page, overdue tab", "/service-desk/?queue=overdue", page_client, page_shows("overdue")),
        ("page, reopened tab", "/service-desk/?queue=reopened", page_client, page_shows("reopened")),
        ("API, open (the default)", "/api/v1/service-requests/", api_client, api_shows("open")),
        ("API, unanswered", "/api/v1/service-requests/?queue=unanswered", api_client, api_shows("unanswered")),
        ("API, overdue", "/api/v1/service-requests/?queue=overdue", api_client, api_shows("overdue")),
    ]
    from aftersales.config.runtime import tune_for_serving

    tune_for_serving()
    measured = [(label, measure(client, url, answer, warm_up=WARM_UP, repeat=repeat))
                for label, url, client, answer in cases]
    figures = []
    for label, result in measured:
        note = f"{len(result['queries'])} queries, {result['sql_ms']:.1f} ms SQL"
        figures.append(Figure(f"{label}: median", median(result["times"]), "ms", None, result["times"], note=note,
                              cpu_share=result["cpu"]))
        figures.append(Figure(f"{label}: p95", percentile(result["times"], 0.95), "ms", TARGET))
    details = [queries_block(label, result, plans=not TARGET.met(percentile(result["times"], 0.95))
                             or label.startswith("page, unanswered"))
               for label, result in measured]
    counts = ", ".join(f"{queue} {expected[queue]:,}" for queue in ("new", "unanswered", "overdue", "reopened",
                                                                    "open", "all"))
    closed_open = (" The *open* tab lists the closed requests too: it is `state in SERVICE_REQUEST.open_states`, the "
                   "states some transition starts from, and `classify` starts from every state."
                   if RequestState.CLOSED in selectors.OPEN_STATES else "")
    return Section(
        key="servicedesk_inbox",
        title=TITLE,
        description=f"""
{open_count:,} open service requests (registered {STATES[RequestState.REGISTERED]:.0%}, answered
{STATES[RequestState.ANSWERED]:.0%}, decided {STATES[RequestState.DECIDED]:.0%}, reopened
{STATES[RequestState.REOPENED]:.0%}, reopened one to three times: past the policy's limit they are escalated to
the manager) and {closed_count:,} closed ones, for {CUSTOMERS} customers and {MODELS} product models, in the
desk's mix of categories ({', '.join(f'{c} {s:.0%}' for c, s in CATEGORIES.items())}), priorities and
channels. Each has its clocks as servicedesk/clocks.py keeps them: the first reply (open while registered,
else met) and the resolution (open while open, budget by priority and category from the policies, a working
day taken as {WORKING_WEEK:.1f} calendar days), {OVERDUE_SHARE:.0%} of the open requests past due, with the
alert levels the sweep would have left: {len(clocks):,} deadline rows. Written in bulk ({connection.vendor}:
{'COPY' if connection.vendor == 'postgresql' else 'executemany'}) in {inserted:.1f} s, then ANALYZE; the
timeline rows (RequestEvent), which the inbox does not read, are not written. The queues then held: {counts}.{closed_open}

The page `/service-desk/` (servicedesk/views.py `inbox`: the tab's first {PAGE} rows, newest first, each
marked when overdue, and the counts of the new, unanswered, overdue and reopened tabs) through
`django.test.Client` logged in (`force_login`) as a service-desk user; the API
`/api/v1/service-requests/?queue=` (a page of {PAGE} with its count) with a token. {WARM_UP} warm-up
requests, then {repeat} timed; the SQL of one more is listed below, with the plans of the slowest queries
where a p95 misses the target (and always for the default tab).
""",
        figures=figures,
        details=details,
    )
