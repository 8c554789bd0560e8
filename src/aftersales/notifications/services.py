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
from django.utils.translation import gettext as _

from .models import EmailStatus, Notification

DIGEST_ITEMS = 20


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


def notify_customer_notice(case, notice) -> int:
    """A customer notice (receipt, charge, consent, shipment, refund, decision) to the customer's users."""
    context = {"notice": notice.kind, "case": case.number, "content": notice.content}
    return notify(recipients(customer_id=case.customer_id), "customer_notice", context,
                  subject_type="return_case", subject_id=case.pk)


def notify_deadlines(level: int, rows: list[dict]) -> int:
    """One digest per recipient group: the responsible role (approaching, overdue) or the
    escalation role (past the grace); a customer's users hear of their own cases only."""
    from aftersales.deadlines.kinds import KINDS

    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        kind = KINDS[row["kind"]]
        role = kind.escalate_to if level == 3 else kind.role
        groups[(role, row["customer_id"] if role == "customer" else None)].append(row)
    staff, customers = _recipients_by_group({role for role, _customer in groups},
                                            {customer for role, customer in groups if role == "customer"})
    batches = []
    for (role, customer_id), items in groups.items():
        items.sort(key=lambda row: row["due_at"])
        context = {
            "level": level, "role": role, "count": len(items),
            "items": [{"kind": row["kind"], "reference": row["reference"],
                       "due_at": timezone.localtime(row["due_at"]).isoformat(), "provisional": row["provisional"], "subject_type": row["subject_type"],
                       "subject_id": row["subject_id"]}
                      for row in items[:DIGEST_ITEMS]],
        }
        users = customers.get(customer_id, []) if role == "customer" else staff.get(role, [])
        batches.append((users, "deadline_alert", context, "", None))
    return notify_many(batches)


def _recipients_by_group(roles: set[str], customer_ids: set[int]) -> tuple[dict, dict]:
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


def _due(facts: dict) -> tuple[str, str]:
    """A due moment as the message shows it, and its mark when its year's official schedule is not confirmed."""
    due = timezone.localtime(timezone.datetime.fromisoformat(facts["due_at"]))
    mark = (_("provisional: the official holiday schedule of %(year)s is not confirmed") % {"year": due.year}
            if facts.get("provisional") else "")
    return due.strftime("%Y-%m-%d %H:%M"), mark


def _render_context(notification: Notification) -> dict:
    from aftersales.deadlines.kinds import KINDS
    from aftersales.deadlines.models import AlertLevel
    from aftersales.returns.models import CustomerNotice

    context = dict(notification.context)
    context["company"] = settings.COMPANY_NAME
    if notification.kind == "deadline_alert":
        context["level_label"] = AlertLevel(context["level"]).label
        for item in context["items"]:
            kind = KINDS.get(item["kind"])
            item["label"] = kind.label if kind else item["kind"]
            item["due"], item["due_mark"] = _due(item)
        context["more"] = context["count"] - len(context["items"])
    if notification.kind == "repair_delay":
        context["due"], context["due_mark"] = _due(context)
    if notification.kind == "major_anomaly":
        from aftersales.repairs.models import MAJOR_ANOMALY_LABELS

        for item in context["items"]:
            item["major_label"] = MAJOR_ANOMALY_LABELS.get(item["major"], item["major"])
    if notification.kind == "customer_notice":
        context["notice_label"] = CustomerNotice.Kind(context["notice"]).label
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
