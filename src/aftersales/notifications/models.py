"""Notifications: in the app at once, by e-mail and the role's or customer's channels through the outbox.

A notification is written in the transaction of the event that causes it; a worker delivers
its e-mail later. Rows are claimed for a short lease, sent, then marked: a worker that dies
mid-send leaves the row to be retried when the lease runs out, so nothing is lost; two
workers never hold the same row (the claim is atomic), so nothing is sent twice except the
one message a crash interrupted between sending and marking, which carries the same
Message-ID for the mail client to fold.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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


# --- channels: group robots, an SMS gateway, a shared mailbox ---

class ChannelKind(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot (企业微信)")
    DINGTALK = "dingtalk", _("DingTalk group robot (钉钉)")
    SMS = "sms", _("SMS gateway")
    EMAIL = "email", _("E-mail address")


class BodyFormat(models.TextChoices):
    JSON = "json", _("JSON")
    FORM = "form", _("Form (application/x-www-form-urlencoded)")


class NotificationChannel(models.Model):
    """Where a role's or a customer's notifications go besides each user's inbox and e-mail.

    Secrets (a robot's webhook address, which holds its key; DingTalk's signing secret; the SMS
    gateway's token) are never stored here: the row names them, and the worker reads them from the
    environment (AFTERSALES_CHANNEL_SECRET_<NAME>) or the secrets file (docs/architecture.md)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    role = models.CharField(_("role"), max_length=20, blank=True, help_text=_("A staff role told here, or blank."))
    customer = models.ForeignKey("masterdata.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="notification_channels")
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    is_active = models.BooleanField(_("active"), default=True)
    secret_name = models.CharField(_("secret name"), max_length=60, blank=True,
                                   help_text=_("The webhook address (robots) or the gateway's token (SMS) is read "
                                               "from the secret of this name."))
    signing_secret_name = models.CharField(_("signing secret name"), max_length=60, blank=True,
                                           help_text=_("DingTalk's signing secret (加签), if the robot uses one."))
    addresses = models.TextField(_("addresses"), blank=True,
                                 help_text=_("Phone numbers (SMS) or e-mail addresses (e-mail), comma separated."))
    url = models.CharField(_("gateway address"), max_length=500, blank=True)
    body_format = models.CharField(_("body format"), max_length=10, choices=BodyFormat.choices, default=BodyFormat.JSON)
    body_template = models.TextField(_("body template"), blank=True,
                                     help_text=_('A JSON object; {phone}, {text} and {token} in its values are '
                                                 'replaced, e.g. {"mobile": "{phone}", "content": "{text}"}.'))
    auth_header = models.CharField(_("authentication header"), max_length=60, blank=True)
    auth_scheme = models.CharField(_("authentication scheme"), max_length=20, blank=True,
                                   help_text=_("Written before the token in the header, e.g. Bearer."))
    success_field = models.CharField(_("success field"), max_length=100, blank=True,
                                     help_text=_("A field of the gateway's JSON answer that says it accepted the "
                                                 "message (dotted for nested fields), or blank: any 2xx answer."))
    success_value = models.CharField(_("success value"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(name="channel_role_or_customer",
                                   condition=(Q(role="") & Q(customer__isnull=False))
                                   | (~Q(role="") & Q(customer__isnull=True))),
        ]

    def __str__(self):
        return self.name


class ChannelDelivery(models.Model):
    """One message to one channel (one address of an SMS or e-mail channel), delivered by the worker as
    the e-mail of a notification is: claimed for a lease, sent, marked; retried with backoff."""

    channel = models.ForeignKey(NotificationChannel, verbose_name=_("channel"), on_delete=models.CASCADE,
                                related_name="deliveries")
    address = models.CharField(_("address"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=40)
    context = models.JSONField(_("content"), default=dict)
    subject_type = models.CharField(_("subject type"), max_length=40, blank=True)
    subject_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=80, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("channel delivery")
        verbose_name_plural = _("channel deliveries")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="channel_outbox")]

    def __str__(self):
        return f"{self.kind} → {self.channel_id}"
