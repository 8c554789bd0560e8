from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    """One run of a periodic job in one time slot. The unique (job, slot) pair is how two
    schedulers agree that only one of them starts it."""

    job = models.CharField(_("job"), max_length=40)
    slot = models.DateTimeField(_("time slot"))
    scheduler = models.CharField(_("started by"), max_length=80)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-slot"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="job_run_once_per_slot")]

