from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkCalendarConfig(AppConfig):
    name = "aftersales.workcalendar"
    label = "workcalendar"
    verbose_name = _("Working-day calendar")

    def ready(self):
        from aftersales.core.registry import register_health_check

        register_health_check("calendar", calendar_health)


def calendar_health() -> list[str]:
    """A provisional calendar year ahead: an operator confirms its schedule (docs/architecture.md)."""
    from django.utils import timezone

    from .calendar import calendar_load, calendar_warnings

    return calendar_warnings(calendar_load(), timezone.localdate())
