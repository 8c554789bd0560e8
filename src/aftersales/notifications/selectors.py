"""Reads of the channels: the list and one channel, for managers; each as the API shows it (secrets by
their names and whether they can be read now, never their values)."""

from aftersales.core.errors import NotFound
from aftersales.core.roles import require_roles

from .channels import missing_secrets
from .models import NotificationChannel


def channel_list(*, user):
    require_roles(user, "manager")
    return NotificationChannel.objects.select_related("customer").order_by("name", "id")


def channel_get(*, user, pk) -> NotificationChannel:
    channel = channel_list(user=user).filter(pk=pk).first() if isinstance(pk, int) else None
    if channel is None:
        raise NotFound()
    return channel


def channel_row(channel: NotificationChannel) -> dict:
    return {
        "id": channel.pk, "name": channel.name, "kind": channel.kind, "kind_display": channel.get_kind_display(),
        "role": channel.role, "customer": channel.customer.code if channel.customer_id else None,
        "language": channel.language, "is_active": channel.is_active,
        "secret_name": channel.secret_name, "signing_secret_name": channel.signing_secret_name,
        "secrets_missing": missing_secrets(channel),
        "addresses": channel.addresses, "url": channel.url, "body_format": channel.body_format,
        "body_template": channel.body_template, "auth_header": channel.auth_header,
        "auth_scheme": channel.auth_scheme, "success_field": channel.success_field,
        "success_value": channel.success_value, "created_at": channel.created_at, "updated_at": channel.updated_at,
    }
