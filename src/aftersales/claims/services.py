"""The writes of claims: a supplier claim drafted by purchasing, its steps through the table
(workflow.SUPPLIER_CLAIM), its clocks; and incoming-material anomalies told to purchasing."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import Conflict, InvalidInput, NotFound
from aftersales.core.roles import require_roles
from aftersales.deadlines.services import Subject, Want, deadlines_sync
from aftersales.masterdata.models import Part, Supplier
from aftersales.returns.models import Attachment, Inspection, Responsibility, ReturnCase, ReturnUnit
from aftersales.core.numbering import next_number

from . import rules
from .clocks import SUBJECT
from .models import ClaimItem, ClaimState, Compensation, CompensationForm, SupplierAnswer, SupplierClaim
from .workflow import COMPENSATION, SUPPLIER_CLAIM

MAX_ITEMS = 1000
TEXT = 5000


def _items(raw, case: ReturnCase | None) -> list[ClaimItem]:
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(details={"items": [_("Name the units or parts claimed for.")]})
    if len(raw) > MAX_ITEMS:
        raise InvalidInput(details={"items": [_("At most %(n)s items.") % {"n": MAX_ITEMS}]})
    unit_ids, part_codes = set(), set()
    for item in raw:
        if not isinstance(item, dict) or bool(item.get("unit")) == bool(item.get("part")):
            raise InvalidInput(details={"items": [_("Each item names a unit (id) or a part (code).")]})
        if item.get("unit"):
            unit_ids.add(parsing.record_id(item["unit"], "items.unit"))
        else:
            part_codes.add(parsing.text(item["part"], "items.part", max_length=60))
    units = set(ReturnUnit.objects.filter(pk__in=unit_ids, return_case=case).values_list("id", flat=True)) \
        if case is not None else set()
    if unit_ids - units:
        raise InvalidInput(details={"items": [_("Units not on the claim's case: %(ids)s.")
                                              % {"ids": sorted(unit_ids - units)[:20]}]})
    parts = dict(Part.objects.filter(code__in=part_codes).values_list("code", "id"))
    if part_codes - set(parts):
        raise InvalidInput(details={"items": [_("Unknown parts: %(codes)s.")
                                              % {"codes": ", ".join(sorted(part_codes - set(parts))[:20])}]})
    made = []
    for item in raw:
        unit_id = parsing.record_id(item["unit"], "items.unit") if item.get("unit") else None
        made.append(ClaimItem(
            unit_id=unit_id, part_id=None if unit_id else parts[item["part"].strip()],
            quantity=parsing.whole_number(item.get("quantity", 1), "items.quantity", minimum=1, maximum=1_000_000),
            note=parsing.text(item.get("note"), "items.note", max_length=500)))
    return made


@transaction.atomic
def claim_create(*, actor, supplier: str, case_id=None, items, description: str, amount_claimed,
                 attachment_ids=None) -> SupplierClaim:
    """Purchasing drafts a claim: the supplier (code), the case its units come from (optional for parts
    only), the units and parts, the evidence (the case's photos and files), what and how much is claimed."""
    require_roles(actor, "purchasing")
    code = parsing.text(supplier, "supplier", max_length=40, required=True)
    found = Supplier.objects.filter(code=code, is_active=True).first()
    if found is None:
        raise InvalidInput(details={"supplier": [_("Unknown supplier “%(code)s”.") % {"code": code}]})
    case = None
    if case_id not in (None, ""):
        case = ReturnCase.objects.filter(pk=parsing.record_id(case_id, "case")).first()
        if case is None:
            raise InvalidInput(details={"case": [_("No such case.")]})
    claimed = parsing.amount(amount_claimed, "amount_claimed", minimum=Decimal("0.01"))
    what = parsing.text(description, "description", max_length=TEXT, required=True)
    rows = _items(items, case)
    wanted = sorted(set(parsing.record_ids(attachment_ids, "attachments"))) if attachment_ids else []
    evidence = list(Attachment.objects.filter(pk__in=wanted, return_case=case)) if case else []
    if len(evidence) != len(wanted):
        raise InvalidInput(details={"attachments": [_("Evidence is a file of the claim's case.")]})
    claim = SupplierClaim.objects.create(number=next_number("SC", width=4), supplier=found, return_case=case, description=what,
                                         amount_claimed=claimed, created_by=actor)
    for row in rows:
        row.claim = claim
    ClaimItem.objects.bulk_create(rows)
    claim.attachments.set(evidence)
    from aftersales.core.workflow import state_change_record

    state_change_record(SUPPLIER_CLAIM, claim, actor, "draft", "", claim.state, {"amount": str(claimed)})
    claim_clock(claim, actor=actor)
    return claim


def _send(ctx) -> None:
    ctx.record.sent_at = timezone.now()


def _answer(ctx) -> None:
    answer = ctx.params.get("answer")
    if answer not in SupplierAnswer.values:
        raise InvalidInput(details={"answer": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(SupplierAnswer.values)}]})
    claim = ctx.record
    recovered = parsing.amount(ctx.params.get("amount_recovered", "0"), "amount_recovered")
    problem = rules.recovery_problem(answer=answer, claimed=claim.amount_claimed, recovered=recovered)
    if problem:
        raise InvalidInput(details={"amount_recovered": [problem]})
    claim.answer, claim.amount_recovered = answer, recovered
    claim.answer_text = parsing.text(ctx.params.get("answer_text"), "answer_text", max_length=TEXT)
    claim.answered_at = timezone.now()
    ctx.changes = {"answer": answer, "amount_recovered": str(recovered)}


def _close(ctx) -> None:
    claim = ctx.record
    if "amount_recovered" in ctx.params:
        recovered = parsing.amount(ctx.params["amount_recovered"], "amount_recovered")
        problem = rules.recovery_problem(answer=claim.answer, claimed=claim.amount_claimed, recovered=recovered)
        if problem:
            raise InvalidInput(details={"amount_recovered": [problem]})
        claim.amount_recovered = recovered
    claim.closed_at = timezone.now()
    ctx.changes = {"amount_recovered": str(claim.amount_recovered)}


def _cancel(ctx) -> None:
    ctx.changes = {"reason": parsing.text(ctx.params.get("reason"), "reason", max_length=TEXT, required=True)}


def _amend(ctx) -> None:
    """Purchasing sets what a draft claims: the amount (a draft made by itself may lack it), the description."""
    claim, changes = ctx.record, {}
    if "amount_claimed" in ctx.params:
        claim.amount_claimed = parsing.amount(ctx.params["amount_claimed"], "amount_claimed", minimum=Decimal("0.01"))
        changes["amount_claimed"] = str(claim.amount_claimed)
    if "description" in ctx.params:
        claim.description = parsing.text(ctx.params["description"], "description", max_length=TEXT, required=True)
        changes["description"] = True
    if not changes:
        raise InvalidInput(details={"amount_claimed": [_("Give the amount claimed or the description.")]})
    ctx.changes = changes


HANDLERS = {"amend": _amend, "send": _send, "answer": _answer, "close": _close, "cancel": _cancel}


@transaction.atomic
def claim_act(*, actor, claim_id, action: str, params: dict | None = None, version: int | None = None) -> SupplierClaim:
    claim_id = parsing.record_id(claim_id, "claim")
    if action not in HANDLERS:
        raise NotFound(_("No such action."), code="unknown_action")
    claim = SUPPLIER_CLAIM.lock(claim_id)
    if version is not None and claim.version != parsing.whole_number(version, "version", maximum=2**31 - 1):
        raise Conflict(code="stale_version", details={"version": claim.version})
    SUPPLIER_CLAIM.apply(actor=actor, record=claim, action=action, handler=HANDLERS[action], params=params or {})
    claim_clock(claim, actor=actor)
    return claim


def claim_clock(claim: SupplierClaim, *, actor=None) -> None:
    """The claim's running step: sending while drafted, the supplier's answer while sent."""
    wanted = {}
    if claim.state == ClaimState.DRAFTED:
        wanted["supplier_claim_send"] = Want()
    elif claim.state == ClaimState.SENT:
        wanted["supplier_claim_answer"] = Want()
    subject = Subject(SUBJECT, claim.pk, claim.number, None)
    due = None
    for deadline in deadlines_sync(subject, wanted, actor=actor):
        if deadline.state == "open":
            due = deadline.due_at
    if claim.due_at != due:
        claim.due_at = due
        SupplierClaim.objects.filter(pk=claim.pk).update(due_at=due)


def supplier_anomalies_tell_purchasing(sender, *, case, action: str, actor, unit_ids, params, **kwargs) -> None:
    """Inspection (at intake or at the bench) found the supplier responsible (incoming material): purchasing
    is told, with the units, so that it can claim."""
    if action != "inspect":
        return
    latest = {}  # the latest intake inspection of each unit
    for unit_id, responsibility, serial, model in (
            Inspection.objects.filter(unit_id__in=list(unit_ids), stage=Inspection.Stage.INTAKE).order_by("id")
            .values_list("unit_id", "responsibility", "unit__serial", "unit__product_model__code")):
        latest[unit_id] = (responsibility, serial, model)
    units = [(pk, serial, model) for pk, (responsibility, serial, model) in sorted(latest.items())
             if responsibility == Responsibility.SUPPLIER]
    if not units:
        return
    from aftersales.notifications.services import notify, recipients

    notify(recipients(role="purchasing"), "supplier_anomaly",
           {"case": case.number, "case_id": case.pk, "count": len(units),
            "units": [{"unit": pk, "serial": serial, "model": model} for pk, serial, model in units[:20]]},
           subject_type="return_case", subject_id=case.pk)


# Actions after which units may have left a case for their supplier (disposition supplier_claim).
_TO_SUPPLIER_ACTIONS = ("dispose", "redispose", "give_consent")


def supplier_claims_draft(sender, *, case, action: str, actor, unit_ids, params, **kwargs) -> None:
    """Units that left the case for their supplier (disposition supplier_claim) are claimed for: added to the open
    draft claim of the case for their supplier (the one active supplier of their product model), or a new draft
    for purchasing, with the line's price as the amount and the units' photos as evidence. Units whose model has
    no single supplier are told to purchasing to claim by hand. Sent inside the action's transaction."""
    if action not in _TO_SUPPLIER_ACTIONS:
        return
    claimed = ClaimItem.objects.filter(unit_id__in=list(unit_ids)).values_list("unit_id", flat=True)
    units = list(ReturnUnit.objects.filter(pk__in=list(unit_ids), exit="returned_to_supplier")
                 .exclude(pk__in=claimed).select_related("line", "product_model").order_by("id"))
    if not units:
        return
    suppliers: dict[int, list[int]] = {}
    supplied = Supplier.product_models.through.objects.filter(
        productmodel_id__in={u.product_model_id for u in units}, supplier__is_active=True)
    for model_id, supplier_id in supplied.values_list("productmodel_id", "supplier_id").order_by("supplier__code"):
        suppliers.setdefault(model_id, []).append(supplier_id)
    by_supplier: dict[int, list[ReturnUnit]] = {}
    unassigned = []
    for unit in units:
        found = suppliers.get(unit.product_model_id, [])
        if len(found) == 1:
            by_supplier.setdefault(found[0], []).append(unit)
        else:
            unassigned.append(unit)
    drafter = actor if getattr(actor, "customer_id", None) is None else _disposer(case)
    for supplier_id, supplier_units in sorted(by_supplier.items()):
        _claim_units_add(case=case, supplier_id=supplier_id, units=supplier_units, drafter=drafter)
    if unassigned:
        from aftersales.notifications.services import notify, recipients

        notify(recipients(role="purchasing"), "supplier_anomaly",
               {"case": case.number, "case_id": case.pk, "count": len(unassigned),
                "units": [{"unit": u.pk, "serial": u.serial, "model": u.product_model.code} for u in unassigned[:20]]},
               subject_type="return_case", subject_id=case.pk)


def _disposer(case: ReturnCase):
    """Who decided the case's latest disposition (the customer consented after it): the claim's drafter."""
    from aftersales.returns.models import CaseEvent

    event = (CaseEvent.objects.filter(return_case=case, action__in=("dispose", "redispose"), actor__isnull=False)
             .select_related("actor").order_by("-id").first())
    return event.actor


def _claim_units_add(*, case: ReturnCase, supplier_id: int, units: list, drafter) -> SupplierClaim:
    from aftersales.core.workflow import state_change_record

    price = sum((u.line.unit_price for u in units), Decimal(0))
    claim = (SupplierClaim.objects.select_for_update(of=("self",))
             .filter(return_case=case, supplier_id=supplier_id, state=ClaimState.DRAFTED).order_by("id").first())
    if claim is None:
        claim = SupplierClaim.objects.create(
            number=next_number("SC", width=4), supplier_id=supplier_id, return_case=case, amount_claimed=price,
            description=_("Units of case %(case)s disposed to the supplier (supplier claim).") % {"case": case.number},
            created_by=drafter)
        state_change_record(SUPPLIER_CLAIM, claim, drafter, "draft", "", claim.state,
                            {"amount": str(price), "unit_ids": [u.pk for u in units], "auto": True})
    else:
        claim.amount_claimed += price
        claim.version += 1
        claim.save(update_fields=["amount_claimed", "version"])
        state_change_record(SUPPLIER_CLAIM, claim, drafter, "add_units", claim.state, claim.state,
                            {"amount": str(claim.amount_claimed), "unit_ids": [u.pk for u in units], "auto": True})
    ClaimItem.objects.bulk_create([ClaimItem(claim=claim, unit=u, quantity=1) for u in units])
    claim.attachments.add(*Attachment.objects.filter(unit__in=units))
    claim_clock(claim, actor=drafter)
    return claim


# --- compensation ---

@transaction.atomic
def compensation_propose(*, actor, case_id, amount, form: str, reason: str, goods: str = "") -> Compensation:
    """Service proposes what the customer is compensated with, on a case where inspection found the
    company responsible; a manager approves it, finance settles it."""
    require_roles(actor, "service")
    case = ReturnCase.objects.filter(pk=parsing.record_id(case_id, "case")).first()
    if case is None:
        raise NotFound()
    value = parsing.amount(amount, "amount", minimum=Decimal("0.01"))
    if form not in CompensationForm.values:
        raise InvalidInput(details={"form": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(CompensationForm.values)}]})
    why = parsing.text(reason, "reason", max_length=TEXT, required=True)
    given = parsing.text(goods, "goods", max_length=500, required=form == CompensationForm.GOODS)
    responsibilities = set(Inspection.objects.filter(unit__return_case=case, stage=Inspection.Stage.INTAKE)
                           .values_list("responsibility", flat=True))
    if not rules.company_responsible(responsibilities):
        raise Conflict(code="not_company_responsible", details={"responsibilities": sorted(r for r in responsibilities if r)})
    compensation = Compensation.objects.create(number=next_number("CP", width=4), return_case=case, amount=value, form=form,
                                               goods=given, reason=why, proposed_by=actor)
    from aftersales.core.workflow import state_change_record

    state_change_record(COMPENSATION, compensation, actor, "propose", "", compensation.state,
                        {"amount": str(value), "form": form})
    return compensation


def _decide(ctx) -> None:
    record = ctx.record
    record.decided_by, record.decided_at = ctx.actor, timezone.now()
    record.decision_comment = parsing.text(ctx.params.get("comment"), "comment", max_length=TEXT,
                                           required=ctx.spec.name == "reject")


def _settle(ctx) -> None:
    record = ctx.record
    record.settled_by, record.settled_at = ctx.actor, timezone.now()
    record.settlement_reference = parsing.text(ctx.params.get("reference"), "reference", max_length=100, required=True)


COMPENSATION_HANDLERS = {"approve": _decide, "reject": _decide, "settle": _settle}


@transaction.atomic
def compensation_act(*, actor, compensation_id, action: str, params: dict | None = None) -> Compensation:
    compensation_id = parsing.record_id(compensation_id, "compensation")
    if action not in COMPENSATION_HANDLERS:
        raise NotFound(_("No such action."), code="unknown_action")
    return COMPENSATION.apply(actor=actor, pk=compensation_id, action=action, handler=COMPENSATION_HANDLERS[action],
                              params=params or {}).record
