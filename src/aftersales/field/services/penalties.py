"""The penalty ledger (考核): the system proposes an entry from what it saw on an order (late on site, left without
the call, a report returned as incomplete, an ignored dispatch); the service manager records the others with
evidence (phone off, verified conduct complaints, a repeat repair for personal reasons, 记过/记大过/辞退); the
technician sees each entry and may contest it; the manager confirms or withdraws it."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing, policies
from aftersales.core.errors import InvalidInput, NotFound
from aftersales.core.roles import require_roles

from .. import rules
from ..models import FieldOrder, Penalty, PenaltyRule, Sanction
from ..workflow import PENALTY
from .common import TEXT, choice, order_event_append, penalty_timeline, technician_found

MAX_AMOUNT = Decimal("100000")


def penalty_propose(*, order: FieldOrder, technician_id: int, rule: str, description: str) -> Penalty | None:
    """The system's proposal, once per order, technician and rule (inside the step's transaction)."""
    if Penalty.objects.filter(order=order, technician_id=technician_id, rule=rule, proposed_by__isnull=True).exists() \
            and rule != PenaltyRule.INCOMPLETE_REPORT:
        return None
    penalty = Penalty.objects.create(
        technician_id=technician_id, rule=rule, amount=policies.value(rules.PENALTY_POLICIES[rule]),
        clause=rules.CLAUSE, order=order, occurred_on=timezone.localdate(), description=description)
    penalty_timeline(PENALTY, penalty, None, "create", "", penalty.state, {"rule": rule, "order": order.number})
    order_event_append(order=order, actor=None, action="penalty_proposed",
                       changes={"rule": rule, "penalty": penalty.pk, "technician": technician_id})
    return penalty


def _worked_on(order: FieldOrder, technician) -> bool:
    """The technician has (or had: reassigned, refused) the order."""
    if order.technician_id == technician.pk:
        return True
    return order.events.filter(action="assign", changes__technician=technician.get_username()).exists()


@transaction.atomic
def penalty_record(*, actor, technician=None, rule=None, amount=None, sanction="", occurred_on=None,
                   description=None, evidence=None, order=None, conduct_record=None) -> Penalty:
    """The service manager records an entry the system cannot see, with its evidence."""
    require_roles(actor, "manager")
    errors: dict = {}

    def read(field, parse):
        try:
            return parse()
        except InvalidInput as error:
            errors.update(error.details)
            return None

    technician = read("technician", lambda: technician_found(technician))
    rule = read("rule", lambda: choice(rule, "rule", PenaltyRule))
    sanction = read("sanction", lambda: choice(sanction or "", "sanction", Sanction))
    description = read("description", lambda: parsing.text(description, "description", max_length=TEXT,
                                                           required=True))
    evidence = read("evidence", lambda: parsing.text(evidence, "evidence", max_length=TEXT, required=True))
    day = read("occurred_on", lambda: parsing.date_value(occurred_on, "occurred_on") if occurred_on not in (
        None, "") else timezone.localdate())
    if rule in rules.PENALTY_POLICIES and amount in (None, ""):
        amount = policies.value(rules.PENALTY_POLICIES[rule])
    if amount in (None, "") and not sanction:
        errors["amount"] = [_("Give the amount, or the sanction, of this penalty.")]
    amount = read("amount", lambda: parsing.amount(amount or 0, "amount", maximum=MAX_AMOUNT))
    found_order = None
    if order not in (None, ""):
        found_order = FieldOrder.objects.filter(number=str(order)[:20]).first()
        if found_order is None:
            errors["order"] = [_("No field service order “%(value)s”.") % {"value": str(order)[:20]}]
        elif technician is not None and not _worked_on(found_order, technician):
            errors["order"] = [_("%(order)s was never dispatched to this technician.") % {"order": found_order.number}]
    record_id = None
    if conduct_record not in (None, ""):
        from aftersales.servicedesk.models import ConductRecord

        record_id = parsing.id_or_none(conduct_record)
        found = ConductRecord.objects.filter(pk=record_id or 0).values_list("person_id", flat=True).first()
        if found is None:
            errors["conduct_record"] = [_("No such conduct record.")]
        elif technician is not None and found != technician.pk:
            errors["conduct_record"] = [_("The conduct record is about someone else.")]
    if day is not None and day > timezone.localdate():
        errors["occurred_on"] = [_("A penalty is for something that has happened.")]
    if errors:
        raise InvalidInput(details=errors)
    penalty = Penalty.objects.create(
        technician=technician, rule=rule, amount=amount, sanction=sanction, clause=rules.CLAUSE, order=found_order,
        conduct_record_id=record_id, occurred_on=day, description=description, evidence=evidence,
        proposed_by=actor)
    penalty_timeline(PENALTY, penalty, actor, "create", "", penalty.state, {"rule": rule})
    return penalty


def _note(value, *, required: bool) -> str:
    return parsing.text(value, "note", max_length=TEXT, required=required)


def _penalty_act(*, actor, penalty_id, action: str, note: str, field: str):
    pk = parsing.id_or_none(penalty_id)
    if pk is None:
        raise NotFound()

    def step(ctx):
        setattr(ctx.record, field, note)
        if action != "contest":
            ctx.record.decided_by, ctx.record.decided_at = actor, timezone.now()
        ctx.changes = {"note": note} if note else {}

    return PENALTY.apply(actor=actor, pk=pk, action=action, handler=step).record


@transaction.atomic
def penalty_contest(*, actor, penalty_id, note=None) -> Penalty:
    """The technician objects, saying why."""
    return _penalty_act(actor=actor, penalty_id=penalty_id, action="contest", note=_note(note, required=True),
                        field="contest_note")


@transaction.atomic
def penalty_confirm(*, actor, penalty_id, note=None) -> Penalty:
    return _penalty_act(actor=actor, penalty_id=penalty_id, action="confirm", note=_note(note, required=False),
                        field="decision_note")


@transaction.atomic
def penalty_withdraw(*, actor, penalty_id, note=None) -> Penalty:
    """The manager withdraws it, saying why (an objection upheld, a mistaken proposal)."""
    return _penalty_act(actor=actor, penalty_id=penalty_id, action="withdraw", note=_note(note, required=True),
                        field="decision_note")
