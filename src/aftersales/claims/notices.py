"""How claims' notifications read: incoming-material anomalies told to purchasing (`supplier_anomaly`)."""

from aftersales.notifications.kinds import NotificationKind, register

register(NotificationKind("supplier_anomaly"))
