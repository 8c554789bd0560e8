"""Periodic jobs: started on time by the scheduler, once per slot however many schedulers run;
run by the database worker, or by an RQ worker on Redis."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from aftersales.jobs.models import JobRun
from aftersales.jobs.schedule import JOBS, Job, scheduler_tick


def tasks_enqueued(name: str) -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path__endswith=name).count()


@pytest.mark.django_db
def test_each_job_starts_once_per_slot():
    now = timezone.now().replace(minute=7, second=30, microsecond=0)
    assert scheduler_tick(at=now, scheduler="one") == ["deadline_sweep", "deliver_notifications"]
    assert scheduler_tick(at=now + dt.timedelta(seconds=20), scheduler="two") == []
    assert scheduler_tick(at=now + dt.timedelta(minutes=1), scheduler="two") == ["deliver_notifications"]
    assert scheduler_tick(at=now + dt.timedelta(minutes=3), scheduler="one") == ["deadline_sweep",
                                                                              "deliver_notifications"]
    assert tasks_enqueued("sweep_deadlines") == 2 and tasks_enqueued("deliver_notifications") == 3
    run = JobRun.objects.filter(job="deadline_sweep").order_by("slot").first()
    assert run.slot == now.replace(minute=5, second=0) and run.scheduler == "one" and run.task_id


def test_slots_are_aligned_to_the_interval():
    job = Job("x", dt.timedelta(minutes=5), "aftersales.jobs.tasks.sweep_deadlines")
    moment = dt.datetime(2026, 11, 26, 10, 14, 59, tzinfo=dt.UTC)
    assert job.slot(moment) == dt.datetime(2026, 11, 26, 10, 10, tzinfo=dt.UTC)
    assert job.slot(moment + dt.timedelta(seconds=1)) == dt.datetime(2026, 11, 26, 10, 15, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_the_scheduler_command_and_the_worker_run_the_sweep(db_worker):
    out = StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "started deadline_sweep" in out.getvalue()
    db_worker()
    from django_tasks_db.models import DBTaskResult

    statuses = set(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == {"SUCCESSFUL"}


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="schedulers racing need concurrent transactions (SQLite serialises them)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as tests/returns/test_concurrency.py
def test_two_schedulers_at_the_same_moment_start_a_job_once():
    now = timezone.now()
    barrier = threading.Barrier(4)

    def tick(index):
        try:
            barrier.wait(timeout=30)
            return scheduler_tick(at=now, scheduler=f"scheduler-{index}")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        started = [name for names in pool.map(tick, range(4)) for name in names]
    assert sorted(started) == sorted(job.name for job in JOBS)
    assert JobRun.objects.count() == len(JOBS)
    assert tasks_enqueued("sweep_deadlines") == 1


@pytest.mark.django_db
def test_tasks_run_on_redis_with_the_rq_backend(settings, users):
    """The same task on RQ: enqueued to the local Redis, run by an RQ worker (in-process)."""
    import django_rq
    from django_tasks import task_backends
    from django_tasks_rq import Job
    from rq import SimpleWorker

    from aftersales.notifications.services import notify
    from aftersales.notifications.tasks import deliver_notifications

    settings.RQ_QUEUES = {"default": {"URL": settings.REDIS_URL.rsplit("/", 1)[0] + "/15"}}  # a database of its own
    # Changing TASKS resets django-tasks' backends (its setting_changed receiver), and again after the test.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    assert type(task_backends["default"]).__name__ == "RQBackend"
    queue = django_rq.get_queue("default")
    queue.connection.ping()  # scripts/ensure-redis.sh (make test) started it
    queue.empty()
    users["alice"].email = "alice@example.com"
    users["alice"].save()
    notify([{"id": users["alice"].pk, "email": "alice@example.com"}], "customer_notice",
           {"notice": "refund", "case": "RMA-2026-000001", "content": {"amount": "9.00"}})
    result = deliver_notifications.enqueue()
    assert queue.count == 1
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    result.refresh()
    assert result.status == "SUCCESSFUL" and result.return_value["sent"] == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.com"]
