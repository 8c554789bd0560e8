"""Clocked steps: when a step started, when it is due, when it was met and whether late.

One generic record serves every clock of every module (the return case now, repair orders,
field service and reports later): a clock kind (kinds.py) says which role owns the step and
which policy sets its time limit; the subject is named by type and id.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DeadlineState(models.TextChoices):
    OPEN = "open", _("Running")
    PAUSED = "paused", _("Paused (waiting for the customer)")
    MET = "met", _("Met")
    CANCELLED = "cancelled", _("Cancelled")


RUNNING_STATES = [DeadlineState.OPEN, DeadlineState.PAUSED]


class AlertLevel(models.IntegerChoices):
    NONE = 0, _("None")
    APPROACHING = 1, _("Approaching")
    OVERDUE = 2, _("Overdue")
    ESCALATED = 3, _("Escalated to the manager")


class Deadline(models.Model):
    kind = models.CharField(_("step"), max_length=40)
    subject_type = models.CharField(_("subject type"), max_length=40)
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    reference = models.CharField(_("reference"), max_length=80, help_text=_("What people call the subject: a case number."))
    customer = models.ForeignKey("masterdata.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 null=True, blank=True, related_name="+", db_index=False)
    role = models.CharField(_("responsible role"), max_length=20)
    state = models.CharField(_("state"), max_length=10, choices=DeadlineState.choices, default=DeadlineState.OPEN)
    clock = models.CharField(_("clock"), max_length=10)
    budget_seconds = models.PositiveIntegerField(_("time allowed (s)"))
    started_at = models.DateTimeField(_("started at"))
    running_since = models.DateTimeField(_("running since"), null=True, blank=True)
    consumed_seconds = models.PositiveIntegerField(_("time used before the last pause (s)"), default=0)
    due_at = models.DateTimeField(_("due at"))
    provisional = models.BooleanField(_("provisional due date"), default=False,
                                      help_text=_("The due moment falls in a year whose official calendar is not confirmed."))
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    late = models.BooleanField(_("late"), null=True, blank=True)
    alert_level = models.PositiveSmallIntegerField(_("alert"), choices=AlertLevel.choices, default=AlertLevel.NONE)
    next_alert_at = models.DateTimeField(_("next alert at"), null=True, blank=True)
    escalate_at = models.DateTimeField(_("escalate at"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["role", "state", "due_at"], name="deadline_queue"),
            models.Index(fields=["role", "customer", "state", "due_at"], name="deadline_customer_queue"),
            models.Index(fields=["state", "next_alert_at"], name="deadline_alerts"),
            models.Index(fields=["subject_type", "subject_id"], name="deadline_subject"),
            # A kind of subject's overdue clocks (the service desk's overdue tab): a range, not a probe per subject,
            # whose subjects are read from the index alone (counted, or matched to the requests).
            models.Index(fields=["subject_type", "state", "due_at", "subject_id"], name="deadline_subject_overdue"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["subject_type", "subject_id", "kind"],
                                    condition=models.Q(state__in=["open", "paused"]),
                                    name="deadline_one_running_per_step"),
        ]

    def __str__(self):
        return f"{self.reference} {self.kind}"


class DeadlinePause(models.Model):
    """A stretch during which the clock stood still, and why."""

    deadline = models.ForeignKey(Deadline, verbose_name=_("deadline"), on_delete=models.CASCADE, related_name="pauses")
    paused_at = models.DateTimeField(_("paused at"))
    resumed_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True,
                           blank=True, related_name="+")

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        ordering = ["id"]
