"""Field service API: orders (open, list, read, their steps), the service report (saved as a draft, resent safely
with an Idempotency-Key), the dispatch board, a technician's day, van stock, leave, the penalty ledger and the
technicians' monthly figures."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.core import parsing
from aftersales.core.errors import InvalidInput, NotFound
from aftersales.core.idempotency import idempotent
from aftersales.core.pagination import Pagination, paginated
from aftersales.core.roles import require_roles
from aftersales.core.schema import conflicts, honours_idempotency_key

from . import selectors, services
from . import serializers as io
from .models import ClaimState, OrderState, TechnicianLeave
from .services.common import technician_found
from .services.van import van_balances, van_stock_of

PENALTY_STEPS = {"contest": services.penalty_contest, "confirm": services.penalty_confirm,
                 "withdraw": services.penalty_withdraw}


def _body(request) -> dict:
    return parsing.json_object(request.data)


def _staff(request) -> None:
    if request.user.customer_id is not None:
        raise NotFound()


def _order(request, pk, *, acted: bool = False) -> dict:
    return selectors.order_data(selectors.order_get(user=request.user, pk=pk, acted=acted), user=request.user)


@honours_idempotency_key
class FieldOrdersView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    error_statuses = (404,)  # a customer user opening an order
    @extend_schema(responses=io.FieldOrderRowOutput(many=True), operation_id="field_orders_list", parameters=[
        OpenApiParameter("state", str, enum=OrderState.values), OpenApiParameter("open", bool),
        OpenApiParameter("technician", str, description="A technician's username."),
        OpenApiParameter("request", int, description="The service request's id.")])
    def get(self, request):
        """Field service orders, newest first (a page): headquarters and the warehouse see all, a technician
        their own, a customer its own."""
        rows = selectors.order_list(user=request.user, params=request.query_params)
        now = timezone.now()
        row = selectors.customer_row if request.user.customer_id is not None else selectors.order_row
        return paginated(request, self, rows, lambda page: [row(o, now) for o in page])

    @extend_schema(request=io.FieldOrderOpenInput, responses={201: io.FieldOrderOutput})
    def post(self, request):
        """Headquarters opens an order directly (installation per contract, a visit, training); named, the
        technician is dispatched at once."""
        _staff(request)
        body = _body(request)
        return idempotent(request, lambda: Response(_order(request, services.field_order_open(
            actor=request.user, body=body).pk), status=201))


class FieldOrderView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=io.FieldOrderOutput)
    def get(self, request, pk: int):
        return Response(_order(request, pk))


@honours_idempotency_key
class FieldOrderActionView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(request=io.FieldActionInput, responses={200: io.FieldOrderOutput, **conflicts(
        "invalid_state", "call_confirmed", "technician_on_leave", "insufficient_stock")})
    def post(self, request, pk: int, action: str):
        """One step of the order: assign, accept, refuse, check_in, submit_report, return_report, confirm_call,
        check_out, cancel (the order's `allowed_actions` say which the user may take now)."""
        _staff(request)
        if action not in services.ORDER_STEPS:
            raise NotFound(code="unknown_action")
        body = _body(request)

        def act():
            order = services.order_step(actor=request.user, order_id=pk, action=action, body=body)
            return Response(_order(request, order.pk, acted=True))

        return idempotent(request, act)


@honours_idempotency_key
class ServiceReportView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(request=io.FieldServiceReportInput, responses={200: io.FieldOrderOutput, **conflicts(
        "invalid_state")})
    def post(self, request, pk: int):
        """The technician saves the report as it is filled in (the fields sent change, the others stay); the
        phone resends a report kept while offline with the same Idempotency-Key, counted once."""
        _staff(request)
        body = _body(request)

        def act():
            services.report_save(actor=request.user, order_id=pk, body=body)
            return Response(_order(request, pk))

        return idempotent(request, act)


class BoardView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(responses=io.BoardOutput, parameters=[
        OpenApiParameter("date", str, description="The day (default today)."),
        OpenApiParameter("state", str, enum=OrderState.values), OpenApiParameter("page", int)])
    def get(self, request):
        """The dispatch board: open orders by required arrival (50 a page) and the technicians' day."""
        _staff(request)
        return Response(selectors.board(user=request.user, params=request.query_params))


class DayView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(responses=io.DayOutput, parameters=[OpenApiParameter("date", str)])
    def get(self, request):
        """A technician's day: the day's orders and the open ones, and the van stock."""
        _staff(request)
        return Response(selectors.technician_day(user=request.user, params=request.query_params))


def _van(technician) -> dict:
    van = van_stock_of(technician)
    return {"technician": technician.get_username(), "warehouse": van.code, "parts": van_balances(technician)}


class VanStockView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(responses=io.VanStockOutput, parameters=[OpenApiParameter("technician", str)])
    def get(self, request):
        """What a technician carries (a technician: their own)."""
        _staff(request)
        held = require_roles(request.user, "technician", "warehouse", "service", "manager")
        named = request.query_params.get("technician")
        if named and held & {"warehouse", "service", "manager"}:
            return Response(_van(technician_found(named)))
        if "technician" not in held:
            raise InvalidInput(details={"technician": [_("Name the technician whose van stock to show.")]})
        return Response(_van(request.user))


@honours_idempotency_key
class VanIssueView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(request=io.VanMoveInput, responses={200: io.VanIssueOutput, **conflicts(
        "insufficient_stock", "no_warehouse")})
    def post(self, request):
        """Parts for a trip: raw material → the technician's van stock, one issue document (with the carrier and
        tracking number when the parts are sent to the technician)."""
        _staff(request)
        body = _body(request)

        def act():
            issue = services.van_issue(actor=request.user, technician=body.get("technician"), parts=body.get("parts"),
                                       order=body.get("order"), carrier=body.get("carrier"),
                                       tracking=body.get("tracking"))
            return Response(_van(issue.technician) | selectors.van_issue_row(issue))

        return idempotent(request, act)


@honours_idempotency_key
class VanReturnView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(request=io.VanMoveInput, responses={200: io.VanStockOutput, **conflicts(
        "insufficient_stock", "no_warehouse")})
    def post(self, request):
        """What comes back from a trip unused: the van stock → raw material."""
        _staff(request)
        body = _body(request)

        def act():
            van = services.van_return(actor=request.user, technician=body.get("technician"), parts=body.get("parts"))
            return Response(_van(van.holder))

        return idempotent(request, act)


class VanIssuesView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    staff_only = True

    @extend_schema(responses=io.VanIssueRowOutput(many=True), operation_id="van_issues_list",
                   parameters=[OpenApiParameter("technician", str)])
    def get(self, request):
        """Parts issued to van stocks, newest first (a page): a technician sees their own."""
        _staff(request)
        rows = selectors.van_issue_list(user=request.user, params=request.query_params)
        return paginated(request, self, rows, lambda page: [selectors.van_issue_row(x) for x in page])


class SparePartsPlanView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(responses=io.SparePartsPlanOutput)
    def get(self, request):
        """The spare-parts plan (售后配件生产计划): parts the open field orders plan to take, against the raw material
        and van stocks; the shortfall is what planning and purchasing provide."""
        _staff(request)
        return Response(selectors.spare_parts_plan(user=request.user))



@honours_idempotency_key
class PenaltiesView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    staff_only = True

    @extend_schema(responses=io.PenaltyOutput(many=True), operation_id="penalties_list", parameters=[
        OpenApiParameter("technician", str), OpenApiParameter("state", str),
        OpenApiParameter("month", str, description="YYYY-MM")])
    def get(self, request):
        """The penalty ledger, newest first (a page): a technician sees their own entries."""
        _staff(request)
        rows = selectors.penalty_list(user=request.user, params=request.query_params)
        return paginated(request, self, rows, lambda page: [selectors.penalty_row(p) for p in page])

    @extend_schema(request=io.PenaltyInput, responses={201: io.PenaltyDetailOutput})
    def post(self, request):
        """The manager records an entry with its evidence (phone off, a verified conduct complaint, a repeat
        repair for personal reasons, a demerit, a dismissal)."""
        _staff(request)
        body = _body(request)

        def act():
            penalty = services.penalty_record(actor=request.user, **{key: body.get(key) for key in (
                "technician", "rule", "amount", "sanction", "occurred_on", "description", "evidence", "order",
                "conduct_record")})
            return Response(selectors.penalty_data(selectors.penalty_get(user=request.user, pk=penalty.pk),
                                                   user=request.user), status=201)

        return idempotent(request, act)


class PenaltyView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(responses=io.PenaltyDetailOutput)
    def get(self, request, pk: int):
        _staff(request)
        return Response(selectors.penalty_data(selectors.penalty_get(user=request.user, pk=pk), user=request.user))


@honours_idempotency_key
class PenaltyActionView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(request=io.PenaltyNoteInput, responses={200: io.PenaltyDetailOutput, **conflicts("invalid_state")})
    def post(self, request, pk: int, action: str):
        """contest (the technician, with a note), confirm or withdraw (the manager; withdraw with a note)."""
        _staff(request)
        step = PENALTY_STEPS.get(action)
        if step is None:
            raise NotFound(code="unknown_action")
        selectors.penalty_get(user=request.user, pk=pk)  # another technician's entry is not found
        body = _body(request)

        def act():
            penalty = step(actor=request.user, penalty_id=pk, note=body.get("note"))
            return Response(selectors.penalty_data(selectors.penalty_get(user=request.user, pk=penalty.pk),
                                                   user=request.user))

        return idempotent(request, act)


class LeaveView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    staff_only = True

    @extend_schema(responses=io.TechnicianLeaveOutput(many=True), operation_id="technician_leave_list")
    def get(self, request):
        """Technicians' leave, latest first (a page)."""
        _staff(request)
        held = require_roles(request.user, "service", "manager", "technician")
        rows = TechnicianLeave.objects.select_related("technician").order_by("-first_day", "-id")
        if not held & {"service", "manager"}:
            rows = rows.filter(technician=request.user)
        return paginated(request, self, rows, lambda page: [_leave(x) for x in page])

    @extend_schema(request=io.TechnicianLeaveInput, responses={201: io.TechnicianLeaveOutput})
    def post(self, request):
        _staff(request)
        body = _body(request)
        leave = services.leave_record(actor=request.user, **{key: body.get(key) for key in (
            "technician", "first_day", "last_day")}, note=body.get("note", ""))
        return Response(_leave(leave), status=201)


def _leave(leave) -> dict:
    return {"id": leave.pk, "technician": leave.technician.get_username(), "first_day": leave.first_day,
            "last_day": leave.last_day, "note": leave.note}


class FiguresView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(responses=io.TechnicianFiguresOutput, parameters=[OpenApiParameter("month", str, description="YYYY-MM")])
    def get(self, request):
        """Each technician's month: orders, response, on-time arrival, first-time fix, repeat repairs, report
        completeness, satisfaction, penalties (a technician: their own line)."""
        _staff(request)
        return Response(selectors.technician_figures(user=request.user, params=request.query_params))



@honours_idempotency_key
class ExpenseClaimsView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    staff_only = True

    @extend_schema(responses=io.ExpenseClaimRowOutput(many=True), operation_id="expense_claims_list", parameters=[
        OpenApiParameter("state", str, enum=ClaimState.values), OpenApiParameter("technician", str)])
    def get(self, request):
        """Advances and travel expense claims, newest first (a page): a technician sees their own."""
        _staff(request)
        rows = selectors.claim_list(user=request.user, params=request.query_params)
        return paginated(request, self, rows, lambda page: [selectors.claim_row(c) for c in page])

    @extend_schema(request=io.ExpenseClaimInput, responses={201: io.ExpenseClaimOutput, **conflicts("advance_settled")})
    def post(self, request):
        """The technician drafts an advance (`amount`) or a trip's claim (`lines`; `advance` it settles)."""
        _staff(request)
        body = _body(request)

        def act():
            claim = services.claim_create(actor=request.user, body=body)
            return Response(selectors.claim_data(selectors.claim_get(user=request.user, pk=claim.pk),
                                                 user=request.user), status=201)

        return idempotent(request, act)


class ExpenseClaimView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(responses=io.ExpenseClaimOutput)
    def get(self, request, pk: int):
        _staff(request)
        return Response(selectors.claim_data(selectors.claim_get(user=request.user, pk=pk), user=request.user))


@honours_idempotency_key
class ExpenseClaimActionView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(request=io.PenaltyNoteInput, responses={200: io.ExpenseClaimOutput, **conflicts(
        "invalid_state", "claim_empty")})
    def post(self, request, pk: int, action: str):
        """submit (the technician), approve or reject (the service manager; reject with a `note`), pay (finance)."""
        _staff(request)
        selectors.claim_get(user=request.user, pk=pk)  # another technician's claim is not found
        body = _body(request)

        def act():
            claim = services.claim_step(actor=request.user, claim_id=pk, action=action, note=body.get("note"))
            return Response(selectors.claim_data(selectors.claim_get(user=request.user, pk=claim.pk),
                                                 user=request.user))

        return idempotent(request, act)


class VisitPlansView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    staff_only = True

    @extend_schema(responses=io.VisitPlanOutput(many=True), operation_id="visit_plans_list")
    def get(self, request):
        """Key customers' visit plans, soonest due first (a page)."""
        _staff(request)
        return paginated(request, self, selectors.visit_plan_list(user=request.user),
                         lambda page: [selectors.visit_plan_row(p) for p in page])

    @extend_schema(request=io.VisitPlanInput, responses={201: io.VisitPlanOutput})
    def post(self, request):
        """Plan a key customer's regular visits (定期走访)."""
        _staff(request)
        plan = services.visit_plan_create(actor=request.user, body=_body(request))
        return Response(selectors.visit_plan_row(plan), status=201)


@honours_idempotency_key
class VisitScheduleView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(request=io.VisitScheduleInput, responses=io.VisitScheduleOutput)
    def post(self, request):
        """Open a visit order for every plan due by `until` (default today) that has none open."""
        _staff(request)
        body = _body(request)
        return idempotent(request, lambda: Response({"opened": [o.number for o in services.visits_schedule(
            actor=request.user, until=body.get("until"))]}))


@honours_idempotency_key
class OrderFeedbackView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(request=io.FeedbackInput, responses={201: io.FeedbackOutput, **conflicts("invalid_state")})
    def post(self, request, pk: int):
        """The technician records what the customer said (use, design, assembly, process): engineering answers."""
        _staff(request)
        body = _body(request)
        return idempotent(request, lambda: Response(selectors.feedback_row(services.feedback_add(
            actor=request.user, order_id=pk, topic=body.get("topic"), text=body.get("text"))), status=201))


class FeedbackListView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    staff_only = True

    @extend_schema(responses=io.FeedbackOutput(many=True), operation_id="customer_feedback_list",
                   parameters=[OpenApiParameter("open", bool, description="Only what waits for an answer.")])
    def get(self, request):
        """Customer feedback from visits, newest first (a page)."""
        _staff(request)
        rows = selectors.feedback_list(user=request.user, params=request.query_params)
        return paginated(request, self, rows, lambda page: [selectors.feedback_row(f) for f in page])


class FeedbackAnswerView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(request=io.FeedbackAnswerInput, responses={200: io.FeedbackOutput, **conflicts("invalid_state")})
    def post(self, request, pk: int):
        """Engineering answers the customer's feedback."""
        _staff(request)
        body = _body(request)
        return Response(selectors.feedback_row(services.feedback_answer(actor=request.user, feedback_id=pk,
                                                                        answer=body.get("answer"))))


@honours_idempotency_key
class OrderPhotosView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    staff_only = True

    @extend_schema(request={"multipart/form-data": io.FieldPhotosInput},
                   responses={201: io.FieldOrderOutput, **conflicts("invalid_state")})
    def post(self, request, pk: int):
        """The technician's photos before or after the work (`kind`, `photos`), judged by their content."""
        _staff(request)

        def act():
            services.order_photos_add(actor=request.user, order_id=pk, kind=request.data.get("kind"),
                                      uploads=request.FILES.getlist("photos"))
            return Response(_order(request, pk), status=201)

        return idempotent(request, act)


@honours_idempotency_key
class ClaimReceiptsView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    staff_only = True

    @extend_schema(request={"multipart/form-data": io.FieldPhotosInput},
                   responses={201: io.ExpenseClaimOutput, **conflicts("invalid_state")})
    def post(self, request, pk: int):
        """The receipts' photos on the technician's own draft claim (`photos`)."""
        _staff(request)

        def act():
            services.claim_receipts_add(actor=request.user, claim_id=pk, uploads=request.FILES.getlist("photos"))
            return Response(selectors.claim_data(selectors.claim_get(user=request.user, pk=pk), user=request.user),
                            status=201)

        return idempotent(request, act)
