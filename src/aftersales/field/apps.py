from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    name = "aftersales.field"
    label = "field"
    verbose_name = _("Field service")

    def ready(self):
        from aftersales.servicedesk.signals import technician_dispatched

        from . import clocks, registry, workflow  # noqa: F401  register the clock kinds and the tables
        from .services.orders import order_from_request

        technician_dispatched.connect(order_from_request, dispatch_uid="field.order_from_request")
        registry.register()
