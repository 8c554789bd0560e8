"""The first-article gate on the work itself, whichever way the work is started or finished.

A batch is reworked through its rework order: the first article first, the rest once quality has
passed it. The case's own start_work / finish_work actions obey the same rule (registered as a work
gate of the return case's workflow), so no endpoint is a side door.
"""

from aftersales.returns.models import UnitState, VolumeClass

from .models import OrderState, OrderUnit
from .workflow import OPEN_ORDER_STATES


def _blocked(case) -> dict[int, str]:
    """Units of the case whose work must wait, with the reason."""
    blocked: dict[int, str] = {}
    on_order = set()
    for unit_id, state, first_article in OrderUnit.objects.filter(
            order__return_case=case, order__state__in=OPEN_ORDER_STATES).values_list(
            "unit_id", "order__state", "order__first_article_unit_id"):
        on_order.add(unit_id)
        waiting = state in (OrderState.PLANNED, OrderState.FIRST_ARTICLE)
        if first_article is not None and waiting and unit_id != first_article:
            blocked[unit_id] = "first_article_pending"
    if case.volume_class == VolumeClass.BATCH:
        for unit_id in case.units.filter(state=UnitState.DISPOSED).values_list("id", flat=True):
            if unit_id not in on_order:
                blocked.setdefault(unit_id, "batch_work_needs_order")
    return blocked


def first_article_gate(ctx) -> str | None:
    if "first_article_blocked" not in ctx.cache:
        ctx.cache["first_article_blocked"] = _blocked(ctx.case)
    blocked = ctx.cache["first_article_blocked"]
    for unit in ctx.units:
        code = blocked.get(unit.id)
        if code == "batch_work_needs_order" and ctx.action != "start_work":
            continue
        if code is not None:
            return code
    return None


first_article_gate.codes = ("first_article_pending", "batch_work_needs_order")  # what it may answer (docs, tests)
