from django.contrib import admin

from aftersales.core.admin import ReadOnlyAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The outbox as operators see it: what was sent, what waits, what failed and why."""

    list_display = ["created_at", "recipient", "kind", "email_status", "attempts", "next_attempt_at", "sent_at",
                    "read_at"]
    list_filter = ["email_status", "kind"]
    search_fields = ["recipient__username", "=subject_id"]
    list_select_related = ["recipient"]
    show_full_result_count = False
