"""Tasks the scheduler starts (run by the worker)."""

from django_tasks import task


@task()
def sweep_deadlines() -> dict:
    from aftersales.deadlines.services import deadlines_sweep

    return deadlines_sweep()
