"""The one service that applies a workflow action to a case or to units of it.

Lock the case row, check the table (state, roles, guards) for the actor, run the action's
handler (state, stock moves, records), derive the case state from its units, bump the
version and append the timeline entry, all in one transaction.
"""

import copy
from collections import defaultdict
from types import SimpleNamespace

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import Conflict, InvalidInput, NotFound
from aftersales.core.permissions import scope_to_customer
from aftersales.core.roles import roles_of
from aftersales.masterdata.models import ProductModel, ShippedUnit

from .. import rules
from ..models import CaseState, Outcome, ReturnCase, ReturnLine, ReturnUnit
from aftersales.core.workflow import GuardContext, check_guards, check_roles

from ..workflow import ACTIONS, AFTER_RECEIPT, CASE, GUARD_MESSAGES, UNIT, UNIT_GUARDS, case_states_for
from ..clocks import case_clocks_sync
from ..signals import action_applied
from .events import event_append
from .handlers.common import CHUNK, LINE_FIELDS_DEFERRED, ActionContext


# Case-level actions after which the case state is derived from its units again.
_DERIVE_AFTER = {"close_receipt", "settle_refund", "ship_exchange_in_advance"}


def case_for_update(*, actor, case_id: int, version: int | None = None) -> ReturnCase:
    # of=self: lock the case row only, not the customer joined to it (that would serialise a dealer's cases).
    queryset = scope_to_customer(ReturnCase.objects.select_for_update(of=("self",)), actor, "customer")
    case = queryset.select_related("customer").filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    if version is not None and case.version != version:
        raise Conflict(
            _("The case was changed by someone else (version %(current)s, you had %(yours)s); reload it.")
            % {"current": case.version, "yours": version},
            code="stale_version", details={"version": case.version},
        )
    return case


def load_units(case: ReturnCase, unit_ids) -> list["UnitRecord"]:
    if isinstance(unit_ids, set):
        unit_ids = sorted(unit_ids)
    wanted = sorted(set(parsing.record_ids(unit_ids, "unit_ids")))  # a string of ids is not read digit by digit
    units = []
    for start in range(0, len(wanted), CHUNK):
        rows = (ReturnUnit.objects.filter(return_case=case, pk__in=wanted[start:start + CHUNK]).order_by("pk")
                .values(*UNIT_ATTRIBUTES))
        units.extend(UnitRecord(**row) for row in rows)
    attach_related(case, units)
    if len(units) != len(wanted):
        found = {u.pk for u in units}
        raise NotFound(_("Some units are not on this case."),
                       details={"unit_ids": [pk for pk in wanted if pk not in found]})
    return units


class UnitRecord(SimpleNamespace):
    """A unit as handlers work on it: its fields as attributes (no model instance: bulk actions
    load thousands), saved through units_save."""

    @property
    def pk(self) -> int:
        return self.id


UNIT_ATTRIBUTES = [field.attname for field in ReturnUnit._meta.concrete_fields]


def attach_related(case: ReturnCase, units: list) -> None:
    """Give each unit its line, product model and registered unit from one query each
    (a bulk action loads thousands of units: joining them would build four objects per unit)."""
    lines = {line.pk: line for line in ReturnLine.objects.filter(return_case=case).defer(*LINE_FIELDS_DEFERRED)}
    models = ProductModel.objects.in_bulk({unit.product_model_id for unit in units})
    shipped = ShippedUnit.objects.only("id", "shipped_date", "customer_id").in_bulk(
        {unit.shipped_unit_id for unit in units if unit.shipped_unit_id})
    for unit in units:
        unit.line = lines[unit.line_id]
        unit.product_model = models[unit.product_model_id]
        unit.shipped_unit = shipped.get(unit.shipped_unit_id)


def _guard_details(code: str, ctx: GuardContext) -> dict:
    if code == "return_note_incomplete":
        return {"missing": rules.note_missing(ctx.case.lines.all())}
    return {}


def action_permitted(*, actor, case: ReturnCase, action: str) -> set[str]:
    """The actor's roles if the table lets them take `action` on the case in its present state,
    else the error apply_action answers (guards are left to it). Edges call it before they read
    an upload the action needs."""
    spec = ACTIONS[action]
    roles = roles_of(actor)
    check_roles(spec, roles)
    if case.state not in case_states_for(spec):
        raise Conflict(
            _("“%(action)s” cannot be done while the case is %(state)s.")
            % {"action": spec.label, "state": case.get_state_display()},
            code="invalid_state", details={"state": case.state},
        )
    return roles


@transaction.atomic
def apply_action(*, actor, case_id: int, action: str, params: dict | None = None, unit_ids=None,
                 version: int | None = None, comment: str = "") -> ReturnCase:
    from .handlers import HANDLERS

    spec = ACTIONS.get(action)
    if spec is None:
        raise NotFound(_("No such action."), code="unknown_action")
    case = case_for_update(actor=actor, case_id=case_id, version=version)
    roles = action_permitted(actor=actor, case=case, action=action)
    units = []
    if spec.level == UNIT:
        if not unit_ids:
            raise InvalidInput(details={"unit_ids": [_("Name the units to act on.")]})
        units = load_units(case, unit_ids)
        wrong = [u.pk for u in units if u.state not in spec.sources]
        if wrong:
            raise Conflict(
                _("“%(action)s” cannot be done on units in their present state.") % {"action": spec.label},
                code="invalid_state", details={"unit_ids": wrong[:100], "count": len(wrong)},
            )
    check_guards(spec, GuardContext(record=case, actor=actor, roles=roles, units=units, action=action),
                 GUARD_MESSAGES, _guard_details)

    from_state, stored = case.state, _stored_values(case)
    ctx = ActionContext(case=case, actor=actor, roles=roles, params=params or {}, units=units, comment=comment)
    HANDLERS[action](ctx)
    if ctx.case_to_state is not None:
        case.state = ctx.case_to_state
    elif (spec.level == UNIT and case.state in AFTER_RECEIPT) or action in _DERIVE_AFTER:
        case.state = derived_case_state(case)
    case.version += 1
    # Only what the action changed is written (a scan changes the version alone): no wide UPDATE, and a
    # column a handler updated by query is not overwritten with the value read at the start.
    case.save(update_fields=[name for name, value in stored.items() if getattr(case, name) != value]
              + ["version", "updated_at"])
    event_append(case=case, actor=actor, action=action, from_state=from_state, to_state=case.state,
                 unit_ids=[u.pk for u in units] if spec.level == UNIT else ctx.changes.pop("unit_ids", []),
                 unit_to_state=ctx.unit_to_state, changes=ctx.changes, comment=comment)
    if not from_state == case.state == CaseState.RECEIVING:  # while receiving, the clocks follow the state alone
        case_clocks_sync(case, actor=actor)
    action_applied.send(sender=ReturnCase, case=case, action=action, actor=actor, from_state=from_state,
                        unit_ids=[u.pk for u in units], params=ctx.params)
    case.action_result = ctx.result
    return case


_CASE_FIELDS = [field for field in ReturnCase._meta.concrete_fields
                if not field.primary_key and field.attname not in ("version", "updated_at")]


def _stored_values(case: ReturnCase) -> dict:
    """The case's columns as read (copies of the JSON ones, which handlers may change in place)."""
    return {field.attname: copy.deepcopy(value) if isinstance(value := getattr(case, field.attname), (dict, list))
            else value for field in _CASE_FIELDS}


def derived_case_state(case: ReturnCase) -> str:
    states = ReturnUnit.objects.filter(return_case=case).values_list("state", flat=True).distinct()
    refunds_pending = ReturnLine.objects.filter(return_case=case, requested_outcome=Outcome.REFUND,
                                                refunded_at__isnull=True).exists()
    return rules.case_state_from_units(states, refunds_pending=refunds_pending)


# --- what the user may do now ---

def allowed_actions(case: ReturnCase, actor, unit_groups: dict | None = None) -> list[dict]:
    """The actions this user may take on this case now, from the table; unit actions with
    the ids of the units they apply to. `unit_groups` maps unit state -> list of units."""
    roles = roles_of(actor)
    if unit_groups is None:
        unit_groups = defaultdict(list)
        for unit in case.units.all():
            unit_groups[unit.state].append(unit)
    allowed = []
    cache: dict = {}
    for spec in ACTIONS.values():
        if not roles & spec.roles or case.state not in case_states_for(spec):
            continue

        def context(units=(), spec=spec):
            return GuardContext(record=case, actor=actor, roles=roles, units=list(units), action=spec.name,
                                cache=cache)

        if spec.level == CASE:
            if _passes(spec, context()):
                allowed.append({"action": spec.name, "label": str(spec.label), "level": CASE})
            continue
        candidates = [u for state in spec.sources for u in unit_groups.get(state, [])]
        if not candidates:
            continue
        case_guards = [g for g in spec.guards if g not in UNIT_GUARDS]
        if not all(guard(context()) is None for guard in case_guards):
            continue
        unit_guards = [g for g in spec.guards if g in UNIT_GUARDS]
        eligible = [u for u in candidates if all(g(context([u])) is None for g in unit_guards)]
        if eligible:
            allowed.append({"action": spec.name, "label": str(spec.label), "level": UNIT,
                            "unit_ids": [u.id for u in eligible]})
    return allowed


def _passes(spec, ctx) -> bool:
    return all(guard(ctx) is None for guard in spec.guards)

