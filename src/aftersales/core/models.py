from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Policy(models.Model):
    """A company's value for one named policy; its meaning, type and default live in policies.py."""

    key = models.CharField(_("key"), max_length=80, unique=True)
    value = models.JSONField(_("value"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["key"]

    def __str__(self):
        return self.key

    @property
    def definition(self):
        from .policies import REGISTRY

        return REGISTRY.get(self.key)


class LoginAttempt(models.Model):
    """Every login attempt, kept to rate-limit guessing across all worker processes."""

    username = models.CharField(_("username"), max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"))
    attempted_at = models.DateTimeField(_("attempted at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("login attempt")
        verbose_name_plural = _("login attempts")
        indexes = [models.Index(fields=["ip_address", "attempted_at"])]

    def __str__(self):
        return f"{self.username} {self.attempted_at:%Y-%m-%d %H:%M}"


class AuditedModel(models.Model):
    """Master data base: timestamps; concrete models add `history = HistoricalRecords()`."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True



class IdempotencyRecord(models.Model):
    """The stored answer to a POST sent with an Idempotency-Key, replayed when it is retried."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]


class StateChange(models.Model):
    """The history of a document whose state machine has no timeline of its own (core/workflow.py):
    one row per applied action, never changed. The return case keeps its own (returns.CaseEvent)."""

    machine = models.CharField(_("document"), max_length=40)
    subject_id = models.PositiveBigIntegerField(_("record"))
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("from"), max_length=30, blank=True)
    to_state = models.CharField(_("to"), max_length=30, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True,
                              related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    changes = models.JSONField(_("what changed"), default=dict, blank=True)

    class Meta:
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        ordering = ["id"]
        indexes = [models.Index(fields=["machine", "subject_id", "id"])]


class JobState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """Long work a person started from a page and follows there (an import, later a report): its progress,
    written by the task as it goes, and its result. The page polls it (core/background.py)."""

    kind = models.CharField(_("kind"), max_length=40)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.CASCADE,
                              related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    done = models.PositiveBigIntegerField(_("done"), default=0)
    total = models.PositiveBigIntegerField(_("total"), default=0)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    file = models.FileField(_("file"), upload_to="jobs/", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-id"]
        indexes = [models.Index(fields=["owner", "-id"], name="job_owner_latest")]

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        return min(99, int(self.done * 100 / self.total)) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)


class DocumentSequence(models.Model):
    """The last number given per document prefix and year (RMA, SR, RW, SC, ...); the row is locked while a
    document takes the next one, inside the transaction that creates it, so numbers are gap-free."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="document_sequence_unique")]
