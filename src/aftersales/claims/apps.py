from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "aftersales.claims"
    label = "claims"
    verbose_name = _("Supplier claims and compensation")

    def ready(self):
        from aftersales.returns.signals import action_applied

        from . import clocks, notices, workflow  # noqa: F401  register clock and notification kinds, tables
        from . import registry
        from .services import supplier_anomalies_tell_purchasing, supplier_claims_draft

        action_applied.connect(supplier_anomalies_tell_purchasing, dispatch_uid="claims.supplier_anomalies")
        action_applied.connect(supplier_claims_draft, dispatch_uid="claims.supplier_claims_draft")
        registry.register()
