"""The data of the printed 供应商索赔单 (supplier claim): the supplier, the units and parts with quality's
findings, the evidence, the amounts, the answer."""

from aftersales.web.printing import choice_labels, moment

from .models import SupplierAnswer, SupplierClaim
from .selectors import claim_items


def supplier_claim_data(claim: SupplierClaim) -> dict:
    items = claim_items(claim)
    return {"supplier": claim.supplier, "items": items, "evidence": list(claim.attachments.all()),
            "answer_label": choice_labels(SupplierAnswer.choices).get(claim.answer, ""),
            "sent": moment(claim.sent_at), "answered": moment(claim.answered_at),
            "total_quantity": sum(item["quantity"] for item in items)}
