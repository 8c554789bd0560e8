"""The queue's queries do not grow with its length (no query per row)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales.deadlines.models import Deadline

pytestmark = pytest.mark.django_db


def add_steps(count: int, start: int) -> None:
    now = timezone.now()
    Deadline.objects.bulk_create([
        Deadline(kind="inspection", subject_type="return_case", subject_id=start + n, reference=f"R-{start + n}",
                 role="quality", clock="day", budget_seconds=86400, started_at=now, running_since=now,
                 due_at=now + dt.timedelta(hours=n - 3))
        for n in range(count)])


def queries(client) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        body = client.get("/api/v1/queues/quality/").json()
    return len(captured), body


def test_queue_queries_are_the_same_for_5_and_60_steps(api):
    client = api("quality")
    add_steps(5, 0)
    queries(client)  # the user's roles are read once and kept on the user
    few, body = queries(client)
    assert (body["open"], body["overdue"], len(body["results"])) == (5, 4, 5)  # due -3h … now are overdue
    add_steps(55, 1000)
    many, body = queries(client)
    assert (body["open"], len(body["results"])) == (60, 50)
    assert many == few == 2, many  # counts, page
    assert [item["due_at"] for item in body["results"]] == sorted(item["due_at"] for item in body["results"])
