"""Imports run in the background from the import page, their progress written on their job."""

from django_tasks import task

IMPORT_JOB = "masterdata_import"
READ_SHARE = 80  # reading and checking the file is most of the work: the rest is the write


@task()
def import_in_background(job_id: int) -> dict:
    """Run `importing.import_file` on the job's file; the job ends done (with the counts) or failed
    (with the rows refused, as the API answers them)."""
    from aftersales.core.errors import AppError
    from aftersales.core.models import Job
    from aftersales.core.background import job_fail, job_finish, job_progress, job_start

    from . import importing

    job = Job.objects.select_related("owner").get(pk=job_id)
    job_start(job, total=100)

    def progress(done: int, total: int) -> None:  # rows read of the file -> percent of the job
        job_progress(job, done * READ_SHARE // total if total else READ_SHARE, 100)

    with job.file.open("rb") as handle:
        raw = handle.read()
    try:
        result = importing.import_file(actor=job.owner, kind=job.params["kind"], raw=raw,
                                       filename=job.params.get("filename", ""), progress=progress)
    except AppError as error:
        details = error.details if isinstance(error.details, dict) else {}
        errors = [{key: value if value is None or isinstance(value, (int, float)) else str(value)
                   for key, value in entry.items()} for entry in details.get("errors", [])[:200]]
        job_fail(job, {"message": str(error.message), "errors": errors,
                       "error_count": details.get("error_count", 0), "code": error.code})
        return job.result
    job_finish(job, result.as_dict())
    return job.result
