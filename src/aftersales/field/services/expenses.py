"""Travel expenses (差旅费报销, 售后服务请款): an advance asked before a trip; the trip's claim with its receipts
(lines: category, amount, the place and day of the receipt), linked to the trip's field orders and settling the
advance it names. A receipt whose place matches no site of the trip (出差的票据与出差地应相符), or dated outside the
trip, is flagged for the manager; the phone allowance (出差电话费补贴) is withheld when a phone-off penalty of the
technician within the trip is confirmed. The service manager approves, then finance pays: paying the claim settles
its advance (what is owed either way is the claim's `balance`)."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import numbering, parsing
from aftersales.core.errors import Conflict, InvalidInput, NotFound
from aftersales.core.roles import require_roles

from .. import rules
from ..models import (ClaimKind, ClaimState, ExpenseCategory, ExpenseClaim, ExpenseLine, FieldOrder, Penalty,
                      PenaltyRule, PenaltyState)
from ..workflow import EXPENSE_CLAIM
from .common import choice

MAX_AMOUNT = Decimal("1000000")
MAX_LINES, MAX_ORDERS = 100, 50


def _read(body: dict, *, kind: str) -> dict:
    """Everything the claim needs, checked before anything is written; every wrong field named."""
    errors: dict = {}
    read: dict = {}

    def take(field, parse):
        try:
            read[field] = parse()
        except InvalidInput as error:
            errors.update(error.details)

    take("trip_from", lambda: parsing.date_value(body.get("trip_from"), "trip_from"))
    take("trip_to", lambda: parsing.date_value(body.get("trip_to"), "trip_to"))
    if "trip_from" in read and "trip_to" in read and read["trip_to"] < read["trip_from"]:
        errors["trip_to"] = [_("The trip ends on or after the day it starts.")]
    take("places", lambda: parsing.text(body.get("places"), "places", max_length=300))
    numbers = body.get("orders") or []
    if not isinstance(numbers, list) or len(numbers) > MAX_ORDERS:
        errors["orders"] = [_("A list of field order numbers is expected (at most %(n)s).") % {"n": MAX_ORDERS}]
        numbers = []
    found = {o.number: o for o in FieldOrder.objects.filter(number__in=[str(n)[:20] for n in numbers])}
    unknown = [str(n)[:20] for n in numbers if str(n)[:20] not in found]
    if unknown:
        errors["orders"] = [_("No field service order “%(value)s”.") % {"value": ", ".join(unknown)}]
    read["orders"] = list(found.values())
    if kind == ClaimKind.ADVANCE:
        take("advance_amount", lambda: parsing.amount(body.get("amount"), "amount", minimum=Decimal("0.01"),
                                                      maximum=MAX_AMOUNT))
        read["lines"] = []
    else:
        read["lines"] = _lines(body.get("lines"), errors)
    if errors:
        raise InvalidInput(details=errors)
    return read


def _lines(lines, errors: dict) -> list[dict]:
    if not isinstance(lines, list) or not lines or len(lines) > MAX_LINES:
        errors["lines"] = [_("A list of receipts is expected (at most %(n)s).") % {"n": MAX_LINES}]
        return []
    parsed, problems = [], {}
    for index, line in enumerate(lines):
        if not isinstance(line, dict):
            problems[str(index)] = [_("A receipt is an object with its category and amount.")]
            continue
        found, messages = {}, []
        for field, parse in (
                ("category", lambda: choice(line.get("category"), "category", ExpenseCategory)),
                ("amount", lambda: parsing.amount(line.get("amount"), "amount", maximum=MAX_AMOUNT)),
                ("place", lambda: parsing.text(line.get("place"), "place", max_length=120)),
                ("receipt_on", lambda: parsing.date_value(line["receipt_on"], "receipt_on")
                 if line.get("receipt_on") not in (None, "") else None),
                ("note", lambda: parsing.text(line.get("note"), "note", max_length=300))):
            try:
                found[field] = parse()
            except InvalidInput as error:
                messages.extend(m for ms in error.details.values() for m in ms)
        if messages:
            problems[str(index)] = messages
        else:
            parsed.append(found)
    if problems:
        errors["lines"] = problems
    return parsed


def _phone_off_confirmed(technician_id: int, trip_from, trip_to) -> bool:
    return Penalty.objects.filter(technician_id=technician_id, rule=PenaltyRule.PHONE_OFF,
                                  state=PenaltyState.CONFIRMED, occurred_on__gte=trip_from,
                                  occurred_on__lte=trip_to).exists()


def _flag(claim: ExpenseClaim, lines: list[ExpenseLine]) -> None:
    """The flags the manager reads: receipts from elsewhere or other days, a phone allowance withheld."""
    sites = rules.trip_sites([o.site_address for o in claim.orders.all()], claim.places)
    withheld = _phone_off_confirmed(claim.technician_id, claim.trip_from, claim.trip_to)
    for line in lines:
        line.place_mismatch = not rules.place_matches(line.place, sites)
        line.outside_trip = line.receipt_on is not None and not claim.trip_from <= line.receipt_on <= claim.trip_to
        line.withheld = withheld and line.category == ExpenseCategory.PHONE


@transaction.atomic
def claim_create(*, actor, body: dict) -> ExpenseClaim:
    """The technician drafts an advance (`amount`) or a claim (`lines`, `advance`: the advance it settles)."""
    require_roles(actor, "technician")
    body = parsing.json_object(body)
    kind = choice(body.get("kind"), "kind", ClaimKind)
    read = _read(body, kind=kind)
    advance = None
    if kind == ClaimKind.CLAIM and body.get("advance") not in (None, ""):
        advance = ExpenseClaim.objects.select_for_update().filter(
            number=str(body["advance"])[:20], kind=ClaimKind.ADVANCE, technician=actor).first()
        if advance is None:
            raise InvalidInput(details={"advance": [_("No advance “%(value)s” of yours.") % {
                "value": str(body["advance"])[:20]}]})
        if advance.state != ClaimState.PAID or ExpenseClaim.objects.filter(advance=advance).exclude(
                state=ClaimState.REJECTED).exists():
            raise Conflict(code="advance_settled", details={"advance": [str(_(
                "This advance is settled by another claim already, or is not paid."))]})
    claim = ExpenseClaim.objects.create(
        number=numbering.next_number("EX", width=6), kind=kind, technician=actor, advance=advance,
        trip_from=read["trip_from"], trip_to=read["trip_to"], places=read["places"],
        advance_amount=read.get("advance_amount", 0))
    claim.orders.set(read["orders"])
    lines = [ExpenseLine(claim=claim, **line) for line in read["lines"]]
    _flag(claim, lines)
    ExpenseLine.objects.bulk_create(lines)
    from .common import claim_timeline

    claim_timeline(EXPENSE_CLAIM, claim, actor, "create", "", claim.state, {"kind": kind})
    return claim


def claim_totals(claim: ExpenseClaim) -> dict:
    """What the claim asks (withheld lines left out), what its advance paid, and the balance finance pays
    (negative: the technician pays back)."""
    if claim.kind == ClaimKind.ADVANCE:
        return {"total": claim.advance_amount, "withheld": Decimal("0"), "advance_paid": Decimal("0"),
                "balance": claim.advance_amount}
    total = claim.lines.filter(withheld=False).aggregate(n=Sum("amount"))["n"] or Decimal("0")
    withheld = claim.lines.filter(withheld=True).aggregate(n=Sum("amount"))["n"] or Decimal("0")
    advance = claim.advance.advance_amount if claim.advance_id else Decimal("0")
    return {"total": total, "withheld": withheld, "advance_paid": advance, "balance": total - advance}


def _act(*, actor, claim_id, action: str, note: str = ""):
    pk = parsing.id_or_none(claim_id)
    if pk is None:
        raise NotFound()

    def step(ctx):
        claim = ctx.record
        if action in ("approve", "reject"):
            claim.approved_by, claim.decision_note = actor, note
            if action == "approve":  # penalties confirmed since it was drafted count too
                lines = list(claim.lines.all())
                _flag(claim, lines)
                ExpenseLine.objects.bulk_update(lines, ["place_mismatch", "outside_trip", "withheld"])
        elif action == "pay":
            claim.paid_by, claim.paid_at = actor, timezone.now()
        ctx.changes = {"note": note} if note else {}

    return EXPENSE_CLAIM.apply(actor=actor, pk=pk, action=action, handler=step).record


@transaction.atomic
def claim_step(*, actor, claim_id, action: str, note=None) -> ExpenseClaim:
    if action not in EXPENSE_CLAIM.table:
        raise NotFound(code="unknown_action")
    note = parsing.text(note, "note", max_length=2000, required=action == "reject")
    return _act(actor=actor, claim_id=claim_id, action=action, note=note)
