"""The outbox worker: claim due e-mails for a lease, send them, mark them; retry with backoff."""

import datetime as dt
import logging
import os
import socket

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import EmailStatus, Notification
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
    """Send what is due now; returns counts of sent, retried and given-up e-mails."""
    worker = worker or worker_name()
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    while True:
        at_now = at or timezone.now()
        batch = claim(worker=worker, at=at_now, limit=limit)
        if not batch:
            return counts
        mail = get_connection(fail_silently=False)
        for notification in batch:
            outcome = _send(notification, mail, worker, at_now)
            counts[outcome] += 1
        if at is not None and len(batch) < limit:
            return counts


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
        attempts = notification.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            mine.update(email_status=EmailStatus.FAILED, attempts=attempts, last_error=repr(exc)[:2000],
                        claimed_until=None)
            log.error("notification %s: giving up after %s attempts: %r", notification.pk, attempts, exc)
            return "failed"
        retry_at = at + dt.timedelta(seconds=BACKOFF_SECONDS[attempts - 1])
        mine.update(attempts=attempts, next_attempt_at=retry_at, last_error=repr(exc)[:2000], claimed_until=None)
        log.warning("notification %s: delivery failed (%r), retrying at %s", notification.pk, exc, retry_at)
        return "retry"
    mine.update(email_status=EmailStatus.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1,
                claimed_until=None, last_error="")
    return "sent"


def message_id(notification: Notification) -> str:
    """The same for every attempt, so a message sent twice after a crash is one to the mail client."""
    return f"<notification-{notification.pk}@{settings.AFTERSALES_MAIL_DOMAIN}>"
