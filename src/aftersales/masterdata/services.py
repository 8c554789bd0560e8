"""Writes to the units registry that other apps make (a unit shipped in exchange)."""

import datetime

from django.utils import timezone

from .models import ShippedUnit


def shipped_units_register(*, product_model_id: int, customer_id: int, serials: list[str],
                           shipped_date: datetime.date | None, sales_order: str = "",
                           replaces: dict[str, int | None] | None = None) -> list[ShippedUnit]:
    """Units shipped to a customer, registered with the date their warranty starts from (a unit
    already in the registry, e.g. resold from stock, is registered again to its new customer).
    `shipped_date` None keeps the date of a unit already registered (shipped ahead, matched now);
    `replaces` maps a serial to the registered faulty unit it replaces."""
    replaces = replaces or {}
    existing = {unit.serial: unit for unit in ShippedUnit.objects.select_for_update()
                .filter(product_model_id=product_model_id, serial__in=serials)}
    registered = []
    for serial in serials:
        unit = existing.get(serial) or ShippedUnit(product_model_id=product_model_id, serial=serial)
        if shipped_date is not None or unit.pk is None:
            unit.shipped_date = shipped_date or timezone.localdate()
            unit.customer_id, unit.sales_order = customer_id, sales_order or unit.sales_order
        if replaces.get(serial):
            unit.replaces_id = replaces[serial]
        unit.save()
        registered.append(unit)
    return registered
