from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "aftersales.deadlines"
    label = "deadlines"
    verbose_name = _("Time limits")

    def ready(self):
        from . import notices  # noqa: F401  registers how the sweep's digests read
        from .retime import connect

        connect()  # running clocks follow calendar changes
