"""The reads of claims: lists and details with their joins decided, as the API and the pages show them."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import NotFound
from aftersales.core.roles import require_roles, roles_of
from aftersales.returns.models import Inspection

from .models import ClaimItem, ClaimState, Compensation, CompensationState, SupplierClaim
from .workflow import COMPENSATION, SUPPLIER_CLAIM

# Who reads supplier claims (purchasing owns them) and compensations (finance settles them).
CLAIM_READERS = ("purchasing", "manager", "quality", "service", "finance")
COMPENSATION_READERS = ("service", "manager", "finance")


def readers_only(user, roles) -> None:
    """Staff of these roles read; other staff are refused (403); to a customer user nothing exists here (404)."""
    if getattr(user, "customer_id", None) is not None:
        raise NotFound()
    require_roles(user, *roles)


def claim_list(*, user, state: str | None = None):
    readers_only(user, CLAIM_READERS)
    claims = SupplierClaim.objects.select_related("supplier", "return_case").order_by("-id")
    return claims.filter(state=state) if state else claims


def claim_get(*, user, pk: int) -> SupplierClaim:
    readers_only(user, CLAIM_READERS)
    claim = (SupplierClaim.objects.select_related("supplier", "return_case", "created_by")
             .prefetch_related("attachments").filter(pk=pk).first())
    if claim is None:
        raise NotFound()
    return claim


def claim_row(claim: SupplierClaim) -> dict:
    return {"id": claim.pk, "number": claim.number, "supplier": claim.supplier.code,
            "supplier_name": claim.supplier.name, "case": claim.return_case.number if claim.return_case else None,
            "case_id": claim.return_case_id, "state": claim.state, "amount_claimed": str(claim.amount_claimed),
            "amount_recovered": str(claim.amount_recovered), "due_at": claim.due_at, "version": claim.version}


def claim_items(claim: SupplierClaim) -> list[dict]:
    """The claimed units and parts, each unit with its latest intake inspection (the evidence quality gave)."""
    items = list(ClaimItem.objects.filter(claim=claim).select_related("unit__product_model", "part").order_by("id"))
    latest = {}
    for row in (Inspection.objects.filter(unit_id__in=[i.unit_id for i in items if i.unit_id],
                                          stage=Inspection.Stage.INTAKE).order_by("id")
                .values("unit_id", "defect_class", "responsibility", "grade", "repairable", "notes",
                        "inspected_by__username")):
        latest[row.pop("unit_id")] = row
    return [{"unit": i.unit_id, "serial": i.unit.serial if i.unit else "",
             "product_model": i.unit.product_model.code if i.unit else None,
             "part": i.part.code if i.part else None, "part_name": i.part.name if i.part else "",
             "quantity": i.quantity, "note": i.note, "inspection": latest.get(i.unit_id)} for i in items]


def claim_detail(claim: SupplierClaim, user) -> dict:
    return {**claim_row(claim), "description": claim.description, "answer": claim.answer,
            "answer_text": claim.answer_text, "created_by": claim.created_by.get_username(),
            "created_at": claim.created_at, "sent_at": claim.sent_at, "answered_at": claim.answered_at,
            "closed_at": claim.closed_at, "items": claim_items(claim),
            "evidence": [{"id": a.pk, "description": a.description, "content_type": a.content_type,
                          "url": reverse("returns:attachment", args=[a.pk])}
                         for a in claim.attachments.all()],
            "allowed_actions": SUPPLIER_CLAIM.allowed(claim, user)}


def compensation_list(*, user, state: str | None = None):
    readers_only(user, COMPENSATION_READERS)
    rows = Compensation.objects.select_related("return_case__customer", "proposed_by", "decided_by").order_by("-id")
    return rows.filter(state=state) if state else rows


def compensation_get(*, user, pk: int) -> Compensation:
    found = compensation_list(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def compensation_row(record: Compensation, user) -> dict:
    return {"id": record.pk, "number": record.number, "case": record.return_case.number,
            "case_id": record.return_case_id, "customer": record.return_case.customer.code, "state": record.state,
            "state_label": record.get_state_display(), "amount": str(record.amount), "form": record.form,
            "form_label": record.get_form_display(), "goods": record.goods, "reason": record.reason,
            "proposed_by": record.proposed_by.get_username(), "proposed_at": record.proposed_at,
            "decided_by": record.decided_by.get_username() if record.decided_by else None,
            "decided_at": record.decided_at, "decision_comment": record.decision_comment,
            "settled_at": record.settled_at, "settlement_reference": record.settlement_reference,
            "allowed_actions": COMPENSATION.allowed(record, user)}


def case_documents(case, user) -> list[dict]:
    """The supplier claims and compensations that follow from a return case (下查), for the staff who read them
    (a customer sees neither): number, state and page of each; two queries."""
    roles = roles_of(user) if getattr(user, "customer_id", None) is None else set()
    documents = []
    if roles & set(CLAIM_READERS):
        for claim in SupplierClaim.objects.filter(return_case=case).order_by("id").only("id", "number", "state",
                                                                                          "created_at"):
            documents.append({"kind": "supplier_claim", "kind_label": _("Supplier claim"), "number": claim.number,
                              "state": claim.state, "state_label": ClaimState(claim.state).label,
                              "url": reverse("claims:claim", args=[claim.pk]), "at": claim.created_at,
                              "parent": None})
    if roles & set(COMPENSATION_READERS):
        for record in Compensation.objects.filter(return_case=case).order_by("id").only("id", "number", "state",
                                                                                          "proposed_at"):
            documents.append({"kind": "compensation", "kind_label": _("Compensation"), "number": record.number,
                              "state": record.state, "state_label": CompensationState(record.state).label,
                              "url": reverse("claims:compensation_list") + f"?state={record.state}",
                              "at": record.proposed_at, "parent": None})
    return documents
