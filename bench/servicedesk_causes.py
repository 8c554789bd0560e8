"""The frequency of complaint causes (the complaint ledger's Pareto) over 1,000,000 closed service requests.

`GET /api/v1/complaints/pareto/?by=cause|model|customer|month` (servicedesk/complaints.py `ledger` then
`pareto`: counts per key, most frequent first, with shares and cumulative shares) with a token, and the
ledger's page `/service-desk/complaints/` (the first 50 complaints and the Pareto) logged in, both through
django.test.Client as a service-desk user. The requests are written in bulk: closed, over three years, in the
desk's mix of categories, most complaints and a part of the fault requests classified on the cause tree
(the seeded branches and the causes a company adds below them), a few causes far more frequent than the rest.
"""

import random
import time
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from aftersales.servicedesk import complaints
from aftersales.servicedesk.models import Category, ComplaintCause, RequestState, ServiceRequest
from harness import Context, Figure, Section, Target, check, log, median
from servicedesk_inbox import (
    CATEGORIES,
    CHANNELS,
    DESCRIPTIONS,
    PRIORITIES,
    REQUEST_FIELDS,
    analyze,
    copy_rows,
    customers_and_models,
    measure,
    numbers,
    queries_block,
)

TITLE = "Service desk: complaint cause frequency"
CLOSED, QUICK_CLOSED = 1_000_000, 50_000
WARM_UP, REQUESTS = 1, 3
TARGET = Target(2, "s")
YEARS = 3
COMPLAINTS_CLASSIFIED = 0.92  # complaints with their cause classified
FAULTS_CLASSIFIED = 0.35  # repair and parts requests classified as well (they enter the ledger)
# Causes a company adds below the seeded branches (migration 0002).
BRANCHES = {
    "design": ["散热设计不足", "结构强度不够", "接口设计不合理"],
    "manufacturing": ["焊接不良", "装配错误", "紧固件松动", "密封不良", "接线错误"],
    "incoming_material": ["温控器失效", "电机来料不良", "显示屏来料不良", "电源板元件失效"],
    "transport": ["包装破损", "运输磕碰"],
    "installation": ["安装位置不当", "接地不良", "管路连接错误"],
    "usage": ["电压不稳", "未按说明书操作", "水质硬度过高"],
    "service_conduct": ["响应不及时", "服务态度差", "上门迟到"],
}


def _causes() -> list[int]:
    """The cause tree's leaves (made once) and its branches, most frequent first (a Pareto's long tail)."""
    roots = {c.code: c for c in ComplaintCause.objects.filter(parent__isnull=True)}
    for code, names in BRANCHES.items():
        for number, name in enumerate(names):
            ComplaintCause.objects.get_or_create(code=f"{code}.{number + 1:02d}",
                                                 defaults={"name": name, "parent": roots[code]})
    leaves = list(ComplaintCause.objects.filter(parent__isnull=False).order_by("code").values_list("id", flat=True))
    return leaves + [root.pk for root in roots.values()]


def _stamp():
    """Epoch seconds to the database's form of a moment (as servicedesk_inbox.db_datetime)."""
    if connection.vendor == "postgresql":
        return lambda seconds: datetime.fromtimestamp(seconds, UTC)
    return lambda seconds: str(datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None))


def _rows(rng: random.Random, count: int, *, taken: list[str], customers, models, causes, actor_id: int,
          at) -> object:
    """The closed requests, generated as they are inserted (a million rows do not sit in memory); no query
    while they are (the COPY holds the connection)."""
    stamp, zone = _stamp(), timezone.get_current_timezone()
    now = at.timestamp()
    span = YEARS * 365 * 86400
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(causes))]  # Zipf-like: a few causes most of the time
    cause_of = rng.choices(causes, weights=weights, k=min(count, 200_000))
    category_of = rng.choices(list(CATEGORIES), weights=list(CATEGORIES.values()), k=10_000)
    priority_of = rng.choices(list(PRIORITIES), weights=list(PRIORITIES.values()), k=10_000)
    channel_of = rng.choices(list(CHANNELS), weights=list(CHANNELS.values()), k=10_000)
    complaint_kinds = (Category.PRODUCT_COMPLAINT, Category.STAFF_COMPLAINT)
    fault_kinds = (Category.REPAIR, Category.PARTS)
    customer_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(customers))]  # big dealers call more
    customer_of = rng.choices(customers, weights=customer_weights, k=10_000)
    for n in range(count):
        category = category_of[(n + n // 10_000) % 10_000]
        classified = rng.random() < (COMPLAINTS_CLASSIFIED if category in complaint_kinds
                                     else FAULTS_CLASSIFIED if category in fault_kinds else 0)
        created = now - span * rng.random() ** 0.8  # more requests lately
        answered = created + rng.uniform(600, 86400)
        resolved = answered + rng.uniform(3600, 10 * 86400)
        closed = resolved + rng.uniform(3600, 3 * 86400)
        model = models[n % len(models)] if category != Category.CONSULTATION else None
        yield (taken[n], channel_of[(n * 7) % 10_000], customer_of[(n * 13) % 10_000], "", "", model,
               f"SN{n:010d}" if model else "", "in_warranty" if n % 3 else "out_of_warranty", category,
               priority_of[(n * 3) % 10_000], DESCRIPTIONS[n % len(DESCRIPTIONS)], RequestState.CLOSED,
               "已处理，客户确认", 0, False, "", actor_id, stamp(created), stamp(answered), stamp(resolved),
               stamp(closed), 5, cause_of[n % len(cause_of)] if classified else None, "",
               datetime.fromtimestamp(created, zone).date().isoformat())  # created_on, as the model writes it


def run(ctx: Context) -> Section:
    count = QUICK_CLOSED if ctx.quick else CLOSED
    rng = random.Random(ctx.seed + 1)
    at = timezone.now().replace(microsecond=0)
    customers, models = customers_and_models()
    causes = _causes()
    ledger = complaints.ledger(user=ctx.actor, params={})
    before = ledger.count()
    log(f"inserting {count:,} closed service requests")
    started = time.perf_counter()
    taken = numbers(count, at=at)
    copy_rows(ServiceRequest, REQUEST_FIELDS, _rows(rng, count, taken=taken, customers=customers, models=models,
                                                    causes=causes, actor_id=ctx.actor.pk, at=at))
    analyze(ServiceRequest)
    inserted = time.perf_counter() - started
    in_ledger = complaints.ledger(user=ctx.actor, params={}).count()
    classified = ServiceRequest.objects.filter(cause__isnull=False).count()
    log(f"inserted in {inserted:.1f} s: {in_ledger - before:,} of them in the complaint ledger")
    check(ServiceRequest.objects.filter(state=RequestState.CLOSED).count() >= count, "the requests were not written")

    token = Token.objects.get_or_create(user=ctx.actor)[0]
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    page = Client()
    page.force_login(ctx.actor)
    since = (timezone.localdate(at) - timedelta(days=365)).isoformat()

    def pareto_counts(expected_total: int | None = None):
        def answer(response):
            body = response.json()
            results = body["results"]
            check(bool(results), "the Pareto is empty")
            counts = [row["count"] for row in results]
            check(counts == sorted(counts, reverse=True), "the Pareto is not most frequent first")
            if expected_total is not None and body["count"] == len(results):
                check(sum(counts) == expected_total, f"the Pareto counts {sum(counts):,}, the ledger {expected_total:,}")
        return answer

    def page_answer(response):
        check("<table" in response.content.decode(), "the ledger page shows no table")

    cases = [
        ("API, by cause", "/api/v1/complaints/pareto/?by=cause", api, pareto_counts(in_ledger)),
        ("API, by product model", "/api/v1/complaints/pareto/?by=model", api, pareto_counts(in_ledger)),
        ("API, by customer", "/api/v1/complaints/pareto/?by=customer&page_size=500", api, pareto_counts(in_ledger)),
        ("API, by month", "/api/v1/complaints/pareto/?by=month", api, pareto_counts(in_ledger)),
        ("API, by cause, product complaints of the last year",
         f"/api/v1/complaints/pareto/?by=cause&category=product_complaint&from={since}", api, pareto_counts()),
        ("page, by cause (the ledger's first page and the Pareto)", "/service-desk/complaints/", page, page_answer),
        ("page, by month", "/service-desk/complaints/?by=month", page, page_answer),
    ]
    from aftersales.config.runtime import tune_for_serving

    tune_for_serving()
    measured = [(label, measure(client, url, answer, warm_up=WARM_UP, repeat=REQUESTS))
                for label, url, client, answer in cases]
    figures = []
    for label, result in measured:
        seconds = [ms / 1000 for ms in result["times"]]
        note = f"{len(result['queries'])} queries, {result['sql_ms'] / 1000:.2f} s SQL"
        figures.append(Figure(f"{label}: median of {REQUESTS}", median(seconds), "s", TARGET, seconds, note=note,
                              cpu_share=result["cpu"]))
        figures.append(Figure(f"{label}: slowest", max(seconds), "s", TARGET))
    details = [queries_block(label, result, plans=True) for label, result in measured]
    return Section(
        key="servicedesk_causes",
        title=TITLE,
        description=f"""
{count:,} closed service requests over {YEARS} years (more of them lately), in the desk's mix of categories
({', '.join(f'{c} {s:.0%}' for c, s in CATEGORIES.items())}); {COMPLAINTS_CLASSIFIED:.0%} of the complaints
and {FAULTS_CLASSIFIED:.0%} of the repair and parts requests classified on the cause tree ({len(causes)} causes:
the seeded branches and {len(causes) - len(BRANCHES)} below them, Zipf-like frequencies), for the service desk's
customers (big dealers call more) and product models. Written in bulk
({'COPY' if connection.vendor == 'postgresql' else 'executemany'}) in {inserted:.1f} s, then ANALYZE; the
clocks, timelines and surveys of these requests, which the complaint file does not read, are not written. The
complaint ledger (complaint categories, or a cause classified) then held {in_ledger:,} requests
({classified:,} classified), with the rows of the suites run before this one.

Each URL through `django.test.Client` as a service-desk user (the API with a token, the page logged in):
{WARM_UP} warm-up request, then {REQUESTS} timed; the SQL of one more, with the plans of its slowest queries,
is listed below.
""",
        figures=figures,
        details=details,
    )
