"""Write notifications (in the caller's transaction) and say what they read like.

Who is told: a role's active users (a customer's users only for their own customer), or the
users of one customer. What they read is rendered when read or sent, in the recipient's
language, from the templates in templates/notifications/.
"""

from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .kinds import KINDS
from .models import EmailStatus, Notification


def recipients(*, role: str | None = None, customer_id: int | None = None) -> list[dict]:
    users = get_user_model().objects.filter(is_active=True)
    if role == "customer" or (role is None and customer_id is not None):
        users = users.filter(customer_id=customer_id)
    else:
        users = users.filter(groups__name=role, customer__isnull=True)
    return list(users.values("id", "email").distinct())


def notify(users: list[dict], kind: str, context: dict, *, subject_type: str = "", subject_id=None) -> int:
    """One notification per user, written now; e-mail for those who have an address, sent by the worker."""
    return notify_many([(users, kind, context, subject_type, subject_id)])


def notify_many(batches: list[tuple]) -> int:
    """Several notifications in one insert: (users, kind, context, subject_type, subject_id) each."""
    at = timezone.now()
    rows = [Notification(recipient_id=user["id"], kind=kind, context=context, subject_type=subject_type,
                         subject_id=subject_id, next_attempt_at=at,
                         email_status=EmailStatus.PENDING if user["email"] else EmailStatus.NONE)
            for users, kind, context, subject_type, subject_id in batches for user in users]
    Notification.objects.bulk_create(rows, batch_size=1000)
    if any(row.email_status == EmailStatus.PENDING for row in rows):
        delivery_enqueue_on_commit()
    return len(rows)


def recipients_by_group(roles: set[str], customer_ids: set[int]) -> tuple[dict, dict]:
    """Active staff by role and customer users by customer, in two queries (a sweep tells many groups)."""
    users = get_user_model().objects.filter(is_active=True)
    staff, customers = defaultdict(list), defaultdict(list)
    for row in users.filter(groups__name__in=roles - {"customer"}, customer__isnull=True).values(
            "id", "email", "groups__name"):
        staff[row["groups__name"]].append(row)
    if customer_ids:
        for row in users.filter(customer_id__in=customer_ids).values("id", "email", "customer_id"):
            customers[row["customer_id"]].append(row)
    return staff, customers


def render(notification: Notification, language: str | None = None) -> tuple[str, str]:
    """(subject, body) in the recipient's language (or the one given)."""
    language = language or getattr(notification.recipient, "language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        text = render_to_string(f"notifications/{notification.kind}.txt", _render_context(notification))
    lines = [line.rstrip() for line in text.strip().splitlines()]
    subject = lines[0] if lines else notification.kind
    body = "\n".join(lines[1:]).strip()
    return subject, body


def _render_context(notification: Notification) -> dict:
    context = dict(notification.context)
    context["company"] = settings.COMPANY_NAME
    context["site_url"] = settings.SITE_URL  # links in a message are whole addresses: it is read outside the site
    kind = KINDS.get(notification.kind)
    if kind is not None and kind.enrich is not None:
        context = kind.enrich(context)
    return context


# --- handing delivery to the worker ---

def delivery_enqueue_on_commit() -> None:
    """Ask the worker to deliver once the transaction commits (once per transaction)."""
    if any(callback is _enqueue_delivery for _sids, callback, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_enqueue_delivery, robust=True)


def _enqueue_delivery() -> None:
    from .tasks import deliver_notifications

    deliver_notifications.enqueue()
