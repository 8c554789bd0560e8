"""报废申请单: units waiting for scrap approval, and scrapped materials by part or by weight per class;
the manager decides (workflow.SCRAP_APPLICATION): approved units go to the scrap warehouse through
the case, parts leave raw-material stock."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import Conflict, InvalidInput
from aftersales.core.roles import require_roles
from aftersales.core.workflow import state_change_record
from aftersales.inventory.services import Move, stock_moves_apply, warehouse_of_kind
from aftersales.masterdata.models import Part, ScrapClass, WarehouseKind
from aftersales.returns.models import ReturnUnit, UnitState
from aftersales.returns.services.actions import apply_action

from ..models import ScrapApplication, ScrapState
from ..workflow import SCRAP_APPLICATION
from .common import NOTE, next_number, parts_list, text

MAX_KILOGRAMS = Decimal("10000000")


def _weights(raw) -> dict:
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise InvalidInput(details={"weights_kg": [_("Give kilograms per scrap class.")]})
    errors, weights = {}, {}
    for key, value in raw.items():
        if key not in ScrapClass.values:
            errors[key] = [_("Unknown scrap class.")]
            continue
        try:
            weights[key] = str(parsing.amount(value, key, maximum=MAX_KILOGRAMS, places=3))
        except InvalidInput as error:
            errors.update(error.details)
    if errors:
        raise InvalidInput(details={"weights_kg": errors})
    return {key: value for key, value in weights.items() if Decimal(value) > 0}


@transaction.atomic
def scrap_apply(*, actor, reason: str, case_id: int | None = None, unit_ids=None, parts=None,
                weights_kg=None) -> ScrapApplication:
    """报废申请单 for units waiting for scrap approval and/or scrapped materials (by part or by weight)."""
    require_roles(actor, "quality", "repair", "warehouse")
    unit_ids = sorted(set(parsing.record_ids(unit_ids, "unit_ids"))) if unit_ids not in (None, []) else []
    if case_id is not None:
        case_id = parsing.record_id(case_id, "case")
    parsed = parts_list(parts or [])
    weights = _weights(weights_kg)
    why = text(reason, "reason", required=True)
    if not (unit_ids or parsed or weights):
        raise InvalidInput(details={"unit_ids": [_("Name the units, parts or weights to scrap.")]})
    if unit_ids:
        if case_id is None:
            raise InvalidInput(details={"case": [_("Units are scrapped with their case.")]})
        found = list(ReturnUnit.objects.filter(return_case_id=case_id, pk__in=unit_ids).values_list("id", "state"))
        wrong = [pk for pk, state in found if state != UnitState.WAITING_APPROVAL]
        if len(found) != len(unit_ids) or wrong:
            raise Conflict(_("Only units disposed for scrap and waiting for approval are applied for."),
                           code="invalid_state", details={"unit_ids": wrong[:100]})
    application = ScrapApplication.objects.create(
        number=next_number("SA"), return_case_id=case_id, unit_ids=unit_ids,
        parts=[{"part": part.code, "quantity": quantity} for part, quantity in parsed], weights_kg=weights,
        reason=why, applied_by=actor)
    state_change_record(SCRAP_APPLICATION, application, actor, "apply", "", application.state, {})
    return application


@transaction.atomic
def scrap_decide(*, actor, application_id: int, approve: bool, comment: str = "") -> ScrapApplication:
    """The manager decides: approved units go to the scrap warehouse, parts leave raw-material stock."""
    approve = parsing.flag(approve, "approve")
    said = text(comment, "comment", max_length=NOTE)

    def decide(ctx):
        application = ctx.record
        if application.unit_ids:
            apply_action(actor=actor, case_id=application.return_case_id,
                         action="approve_scrap" if approve else "reject_scrap", unit_ids=application.unit_ids,
                         comment=said or application.number)
        if approve and application.parts:
            raw, scrap = warehouse_of_kind(WarehouseKind.RAW_MATERIAL), warehouse_of_kind(WarehouseKind.SCRAP)
            codes = {p.code: p.pk for p in Part.objects.filter(code__in=[line["part"] for line in application.parts])}
            # Scrap moves carry their case, where the application has one.
            stock_moves_apply(actor=actor, return_case=application.return_case, moves=[
                Move("scrap", line["quantity"], raw, scrap, part_id=codes[line["part"]]) for line in application.parts])
        ctx.to_state = ScrapState.APPROVED if approve else ScrapState.REJECTED
        application.decided_by, application.decided_at = actor, timezone.now()
        ctx.changes = {"approved": approve}

    return SCRAP_APPLICATION.apply(actor=actor, pk=application_id, action="decide", handler=decide).record
