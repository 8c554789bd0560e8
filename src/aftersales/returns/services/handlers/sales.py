"""What a disposition writes beside the unit: the internal discounted sale (售后客退品处理规定 5.1.4.1) and the
replenishment instruction to planning (客退品处理流程: 补货指令)."""

from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing, policies
from aftersales.core.errors import InvalidInput
from aftersales.workcalendar.calendar import calendar_load

from ... import rules
from ...models import InternalSale, Replenishment


def _sale_values(raw) -> dict:
    if not isinstance(raw, dict):
        raise InvalidInput(details={"internal_sale": [_("Give the sale: price, discount_percent, buyer_kind, buyer, "
                                                        "sold_on.")]})
    errors, values = {}, {}
    for name, read in (("price", lambda v: parsing.amount(v, "price", minimum=Decimal("0"))),
                       ("discount_percent", lambda v: parsing.amount(v, "discount_percent", minimum=Decimal("0"),
                                                                     maximum=Decimal("100"))),
                       ("sold_on", lambda v: parsing.date_value(v, "sold_on"))):
        try:
            if raw.get(name) in (None, ""):
                raise InvalidInput(details={name: [_("This field is required.")]})
            values[name] = read(raw[name])
        except InvalidInput as error:
            errors.update({f"internal_sale.{key}": messages for key, messages in error.details.items()})
    kind = raw.get("buyer_kind")
    buyer = raw.get("buyer")
    if kind not in InternalSale.BuyerKind.values:
        errors["internal_sale.buyer_kind"] = [_("Must be one of: %(allowed)s.")
                                              % {"allowed": ", ".join(InternalSale.BuyerKind.values)}]
    elif kind == InternalSale.BuyerKind.EMPLOYEE:
        user = get_user_model().objects.filter(username=buyer if isinstance(buyer, str) else None,
                                               customer__isnull=True, is_active=True).first()
        if user is None:
            errors["internal_sale.buyer"] = [_("Name the employee by username.")]
        values.update(buyer_kind=kind, buyer_user=user, buyer_department="")
    else:
        try:
            department = parsing.text(buyer, "buyer", max_length=100, required=True)
        except InvalidInput as error:
            errors.update({f"internal_sale.{key}": messages for key, messages in error.details.items()})
            department = ""
        values.update(buyer_kind=kind, buyer_user=None, buyer_department=department)
    if errors:
        raise InvalidInput(details=errors)
    return values


def internal_sales_record(ctx, units) -> None:
    """Record the internal sale of these units (one price per unit, one buyer, one date)."""
    values = _sale_values(ctx.params.get("internal_sale"))
    InternalSale.objects.filter(unit_id__in=[u.pk for u in units]).delete()  # a disposition decided again
    InternalSale.objects.bulk_create([InternalSale(unit_id=u.pk, return_case=ctx.case, recorded_by=ctx.actor, **values)
                                      for u in units])


def replenishments_for(ctx, units) -> None:
    """One replenishment instruction per product model for the units replaced because they are not reworked;
    a unit decided otherwise again leaves the open instruction it was on."""
    _replenishments_release(ctx, {u.pk for u in units})
    wanted = defaultdict(list)
    for unit in units:
        if rules.needs_replenishment(outcome=unit.line.requested_outcome, disposition=unit.disposition):
            wanted[unit.product_model_id].append(unit.pk)
    if not wanted:
        return
    snapshot = policies.snapshot()
    due = calendar_load(values=snapshot).working_days_after(timezone.localdate(),
                                                            snapshot["replenishment_working_days"])
    Replenishment.objects.bulk_create([
        Replenishment(return_case=ctx.case, product_model_id=model_id, quantity=len(ids), unit_ids=ids, due_date=due,
                      reason=_("Not reworked: replaced with a new unit."), created_by=ctx.actor)
        for model_id, ids in sorted(wanted.items())])
    ctx.changes["replenishment"] = {"units": sum(len(ids) for ids in wanted.values()), "due": due.isoformat()}


def _replenishments_release(ctx, unit_ids: set[int]) -> None:
    for row in Replenishment.objects.select_for_update().filter(return_case=ctx.case, state=Replenishment.State.OPEN):
        kept = [pk for pk in row.unit_ids if pk not in unit_ids]
        if len(kept) == len(row.unit_ids):
            continue
        if kept:
            row.unit_ids, row.quantity = kept, len(kept)
            row.save(update_fields=["unit_ids", "quantity"])
        else:
            row.delete()
