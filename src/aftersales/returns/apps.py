from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "aftersales.returns"
    label = "returns"
    verbose_name = _("Customer returns")

    def ready(self):
        from . import clocks, notices  # noqa: F401  register the case's clock kinds and notification kind
        from . import registry

        registry.register()
