"""The supplier claim's table: drafted → sent → answered → closed (or cancelled before the answer).
Purchasing owns every step (售后服务工作流程及管理规定 三.8: 协调采购部由外协厂家解决)."""

from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import message_of
from aftersales.core.workflow import GuardContext, Machine, Transition
from aftersales.core.workflow import roles as r

from .models import ClaimState as S
from .models import Compensation, SupplierClaim
from .models import CompensationState as C


def amount_set(ctx: GuardContext) -> str | None:
    """A claim drafted by itself (a unit disposed to the supplier) may lack its amount: it is set before sending."""
    return None if ctx.record.amount_claimed > 0 else "claim_amount_missing"


SUPPLIER_CLAIM = Machine("supplier_claim", _("supplier claim"), SupplierClaim, S, [
    Transition("amend", _("Set what is claimed"), (S.DRAFTED,), (), r("purchasing")),
    Transition("send", _("Send to the supplier"), (S.DRAFTED,), (S.SENT,), r("purchasing"), (amount_set,)),
    Transition("answer", _("Record the supplier's answer"), (S.SENT,), (S.ANSWERED,), r("purchasing")),
    Transition("close", _("Close with the amount recovered"), (S.ANSWERED,), (S.CLOSED,), r("purchasing")),
    Transition("cancel", _("Cancel the claim"), (S.DRAFTED, S.SENT), (S.CANCELLED,), r("purchasing")),
], messages={"claim_amount_missing": message_of("claim_amount_missing")})

# Compensation: service proposes, a manager approves or rejects, finance settles the approved.
COMPENSATION = Machine("compensation", _("compensation"), Compensation, C, [
    Transition("approve", _("Approve the compensation"), (C.PROPOSED,), (C.APPROVED,), r("manager")),
    Transition("reject", _("Reject the compensation"), (C.PROPOSED,), (C.REJECTED,), r("manager")),
    Transition("settle", _("Record the settlement"), (C.APPROVED,), (C.SETTLED,), r("finance")),
])
