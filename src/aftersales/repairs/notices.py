"""How repair's notifications read: a delay's written notice to service (`repair_delay`) and the major
anomalies told to quality, engineering and service (`major_anomaly`)."""

from aftersales.notifications.kinds import NotificationKind, due_text, register

from .models import MAJOR_ANOMALY_LABELS


def _delay_reads(context: dict) -> dict:
    context["due"], context["due_mark"] = due_text(context)
    return context


def _anomaly_reads(context: dict) -> dict:
    for item in context["items"]:
        item["major_label"] = MAJOR_ANOMALY_LABELS.get(item["major"], item["major"])
    return context


register(NotificationKind("repair_delay", _delay_reads), NotificationKind("major_anomaly", _anomaly_reads))
