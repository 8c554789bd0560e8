"""Background jobs a page follows (an import, later a report): created by the page, run as a task, their
progress written as they go; any app's long work uses them.

The task calls `job_progress` as it works (throttled: at most one write per PROGRESS_STEP of the total),
and ends with `job_finish` or `job_fail`; the page polls the job and draws a progress bar."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .models import Job, JobState

PROGRESS_STEPS = 50  # a job writes its progress at most this many times


@transaction.atomic
def job_create(*, actor, kind: str, params: dict | None = None, file_name: str = "", content: bytes = b"") -> Job:
    job = Job(kind=kind, owner=actor, params=params or {})
    if content:
        job.file.save(file_name or "upload", ContentFile(content), save=False)
    job.save()
    return job


def job_start(job: Job, *, total: int = 0) -> None:
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, started_at=timezone.now(), total=total)
    job.state, job.total = JobState.RUNNING, total


def job_progress(job: Job, done: int, total: int) -> None:
    """Written when the job moved at least 1/PROGRESS_STEPS of its total since the last write (or the total changed)."""
    step = max(1, total // PROGRESS_STEPS)
    if total != job.total or done >= total or done - job.done >= step:
        Job.objects.filter(pk=job.pk).update(done=done, total=total, state=JobState.RUNNING)
        job.done, job.total = done, total


def _end(job: Job, state: str, result: dict) -> None:
    if job.file:
        job.file.delete(save=False)  # the upload is not kept once read
    Job.objects.filter(pk=job.pk).update(state=state, result=result, finished_at=timezone.now(), file="",
                                         done=job.total if state == JobState.DONE else job.done)
    job.state, job.result = state, result


def job_finish(job: Job, result: dict) -> None:
    _end(job, JobState.DONE, result)


def job_fail(job: Job, result: dict) -> None:
    _end(job, JobState.FAILED, result)


def job_get(*, user, pk: int, kind: str) -> Job | None:
    """A job of this kind its owner follows; anyone else's is not found."""
    return Job.objects.filter(pk=pk, owner=user, kind=kind).first()


def jobs_latest(*, user, kind: str, limit: int = 10):
    return Job.objects.filter(owner=user, kind=kind).order_by("-id")[:limit]
