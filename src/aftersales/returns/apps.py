from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "aftersales.returns"
    label = "returns"
    verbose_name = _("Customer returns")

    def ready(self):
        from . import clocks  # noqa: F401  registers the return case's clock kinds
        from . import registry

        registry.register()
