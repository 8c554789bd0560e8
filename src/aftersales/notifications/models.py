"""Notifications: in the app at once, by e-mail through the outbox.

A notification is written in the transaction of the event that causes it; a worker delivers
its e-mail later. Rows are claimed for a short lease, sent, then marked: a worker that dies
mid-send leaves the row to be retried when the lease runs out, so nothing is lost; two
workers never hold the same row (the claim is atomic), so nothing is sent twice except the
one message a crash interrupted between sending and marking, which carries the same
Message-ID for the mail client to fold.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed (gave up)")
    NONE = "none", _("No e-mail (in the app only)")


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    context = models.JSONField(_("content"), default=dict)
    subject_type = models.CharField(_("subject type"), max_length=40, blank=True)
    subject_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(_("e-mail"), max_length=10, choices=EmailStatus.choices,
                                    default=EmailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=80, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_inbox"),
            models.Index(fields=["email_status", "next_attempt_at"], name="notification_outbox"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}"
