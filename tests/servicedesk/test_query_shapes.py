"""The inbox's and the complaint file's reads in the shapes their indexes serve (bench/servicedesk_*.py) count
what they counted before: local days and months at their edges, causes of the same name together, overdue
requests from their clocks."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.deadlines.models import Deadline
from aftersales.servicedesk import selectors
from aftersales.servicedesk.models import ComplaintCause, ServiceRequest
from tests.flows import IN_WARRANTY

BASE = "/api/v1/service-requests/"
LOCAL = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai, the settings' TIME_ZONE


@pytest.fixture
def register(api, registry):
    def made(category="product_complaint", at=None, cause=None, serial=1):
        body = {"channel": "phone", "serial": IN_WARRANTY.format(serial), "category": category,
                "description": "漏水"}
        request = api("service").post(BASE, body, format="json").json()
        fields = {}
        if at is not None:
            fields["created_at"] = at
        if cause is not None:
            fields["cause"] = cause
        if fields:  # as the row is written (its local day written with its moment)
            row = ServiceRequest.objects.get(pk=request["id"])
            for name, value in fields.items():
                setattr(row, name, value)
            row.save(update_fields=[*fields, "created_on"])
        return request

    return made


def test_the_pareto_by_month_counts_each_request_in_its_local_month(register, api):
    register(at=dt.datetime(2026, 3, 31, 23, 59, tzinfo=LOCAL))  # March, though April 1st is near
    register(at=dt.datetime(2026, 4, 1, 0, 1, tzinfo=LOCAL))  # April in China, still March 31st in UTC
    register(at=dt.datetime(2026, 4, 30, 12, 0, tzinfo=LOCAL))
    register(at=dt.datetime(2025, 12, 31, 23, 30, tzinfo=LOCAL))
    pareto = api("quality").get("/api/v1/complaints/pareto/", {"by": "month"}).json()["results"]
    assert [(row["key"], row["count"]) for row in pareto] == [("2026-04", 2), ("2025-12", 1), ("2026-03", 1)]


def test_the_pareto_by_cause_counts_causes_of_the_same_name_together(register, api):
    transport = ComplaintCause.objects.get(code="transport")
    again = ComplaintCause.objects.create(code="transport.01", name=transport.name, parent=transport)
    usage = ComplaintCause.objects.get(code="usage")
    register(cause=transport)
    register(cause=again)
    register(cause=usage)
    register(cause=usage)
    register()  # not classified: no key
    pareto = api("quality").get("/api/v1/complaints/pareto/", {"by": "cause"}).json()["results"]
    first, second = sorted([transport.name, usage.name])  # equal counts: by key, as the database sorted them
    assert [(row["key"], row["count"]) for row in pareto] == [(first, 2), (second, 2), ("", 1)]
    by_customer = api("quality").get("/api/v1/complaints/pareto/", {"by": "customer"}).json()["results"]
    assert [row["count"] for row in by_customer] == [5]


def test_the_ledger_from_and_to_are_local_days(register, api):
    register(at=dt.datetime(2026, 5, 1, 0, 10, tzinfo=LOCAL))  # April 30th in UTC
    register(at=dt.datetime(2026, 5, 31, 23, 50, tzinfo=LOCAL))
    register(at=dt.datetime(2026, 6, 1, 0, 10, tzinfo=LOCAL))
    ledger = api("quality").get("/api/v1/complaints/", {"from": "2026-05-01", "to": "2026-05-31"}).json()
    assert ledger["count"] == 2
    assert api("quality").get("/api/v1/complaints/", {"from": "2026-06-01"}).json()["count"] == 1
    assert api("quality").get("/api/v1/complaints/", {"to": "2026-04-30"}).json()["count"] == 0


def test_the_new_tab_counts_from_the_local_midnight(register, users):
    today = timezone.localdate()
    midnight = dt.datetime.combine(today, dt.time.min, tzinfo=LOCAL)
    register(at=midnight + dt.timedelta(minutes=5))
    register(at=midnight - dt.timedelta(minutes=5), serial=2)
    assert selectors.request_list(user=users["service"], queue="new").count() == 1
    assert selectors.request_list(user=users["service"], queue="unanswered").count() == 2


def test_the_overdue_tab_is_read_from_the_overdue_clocks(register, users, clock):
    clock("2026-11-02T09:00")
    late, in_time = register(), register(serial=2)
    Deadline.objects.filter(subject_id=late["id"], kind="service_first_reply").update(
        due_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    overdue = selectors.request_list(user=users["service"], queue="overdue")
    assert [row.number for row in overdue] == [late["number"]] and overdue.count() == 1
    assert [row.pk for row in overdue if row.overdue] == [late["id"]]
    assert in_time["id"] not in {row.pk for row in overdue}


def test_the_tab_counts_are_the_lengths_of_the_queues(register, api, users, clock):
    """The inbox's counts (staff's overdue one read from the clocks alone) are what the queues list, for staff
    and for each customer (its own); a request late on both its clocks counts once."""
    clock("2026-11-02T09:00")
    late, _in_time = register(), register(serial=2)
    bob = api("service").post(BASE, {"channel": "phone", "customer": "C-BOB", "category": "repair",
                                     "description": "漏水"}, format="json").json()
    Deadline.objects.filter(subject_id__in=[late["id"], bob["id"]]).update(
        due_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # the first reply and the resolution, both past due
    for name in ("service", "alice", "bob"):
        for queue in selectors.QUEUES:
            listed = selectors.request_list(user=users[name], queue=queue).count()
            assert selectors.queue_count(user=users[name], queue=queue) == listed, (name, queue)
    assert selectors.queue_count(user=users["service"], queue="overdue") == 2
    assert selectors.queue_count(user=users["alice"], queue="overdue") == 1
    overdue = api("service").get(BASE, {"queue": "overdue"}).json()
    assert overdue["count"] == 2 and {row["id"] for row in overdue["results"]} == {late["id"], bob["id"]}
    assert api("bob").get(BASE, {"queue": "overdue"}).json()["count"] == 1
    assert api("service").get(BASE, {"queue": "overdue", "page": 2}).status_code == 404  # past the last page


def test_the_registration_day_is_china_s_day_of_the_moment_at_day_month_and_year_ends(api, registry, monkeypatch):
    """created_on (what the complaint file counts days and months by, from its indexes) is written with the row: the
    local calendar day of created_at, taken as it is registered and as a row is saved."""
    edges = [(dt.datetime(2026, 3, 31, 15, 59, 59, 999999, tzinfo=dt.UTC), dt.date(2026, 3, 31)),
             (dt.datetime(2026, 3, 31, 16, 0, tzinfo=dt.UTC), dt.date(2026, 4, 1)),  # April in China, March in UTC
             (dt.datetime(2026, 12, 31, 16, 0, 1, tzinfo=dt.UTC), dt.date(2027, 1, 1)),
             (dt.datetime(2027, 1, 1, 7, 59, tzinfo=LOCAL), dt.date(2027, 1, 1)),  # still December 31st in UTC
             (dt.datetime(2028, 2, 29, 23, 59, tzinfo=LOCAL), dt.date(2028, 2, 29))]
    registered = []
    for serial, (moment, _day) in enumerate(edges, start=1):
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)  # the moment auto_now_add takes
        body = {"channel": "phone", "serial": IN_WARRANTY.format(serial), "category": "repair", "description": "漏水"}
        registered.append(api("service").post(BASE, body, format="json").json()["id"])
    rows = ServiceRequest.objects.in_bulk(registered)
    assert [(rows[pk].created_at, rows[pk].created_on) for pk in registered] == edges
    moved = rows[registered[0]]
    moved.created_at = dt.datetime(2026, 5, 31, 16, 0, tzinfo=dt.UTC)
    moved.save(update_fields=["created_at", "created_on"])
    assert ServiceRequest.objects.get(pk=moved.pk).created_on == dt.date(2026, 6, 1)


def test_the_overdue_queue_walked_or_matched_lists_the_same_requests(register, api, users, clock, monkeypatch):
    """Staff's overdue page is found by walking the requests newest first when the overdue are many against all
    the requests (count² ≥ WALK_FACTOR × requests), else by matching them to the overdue clocks: the same rows."""
    clock("2026-11-02T09:00")
    made = [register(serial=n) for n in range(1, 7)]
    late = [made[0]["id"], made[2]["id"], made[5]["id"]]
    Deadline.objects.filter(subject_id__in=late).update(due_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    count = selectors.queue_count(user=users["service"], queue="overdue")
    assert count == 3
    listed = {}
    for factor, shape in ((10 ** 9, "matched"), (0, "walked")):  # ids run on across tests on PostgreSQL
        monkeypatch.setattr(selectors, "WALK_FACTOR", factor)
        rows = selectors.request_list(user=users["service"], queue="overdue", overdue_count=count)
        assert (" IN (SELECT " in str(rows.query)) == (shape == "matched"), shape
        listed[shape] = [(row.pk, row.overdue) for row in rows]
        answer = api("service").get(BASE, {"queue": "overdue"}).json()
        assert answer["count"] == 3 and [row["id"] for row in answer["results"]] == sorted(late, reverse=True)
    assert listed["walked"] == listed["matched"] == [(pk, True) for pk in sorted(late, reverse=True)]
    # A customer's queue is always matched (walking every request for one customer's few would be long).
    alice = selectors.request_list(user=users["alice"], queue="overdue", overdue_count=count)
    assert " IN (SELECT " in str(alice.query)
