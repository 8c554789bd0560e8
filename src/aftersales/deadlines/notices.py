"""The sweep's digests (notification kind `deadline_alert`): one per recipient group and level, and
how they read (the step labels, the due moments and their provisional marks)."""

from collections import defaultdict

from django.utils import timezone

from aftersales.notifications.kinds import NotificationKind, due_text, register
from aftersales.notifications.services import notify_many, recipients_by_group

from .kinds import KINDS
from .models import AlertLevel

DIGEST_ITEMS = 20


def notify_deadlines(level: int, rows: list[dict]) -> int:
    """One digest per recipient group: the responsible role (approaching, overdue) or the
    escalation role (past the grace); a customer's users hear of their own cases only."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        kind = KINDS[row["kind"]]
        role = kind.escalate_to if level == AlertLevel.ESCALATED else kind.role
        groups[(role, row["customer_id"] if role == "customer" else None)].append(row)
    staff, customers = recipients_by_group({role for role, _customer in groups},
                                           {customer for role, customer in groups if role == "customer"})
    batches = []
    for (role, customer_id), items in groups.items():
        items.sort(key=lambda row: row["due_at"])
        context = {
            "level": level, "role": role, "count": len(items),
            "items": [{"kind": row["kind"], "reference": row["reference"],
                       "due_at": timezone.localtime(row["due_at"]).isoformat(), "provisional": row["provisional"],
                       "subject_type": row["subject_type"], "subject_id": row["subject_id"]}
                      for row in items[:DIGEST_ITEMS]],
        }
        users = customers[customer_id] if role == "customer" else staff[role]  # an audience even when empty
        batches.append((users, "deadline_alert", context, "", None))
    return notify_many(batches)


def _digest_reads(context: dict) -> dict:
    context["level_label"] = AlertLevel(context["level"]).label
    for item in context["items"]:
        kind = KINDS.get(item["kind"])
        item["label"] = kind.label if kind else item["kind"]
        item["due"], item["due_mark"] = due_text(item)
    context["more"] = context["count"] - len(context["items"])
    return context


register(NotificationKind("deadline_alert", _digest_reads))
