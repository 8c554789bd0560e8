"""Clocked steps at volume: a role's queue with 100,000 open steps, and the deadline sweep.

The queue: `GET /api/v1/queues/quality/` (counts, then the first page of 50, soonest due first)
through django.test.Client with a token, as a user of the quality group, with 100,000 open
quality steps among 50,000 open steps of other roles and 50,000 met steps in the table.

The sweep: `deadlines_sweep()` over 100,000 open steps of which 35% have reached their next
alert (20% come within the warning, 10% have passed their due moment, 5% the escalation
grace), with active users in every role it tells, so the digests are written as in production.
"""

import random
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from aftersales.accounts.services import user_create
from aftersales.config.runtime import tune_for_serving
from aftersales.core.bulk import db_datetime, insert_rows
from aftersales.deadlines.kinds import KINDS
from aftersales.deadlines.models import AlertLevel, Deadline, DeadlinePause
from aftersales.deadlines.services import deadlines_sweep
from aftersales.masterdata.models import Customer
from aftersales.notifications.models import Notification
from harness import (Context, Figure, Section, Target, check, explain, explain_label, log, median, percentile,
                     timed_runs)

TITLE = "Deadlines: queue and sweep"
QUEUE_OPEN, QUICK_QUEUE_OPEN = 100_000, 10_000  # open steps of the measured role; half as many others, half met
SWEEP_OPEN, QUICK_SWEEP_OPEN = 100_000, 10_000
ROLE = "quality"
WARM_UP, REQUESTS = 5, 30
SWEEP_RUNS = 3
QUEUE_TARGET = Target(100, "ms")
SWEEP_TARGET = Target(5, "s")

SUBJECT = "return_case"
WARNING = timedelta(hours=4)  # policy deadline_warning_hours (default)
GRACE = timedelta(days=1)  # escalation_grace_hours (24) on the day clock, taken as a calendar day here
DAY_SECONDS = 86400
CUSTOMERS = 50
USERS_PER_ROLE = 3
# Kinds by role (returns/clocks.py), and the steps of other roles drawn in proportion.
QUALITY_KINDS = ["inspection", "final_inspection"]
OTHER_KINDS = ["receiving", "ship_back", "approval", "first_reply", "complaint_cycle", "customer_answer"]
BUDGET_DAYS = {"inspection": 2, "final_inspection": 1, "receiving": 1, "ship_back": 2, "approval": 1,
               "first_reply": 1, "complaint_cycle": 10, "customer_answer": 5}
# Shares of the sweep's open steps by where they stand (all but the last three have reached their next alert).
SWEEP_SHARES = {"approaching": 0.20, "overdue": 0.10, "escalated": 0.05,
                "told_overdue": 0.05, "told_escalated": 0.05, "future": 0.55}

FIELDS = ("kind", "subject_type", "subject_id", "reference", "customer", "role", "state", "clock", "budget_seconds",
          "started_at", "running_since", "consumed_seconds", "due_at", "provisional", "met_at", "late",
          "alert_level", "next_alert_at", "escalate_at", "detail")


def run(ctx: Context) -> Section:
    queue_open = QUICK_QUEUE_OPEN if ctx.quick else QUEUE_OPEN
    sweep_open = QUICK_SWEEP_OPEN if ctx.quick else SWEEP_OPEN
    rng = random.Random(ctx.seed)
    customers = _customers()
    users = _users(customers)
    at = timezone.now().replace(microsecond=0)

    # --- the queue ---
    _clear()
    rows, expected = _queue_rows(rng, at, queue_open, customers)
    log(f"inserting {len(rows):,} deadlines ({queue_open:,} open for {ROLE})")
    insert_rows(Deadline, FIELDS, rows)
    check(Deadline.objects.filter(role=ROLE, state="open").count() == queue_open, "queue rows not all written")
    token = Token.objects.create(user=users[ROLE][0])
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = f"/api/v1/queues/{ROLE}/"
    tune_for_serving()
    times, cpu, queries, body = _measure(client, url, expected)
    plans = _plans(queries)

    # --- the sweep ---
    _clear()
    sweep_rows, reached = _sweep_rows(rng, at, sweep_open, customers)
    log(f"sweep over {sweep_open:,} open steps ({sum(reached.values()):,} reached their next alert), "
        f"{len(sweep_rows) - sweep_open:,} met")
    queries_per_run = []

    def reset():
        _clear()
        insert_rows(Deadline, FIELDS, sweep_rows)

    def sweep():
        counter = _Counter()
        with connection.execute_wrapper(counter):
            result = deadlines_sweep(at=at)
        queries_per_run.append(counter.count)
        return result

    timing = timed_runs(sweep, repeat=SWEEP_RUNS, setup=reset, label="deadlines_sweep")
    counts = timing.result
    written = Notification.objects.filter(kind="deadline_alert").count()  # by the last run (reset clears them)
    check(counts == reached, f"the sweep returned {counts}, expected {reached}")
    check(Deadline.objects.filter(state="open", next_alert_at__lte=at).count() == 0, "the sweep left alerts due")
    check(written > 0, "the sweep wrote no notifications")
    alert_plan = Deadline.objects.filter(state="open", next_alert_at__lte=at).values("id", "due_at",
                                                                                    "escalate_at").explain()

    figures = [
        Figure(f"queue of {queue_open:,} open steps, page of 50: median", median(times), "ms", QUEUE_TARGET, times,
               cpu_share=cpu),
        Figure(f"queue of {queue_open:,} open steps, page of 50: p95", percentile(times, 0.95), "ms", QUEUE_TARGET),
        Figure("queue: SQL queries per request", len(queries), ""),
        Figure(f"sweep over {sweep_open:,} open steps: median of {SWEEP_RUNS}", median(timing.runs), "s",
               SWEEP_TARGET, timing.runs, note=", ".join(f"{k} {v:,}" for k, v in counts.items()),
               cpu_share=timing.cpu_share),
        Figure("sweep: slowest run", max(timing.runs), "s", SWEEP_TARGET),
        Figure("sweep: fastest run", min(timing.runs), "s"),
        Figure("sweep: notifications written per run", written, ""),
        Figure("sweep: SQL queries per run", queries_per_run[-1], ""),
    ]
    listed = "\n".join(f"{number}. `{query['sql']}` ({_milliseconds(query['time'])})"
                       for number, query in enumerate(queries, start=1))
    plan_text = "\n\n".join(f"`{sql[:160]}{'…' if len(sql) > 160 else ''}`\n\n```\n{plan}\n```" for sql, plan in plans)
    return Section(
        key="deadlines",
        title=TITLE,
        description=f"""
**Queue.** {queue_open:,} open `{ROLE}` steps (inspection, final inspection) due between 10 days ago and
30 days ahead, with alert levels as earlier sweeps left them, among {queue_open // 2:,} open steps of other
roles and {queue_open // 2:,} met steps (all roles): {len(rows):,} rows. The request is `GET {url}`
({body['open']:,} open, {body['overdue']:,} overdue, {body['due_today']:,} due today; first page of 50) as a
user of the `{ROLE}` group with an API token, through `django.test.Client`: the full stack, with garbage
collection tuned as the WSGI server tunes it. {WARM_UP} warm-up requests, then {REQUESTS} timed; the runs
column lists them in order.

**Sweep.** `deadlines_sweep()` at a fixed moment over {sweep_open:,} open steps of every return-case kind
(quality, warehouse, service, the customer's answer for {CUSTOMERS} customers) plus {len(sweep_rows) - sweep_open:,}
met steps: {', '.join(f'{share:.0%} {name}' for name, share in SWEEP_SHARES.items())} (*approaching*,
*overdue* and *escalated* have reached their next alert; *told_…* were told before and wait for the next
one; *future* are more than {WARNING.seconds // 3600} hours from due). {USERS_PER_ROLE} active users in each
of the quality, warehouse, service and manager groups and one per customer, half with an e-mail address:
the digests are written in the sweep's transaction and the e-mail delivery task is queued when it
commits. {SWEEP_RUNS} runs, each on freshly inserted rows (not timed); the runs column lists them in order.
""",
        figures=figures,
        details=[
            f"<details><summary>The {len(queries)} SQL queries of one queue request</summary>\n\n"
            f"{listed}\n\n</details>",
            f"<details><summary>Query plans ({explain_label()})</summary>\n\n{plan_text}\n\n"
            f"The sweep's selection of due alerts:\n\n```\n{alert_plan}\n```\n\n</details>",
        ],
    )


# --- data ---

def _customers() -> list[int]:
    ids = []
    for number in range(CUSTOMERS):
        customer, _ = Customer.objects.get_or_create(code=f"BENCH-DL-{number:03d}",
                                                     defaults={"name": f"基准经销商{number:03d}"})
        ids.append(customer.pk)
    return ids


def _users(customers: list[int]) -> dict[str, list]:
    users = {}
    for role in (ROLE, "warehouse", "service", "manager"):
        users[role] = [user_create(username=f"bench-dl-{role}-{n}", password=None, role_codes={role},
                                   email=f"dl-{role}-{n}@example.com" if n % 2 == 0 else "")
                       for n in range(USERS_PER_ROLE)]
    by_id = {c.pk: c for c in Customer.objects.filter(pk__in=customers)}
    users["customer"] = [user_create(username=f"bench-dl-customer-{n}", password=None, role_codes={"customer"},
                                     customer=by_id[pk], email=f"dl-customer-{n}@example.com" if n % 2 == 0 else "")
                         for n, pk in enumerate(customers)]
    return users


def _clear() -> None:
    """Every deadline and deadline alert gone, in plain SQL (the ORM's delete would load 200,000 rows)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(DeadlinePause._meta.db_table)}")
        cursor.execute(f"DELETE FROM {quote(Deadline._meta.db_table)}")
    Notification.objects.filter(kind="deadline_alert").delete()


def _settled(due, at) -> tuple[int, object]:
    """(alert level, next alert) of an open step as sweeps up to `at` have left it."""
    escalate = due + GRACE
    if escalate <= at:
        return AlertLevel.ESCALATED, None
    if due <= at:
        return AlertLevel.OVERDUE, escalate
    if due - WARNING <= at:
        return AlertLevel.APPROACHING, due
    return AlertLevel.NONE, due - WARNING


class _Rows:
    def __init__(self):
        self.rows, self.subject = [], 0

    def add(self, kind: str, due, *, customers: list[int], rng: random.Random, at, state: str = "open",
            level: int | None = None, next_alert=None) -> None:
        self.subject += 1
        role = KINDS[kind].role
        budget = BUDGET_DAYS[kind] * DAY_SECONDS
        started = due - timedelta(seconds=budget)
        customer = rng.choice(customers)
        met_at = late = None
        escalate = due + GRACE
        if state == "open":
            if level is None:
                level, next_alert = _settled(due, at)
        else:
            met_at = started + timedelta(seconds=rng.randrange(budget * 3 // 2))
            late, level, next_alert = met_at > due, AlertLevel.NONE, None
        self.rows.append((
            kind, SUBJECT, self.subject, f"RMA-2026-{self.subject:06d}", customer, role, state, "day", budget,
            db_datetime(started), db_datetime(started) if state == "open" else None, 0, db_datetime(due), False,
            db_datetime(met_at) if met_at else None, late, int(level),
            db_datetime(next_alert) if next_alert else None, db_datetime(escalate), "{}",
        ))


def _spread(rng: random.Random, at, low_days: float, high_days: float):
    return at + timedelta(seconds=rng.uniform(low_days * DAY_SECONDS, high_days * DAY_SECONDS))


def _queue_rows(rng: random.Random, at, open_steps: int, customers: list[int]) -> tuple[list, int]:
    rows = _Rows()
    plan = ([("open", rng.choice(QUALITY_KINDS)) for _ in range(open_steps)]
            + [("open", rng.choice(OTHER_KINDS)) for _ in range(open_steps // 2)]
            + [("met", rng.choice(QUALITY_KINDS + OTHER_KINDS)) for _ in range(open_steps // 2)])
    rng.shuffle(plan)  # interleaved as they would be written over time
    for state, kind in plan:
        due = _spread(rng, at, -10, 30) if state == "open" else _spread(rng, at, -60, -1)
        rows.add(kind, due, customers=customers, rng=rng, at=at, state=state)
    return rows.rows, open_steps


def _sweep_rows(rng: random.Random, at, open_steps: int, customers: list[int]) -> tuple[list, dict]:
    """Open steps placed by SWEEP_SHARES, plus half as many met; and the counts the sweep should return."""
    counts = {name: round(open_steps * share) for name, share in SWEEP_SHARES.items()}
    counts["future"] += open_steps - sum(counts.values())
    plan = [name for name, n in counts.items() for _ in range(n)] + ["met"] * (open_steps // 2)
    rng.shuffle(plan)
    rows = _Rows()
    kinds = QUALITY_KINDS * 3 + OTHER_KINDS  # quality about half of the steps
    hours = WARNING.total_seconds() / DAY_SECONDS
    for name in plan:
        kind, state, level, next_alert = rng.choice(kinds), "open", None, None  # None: settled by _settled
        if name == "met":
            due, state = _spread(rng, at, -60, -1), "met"
        elif name == "approaching":  # within the warning, not told yet
            due = _spread(rng, at, 1e-5, hours)
            level, next_alert = AlertLevel.NONE, due - WARNING
        elif name == "overdue":  # past due, told it was approaching
            due = _spread(rng, at, -1 + 1e-5, 0)
            level, next_alert = AlertLevel.APPROACHING, due
        elif name == "escalated":  # past the grace, told it was overdue
            due = _spread(rng, at, -10, -1 - 1e-5)
            level, next_alert = AlertLevel.OVERDUE, due + GRACE
        elif name == "told_overdue":  # past due, already told: waits for the escalation
            due = _spread(rng, at, -1 + 1e-5, 0)
        elif name == "told_escalated":  # escalated before: no alert left
            due = _spread(rng, at, -10, -1 - 1e-5)
        else:  # more than the warning ahead
            due = _spread(rng, at, hours + 1e-5, 30)
        rows.add(kind, due, customers=customers, rng=rng, at=at, state=state, level=level, next_alert=next_alert)
    reached = {"approaching": counts["approaching"], "overdue": counts["overdue"], "escalated": counts["escalated"]}
    return rows.rows, {name: n for name, n in reached.items() if n}


# --- measuring ---

def _measure(client: Client, url: str, expected: int) -> tuple[list[float], float, list[dict], dict]:
    for _ in range(WARM_UP):
        _get(client, url, expected)
    timing = timed_runs(lambda: _get(client, url, expected), repeat=REQUESTS)
    times = [seconds * 1000 for seconds in timing.runs]
    with CaptureQueriesContext(connection) as captured:
        body = _get(client, url, expected)
    log(f"{url}: median {median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms, "
        f"{len(captured.captured_queries)} queries")
    return times, timing.cpu_share, captured.captured_queries, body


def _get(client: Client, url: str, expected: int) -> dict:
    response = client.get(url)
    check(response.status_code == 200, f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
    body = response.json()
    check(body["count"] == expected and body["open"] == expected and len(body["results"]) == 50,
          f"GET {url}: count {body['count']}, open {body['open']}, {len(body['results'])} results; "
          f"expected {expected}")
    dues = [item["due_at"] for item in body["results"]]
    check(dues == sorted(dues), f"GET {url}: not soonest due first")
    return body


def _plan(sql: str) -> str:
    return explain(sql)


def _plans(queries: list[dict]) -> list[tuple[str, str]]:
    return [(query["sql"], _plan(query["sql"])) for query in queries
            if "deadlines_deadline" in query["sql"] and query["sql"].lstrip().upper().startswith("SELECT")]


class _Counter:
    """An execute wrapper that counts the queries (executemany counts once)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _milliseconds(seconds: str) -> str:
    value = float(seconds) * 1000
    return f"{value:.0f} ms" if value >= 1 else "< 1 ms"
