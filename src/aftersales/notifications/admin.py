from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from aftersales.core.admin import ReadOnlyAdmin
from aftersales.core.errors import InvalidInput

from . import services
from .models import ChannelDelivery, Notification, NotificationChannel


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The outbox as operators see it: what was sent, what waits, what failed and why."""

    list_display = ["created_at", "recipient", "kind", "email_status", "attempts", "next_attempt_at", "sent_at",
                    "read_at"]
    list_filter = ["email_status", "kind"]
    search_fields = ["recipient__username", "=subject_id"]
    list_select_related = ["recipient"]
    show_full_result_count = False


class ChannelForm(forms.ModelForm):
    """The same checks as the API (services.channel_create/update): a wrong configuration is refused whole."""

    class Meta:
        model = NotificationChannel
        exclude = []

    def clean(self):
        cleaned = super().clean()
        values = {name: value for name, value in cleaned.items() if name != "customer"}
        values["customer"] = cleaned["customer"].code if cleaned.get("customer") else None
        probe = NotificationChannel(pk=self.instance.pk, **services.CHANNEL_DEFAULTS)
        try:
            services.channel_check(probe, values)
        except InvalidInput as error:
            for field, messages in error.details.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned


@admin.register(NotificationChannel)
class NotificationChannelAdmin(SimpleHistoryAdmin):
    """Managers' channels; secrets appear by name only (their values live in the environment)."""

    form = ChannelForm
    list_display = ["name", "kind", "role", "customer", "language", "is_active", "secrets_missing"]
    list_filter = ["kind", "is_active", "role"]
    search_fields = ["name", "customer__code"]
    list_select_related = ["customer"]

    @admin.display(description=_("secrets not set"))
    def secrets_missing(self, channel):
        from .channels import missing_secrets

        return ", ".join(missing_secrets(channel)) or "—"

    def has_delete_permission(self, request, obj=None):
        return False  # switched off (inactive), never deleted: its deliveries stay on record


@admin.register(ChannelDelivery)
class ChannelDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "address", "kind", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "channel__kind", "kind"]
    search_fields = ["channel__name", "=subject_id"]
    list_select_related = ["channel"]
    readonly_fields = ["last_error"]
    show_full_result_count = False
