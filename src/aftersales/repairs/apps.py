from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairsConfig(AppConfig):
    name = "aftersales.repairs"
    label = "repairs"
    verbose_name = _("Repair and rework")

    def ready(self):
        from aftersales.returns.clocks import register_clock_source
        from aftersales.returns.signals import action_applied
        from aftersales.returns.workflow import register_work_gate

        from . import clocks, notices, workflow  # noqa: F401  register clock and notification kinds, tables
        from . import registry
        from .clocks import rework_order_wanted
        from .gates import first_article_gate
        from .services import quotes_follow_answers
        from .services.orders import orders_follow_redisposal

        action_applied.connect(quotes_follow_answers, dispatch_uid="repairs.quotes_follow_answers")
        action_applied.connect(orders_follow_redisposal, dispatch_uid="repairs.orders_follow_redisposal")
        register_clock_source(rework_order_wanted)
        register_work_gate(first_article_gate)
        registry.register()
