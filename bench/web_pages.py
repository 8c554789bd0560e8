"""The server-rendered pages (each app's urls.py and the shell's web/urls.py): server time of each page
as the role that uses it.

The data: the demo data (`aftersales demo`: a user per role, five customers, their shipped
units), about two dozen small demo cases worked through the services to every stage from draft
to final inspection, a 1,000-unit batch case received in full and partly inspected and disposed,
a second 1,000-unit case half received, and a page of deadline digests for the service desk.
Each page is requested through django.test.Client with a session (force_login) as the user of
the role that works on it: warm-up requests, then timed ones, and the SQL of one more.
"""

import cProfile
import io
import logging
import pstats
import sysconfig
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client

from aftersales.accounts.models import User
from aftersales.config.runtime import tune_for_serving
from aftersales.deadlines.models import Deadline
from aftersales.masterdata.models import Customer, ProductModel, ShippedUnit
from aftersales.notifications.models import Notification
from aftersales.deadlines.notices import notify_deadlines
from aftersales.returns.models import ReturnCase, ReturnUnit, UnitState
from aftersales.returns.services.actions import apply_action
from aftersales.returns.services.approvals import approvals_actor_may_give
from aftersales.returns.services.cases import case_create
from aftersales.core.roles import roles_of
from harness import BenchError, Context, Figure, Section, Target, check, log, median, percentile

TITLE = "Web pages: server time"
ROOT = Path(__file__).resolve().parent.parent
BIG, QUICK_BIG = 1_000, 200
WARM_UP, QUICK_WARM_UP = 3, 2
REQUESTS, QUICK_REQUESTS = 20, 5
TARGET = Target(150, "ms")
PROFILE_LINES = 14

FORMS = ("return-note", "receipt", "inspection-report", "disposition-notice")
DEMO_CUSTOMERS = ("D001", "D002", "E001", "E002", "C001")
CHANNELS = {"D001": "dealer", "D002": "dealer", "E001": "ecommerce", "E002": "ecommerce", "C001": "direct"}
# The stage each demo case is worked to, in turn (the case list, the benches and the inbox see them all).
STAGES = ("draft", "submitted", "approved", "receiving", "received", "inspected", "disposed", "in_work",
          "final_inspection")
DEMO_CASES = 27
DEFECTS = ("不加热", "漏水", "显示屏无显示", "运行噪音大", "外壳破损", "通电跳闸", "温控失灵", "电机不转")
SCAN_BATCH = 100  # serials (or units) per receive, inspect and dispose request when building the cases
# The 1,000-unit case: all received, this share inspected and this share of those disposed; the
# second large case has this share received (the receiving page).
INSPECTED, DISPOSED, HALF_RECEIVED = 0.7, 0.4, 0.5
DIGESTS = 36  # deadline digests to the service desk: more than the notification page's 30


# --- data ---

def _users() -> dict[str, User]:
    names = ("service", "warehouse", "quality", "repair", "manager", "customer")
    users = {user.username: user for user in User.objects.filter(username__in=names)}
    check(set(users) == set(names), f"demo users missing: {set(names) - set(users)}")
    return users


def _act(user, case_id: int, action: str, **kwargs) -> ReturnCase:
    return apply_action(actor=user, case_id=case_id, action=action, **kwargs)


def _approvers(users) -> list[User]:
    """Service, the manager, and the people the approval matrix names (the VPs, the GM, the RSMs)."""
    named = User.objects.filter(approver_assignments__is_active=True).distinct().order_by("username")
    return [users["service"], users["manager"], *named]


def _approve(users, case_id: int) -> None:
    """Give every approval the case waits for, as whoever may give it (service, the manager, the people the
    approval matrix names: one person gives one kind)."""
    approvers = _approvers(users)
    for _round in range(5):
        case = ReturnCase.objects.get(pk=case_id)
        if case.state != "submitted":
            return
        for user in approvers:
            if approvals_actor_may_give(case, user, roles_of(user)):
                _act(user, case_id, "approve")
                break
        else:
            raise BenchError(f"nobody may approve {case.number} ({case.required_approvals})")
    raise BenchError(f"case {case_id} still waits for approvals")


def _unit_ids(case_id: int, state: str) -> list[int]:
    return list(ReturnUnit.objects.filter(return_case_id=case_id, state=state).order_by("id")
                .values_list("id", flat=True))


def _lines(units: list[ShippedUnit], index: int) -> list[dict]:
    by_model = defaultdict(list)
    for unit in units:
        by_model[unit.product_model].append(unit)
    return [{"product_model": model, "item_name": model.name, "serials": [u.serial for u in group],
             "production_lot": group[0].production_lot, "requested_outcome": "repair",
             "defect_description": DEFECTS[(index + n) % len(DEFECTS)]}
            for n, (model, group) in enumerate(sorted(by_model.items(), key=lambda item: item[0].code))]


def _work(users, case_id: int, stage: str, *, scan_share: float = 1.0, inspect_share: float = 1.0,
          dispose_share: float = 1.0) -> None:
    """Take a submitted-to-be case through the workflow up to `stage`, in batches as people do."""
    order = list(STAGES)
    reach = order.index(stage)
    _act(users["service"] if not ReturnCase.objects.get(pk=case_id).created_by.customer_id else users["customer"],
         case_id, "submit")
    if reach < order.index("approved"):
        return
    _approve(users, case_id)
    if reach < order.index("receiving"):
        return
    _act(users["warehouse"], case_id, "start_receiving")
    serials = list(ReturnUnit.objects.filter(return_case_id=case_id, state="expected").order_by("id")
                   .values_list("serial", flat=True))
    scanned = serials[:max(1, round(len(serials) * (scan_share if stage == "receiving" else 1.0)))]
    for start in range(0, len(scanned), SCAN_BATCH):
        _act(users["warehouse"], case_id, "receive",
             params={"items": [{"serial": s} for s in scanned[start:start + SCAN_BATCH]]})
    if reach < order.index("received"):
        return
    _act(users["warehouse"], case_id, "close_receipt")
    if reach < order.index("inspected"):
        return
    received = _unit_ids(case_id, UnitState.RECEIVED)
    to_inspect = received[:max(1, round(len(received) * inspect_share))]
    for start in range(0, len(to_inspect), SCAN_BATCH):
        batch = to_inspect[start:start + SCAN_BATCH]
        _act(users["quality"], case_id, "inspect", unit_ids=batch, params={
            "result": {"defect_class": "function", "grade": "A", "repairable": True, "responsibility": "company"},
            "per_unit": {str(pk): {"defect_class": "appearance", "grade": "B", "responsibility": "customer"}
                         for pk in batch[::10]}})
    if reach < order.index("disposed"):
        return
    inspected = _unit_ids(case_id, UnitState.INSPECTED)
    to_dispose = inspected[:max(1, round(len(inspected) * dispose_share))]
    for start in range(0, len(to_dispose), SCAN_BATCH):
        batch = to_dispose[start:start + SCAN_BATCH]
        _act(users["quality"], case_id, "dispose", unit_ids=batch, params={
            "disposition": "repair", "per_unit": {str(pk): {"disposition": "scrap" if n % 2 else "return_as_is"}
                                                  for n, pk in enumerate(batch[3::7])}})
    if reach < order.index("in_work"):
        return
    ready = _unit_ids(case_id, UnitState.DISPOSED)
    if ready:
        _act(users["repair"], case_id, "start_work", unit_ids=ready)
    if reach < order.index("final_inspection"):
        return
    in_work = _unit_ids(case_id, UnitState.IN_WORK)
    if in_work:
        _act(users["repair"], case_id, "finish_work", unit_ids=in_work, params={"notes": "更换温控器"})


def _demo_cases(users) -> dict[str, int]:
    """Small cases of the demo customers' own shipped units, one per stage in turn; the largest
    case left at each stage is remembered for the pages."""
    customers = {c.code: c for c in Customer.objects.filter(code__in=DEMO_CUSTOMERS)}
    # The demo data has cases of its own: their units are on cases already (a serial is on one open case).
    on_cases = ReturnUnit.objects.exclude(serial="").values("serial")
    free = {code: list(ShippedUnit.objects.filter(customer=customer).exclude(serial__in=on_cases)
                       .select_related("product_model").order_by("shipped_date", "serial"))
            for code, customer in customers.items()}
    first, sizes = {}, {}
    for number in range(DEMO_CASES):
        code = DEMO_CUSTOMERS[number % len(DEMO_CUSTOMERS)]
        stage = STAGES[number % len(STAGES)]
        size = 1 + (number * 7) % 6
        units, free[code] = free[code][:size], free[code][size:]
        check(len(units) == size, f"demo customer {code} has too few shipped units left")
        by_customer = code == "D001" and number % 2 == 0  # the dealer's own user applies in the portal
        case = case_create(actor=users["customer"] if by_customer else users["service"],
                           customer=None if by_customer else customers[code], lines=_lines(units, number),
                           channel=CHANNELS[code], customer_reference=f"TH-{number:04d}")
        if stage != "draft":
            _work(users, case.pk, stage, scan_share=0.5)
        if size > sizes.get(stage, 0):
            first[stage], sizes[stage] = case.pk, size
    return first


def _big_case(users, size: int, tag: str, stage: str, **shares) -> int:
    """A batch case of the dealer D001 (the portal's customer user sees it): `size` registered
    serials on two lines (heaters and controllers), a third of them out of warranty."""
    customer = Customer.objects.get(code="D001")
    models = [ProductModel.objects.get(code="HT-2000"), ProductModel.objects.get(code="MC-750")]
    units = [ShippedUnit(serial=f"W{tag}{n:06d}", product_model=models[0 if n % 5 < 3 else 1], customer=customer,
                         production_lot="260301-1" if n % 5 < 3 else "260302-2",
                         shipped_date=date(2026, 3, 1) if n % 3 else date(2024, 1, 1)) for n in range(size)]
    ShippedUnit.objects.bulk_create(units, batch_size=2000)
    case = case_create(actor=users["service"], customer=customer, lines=_lines(units, 0), channel="dealer",
                       customer_reference=f"TH-BATCH-{tag}", notes="经销商批量退货，附退货单。")
    _work(users, case.pk, stage, **shares)
    return case.pk


def _digests() -> int:
    """Deadline digests to the service desk, as the sweep writes them (service's open steps)."""
    rows = list(Deadline.objects.filter(role="service", state="open").order_by("due_at")
                .values("id", "kind", "role", "customer_id", "reference", "subject_type", "subject_id", "due_at", "provisional",
                        "escalate_at", "alert_level"))
    check(bool(rows), "the demo cases opened no service deadlines")
    written = 0
    for number in range(DIGESTS):
        # Approaching and overdue (escalations go to the manager, not to the service desk).
        written += notify_deadlines(1 + number % 2, rows[number % len(rows):][:25] or rows[:25])
    return written


# --- measuring ---

@dataclass
class Page:
    label: str
    role: str  # username of the demo user who asks
    url: str
    optional: bool = False  # printing pages being written: a 404 means "not there yet"
    times: list[float] = field(default_factory=list)  # wall-clock ms of each timed request
    cpu_times: list[float] = field(default_factory=list)  # this process's CPU ms of each
    queries: list[tuple[str, float]] = field(default_factory=list)  # (sql, seconds) of one request
    size: int = 0
    skipped: str = ""
    profile: str = ""

    @property
    def cpu_share(self) -> float:
        return sum(self.cpu_times) / sum(self.times) if sum(self.times) else 1.0

    @property
    def sql_ms(self) -> float:
        return sum(seconds for _sql, seconds in self.queries) * 1000


class _Queries:
    """An execute wrapper that keeps each query's SQL and time (CaptureQueriesContext rounds to 1 ms)."""

    def __init__(self):
        self.queries: list[tuple[str, float]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, time.perf_counter() - started))


def _measure(page: Page, client: Client, warm_up: int, repeat: int) -> None:
    def get():
        response = client.get(page.url)
        check(response.status_code == 200,
              f"GET {page.url} as {page.role} answered {response.status_code}: {response.content[:300]!r}")
        return response

    if page.optional:
        request_log = logging.getLogger("django.request")
        request_log.disabled = True  # its traceback would only repeat what the report says
        try:
            response = client.get(page.url)
        except Exception as error:  # noqa: BLE001  a page being written may still break: say so, go on
            page.skipped = f"raised {type(error).__name__}: {str(error)[:120]}"
            return
        finally:
            request_log.disabled = False
        if response.status_code != 200:
            page.skipped = f"answered {response.status_code}"
            return
    for _ in range(warm_up):
        get()
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        get()
        page.times.append((time.perf_counter() - started) * 1000)
        page.cpu_times.append((time.process_time() - started_cpu) * 1000)
    recorder = _Queries()
    with connection.execute_wrapper(recorder):
        response = get()
    page.queries, page.size = recorder.queries, len(response.content)
    log(f"{page.label}: median {median(page.times):.1f} ms, p95 {percentile(page.times, 0.95):.1f} ms, "
        f"{len(page.queries)} queries ({page.sql_ms:.1f} ms SQL), {page.size / 1024:.0f} KiB")


def _profile(page: Page, client: Client) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(page.url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(PROFILE_LINES)
    own = out.getvalue()
    out = io.StringIO()
    stats.stream = out
    # The project's code, the templates and the libraries they call; not the middleware's wrappers.
    stats.sort_stats("cumulative").print_stats(r"aftersales|template|segno|db/models/query\.py", PROFILE_LINES * 2)
    return _trim(own) + "\n\n" + _trim(out.getvalue())


def _trim(text: str) -> str:
    lines = text.strip().splitlines()
    start = next((n for n, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    head = next((line.strip() for line in lines if "function calls" in line), "")
    text = "\n".join([head, *lines[start:]])
    for prefix in (sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"], str(ROOT)):
        text = text.replace(prefix + "/", "")
    return text


def _pages(first: dict[str, int], big: int, big_receiving: int, size: int, serial: str) -> list[Page]:
    small = first["inspected"]  # a small case with its units inspected, waiting for their disposition
    printed = first["disposed"]  # a small case with its units received, inspected and disposed
    n = f"{size:,} units"
    pages = [
        Page("inbox (service)", "service", "/"),
        Page("inbox (manager, with every department's counts)", "manager", "/"),
        Page("inbox (customer portal)", "customer", "/"),
        Page("case list (service)", "service", "/cases/"),
        Page("case list: search by serial", "service", f"/cases/?q={serial}"),
        Page("case list: search by customer name", "service", "/cases/?q=经销商"),
        Page("case list: filters and sort", "service", "/cases/?state=inspecting&channel=dealer&sort=-submitted"),
        Page("case list: applied within a date range", "service",
             "/cases/?applied_from=2020-01-01&applied_to=2099-12-31&received_from=2020-01-01"),
        Page("case list (customer portal)", "customer", "/cases/"),
        Page("new application (service)", "service", "/cases/new/"),
        Page("new application (customer portal)", "customer", "/cases/new/"),
        Page("case page, demo case (service)", "service", f"/cases/{small}/"),
        Page(f"case page, {n} (service)", "service", f"/cases/{big}/"),
        Page(f"case page, {n} (customer portal)", "customer", f"/cases/{big}/"),
        Page("receiving, demo case (warehouse)", "warehouse", f"/cases/{first['receiving']}/receive/"),
        Page(f"receiving, {n} half received (warehouse)", "warehouse", f"/cases/{big_receiving}/receive/"),
        Page("inspection bench, demo case (quality)", "quality", f"/cases/{small}/inspect/"),
        Page(f"inspection bench, {n} (quality)", "quality", f"/cases/{big}/inspect/"),
        Page("receiving bench (warehouse)", "warehouse", "/receiving/"),
        Page("quality bench (quality)", "quality", "/bench/quality/"),
        Page("repair bench (repair)", "repair", "/bench/repair/"),
        Page("import page (service)", "service", "/imports/"),
        Page("serial lookup, 20 serials pasted (service)", "service",
             f"/units/lookup/?line-0-serials={'%0A'.join([serial] * 19 + ['NOT-A-UNIT'])}"),
        Page("notifications (service)", "service", "/notifications/"),
        Page("notifications (customer portal)", "customer", "/notifications/"),
    ]
    for form in FORMS:
        pages.append(Page(f"print {form}, demo case (service)", "service", f"/cases/{printed}/print/{form}/",
                          optional=True))
        pages.append(Page(f"print {form}, {n} (service)", "service", f"/cases/{big}/print/{form}/", optional=True))
    pages.append(Page("labels, demo case (warehouse)", "warehouse", f"/cases/{printed}/labels/", optional=True))
    pages.append(Page(f"labels, {n} (warehouse)", "warehouse", f"/cases/{big}/labels/", optional=True))
    return pages


def _states(units) -> dict[str, int]:
    return dict(units.order_by().values_list("state").annotate(n=Count("id")).order_by("state"))


def _counts() -> str:
    states = _states(ReturnUnit.objects.all())
    return (f"{ReturnCase.objects.count():,} cases, {sum(states.values()):,} case units "
            f"({', '.join(f'{s} {n:,}' for s, n in states.items())}), "
            f"{ShippedUnit.objects.count():,} registered units, {Deadline.objects.count():,} deadlines "
            f"({Deadline.objects.filter(state='open').count():,} open), "
            f"{Notification.objects.count():,} notifications")


def run(ctx: Context) -> Section:
    size = QUICK_BIG if ctx.quick else BIG
    warm_up = QUICK_WARM_UP if ctx.quick else WARM_UP
    repeat = QUICK_REQUESTS if ctx.quick else REQUESTS
    log("loading the demo data")
    call_command("demo", stdout=io.StringIO())
    users = _users()
    log(f"working {DEMO_CASES} demo cases through the stages")
    first = _demo_cases(users)
    log(f"a case of {size:,} units: received, {INSPECTED:.0%} inspected, {DISPOSED:.0%} of those disposed")
    big = _big_case(users, size, "A", "disposed", inspect_share=INSPECTED, dispose_share=DISPOSED)
    log(f"a case of {size:,} units, {HALF_RECEIVED:.0%} received")
    big_receiving = _big_case(users, size, "B", "receiving", scan_share=HALF_RECEIVED)
    written = _digests()
    serial = ReturnUnit.objects.filter(return_case_id=big).order_by("id").values_list("serial", flat=True)[size // 2]
    database = _counts()
    log(database)
    big_states = ", ".join(f"{state} {n:,}" for state, n in _states(ReturnUnit.objects.filter(return_case_id=big))
                           .items())

    clients = {}
    for name in ("service", "warehouse", "quality", "repair", "manager", "customer"):
        clients[name] = Client()
        clients[name].force_login(users[name])
    pages = _pages(first, big, big_receiving, size, serial)
    tune_for_serving()  # the set-up data is not a serving process's: freeze it like the server's start-up
    for page in pages:
        _measure(page, clients[page.role], warm_up, repeat)
    for page in pages:
        if page.times and not TARGET.met(percentile(page.times, 0.95)):
            page.profile = _profile(page, clients[page.role])

    measured = [p for p in pages if p.times]
    figures = []
    for page in measured:
        note = f"{len(page.queries)} queries, {page.sql_ms:.1f} ms SQL, {page.size / 1024:.0f} KiB"
        figures.append(Figure(f"{page.label}: median", median(page.times), "ms", TARGET, page.times, note=note,
                              cpu_share=page.cpu_share))
        figures.append(Figure(f"{page.label}: p95", percentile(page.times, 0.95), "ms", TARGET))
    table = ["| page | as | URL | median | p95 | CPU median | SQL queries | SQL time | HTML |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for page in pages:
        if page.times:
            table.append(f"| {page.label} | {page.role} | `{page.url}` | {median(page.times):.1f} ms | "
                         f"{percentile(page.times, 0.95):.1f} ms | {median(page.cpu_times):.1f} ms | "
                         f"{len(page.queries)} | {page.sql_ms:.1f} ms | {page.size / 1024:.0f} KiB |")
        else:
            table.append(f"| {page.label} | {page.role} | `{page.url}` | not measured: {page.skipped} | | | | | |")
    details = ["\n".join(table)]
    skipped = [p for p in pages if p.skipped]
    if skipped:
        details.append("Not measured (the printing pages are being written; a page that does not answer 200 yet "
                       "is left out, not failed): " + "; ".join(f"`{p.url}` {p.skipped}" for p in skipped) + ".")
    for page in pages:
        if page.profile:
            details.append(f"<details><summary>Profile of one request: {page.label} (p95 over the target)"
                           f"</summary>\n\n```\n{page.profile}\n```\n\n</details>")
    slow = [p for p in pages if p.times and len(p.queries) > 30]
    for page in slow:
        listed = "\n".join(f"{n}. `{sql[:200]}` ({seconds * 1000:.1f} ms)"
                           for n, (sql, seconds) in enumerate(page.queries, start=1))
        details.append(f"<details><summary>The {len(page.queries)} SQL queries of {page.label}</summary>\n\n"
                       f"{listed}\n\n</details>")
    return Section(
        key="web_pages",
        title=TITLE,
        description=f"""
Every page of the web application (`returns/urls.py`, `repairs/urls.py`, `web/urls.py`), requested
through `django.test.Client` logged in with a session (`force_login`) as the demo user of the role that
works on the page (service for most; warehouse for receiving and labels; quality for the inspection and
quality benches; repair for the
repair bench; the manager for the inbox's overview of every department; the dealer D001's customer
user for the portal); labels are the first page of a print run, the page the link opens. {warm_up}
warm-up requests, then {repeat} timed, with garbage collection tuned as the WSGI server tunes it
(`config/runtime.py`); the SQL of one more request is counted. The time is the whole request through
the middleware, measured in the client (no network, no static files); *CPU median* in the table below
is this process's CPU time per request, which other processes on the machine do not inflate.
Printable forms are the HTML pages (not `?format=pdf`). A page whose p95 misses the target is
profiled (cProfile, one request) below.

Data: `aftersales demo`; {DEMO_CASES} small demo cases (1–6 registered units each, on the demo
customers, created by the service desk or by the dealer in the portal) worked through the services
to each stage in turn: {', '.join(STAGES)}; a batch case of {size:,} units (the *{size:,}-unit case*:
two lines, a third out of warranty) received in scans of {SCAN_BATCH}, its receipt closed, {INSPECTED:.0%}
inspected and {DISPOSED:.0%} of those disposed (repair, some scrap and return as is): {big_states}; a
second case of {size:,} units with {HALF_RECEIVED:.0%} of its units scanned (the receiving page); {DIGESTS}
deadline digests to the service desk ({written:,} notifications). The database then held {database}
(with the rows of the suites run before it in the same database, if any). The demo case of the
case page and inspection bench is a small case with its units inspected; that of the printable forms
and labels, a small case with its units disposed.
""",
        figures=figures,
        details=details,
    )
