"""The outbox worker: claim due e-mails and channel deliveries for a lease, send them, mark them;
retry with backoff. A channel's delivery (a WeCom or DingTalk group, an SMS number, a shared mailbox)
is its own row, claimed as an e-mail is, so each is sent once per channel however many workers run."""

import datetime as dt
import logging
import os
import socket

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from aftersales.core.registry import subject_link

from . import channels
from .models import ChannelDelivery, EmailStatus, Notification
from .services import render

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=5)
BACKOFF_SECONDS = [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600]
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(*, worker: str, at: dt.datetime, limit: int) -> list[Notification]:
    """Take up to `limit` due e-mails for this worker; a row held by another worker's lease is left alone."""
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(email_status=EmailStatus.PENDING, next_attempt_at__lte=at)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=at))
            .order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit]
        )
        Notification.objects.filter(pk__in=ids).update(claimed_until=at + LEASE, claimed_by=worker)
    return list(Notification.objects.filter(pk__in=ids, claimed_by=worker).select_related("recipient"))


def deliver_pending(*, worker: str | None = None, at: dt.datetime | None = None, limit: int = 200) -> dict:
    """Send what is due now; returns counts of sent, retried, given-up and skipped e-mails and channel
    deliveries together."""
    worker = worker or worker_name()
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    _deliver_emails(worker, at, limit, counts)
    _deliver_channels(worker, at, limit, counts)
    return counts


def _deliver_emails(worker: str, at: dt.datetime | None, limit: int, counts: dict) -> None:
    while True:
        at_now = at or timezone.now()
        batch = claim(worker=worker, at=at_now, limit=limit)
        if not batch:
            return
        mail = get_connection(fail_silently=False)
        for notification in batch:
            outcome = _send(notification, mail, worker, at_now)
            counts[outcome] += 1
        if at is not None and len(batch) < limit:
            return


def _retry_or_give_up(mine, row, at: dt.datetime, error: str, status_field: str, failed: str) -> str:
    """Record a failed attempt: again after the backoff, or given up after the last attempt."""
    attempts = row.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        mine.update(**{status_field: failed}, attempts=attempts, last_error=error[:2000], claimed_until=None)
        log.error("%s %s: giving up after %s attempts: %s", row._meta.model_name, row.pk, attempts, error)
        return "failed"
    retry_at = at + dt.timedelta(seconds=BACKOFF_SECONDS[attempts - 1])
    mine.update(attempts=attempts, next_attempt_at=retry_at, last_error=error[:2000], claimed_until=None)
    log.warning("%s %s: delivery failed (%s), retrying at %s", row._meta.model_name, row.pk, error, retry_at)
    return "retry"


def _send(notification: Notification, mail, worker: str, at: dt.datetime) -> str:
    mine = Notification.objects.filter(pk=notification.pk, claimed_by=worker)
    if not notification.recipient.email or not notification.recipient.is_active:
        mine.update(email_status=EmailStatus.NONE, claimed_until=None)  # the address was removed since
        return "skipped"
    try:
        subject, body = render(notification)
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [notification.recipient.email],
                               connection=mail, headers={"Message-ID": message_id(notification)})
        message.send()
    except Exception as exc:  # noqa: BLE001  any failure of the mail system is retried, never lost
        return _retry_or_give_up(mine, notification, at, repr(exc), "email_status", EmailStatus.FAILED)
    mine.update(email_status=EmailStatus.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1,
                claimed_until=None, last_error="")
    return "sent"


def message_id(notification: Notification) -> str:
    """The same for every attempt, so a message sent twice after a crash is one to the mail client."""
    return f"<notification-{notification.pk}@{settings.AFTERSALES_MAIL_DOMAIN}>"


# --- channels ---

def claim_channel_deliveries(*, worker: str, at: dt.datetime, limit: int) -> list[ChannelDelivery]:
    """As `claim` for e-mails: take up to `limit` due channel deliveries for this worker's lease."""
    with transaction.atomic():
        ids = list(
            ChannelDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=EmailStatus.PENDING, next_attempt_at__lte=at)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=at))
            .order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit]
        )
        ChannelDelivery.objects.filter(pk__in=ids).update(claimed_until=at + LEASE, claimed_by=worker)
    return list(ChannelDelivery.objects.filter(pk__in=ids, claimed_by=worker).select_related("channel"))


def _deliver_channels(worker: str, at: dt.datetime | None, limit: int, counts: dict) -> None:
    while True:
        at_now = at or timezone.now()
        batch = claim_channel_deliveries(worker=worker, at=at_now, limit=limit)
        if not batch:
            return
        for delivery in batch:
            counts[_send_to_channel(delivery, worker, at_now)] += 1
        if at is not None and len(batch) < limit:
            return


def _send_to_channel(delivery: ChannelDelivery, worker: str, at: dt.datetime) -> str:
    mine = ChannelDelivery.objects.filter(pk=delivery.pk, claimed_by=worker)
    channel = delivery.channel
    if not channel.is_active:
        mine.update(status=EmailStatus.NONE, claimed_until=None)  # the channel was switched off since
        return "skipped"
    try:
        subject, body = render(delivery, channel.language)
        channels.send(channel, delivery.address, subject, body, channel_link(delivery, channel.language),
                      message_id=f"<channel-delivery-{delivery.pk}@{settings.AFTERSALES_MAIL_DOMAIN}>")
    except channels.ChannelError as error:
        return _retry_or_give_up(mine, delivery, at, f"{channel.name}: {error}", "status", EmailStatus.FAILED)
    except Exception as exc:  # noqa: BLE001  a message that cannot even be rendered must not stop the others
        return _retry_or_give_up(mine, delivery, at, f"{channel.name}: {exc!r}", "status", EmailStatus.FAILED)
    mine.update(status=EmailStatus.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, claimed_until=None,
                last_error="")
    return "sent"


def channel_link(delivery: ChannelDelivery, language: str) -> dict | None:
    """{"url", "label"} of the subject's page as an address to open from a phone, or None (no page, or no
    AFTERSALES_SITE_URL to build it on)."""
    from django.utils import translation

    link = subject_link(delivery.subject_type, delivery.subject_id)
    if link is None or not settings.AFTERSALES_SITE_URL:
        return None
    with translation.override(language):
        return {"url": settings.AFTERSALES_SITE_URL + link["url"], "label": str(link["label"])}
