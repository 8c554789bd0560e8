from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "aftersales.web"
    label = "web"
    verbose_name = _("Web application")

    def ready(self):
        from . import registry

        registry.register()
