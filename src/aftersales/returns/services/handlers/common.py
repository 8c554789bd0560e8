"""What the handlers share: timestamps, notices, parameter checks, units leaving the case."""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import Conflict, InvalidInput
from aftersales.inventory.services import Move, stock_moves_apply, warehouse_ids

from ...models import Disposition, ReturnCase, ReturnUnit, UnitState


U = UnitState
D = Disposition
CHUNK = 5000  # ids per query in bulk work
# A line's serial lists can hold thousands of entries: not loaded with the units.
LINE_FIELDS_DEFERRED = ("serials", "advance_serials", "window_decision")


@dataclass
class ActionContext:
    """What a handler works with, once apply_action has checked state, roles and guards: it changes the
    units (saved through units_save) and records, and says what the timeline keeps (`changes`), where
    the units went (`unit_to_state`), where the case goes (`case_to_state`, case actions) and what the
    caller answers (`result`)."""

    case: ReturnCase
    actor: object
    roles: set[str]
    params: dict
    units: list
    comment: str = ""
    changes: dict = field(default_factory=dict)
    unit_to_state: str = ""
    case_to_state: str | None = None
    result: dict = field(default_factory=dict)


def units_save(units: list[ReturnUnit], fields: list[str]) -> None:
    """Save many units: one UPDATE per distinct set of values (bulk work sets the same values)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for unit in units:
        values = tuple(_hashable(getattr(unit, _attname(name))) for name in fields)
        groups[values].append(unit.pk)
    for values, pks in groups.items():
        update = {_attname(name): getattr_value for name, getattr_value in zip(fields, values)}
        update = {key: _unhashable(value) for key, value in update.items()}
        for start in range(0, len(pks), CHUNK):
            ReturnUnit.objects.filter(pk__in=pks[start:start + CHUNK]).update(**update)


_FK_FIELDS = {"warehouse", "shipped_unit", "product_model", "line"}


def _attname(name: str) -> str:
    return f"{name}_id" if name in _FK_FIELDS else name


class _Frozen(tuple):
    """A JSON value made hashable for grouping, and back."""


def _hashable(value):
    if isinstance(value, (dict, list)):
        return _Frozen((json.dumps(value, sort_keys=True, default=str),))
    return value


def _unhashable(value):
    if isinstance(value, _Frozen):
        return json.loads(value[0])
    return value


def _now():
    return timezone.now()


def _who(ctx) -> dict:
    return {"by": ctx.actor.get_username(), "at": timezone.localtime(_now()).isoformat(),
            "via": "portal" if ctx.actor.customer_id else "service"}


def _notice(case, kind, **content):
    """Tell the customer: the notice in the portal, and a notification (e-mail) to its users, with the event."""
    from ...notices import customer_notice_send

    customer_notice_send(case, kind, **content)


def _required(params: dict, *names: str) -> None:
    missing = {name: [_("This field is required.")] for name in names if params.get(name) in (None, "", [])}
    if missing:
        raise InvalidInput(details=missing)


def _money(params: dict, name: str, *, positive: bool = False) -> Decimal:
    """An amount in yuan (cents), 0 or more, or more than 0 where `positive`."""
    return parsing.amount(params.get(name, "0"), name, minimum=Decimal("0.01") if positive else Decimal("0"))


def _moves_for(units, kind: str, to_kind: str | None, wh: dict) -> list[Move]:
    return [Move(kind=kind, quantity=1, from_warehouse_id=u.warehouse_id,
                 to_warehouse_id=wh[to_kind] if to_kind else None, product_model_id=u.product_model_id,
                 return_unit_id=u.pk, serial=u.serial) for u in units]


def _leave(ctx, units, *, exit: str, move_kind: str, to_kind: str | None) -> None:
    """Units leave the case: into a company warehouse that is no longer the case's, or out."""
    wh = warehouse_ids()
    stock_moves_apply(actor=ctx.actor, moves=_moves_for(units, move_kind, to_kind, wh), return_case=ctx.case)
    now = _now()
    for unit in units:
        unit.state, unit.exit, unit.done_at = U.DONE, exit, now
        unit.warehouse_id = wh[to_kind] if to_kind else None


def _to_warehouse(ctx, units, *, kind: str, move_kind: str) -> None:
    """Units stay on the case but move to another company warehouse (those already there stay put)."""
    wh = warehouse_ids()
    moving = [u for u in units if u.warehouse_id != wh[kind]]
    stock_moves_apply(actor=ctx.actor, moves=_moves_for(moving, move_kind, kind, wh), return_case=ctx.case)
    for unit in moving:
        unit.warehouse_id = wh[kind]


def open_units_elsewhere(case, serials) -> dict[tuple[int, str], str]:
    """(model id, serial) -> number of the other open case a unit with that serial is on."""
    rows = (ReturnUnit.objects.filter(serial__in=list(serials)).exclude(return_case=case)
            .exclude(state__in=[U.DONE, U.MISSING]).values_list("product_model_id", "serial", "return_case__number"))
    return {(model_id, serial): number for model_id, serial, number in rows}


def units_create(units: list) -> None:
    """Insert new unit records; a serial another case took in the meantime is refused, not a crash."""
    try:
        with transaction.atomic():
            ReturnUnit.objects.bulk_create(units, batch_size=2000)
    except IntegrityError:
        raise Conflict(_("Some serials are already on another open return case."),
                       code="serial_on_open_case") from None
