from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceDeskConfig(AppConfig):
    name = "aftersales.servicedesk"
    label = "servicedesk"
    verbose_name = _("Service desk")

    def ready(self):
        from aftersales.returns.signals import action_applied

        from . import clocks, notices, registry, workflow  # noqa: F401  register clock and notification kinds, the table
        from .services.progress import case_progress
        from .services.surveys import case_closed

        action_applied.connect(case_progress, dispatch_uid="servicedesk.case_progress")
        action_applied.connect(case_closed, dispatch_uid="servicedesk.case_survey")
        registry.register()
