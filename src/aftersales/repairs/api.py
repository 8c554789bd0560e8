"""Repair API: rework orders (plan, start, first article, records, delays, close), material
requests, quotes, scrap applications, teardown, outsourced refurbishment, and a case's cost."""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.core import parsing
from aftersales.core.errors import InvalidInput, NotFound, PermissionDenied
from aftersales.core.idempotency import idempotent
from aftersales.core.pagination import Pagination, paginated
from aftersales.core.permissions import scope_to_customer
from aftersales.core.roles import roles_of
from aftersales.core.schema import conflicts, honours_idempotency_key
from aftersales.returns.selectors import case_get

from . import selectors, services
from . import serializers as io
from .models import MaterialRequest, OrderState, Quote, RefurbishOrder, RepairOrder, ScrapApplication

OPEN_ORDER_STATES = (OrderState.PLANNED, OrderState.FIRST_ARTICLE, OrderState.IN_PROGRESS)

STAFF_ONLY = "customer"


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise InvalidInput(details={"body": ["A JSON object is expected."]})
    return request.data


def _staff(request) -> None:
    if request.user.customer_id is not None:
        raise NotFound()


def _order(pk) -> RepairOrder:
    order = (selectors.with_due_provisional(RepairOrder.objects.select_related("return_case", "plan__answered_by"))
             .prefetch_related("first_article_checks", "delays__approved_by", "material_requests")
             .filter(pk=pk).first())
    if order is None:
        raise NotFound()
    return order


@honours_idempotency_key
class Endpoint(APIView):
    """POST endpoints of repair: staff only, JSON body, Idempotency-Key honoured."""

    permission_classes = [IsAuthenticated]
    staff_only = True  # a customer user gets 404 (documented in the schema)

    def post(self, request, **kwargs):
        _staff(request)
        body = _body(request)
        return idempotent(request, lambda: Response(self.act(request, body, **kwargs), status=self.status_code))

    status_code = 200  # subclasses define act(request, body, **kwargs) -> the answer's data


class OrdersView(Endpoint):
    status_code = 201
    pagination_class = Pagination

    @extend_schema(responses=io.OrderListItemOutput(many=True), operation_id="repair_orders_list", parameters=[
        OpenApiParameter("state", str, enum=OrderState.values,
                         description="One state; without it the open orders (planned, first article, in progress)."),
        OpenApiParameter("case", int, description="The return case's id.")])
    def get(self, request):
        """Open rework orders, soonest due first (a page); `?state=` for orders in one state (done,
        cancelled, ...), `?case=` (id) for one case's."""
        _staff(request)
        orders = selectors.with_due_provisional(RepairOrder.objects.select_related("return_case"))
        orders = orders.order_by("due_at", "id")
        state = request.query_params.get("state")
        if state:
            if state not in OrderState.values:
                raise InvalidInput(details={"state": [_("Choose one of: %(kinds)s.")
                                                      % {"kinds": ", ".join(OrderState.values)}]})
            orders = orders.filter(state=state)
        else:
            orders = orders.filter(state__in=OPEN_ORDER_STATES)
        if request.query_params.get("case"):
            orders = orders.filter(return_case_id=parsing.id_or_none(request.query_params["case"]) or 0)
        return paginated(request, self, orders, lambda page: [
            {"id": o.pk, "number": o.number, "case": o.return_case.number, "case_id": o.return_case_id,
             "state": o.state, "kind": o.kind, "team": o.team, "due_at": o.due_at,
             "due_provisional": o.due_provisional, "is_batch": o.is_batch} for o in page])

    @extend_schema(request=io.OrderOpenInput, responses={201: io.OrderOutput, **conflicts("invalid_state",
                                                                                          "unit_on_order")})
    def post(self, request, **kwargs):
        """Planning opens an order: `case` (id), `unit_ids`, `kind`, `method`, `team`, `is_batch`."""
        return super().post(request, **kwargs)

    def act(self, request, body):
        order = services.order_open(actor=request.user, case_id=body.get("case"), unit_ids=body.get("unit_ids"),
                                    kind=body.get("kind", "repair"), method=body.get("method", ""),
                                    team=body.get("team", ""), is_batch=body.get("is_batch"))
        return selectors.order_data(_order(order.pk), user=request.user)


class OrderView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(responses=io.OrderOutput)
    def get(self, request, pk: int):
        _staff(request)
        return Response(selectors.order_data(_order(pk), user=request.user))


def _order_step(name, call, body=None, conflict_codes=("invalid_state",)):
    class Step(Endpoint):
        @extend_schema(request=body, responses={200: io.OrderOutput, **conflicts(*conflict_codes)},
                       operation_id=f"repair_order_{name}")
        def post(self, request, **kwargs):
            return super().post(request, **kwargs)

        def act(self, request, body, pk):
            call(request.user, int(pk), body)
            return selectors.order_data(_order(pk), user=request.user)

    Step.__name__ = Step.__qualname__ = f"Order{name.title().replace('_', '')}View"
    Step.__doc__ = call.__doc__
    return Step


OrderPlanView = _order_step("plan", lambda actor, pk, body: services.order_plan(
    actor=actor, order_id=pk, expected_finish=body.get("expected_finish"), note=body.get("note", "")),
    io.OrderPlanInput)
OrderFindingsView = _order_step("findings", lambda actor, pk, body: services.order_findings(
    actor=actor, order_id=pk, findings=body.get("findings", ""), method=body.get("method", "")),
    io.OrderFindingsInput, ())
OrderStartView = _order_step("start", lambda actor, pk, body: services.order_start(actor=actor, order_id=pk),
                             None, ("invalid_state", "first_article_pending", "batch_work_needs_order"))
OrderFirstArticleView = _order_step("first_article", lambda actor, pk, body: services.first_article_check(
    actor=actor, order_id=pk, passed=body.get("passed"), notes=body.get("notes", "")),
    io.FirstArticleInput, ("invalid_state", "first_article_not_ready"))
OrderRecordsView = _order_step("records", lambda actor, pk, body: services.records_add(
    actor=actor, order_id=pk, records=body.get("records")),
    io.RecordsInput, ("invalid_state", "unit_not_on_order", "first_article_pending", "insufficient_stock"))
OrderDelayView = _order_step("delay", lambda actor, pk, body: services.delay_add(
    actor=actor, order_id=pk, reason=body.get("reason"), explanation=body.get("explanation", ""),
    working_days=body.get("working_days"), notice=body.get("notice", "")),
    io.DelayInput, ("invalid_state", "delay_beyond_limit"))
OrderCloseView = _order_step("close", lambda actor, pk, body: services.order_close(actor=actor, order_id=pk),
                             None, ("invalid_state", "order_not_finished"))
OrderCancelView = _order_step("cancel", lambda actor, pk, body: services.order_cancel(
    actor=actor, order_id=pk, reason=body.get("reason", "")), io.OrderCancelInput)


def _request_data(request_obj: MaterialRequest) -> dict:
    return {"id": request_obj.pk, "number": request_obj.number, "order": request_obj.order.number,
            "order_id": request_obj.order_id, "state": request_obj.state, "comment": request_obj.comment,
            "need_by": request_obj.need_by,
            "lines": [{"part": line.part.code, "quantity": line.quantity, "received": line.received,
                       "issued": line.issued} for line in request_obj.lines.select_related("part")]}


class MaterialRequestsView(Endpoint):
    status_code = 201

    @extend_schema(request=io.MaterialRequestInput, responses={201: io.MaterialRequestOutput,
                                                               **conflicts("invalid_state")})
    def post(self, request, **kwargs):
        """Repair asks for parts: `order` (id), `lines`: [{part (code), quantity}], `comment`, `need_by` (a date,
        not past). Purchasing's clock to decide it starts."""
        return super().post(request, **kwargs)

    def act(self, request, body):
        return _request_data(services.material_request_create(actor=request.user, order_id=body.get("order"),
                                                              lines=body.get("lines"), comment=body.get("comment", ""),
                                                              need_by=body.get("need_by")))


def _request_step(name, call, body=None, conflict_codes=("invalid_state",)):
    class Step(Endpoint):
        @extend_schema(request=body, responses={200: io.MaterialRequestOutput, **conflicts(*conflict_codes)},
                       operation_id=f"material_request_{name}")
        def post(self, request, **kwargs):
            return super().post(request, **kwargs)

        def act(self, request, body, pk):
            return _request_data(call(request.user, int(pk), body))

    Step.__name__ = Step.__qualname__ = f"MaterialRequest{name.title()}View"
    return Step


MaterialRequestDecideView = _request_step("decide", lambda actor, pk, body: services.material_request_decide(
    actor=actor, request_id=pk, approve=body.get("approve"), comment=body.get("comment", "")), io.DecisionInput)
MaterialRequestReceiveView = _request_step("receive", lambda actor, pk, body: services.material_request_receive(
    actor=actor, request_id=pk))
MaterialRequestIssueView = _request_step("issue", lambda actor, pk, body: services.material_request_issue(
    actor=actor, request_id=pk), None, ("invalid_state", "insufficient_stock"))


def _quote_data(quote: Quote, *, for_customer: bool = False) -> dict:
    lines = quote.lines
    if for_customer:  # the company's own cost of a part is not the customer's business
        lines = [{key: value for key, value in line.items() if key != "unit_cost"} for line in lines]
    shipment = quote.parts_shipment if quote.parts_shipment_id else None
    return {"id": quote.pk, "case": quote.return_case.number if quote.return_case_id else None,
            "case_id": quote.return_case_id, "parts_shipment": quote.parts_shipment_id,
            "service_request": shipment.request.number if shipment else None,
            "revision": quote.revision, "state": quote.state,
            "unit_ids": quote.unit_ids, "lines": lines, "parts_total": str(quote.parts_total),
            "labour_total": str(quote.labour_total), "transport": str(quote.transport),
            "total_per_unit": str(quote.total_per_unit), "reason": quote.reason,
            "expected_return_date": quote.expected_return_date}


@honours_idempotency_key
class QuotesView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    staff_only = True  # POST: a customer user gets 404; GET: another customer's case is 404 too

    @extend_schema(responses=io.QuoteOutput(many=True),
                   parameters=[OpenApiParameter("case", int, required=True, description="The return case's id.")])
    def get(self, request):
        """The quotes of a case (`?case=` id), oldest first (a page): customers see their own cases' quotes."""
        raw = request.query_params.get("case", "")
        case_id = parsing.id_or_none(raw)
        case = case_get(user=request.user, pk=case_id) if case_id else None
        if case is None:
            raise NotFound()
        customer = request.user.customer_id is not None
        quotes = Quote.objects.filter(return_case=case).select_related("return_case").order_by("id")
        return paginated(request, self, quotes, lambda page: [_quote_data(q, for_customer=customer) for q in page])

    @extend_schema(request=io.QuoteInput, responses={
        201: io.QuoteOutput, **conflicts("quote_pending", "invalid_state", "stale_version", "not_chargeable")})
    def post(self, request):
        """Service sends a quote: `case`, `unit_ids`, `parts` [{part, quantity}], `labour_hours`,
        `transport`, `expected_return_date`. The case's units then wait for the customer's answer."""
        _staff(request)
        body = _body(request)
        return idempotent(request, lambda: Response(_quote_data(services.quote_send(
            actor=request.user, case_id=body.get("case"), unit_ids=body.get("unit_ids"), parts=body.get("parts", []),
            labour_hours=body.get("labour_hours", 0), transport=body.get("transport", 0),
            expected_return_date=body.get("expected_return_date"))), status=201))


@honours_idempotency_key
class PartsQuotesView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True  # a customer user may read its own quotes, but only staff send one (404 to customers)
    pagination_class = Pagination

    @extend_schema(responses=io.QuoteOutput(many=True), operation_id="parts_quotes_list", parameters=[
        OpenApiParameter("shipment", int, required=True, description="The service request's parts shipment id.")])
    def get(self, request):
        """The quotes of a parts shipment (`?shipment=` id), oldest first (a page): a customer its own requests'."""
        from aftersales.servicedesk.models import PartsShipment

        customer = request.user.customer_id is not None
        if not customer and not roles_of(request.user) & {"service", "manager", "finance"}:
            raise PermissionDenied()
        shipments = scope_to_customer(PartsShipment.objects.all(), request.user, "request__customer")
        shipment = shipments.filter(pk=parsing.id_or_none(request.query_params.get("shipment", "")) or 0).first()
        if shipment is None:
            raise NotFound()
        rows = Quote.objects.filter(parts_shipment=shipment).select_related("parts_shipment__request")
        return paginated(request, self, rows.order_by("id"),
                         lambda page: [_quote_data(q, for_customer=customer) for q in page])

    @extend_schema(request=io.PartsQuoteInput, responses={201: io.QuoteOutput, **conflicts("invalid_state",
                                                                                           "quote_pending")})
    def post(self, request):
        """Service quotes parts sent out of warranty: `shipment` (id), `transport` (CNY); the parts at cost plus
        the markup. The shipment waits for the customer's answer."""
        _staff(request)
        body = _body(request)
        return idempotent(request, lambda: Response(_quote_data(services.parts_quote_send(
            actor=request.user, shipment_id=body.get("shipment"), transport=body.get("transport", 0))), status=201))


@honours_idempotency_key
class PartsQuoteAnswerView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=io.PartsQuoteAnswerInput, responses={200: io.QuoteOutput, **conflicts("invalid_state")})
    def post(self, request, pk):
        """The customer's answer to a parts quote (`accept`: true or false); service records one given on the
        phone. Refused, the shipment is cancelled."""
        body = _body(request)
        customer = request.user.customer_id is not None
        return idempotent(request, lambda: Response(_quote_data(services.parts_quote_answer(
            actor=request.user, quote_id=pk, accept=body.get("accept")), for_customer=customer)))


class QuoteReviseView(Endpoint):
    status_code = 201

    @extend_schema(request=io.QuoteRevisionInput, responses={201: io.QuoteOutput, **conflicts("invalid_state")})
    def post(self, request, **kwargs):
        """Revise after the bench finding: the same fields as a quote, and `reason`."""
        return super().post(request, **kwargs)

    def act(self, request, body, pk):
        return _quote_data(services.quote_revise(
            actor=request.user, quote_id=int(pk), parts=body.get("parts", []), labour_hours=body.get("labour_hours", 0),
            transport=body.get("transport", 0), expected_return_date=body.get("expected_return_date"),
            reason=body.get("reason", "")))


def _scrap_data(application: ScrapApplication) -> dict:
    return {"id": application.pk, "number": application.number, "state": application.state,
            "case": application.return_case.number if application.return_case_id else None,
            "case_id": application.return_case_id, "unit_ids": application.unit_ids, "parts": application.parts,
            "weights_kg": application.weights_kg, "reason": application.reason}


class ScrapApplicationsView(Endpoint):
    status_code = 201

    @extend_schema(request=io.ScrapApplicationInput, responses={201: io.ScrapApplicationOutput,
                                                                **conflicts("invalid_state")})
    def post(self, request, **kwargs):
        """报废申请: `reason`, and `case` + `unit_ids`, `parts` [{part, quantity}], `weights_kg` {metal, plastic,
        packaging, wire, other}."""
        return super().post(request, **kwargs)

    def act(self, request, body):
        return _scrap_data(services.scrap_apply(
            actor=request.user, reason=body.get("reason", ""), case_id=body.get("case"), unit_ids=body.get("unit_ids"),
            parts=body.get("parts"), weights_kg=body.get("weights_kg")))


class ScrapDecideView(Endpoint):
    @extend_schema(request=io.DecisionInput, responses={200: io.ScrapApplicationOutput,
                                                        **conflicts("invalid_state", "insufficient_stock")})
    def post(self, request, **kwargs):
        """The manager approves (`approve`: true) or refuses, with `comment`."""
        return super().post(request, **kwargs)

    def act(self, request, body, pk):
        return _scrap_data(services.scrap_decide(actor=request.user, application_id=int(pk),
                                                 approve=body.get("approve"), comment=body.get("comment", "")))


class TeardownView(Endpoint):
    status_code = 201

    @extend_schema(request=io.TeardownInput, responses={201: io.TeardownOutput, **conflicts("invalid_state")})
    def post(self, request, **kwargs):
        """Parts from a torn-down unit: `unit` (id), `parts`: [{part, quantity, outcome: good|cosmetic|scrap}]."""
        return super().post(request, **kwargs)

    def act(self, request, body):
        rows = services.teardown_record(actor=request.user, unit_id=body.get("unit"), parts=body.get("parts"))
        return _teardown_data(rows)


def _teardown_data(rows) -> dict:
    return {"parts": [{"id": row.pk, "part": row.part.code, "quantity": row.quantity, "outcome": row.outcome,
                       "qc_passed": row.qc_passed} for row in rows]}


class TeardownCheckView(Endpoint):
    @extend_schema(request=io.TeardownCheckInput, responses={200: io.TeardownOutput, **conflicts("invalid_state")})
    def post(self, request, **kwargs):
        """Quality's check of good teardown parts (三.1): `teardown_part_ids`, `passed`; passed parts enter
        raw-material stock, failed ones are scrap."""
        return super().post(request, **kwargs)

    def act(self, request, body):
        rows = services.teardown_parts_check(actor=request.user, teardown_part_ids=body.get("teardown_part_ids"),
                                             passed=body.get("passed"))
        return _teardown_data(rows)


def _refurbish_data(order: RefurbishOrder) -> dict:
    return {"id": order.pk, "number": order.number, "supplier": order.supplier, "state": order.state,
            "passed_qc": order.passed_qc, "failed_qc": order.failed_qc, "cost": str(order.cost),
            "parts": [{"id": p.pk, "part": p.part.code, "quantity": p.quantity} for p in order.parts.select_related("part")]}


class RefurbishOrdersView(Endpoint):
    status_code = 201

    @extend_schema(request=io.RefurbishOrderInput, responses={201: io.RefurbishOrderOutput,
                                                              **conflicts("invalid_state")})
    def post(self, request, **kwargs):
        """外协加工单: `supplier`, `teardown_part_ids` (cosmetic parts)."""
        return super().post(request, **kwargs)

    def act(self, request, body):
        return _refurbish_data(services.refurbish_order_create(
            actor=request.user, supplier=body.get("supplier", ""), teardown_part_ids=body.get("teardown_part_ids")))


class RefurbishReturnView(Endpoint):
    @extend_schema(request=io.RefurbishReturnInput, responses={200: io.RefurbishOrderOutput,
                                                               **conflicts("invalid_state")})
    def post(self, request, **kwargs):
        """The parts are back: `passed` (how many passed QC), `cost` of the refurbishment."""
        return super().post(request, **kwargs)

    def act(self, request, body, pk):
        return _refurbish_data(services.refurbish_order_return(actor=request.user, order_id=int(pk),
                                                               passed=body.get("passed"), cost=body.get("cost", 0)))


class CaseCostView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(responses=io.CaseCostOutput)
    def get(self, request, pk: int):
        """What a case cost: parts at cost, labour hours × rate, transport; charged and absorbed. Staff only."""
        _staff(request)
        if not roles_of(request.user) & {"finance", "service", "manager", "planning", "repair", "quality"}:
            raise NotFound()
        case = case_get(user=request.user, pk=pk)
        if case is None:
            raise NotFound()
        return Response(_money_as_text(selectors.case_cost(case)))


def _money_as_text(value):
    """Amounts as exact decimal strings ("95.00"), as everywhere in the API."""
    if isinstance(value, dict):
        return {key: _money_as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_money_as_text(item) for item in value]
    return str(value) if isinstance(value, Decimal) else value


class RepairDailyReportView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(responses=io.DailyReportOutput, parameters=[
        OpenApiParameter("date", OpenApiTypes.DATE, description="Default: today."), OpenApiParameter("team", str)])
    def get(self, request):
        """维修日报表 of a day (`?date=`, default today; `?team=`): per team what was repaired, hours,
        anomalies with their units' photos, major anomalies."""
        from django.utils import timezone

        _staff(request)
        raw = request.query_params.get("date", "")
        day = parsing.date_value(raw, "date") if raw else timezone.localdate()
        report = selectors.repair_daily_report(day, team=request.query_params.get("team") or None)
        return Response(_money_as_text(report))


class QuotePaymentView(Endpoint):
    @extend_schema(request=io.PaymentInput, responses={200: io.QuotePaymentOutput, **conflicts("invalid_state")})
    def post(self, request, **kwargs):
        """Finance records a payment of an accepted quote: `amount` (CNY)."""
        return super().post(request, **kwargs)

    def act(self, request, body, pk):
        quote = services.quote_payment(actor=request.user, quote_id=int(pk), amount=body.get("amount"))
        return {**_quote_data(quote), "paid_amount": str(quote.paid_amount), "amount_due": str(quote.amount_due)}


class FeesDueView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True
    pagination_class = Pagination

    @extend_schema(responses=io.FeeDueOutput(many=True))
    def get(self, request):
        """Repair fees accepted by customers and not paid in full, oldest quote first (a page; finance,
        service, manager)."""
        _staff(request)
        if not roles_of(request.user) & {"finance", "service", "manager"}:
            raise NotFound()
        return paginated(request, self, selectors.fees_due(), _money_as_text)


class RepairDataView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True
    pagination_class = Pagination

    @extend_schema(responses=io.RepairDataOutput(many=True), parameters=[
        OpenApiParameter("from", OpenApiTypes.DATE, description="Default: today."),
        OpenApiParameter("to", OpenApiTypes.DATE, description="Default: today.")])
    def get(self, request):
        """Repair data of a period (`?from=`, `?to=` dates), by order number (a page): per order progress,
        labour hours, parts at cost."""
        from django.utils import timezone

        _staff(request)
        dates = {}
        for name in ("from", "to"):
            raw = request.query_params.get(name, "")
            dates[name] = parsing.date_value(raw, name) if raw else timezone.localdate()
        if dates["from"] > dates["to"]:
            raise InvalidInput(details={"from": [_("The period starts after it ends.")]})
        return paginated(request, self, selectors.repair_data(dates["from"], dates["to"]), _money_as_text)
