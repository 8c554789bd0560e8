"""Periodic jobs and the scheduler's tick.

A deployment runs one or more `aftersales scheduler` processes beside the worker. Each tick,
for each job whose time slot has begun, a scheduler inserts (job, slot) into JobRun; the
unique constraint lets exactly one insert win, and only the winner enqueues the task. Two
schedulers (for availability) therefore never run a job twice.
"""

import datetime as dt
import os
import socket
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import JobRun

KEEP_RUNS = dt.timedelta(days=7)


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    task_path: str

    def slot(self, at: dt.datetime) -> dt.datetime:
        seconds = int(self.every.total_seconds())
        epoch = int(at.timestamp())
        return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)

    @property
    def task(self):
        from django.utils.module_loading import import_string

        return import_string(self.task_path)


JOBS = [
    # Reminders and escalations of clocked steps.
    Job("deadline_sweep", dt.timedelta(minutes=5), "aftersales.jobs.tasks.sweep_deadlines"),
    # E-mails whose delivery failed are retried when their backoff ends; new ones are enqueued at commit.
    Job("deliver_notifications", dt.timedelta(minutes=1), "aftersales.notifications.tasks.deliver_notifications"),
]


def scheduler_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def scheduler_tick(*, at: dt.datetime | None = None, scheduler: str | None = None, jobs=None) -> list[str]:
    """Start every job whose slot has begun and that no scheduler started yet; returns their names."""
    at = at or timezone.now()
    scheduler = scheduler or scheduler_name()
    started = []
    for job in jobs or JOBS:
        try:
            with transaction.atomic():
                run = JobRun.objects.create(job=job.name, slot=job.slot(at), scheduler=scheduler)
        except IntegrityError:
            continue  # another scheduler has it
        result = job.task.enqueue()
        JobRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])
        started.append(job.name)
    JobRun.objects.filter(slot__lt=at - KEEP_RUNS).delete()
    return started
