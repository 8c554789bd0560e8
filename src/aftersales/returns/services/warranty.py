"""Warranty decisions for a case's units, and for a registered unit before any case, from the registry,
the models, the customer and policy."""

from django.utils import timezone

from aftersales.core import policies
from aftersales.masterdata.models import Customer, ShippedUnit

from .. import rules
from ..models import Reason


def _decision(*, shipped_date, has_serial: bool, model_warranty_months, extension_months: int, on, snapshot: dict,
              facts: dict) -> rules.WarrantyDecision:
    return rules.decide_warranty(
        shipped_date=shipped_date,
        has_serial=has_serial,
        model_warranty_months=model_warranty_months,
        default_warranty_months=snapshot["warranty_months"],
        extension_months=extension_months,
        on=on,
        tampered=facts.get("tampered", False),
        human_damage=facts.get("human_damage", False),
        void_on_tampering=snapshot["warranty_void_on_tampering"],
        human_damage_charged=snapshot["human_damage_charged"],
        customer_request=facts.get("customer_request", False),
    )


def warranty_for_registered_units(units: list[ShippedUnit], *, on=None) -> list[rules.WarrantyDecision]:
    """The decision each unit of the registry would get on `on` (today by default) if it came back now, on
    the terms of the customer it was shipped to; the units come with their product model and customer."""
    snapshot, on = policies.snapshot(), on or timezone.localdate()
    return [_decision(shipped_date=unit.shipped_date, has_serial=True,
                      model_warranty_months=unit.product_model.warranty_months,
                      extension_months=unit.customer.warranty_extension_months if unit.customer else 0,
                      on=on, snapshot=snapshot, facts={}) for unit in units]


def decide_units(units, *, case, on=None, snapshot=None, facts_by_unit=None) -> None:
    """Set each unit's warranty status, end date, chargeability and reasons (not saved here).
    A manager's override stands until the facts change (an inspection)."""
    snapshot = snapshot or policies.snapshot()
    on = on or timezone.localdate()
    facts_by_unit = facts_by_unit or {}
    # The terms of the customer the unit was shipped to (the registry), not of whoever applies.
    extensions = dict(Customer.objects.filter(
        pk__in={u.shipped_unit.customer_id for u in units if u.shipped_unit and u.shipped_unit.customer_id})
        .values_list("id", "warranty_extension_months"))
    for unit in units:
        facts = facts_by_unit.get(unit.pk, {})
        if unit.warranty_override and not facts:
            continue
        shipped = unit.shipped_unit
        if shipped is not None and shipped.customer_id is not None:
            extension = extensions.get(shipped.customer_id, 0)
        else:
            extension = case.customer.warranty_extension_months
        line = getattr(unit, "line", None)
        if line is not None and line.reason == Reason.CHANGE:
            facts = {**facts, "customer_request": True}
        decision = _decision(shipped_date=shipped.shipped_date if shipped else None, has_serial=bool(unit.serial),
                             model_warranty_months=unit.product_model.warranty_months, extension_months=extension,
                             on=on, snapshot=snapshot, facts=facts)
        unit.warranty_status = decision.status
        unit.warranty_until = decision.until
        unit.chargeable = decision.chargeable
        unit.warranty_reasons = decision.reasons
        if facts:
            unit.warranty_override = {}
