"""Return case API: cases, the workflow actions, timeline, inspection report, service history."""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.core import parsing
from aftersales.core.errors import InvalidInput, NotFound
from aftersales.core.idempotency import idempotent
from aftersales.core.pagination import Pagination, paginated
from aftersales.core.roles import roles_of
from aftersales.core.schema import IDEMPOTENCY_KEY, conflicts, honours_idempotency_key
from aftersales.core.uploads import upload_read
from aftersales.lib.tabular import MAX_FILE_BYTES

from . import selectors
from .models import ReturnCase
from .receiving_list import items_from_file
from .services import cases as case_services
from .services.actions import action_permitted, apply_action
from .serializers import (COMMENT_LENGTH, ActionInput, ActionOutput, AttachmentInput, AttachmentOutput, CaseDetailOutput,
                          CaseInput, CaseListOutput, FinalChecklistOutput, InspectionReportOutput, InternalSaleOutput,
                          ReceivingListInput, ReceivingListOutput, RelatedDocumentOutput, ReplenishmentOutput,
                          ServiceHistoryOutput, TimelineEntryOutput)
from .services.attachments import attachment_add
from .services.replenishments import replenishment_done
from .workflow import ACTIONS

# What an action may answer 409 with: the state, the version, and the guards of the table and its gates.
ACTION_CONFLICTS = ("invalid_state", "stale_version", "conflict", "no_lines", "return_note_incomplete",
                    "no_consent_pending", "not_chargeable", "no_charge_quoted", "no_charge_accepted",
                    "not_a_batch_case", "no_exchange_to_ship", "no_refund_pending", "serial_on_open_case",
                    "refund_units_undecided", "first_article_pending", "batch_work_needs_order",
                    "return_window_passed", "no_window_to_override", "one_approval_per_person", "work_finished",
                    "final_test_incomplete", "final_test_failed", "no_in_warranty_repair", "unit_awaits_refund")


class CaseFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer__code")
    serial = django_filters.CharFilter(method="filter_serial")

    class Meta:
        model = ReturnCase
        fields = ["number", "state", "channel", "volume_class", "customer", "customer_reference"]

    def filter_serial(self, queryset, name, value):
        return queryset.filter(units__serial=value).distinct()


class CaseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Return cases. Staff of every role read them; service and customers create and edit drafts."""

    queryset = ReturnCase.objects.none()
    serializer_class = CaseListOutput
    filterset_class = CaseFilter
    search_fields = ["number", "customer_reference", "customer__name"]
    ordering_fields = ["id", "number", "created_at", "submitted_at"]

    def get_queryset(self):
        return selectors.case_list(user=self.request.user)

    lookup_value_regex = "[0-9]+"  # /cases/abc/ is not a case: 404

    def _case(self, pk) -> ReturnCase:
        """The case if this user may see it (another customer's case is simply not found)."""
        case_id = parsing.id_or_none(pk)
        case = selectors.case_get(user=self.request.user, pk=case_id) if case_id else None
        if case is None:
            raise NotFound()
        return case

    def _detail(self, case_id: int, status: int = 200, extra: dict | None = None) -> Response:
        case = self._case(case_id)
        data = selectors.case_detail_data(case, user=self.request.user)
        return Response({**data, **(extra or {})}, status=status)

    @extend_schema(responses=CaseDetailOutput)
    def retrieve(self, request, pk=None):
        """The case with lines, units (warranty, location, state), approvals, differences,
        notices, and the actions you may take now."""
        return self._detail(self._case(pk).pk)

    @extend_schema(request=CaseInput, responses={201: CaseDetailOutput, **conflicts("serial_on_open_case")},
                   parameters=[IDEMPOTENCY_KEY])
    def create(self, request):
        data = _valid(CaseInput, request.data)
        lines = case_services.lines_from_codes(data.pop("lines", []))
        data.pop("version", None)

        def act():
            case = case_services.case_create(actor=request.user, lines=lines, **data)
            return self._detail(case.pk, status=201)

        return idempotent(request, act)

    @extend_schema(request=CaseInput, responses={200: CaseDetailOutput, **conflicts("invalid_state", "stale_version")})
    def partial_update(self, request, pk=None):
        data = _valid(CaseInput, request.data, partial=True)
        data.pop("customer", None)
        if "lines" in data:
            data["lines"] = case_services.lines_from_codes(data["lines"])
        case = case_services.case_update_draft(actor=request.user, case_id=_case_id(pk), **data)
        return self._detail(case.pk)

    @extend_schema(request=ActionInput, responses={200: ActionOutput, **conflicts(*ACTION_CONFLICTS)},
                   parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=sorted(ACTIONS)),
                               IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_]+)",
            permission_classes=[IsAuthenticated])
    def act(self, request, pk=None, name=None):
        """Take a workflow action. Body: `version` (optional), `comment`, `unit_ids` for unit
        actions, and the action's own fields (see docs/workflow.md)."""
        body = dict(parsing.json_object(request.data))
        version, comment, unit_ids = body.pop("version", None), body.pop("comment", ""), body.pop("unit_ids", None)
        if version is not None:
            version = parsing.whole_number(version, "version", maximum=parsing.MAX_ID)
        comment = parsing.text(comment, "comment", max_length=COMMENT_LENGTH)
        case_id = _case_id(pk)

        def run():
            case = apply_action(actor=request.user, case_id=case_id, action=name, params=body, unit_ids=unit_ids,
                                version=version, comment=comment)
            return Response({"id": case.pk, "number": case.number, "state": case.state, "version": case.version,
                             **case.action_result})

        return idempotent(request, run)

    @extend_schema(request={"multipart/form-data": ReceivingListInput},
                   responses={200: ReceivingListOutput, **conflicts(*ACTION_CONFLICTS)}, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"], url_path="receiving-list",
            parser_classes=[MultiPartParser, FormParser], permission_classes=[IsAuthenticated])
    def receiving_list(self, request, pk=None):
        """Receive a counted list (CSV/XLSX, e.g. the dealer's 退货清单, up to 20 MB and 200,000
        rows): serial rows and quantity rows, matched against the note like scans. Who may
        receive this case is checked before the file is read."""
        case = self._case(pk)
        action_permitted(actor=request.user, case=case, action="receive")
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(details={"file": [_("No file was submitted.")]})
        items = items_from_file(raw=upload_read(upload, max_bytes=MAX_FILE_BYTES), filename=upload.name, case=case)

        def run():
            done = apply_action(actor=request.user, case_id=case.pk, action="receive", params={"items": items})
            return Response({"id": done.pk, "state": done.state, "version": done.version, **done.action_result})

        return idempotent(request, run)

    @extend_schema(request={"multipart/form-data": AttachmentInput}, responses={201: AttachmentOutput})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser],
            permission_classes=[IsAuthenticated])
    def attachments(self, request, pk=None):
        """Add a photo or document to the case, a line or a unit (10 MB at most). Judged by its
        content (400 `file_not_allowed`); photos are re-encoded. `url` is where it is fetched."""
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(details={"file": [_("No file was submitted.")]})
        numbers = {}
        for name in ("line", "unit"):
            raw = request.data.get(name)
            if raw not in (None, ""):
                try:
                    numbers[name] = int(raw)
                except ValueError:
                    raise InvalidInput(details={name: [_("A whole number is expected.")]}) from None
        attachment = attachment_add(actor=request.user, case_id=_case_id(pk), upload=upload,
                                    description=str(request.data.get("description", "")),
                                    line_no=numbers.get("line"), unit_id=numbers.get("unit"))
        return Response(selectors.attachment_data(attachment), status=201)

    @extend_schema(responses=TimelineEntryOutput(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        """Every action on the case, oldest first (a page): who, when, from and to state, what changed.
        Append-only."""
        case = self._case(pk)
        return paginated(request, self, selectors.timeline_events(case),
                         lambda events: selectors.timeline_entries(events, user=request.user))

    @extend_schema(responses=RelatedDocumentOutput(many=True))
    @action(detail=True, methods=["get"])
    def documents(self, request, pk=None):
        """The documents the case came from and that follow from it (a page): rework orders, material requests,
        quotes, scrap applications, supplier claims, compensations, each with its number, state and page; each
        reader sees those its roles read (a customer: its quotes)."""
        case = self._case(pk)
        return paginated(request, self, selectors.case_documents(case, request))

    @extend_schema(responses=FinalChecklistOutput(many=True))
    @action(detail=True, methods=["get"], url_path="final-checklist")
    def final_checklist(self, request, pk=None):
        """The units waiting for final inspection (a page), each with its checklist: the model's test items
        and the customer's complaint points; `pass_final` needs a result for every item."""
        case = self._case(pk)
        return paginated(request, self, selectors.final_checklist_units(case), selectors.final_checklist_entries)

    @extend_schema(responses=InspectionReportOutput)
    @action(detail=True, methods=["get"], url_path="inspection-report")
    def inspection_report(self, request, pk=None):
        case = self._case(pk)
        return Response(selectors.inspection_report(case))


def _case_id(pk) -> int:
    case_id = parsing.id_or_none(pk)
    if case_id is None:
        raise NotFound()
    return case_id


def _valid(serializer_class, data, partial: bool = False) -> dict:
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ServiceHistoryView(APIView):
    """Everything a serial has been through: cases, inspections, dispositions, exchanges."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[OpenApiParameter("serial", str, required=True),
                               OpenApiParameter("product_model", str)], responses=ServiceHistoryOutput)
    def get(self, request):
        serial = request.query_params.get("serial", "").strip()
        if not serial:
            raise InvalidInput(details={"serial": [_("This field is required.")]})
        units = selectors.service_history(user=request.user, serial=serial,
                                          product_model=request.query_params.get("product_model"))
        return Response({"serial": serial, "entries": [{
            "case": u.return_case.number, "case_id": u.return_case_id, "case_state": u.return_case.state,
            "submitted_at": u.return_case.submitted_at, "product_model": u.product_model.code,
            "serial": u.serial, "replacement_serial": u.replacement_serial,
            "role": "replacement" if u.replacement_serial == serial and u.serial != serial else "returned",
            "requested_outcome": u.line.requested_outcome, "state": u.state, "disposition": u.disposition,
            "exit": u.exit, "warranty_status": u.warranty_status,
            "inspections": [{"stage": i.stage, "defect_class": i.defect_class, "responsibility": i.responsibility,
                             "no_fault_found": i.no_fault_found, "passed": i.passed, "notes": i.notes,
                             "by": i.inspected_by.get_username(), "at": i.inspected_at} for i in u.inspections.all()],
        } for u in units]})


class InternalSalesView(APIView):
    """Internal discounted sales of returned units, for finance (a page)."""

    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(responses=InternalSaleOutput(many=True))
    def get(self, request):
        """Units sold inside the company at a discount: price, discount, buyer, date (finance, manager)."""
        if not roles_of(request.user) & {"finance", "manager"}:
            raise NotFound()
        return paginated(request, self, selectors.internal_sales(),
                         lambda page: [selectors.internal_sale_data(sale) for sale in page])


class ReplenishmentsView(APIView):
    """Replenishment instructions (补货指令) for planning (a page)."""

    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(parameters=[OpenApiParameter("state", str, enum=["open", "done"])],
                   responses=ReplenishmentOutput(many=True))
    def get(self, request):
        """Units replaced because they are not reworked, per model: quantity and due date, soonest first
        (planning, manager; `?state=open`)."""
        if not roles_of(request.user) & {"planning", "manager"}:
            raise NotFound()
        state = request.query_params.get("state") or None
        if state not in (None, "open", "done"):
            raise InvalidInput(details={"state": [_("Must be one of: %(allowed)s.") % {"allowed": "open, done"}]})
        return paginated(request, self, selectors.replenishments(state=state),
                         lambda page: [selectors.replenishment_data(row) for row in page])


@honours_idempotency_key
class ReplenishmentDoneView(APIView):
    """Planning marks a replenishment instruction done (production replaced the units)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ReplenishmentOutput, **conflicts("invalid_state")},
                   parameters=[IDEMPOTENCY_KEY])
    def post(self, request, pk=None):
        """Close the instruction (planning, manager; others 403; a done one 409 `invalid_state`)."""
        replenishment_id = parsing.id_or_none(pk)
        if replenishment_id is None or request.user.customer_id is not None:
            raise NotFound()

        def run():
            row = replenishment_done(actor=request.user, replenishment_id=replenishment_id)
            return Response(selectors.replenishment_data(selectors.replenishments().get(pk=row.pk)))

        return idempotent(request, run)
