"""售后物料申请单: repair asks purchasing for material for an order; purchasing decides and records the
arrival into raw-material stock; the warehouse issues it to the order (its cost). Each step through
the table (workflow.MATERIAL_REQUEST)."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import InvalidInput
from aftersales.core.workflow import state_change_record
from aftersales.deadlines import services as deadline_services
from aftersales.deadlines.services import Subject, Want, deadlines_sync
from aftersales.inventory.services import Move, stock_moves_apply, warehouse_of_kind
from aftersales.masterdata.models import WarehouseKind

from ..clocks import MATERIAL_REQUEST as REQUEST_SUBJECT
from ..models import MaterialRequest, MaterialRequestLine, PartUse, RequestState
from ..workflow import MATERIAL_REQUEST, REWORK_ORDER
from .common import NOTE, next_number, parts_list, text
from .orders import _orders


def _requests():
    return MaterialRequest.objects.select_related("order__return_case")


@transaction.atomic
def material_request_create(*, actor, order_id: int, lines, comment: str = "", need_by=None) -> MaterialRequest:
    made = {}
    needed = None if need_by in (None, "") else parsing.date_value(need_by, "need_by")
    if needed is not None and needed < timezone.localdate(deadline_services.now()):  # the moment its clock starts at
        raise InvalidInput(details={"need_by": [_("The date the material is needed by cannot be past.")]})

    def request(ctx):
        parts = parts_list(lines, "lines")
        if not parts:
            raise InvalidInput(details={"lines": [_("Give at least one part.")]})
        made["request"] = MaterialRequest.objects.create(number=next_number("MR"), order=ctx.record,
                                                         requested_by=actor, need_by=needed,
                                                         comment=text(comment, "comment", max_length=NOTE))
        MaterialRequestLine.objects.bulk_create([MaterialRequestLine(request=made["request"], part=part,
                                                                     quantity=quantity) for part, quantity in parts])
        ctx.changes = {"material_request": made["request"].number}

    REWORK_ORDER.apply(actor=actor, pk=parsing.record_id(order_id, "order"), action="request_material",
                       handler=request, queryset=_orders())
    state_change_record(MATERIAL_REQUEST, made["request"], actor, "submit", "", RequestState.SUBMITTED, {})
    request_clock(made["request"], actor=actor)
    return made["request"]


def request_clock(request: MaterialRequest, *, actor=None) -> None:
    """Purchasing's clock to decide the request, from its submission to the decision."""
    wanted = {"material_request_decision": Want()} if request.state == RequestState.SUBMITTED else {}
    deadlines_sync(Subject(REQUEST_SUBJECT, request.pk, request.number, request.order.return_case.customer_id),
                   wanted, actor=actor)


@transaction.atomic
def material_request_decide(*, actor, request_id: int, approve: bool, comment: str = "") -> MaterialRequest:
    approve = parsing.flag(approve, "approve")
    said = text(comment, "comment", max_length=NOTE)

    def decide(ctx):
        if not approve and not said:
            raise InvalidInput(details={"comment": [_("Say why the request is refused.")]})
        request = ctx.record
        ctx.to_state = RequestState.APPROVED if approve else RequestState.REJECTED
        request.decided_by, request.decided_at = actor, timezone.now()
        request.comment = "\n".join(filter(None, [request.comment, said]))

    request = MATERIAL_REQUEST.apply(actor=actor, pk=request_id, action="decide", handler=decide,
                                     queryset=_requests()).record
    request_clock(request, actor=actor)
    return request


@transaction.atomic
def material_request_receive(*, actor, request_id: int) -> MaterialRequest:
    """Purchasing records the arrival: the parts enter raw-material stock."""
    def receive(ctx):
        request = ctx.record
        raw = warehouse_of_kind(WarehouseKind.RAW_MATERIAL)
        stock_moves_apply(actor=actor, moves=[Move("purchase_receipt", line.quantity, None, raw, part_id=line.part_id)
                                              for line in request.lines.all()], return_case=request.order.return_case)
        MaterialRequestLine.objects.filter(request=request).update(received=F("quantity"))
        request.received_at = timezone.now()

    return MATERIAL_REQUEST.apply(actor=actor, pk=request_id, action="receive", handler=receive,
                                  queryset=_requests()).record


@transaction.atomic
def material_request_issue(*, actor, request_id: int) -> MaterialRequest:
    """The warehouse issues the parts to the order: out of raw-material stock, onto the order's cost."""
    def issue(ctx):
        request = ctx.record
        raw = warehouse_of_kind(WarehouseKind.RAW_MATERIAL)
        lines = list(request.lines.select_related("part"))
        stock_moves_apply(actor=actor, moves=[Move("part_issue", line.quantity, raw, None, part_id=line.part_id)
                                              for line in lines], return_case=request.order.return_case)
        PartUse.objects.bulk_create([PartUse(order=request.order, part=line.part, quantity=line.quantity,
                                             unit_cost=line.part.unit_cost) for line in lines])
        MaterialRequestLine.objects.filter(request=request).update(issued=F("quantity"))
        request.issued_at = timezone.now()

    return MATERIAL_REQUEST.apply(actor=actor, pk=request_id, action="issue", handler=issue,
                                  queryset=_requests()).record


@transaction.atomic
def material_request_release(*, actor, request_id: int, order) -> MaterialRequest:
    """Its order was cancelled: the request is released (nothing bought or issued for it; what was received
    stays in raw-material stock, free for other orders) and purchasing's clock stops."""
    def release(ctx):
        ctx.record.comment = "\n".join(filter(None, [ctx.record.comment, _("Order %(order)s cancelled.")
                                                      % {"order": order.number}]))
        ctx.changes = {"order": order.number}

    request = MATERIAL_REQUEST.apply(actor=actor, pk=request_id, action="release", handler=release,
                                     queryset=_requests()).record
    request_clock(request, actor=actor)
    return request
