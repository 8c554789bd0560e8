"""What notifications tells the shell: a health check naming the active channels whose secrets cannot
be read (their messages wait and are retried until an operator sets them)."""

from django.db import DatabaseError

from aftersales.core.registry import register_health_check


def channels_without_secrets() -> list[str]:
    from .channels import missing_secrets
    from .models import NotificationChannel

    try:
        channels = list(NotificationChannel.objects.filter(is_active=True).exclude(kind="email"))
    except DatabaseError:  # not migrated yet: the database check reports that
        return []
    return [f"notification channel {channel.name}: secret {name} is not set"
            for channel in channels for name in missing_secrets(channel)]


def register() -> None:
    register_health_check("notification channels", channels_without_secrets)
