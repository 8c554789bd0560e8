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
