"""The supplier claim's clocks: purchasing sends a drafted claim, the supplier answers a sent one
(working days, Chinese calendar; policies supplier_claim_send_working_days, supplier_claim_answer_working_days)."""

from django.utils.translation import gettext_lazy as _

from aftersales.deadlines.kinds import ClockKind, register

SUBJECT = "supplier_claim"

register(
    ClockKind("supplier_claim_send", _("Send the supplier claim"), "purchasing", "supplier_claim_send_working_days"),
    ClockKind("supplier_claim_answer", _("Supplier's answer to the claim"), "purchasing",
              "supplier_claim_answer_working_days"),
)
