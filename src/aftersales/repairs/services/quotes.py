"""收费清单: the quote behind the case's charge step (quote_charge / revise_charge), its answer by the
customer (followed from the case), its revision after the bench finding, and its payment. State
changes through the table (workflow.QUOTE)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing, policies
from aftersales.core.errors import Conflict, InvalidInput, NotFound
from aftersales.core.roles import require_roles
from aftersales.core.workflow import state_change_record
from aftersales.returns.models import ReturnCase, ReturnUnit
from aftersales.returns.services.actions import apply_action

from ..models import Quote, QuoteState
from ..workflow import QUOTE
from .common import CENT, TEXT, parts_list, text

MAX_TRANSPORT = Decimal("1000000")


def quote_compute(*, parts, labour_hours, transport, values: dict | None = None) -> dict:
    """Parts at cost plus the markup, labour at the rate, transport: per unit, in yuan."""
    values = values or policies.snapshot()
    parsed = parts_list(parts)
    hours = parsing.amount(labour_hours, "labour_hours", maximum=Decimal("100000"), places=None)
    carriage = parsing.amount(transport, "transport", maximum=MAX_TRANSPORT)
    markup = Decimal(1) + Decimal(values["parts_markup_percent"]) / 100
    lines = [{"kind": "part", "part": part.code, "name": part.name, "quantity": quantity,
              "unit_cost": str(part.unit_cost), "unit_price": str((part.unit_cost * markup).quantize(CENT, ROUND_HALF_UP)),
              "amount": str((part.unit_cost * markup * quantity).quantize(CENT, ROUND_HALF_UP))}
             for part, quantity in parsed]
    parts_total = sum((Decimal(line["amount"]) for line in lines), Decimal("0"))
    labour_total = (hours * values["labour_rate_per_hour"]).quantize(CENT, ROUND_HALF_UP)
    lines.append({"kind": "labour", "hours": str(hours), "rate": str(values["labour_rate_per_hour"]),
                  "amount": str(labour_total)})
    if carriage:
        lines.append({"kind": "transport", "amount": str(carriage)})
    return {"lines": lines, "parts_total": parts_total, "labour_total": labour_total, "transport": carriage,
            "total": parts_total + labour_total + carriage}


def _expected(value):
    return None if value in (None, "") else parsing.date_value(value, "expected_return_date")


def _case_locked(case_id: int) -> ReturnCase:
    case = ReturnCase.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


@transaction.atomic
def quote_send(*, actor, case_id: int, unit_ids: list[int], parts, labour_hours, transport=0,
               expected_return_date=None) -> Quote:
    """收费清单 to the customer: the case's quote_charge step, with the full quote behind the amount."""
    require_roles(actor, "service")
    case_id, unit_ids = parsing.record_id(case_id, "case"), sorted(set(parsing.record_ids(unit_ids, "unit_ids")))
    priced = quote_compute(parts=parts, labour_hours=labour_hours, transport=transport)
    expected = _expected(expected_return_date)
    _case_locked(case_id)  # the case first: two quotes for the same units cannot pass the check together
    quoted = [q.pk for q in Quote.objects.filter(return_case_id=case_id, state=QuoteState.SENT)
              if set(q.unit_ids) & set(unit_ids)]
    if quoted:
        raise Conflict(code="quote_pending", details={"quotes": quoted})
    apply_action(actor=actor, case_id=case_id, action="quote_charge", unit_ids=unit_ids,
                 params={"amount": str(priced["total"]), "expected_return_date": str(expected or "")})
    quote = Quote.objects.create(
        return_case_id=case_id, unit_ids=unit_ids, lines=priced["lines"],
        parts_total=priced["parts_total"], labour_total=priced["labour_total"], transport=priced["transport"],
        total_per_unit=priced["total"], expected_return_date=expected, created_by=actor)
    state_change_record(QUOTE, quote, actor, "send", "", quote.state, {"total_per_unit": str(quote.total_per_unit)})
    return quote


@transaction.atomic
def quote_revise(*, actor, quote_id: int, parts, labour_hours, transport=0, expected_return_date=None,
                 reason: str) -> Quote:
    """The bench found other work than quoted: the revision replaces the quote and is asked again."""
    made = {}

    def revise(ctx):
        quote = ctx.record
        if quote.return_case_id is None:  # a parts shipment's quote: refused and quoted again instead
            raise Conflict(_("A quote for parts sent is not revised."), code="invalid_state",
                           details={"state": quote.state})
        why = text(reason, "reason", max_length=TEXT)
        if not why:
            raise InvalidInput(details={"reason": [_("Say what the bench found.")]})
        priced = quote_compute(parts=parts, labour_hours=labour_hours, transport=transport)
        expected = _expected(expected_return_date)
        params = {"amount": str(priced["total"]), "expected_return_date": str(expected or ""), "reason": why}
        if quote.state == QuoteState.SENT:
            # Not answered yet: the new amount is quoted again (charge cleared first, so the step applies).
            ReturnUnit.objects.filter(pk__in=quote.unit_ids).update(charge_amount=None)
            action = "quote_charge"
        else:
            action = "revise_charge"
        apply_action(actor=actor, case_id=quote.return_case_id, action=action, unit_ids=quote.unit_ids,
                     params=params, comment=why)
        made["quote"] = Quote.objects.create(
            return_case_id=quote.return_case_id, revision=quote.revision + 1, unit_ids=quote.unit_ids,
            lines=priced["lines"], parts_total=priced["parts_total"], labour_total=priced["labour_total"],
            transport=priced["transport"], total_per_unit=priced["total"], expected_return_date=expected,
            reason=why, created_by=actor)
        ctx.changes = {"revision": made["quote"].revision}

    QUOTE.apply(actor=actor, pk=quote_id, action="revise", handler=revise)
    state_change_record(QUOTE, made["quote"], actor, "send", "", made["quote"].state, {"revises": quote_id})
    return made["quote"]


@transaction.atomic
def quote_payment(*, actor, quote_id: int, amount) -> Quote:
    """Finance records the customer's payment of an accepted quote (all or part of the fee)."""
    def pay(ctx):
        quote = ctx.record
        paid = parsing.amount(amount, "amount", minimum=CENT)
        if quote.paid_amount + paid > quote.amount_due:
            raise InvalidInput(details={"amount": [_("More than the fee due (%(due)s).")
                                                   % {"due": quote.amount_due - quote.paid_amount}]})
        quote.paid_amount += paid
        quote.paid_at, quote.paid_by = timezone.now(), actor
        ctx.changes = {"paid": str(paid)}

    return QUOTE.apply(actor=actor, pk=quote_id, action="pay", handler=pay).record


def quotes_follow_answers(sender, *, case, action, unit_ids, actor=None, **kwargs) -> None:
    """The customer answered on the case (portal or recorded by service): the quote in force follows."""
    if action not in ("accept_charge", "refuse_charge"):
        return
    for quote in Quote.objects.select_for_update().filter(return_case=case, state=QuoteState.SENT):
        if not set(quote.unit_ids) & set(unit_ids):
            continue
        answers = list(ReturnUnit.objects.filter(pk__in=quote.unit_ids).values_list("charge_answer", flat=True))
        if all(answers):  # settled once every unit of the quote has its answer; any refusal refuses it
            def follow(ctx, answers=answers):
                accepted = all(answer.get("accepted") for answer in answers)
                ctx.to_state = QuoteState.ACCEPTED if accepted else QuoteState.REFUSED
                ctx.record.answered_at = timezone.now()

            QUOTE.apply(actor=actor, record=quote, action="answer", handler=follow)
