"""Service desk API: register a request (staff on the phone, the customer in the portal, a gateway), its
steps (first reply, contacts, the decision, the result, closing, reopening), the serial lookup, the survey in
the portal and through its signed link (no login), the satisfaction statistics, and what purchasing and field
service see."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.core import parsing, policies
from aftersales.core.errors import InvalidInput, NotFound
from aftersales.core.idempotency import idempotent
from aftersales.core.pagination import Pagination, paginated
from aftersales.core.roles import require_roles
from aftersales.core.schema import conflicts, honours_idempotency_key

from . import selectors, services
from . import serializers as io
from . import complaints, satisfaction
from .models import ComplaintCause, SupplierReferral

LEDGER_FILTERS = [OpenApiParameter(name, str, description=text) for name, text in (
    ("category", "product_complaint or staff_complaint (or another category with a cause)"),
    ("cause", "a cause's code (its branch included)"), ("customer", "the customer's code"),
    ("model", "the product model's code"), ("state", "the request's state"), ("from", "registered on or after (date)"),
    ("to", "registered on or before (date)"))]


REGISTER_FIELDS = ("customer", "channel", "category", "priority", "product_model", "contact_name", "contact_phone",
                   "serial", "description", "staff_member")


def _body(request) -> dict:
    return parsing.json_object(request.data)


def _form_or_json(request) -> tuple[dict, list]:
    """A JSON body, or a form's fields (one value each) and its uploaded `photos`."""
    if request.content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        return {key: request.data.get(key) for key in request.data if key != "photos"}, request.FILES.getlist(
            "photos")
    return _body(request), []


def _detail(request, pk) -> dict:
    return selectors.request_data(selectors.request_get(user=request.user, pk=pk), user=request.user)


@honours_idempotency_key
class RequestsView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(responses=io.DeskRequestRowOutput(many=True), operation_id="service_requests_list", parameters=[
        OpenApiParameter("queue", str, enum=list(selectors.QUEUES),
                         description="new, unanswered, overdue, reopened, open (default), all.")])
    def get(self, request):
        """The inbox's queues, newest first (a page); a customer sees its own requests only."""
        queue = request.query_params.get("queue") or "open"
        if queue not in selectors.QUEUES:
            raise InvalidInput(details={"queue": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(
                selectors.QUEUES)}]})
        if request.user.customer_id is None:
            require_roles(request.user, "service", "manager", "quality", "technician")
        count = selectors.queue_count(user=request.user, queue=queue)
        rows = selectors.request_list(user=request.user, queue=queue, overdue_count=count if queue == "overdue" else None)
        return paginated(request, self, rows, lambda page: [selectors.request_row(r) for r in page], count=count)

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request={"application/json": io.DeskRegisterInput,
                            "multipart/form-data": io.DeskRegisterMultipartInput},
                   responses={201: io.DeskRequestOutput})
    def post(self, request):
        """Register a request: serial first (it fills the product model, the customer and the warranty). As
        multipart/form-data it carries its `photos` too: a refused photo registers nothing."""
        body, photos = _form_or_json(request)

        def register():
            created = services.request_register(actor=request.user, photos=photos, **{
                key: body.get(key) for key in REGISTER_FIELDS if key in body})
            return Response(_detail(request, created.pk), status=201)

        return idempotent(request, register)


class RequestView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=io.DeskRequestOutput)
    def get(self, request, pk):
        """A request whole: its timeline, contacts, decision, linked records, clocks and allowed actions."""
        return Response(_detail(request, pk))


def _step(name, call, body_serializer, codes=("invalid_state",)):
    @honours_idempotency_key
    class Step(APIView):
        permission_classes = [IsAuthenticated]

        @extend_schema(request=body_serializer, responses={200: io.DeskRequestOutput, **conflicts(*codes)},
                       operation_id=f"service_request_{name}")
        def post(self, request, pk):
            body = _body(request)

            def run():
                call(request.user, pk, body)
                return Response(_detail(request, pk))

            return idempotent(request, run)

    Step.__name__ = Step.__qualname__ = f"Request{name.title().replace('_', '')}View"
    Step.__doc__ = call.__doc__
    return Step


def _reply(actor, pk, body):
    """The first reply, recorded as a contact (`content`, `channel`)."""
    services.request_reply(actor=actor, request_id=pk, content=body.get("content"), channel=body.get("channel"))


def _contact(actor, pk, body):
    """A contact with the customer: `content`, `channel`, `inbound` (the customer called)."""
    services.contact_add(actor=actor, request_id=pk, content=body.get("content"), channel=body.get("channel"),
                         inbound=body.get("inbound", False))


def _resolve(actor, pk, body):
    """The result told to the customer (`result`); a request returned to the factory waits for its case."""
    services.request_resolve(actor=actor, request_id=pk, result=body.get("result"))


def _close(actor, pk, body):
    """Close: the satisfaction survey of this closing goes out."""
    services.request_close(actor=actor, request_id=pk)


def _reopen(actor, pk, body):
    """Handle it again (`reason`); past the policy's number of reopenings the manager is told."""
    services.request_reopen(actor=actor, request_id=pk, reason=body.get("reason"))


def _classify(actor, pk, body):
    """The complaint's cause on the cause tree (`cause`: its code), in any state."""
    services.request_classify(actor=actor, request_id=pk, cause=body.get("cause"))


def _verify_complaint(actor, pk, body):
    """The service manager verifies a complaint about staff (`finding`; `staff_member` to name the person): it
    is recorded against the person."""
    services.complaint_verify(actor=actor, request_id=pk, finding=body.get("finding"),
                              staff_member=body.get("staff_member"))


def _reject_complaint(actor, pk, body):
    """The service manager rejects a complaint about staff (`finding`: why it does not hold)."""
    services.complaint_reject(actor=actor, request_id=pk, finding=body.get("finding"))


RequestClassifyView = _step("classify", _classify, io.DeskClassifyInput)
RequestVerifyComplaintView = _step("verify_complaint", _verify_complaint, io.DeskVerifyInput,
                                   ("not_staff_complaint", "complaint_judged"))
RequestRejectComplaintView = _step("reject_complaint", _reject_complaint, io.DeskFindingInput,
                                   ("not_staff_complaint", "complaint_judged"))


@honours_idempotency_key
class RequestPhotosView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": io.DeskPhotosInput},
                   responses={201: io.DeskRequestOutput, **conflicts("invalid_state")})
    def post(self, request, pk):
        """Add `photos` to an open request (the desk, or the request's own customer): at most 10 MB each and 10
        per request, judged by their content (400 `file_not_allowed`), re-encoded. Each answer's `url` is
        where it is fetched."""
        def run():
            services.photos_add(actor=request.user, request_id=pk, uploads=request.FILES.getlist("photos"))
            return Response(_detail(request, pk), status=201)

        return idempotent(request, run)


@honours_idempotency_key
class PartsShipmentShipView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=io.DeskShipInput, responses={200: io.DeskRequestOutput, **conflicts(
        "invalid_state", "quote_not_accepted", "quote_not_paid", "insufficient_stock")})
    def post(self, request, pk, shipment):
        """Ship charged parts (`carrier`, `tracking`) once the customer accepted their quote (and paid it, per
        policy `parts_paid_before_shipping`); the stock leaves now."""
        body = _body(request)

        def run():
            services.parts_shipment_ship(actor=request.user, request_id=pk, shipment_id=shipment,
                                         carrier=body.get("carrier"), tracking=body.get("tracking"))
            return Response(_detail(request, pk))

        return idempotent(request, run)


class ConductRecordsView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    staff_only = True

    @extend_schema(responses=io.DeskConductRecordOutput(many=True), parameters=[
        OpenApiParameter("person", str, description="A staff member's username.")])
    def get(self, request):
        """Verified complaints about service staff recorded against each person (the penalty ledger reads
        them), newest first (a page): the service manager's."""
        if request.user.customer_id is not None:
            raise NotFound()
        person = parsing.text(request.query_params.get("person"), "person", max_length=150)
        rows = selectors.conduct_records(user=request.user, person=person or None)
        return paginated(request, self, rows, lambda page: [selectors.conduct_record_row(r) for r in page])
RequestReplyView = _step("reply", _reply, io.DeskContactInput)
RequestContactView = _step("contact", _contact, io.DeskContactInput)
RequestResolveView = _step("resolve", _resolve, io.DeskResultInput, ("invalid_state", "return_case_open",
                                                                   "parts_not_shipped"))
RequestCloseView = _step("close", _close, None)
RequestReopenView = _step("reopen", _reopen, io.DeskReasonInput)


@honours_idempotency_key
class RequestDecideView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=io.DeskDecideInput, responses={200: io.DeskDecideOutput,
                                                      **conflicts("invalid_state", "insufficient_stock",
                                                                  "no_warehouse")})
    def post(self, request, pk):
        """Decide how to help (问题评估), one real path: remote (`solution`), parts (`parts`, `carrier`,
        `tracking`), technician (`technician`, `planned_date`), return (a return case), supplier (`supplier`,
        `part`, `problem`), quality (`problem`)."""
        body = _body(request)

        def run():
            fields = {key: value for key, value in body.items() if key in io.DeskDecideInput().fields}
            done = services.request_decide(actor=request.user, request_id=pk, **fields)
            return Response({"request": _detail(request, done["request"].pk), "made": done["made"]})

        return idempotent(request, run)


class SerialLookupView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("serial", str, required=True),
                               OpenApiParameter("category", str, description="The kind of fault, for the "
                                                "repeat-repair warning.")],
                   responses=io.DeskSerialLookupOutput)
    def get(self, request):
        """Serial first: the unit, its customer and warranty, its service history, a repeat-repair warning."""
        serial = parsing.text(request.query_params.get("serial"), "serial", max_length=80, required=True)
        return Response(selectors.serial_lookup(user=request.user, serial=serial,
                                                category=request.query_params.get("category")))


class SurveyView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=io.DeskSurveyOutput)
    def get(self, request, pk):
        """A survey of the customer's own request or return case (the portal)."""
        return Response(selectors.survey_data(selectors.survey_get(user=request.user, pk=pk)))

    @extend_schema(request=io.DeskSurveyInput, responses={200: io.DeskSurveyOutput, **conflicts("survey_answered",
                                                                                        "invalid_state")})
    def post(self, request, pk):
        """Answer the survey, once: scores 1-5 per dimension and a comment; a low score reopens the request
        (`followup`: reopen) or complains to the manager (`followup`: complain); on a closed return case it
        registers a complaint request linked to the case (`complaint`), escalated when the customer complains."""
        survey = selectors.survey_get(user=request.user, pk=pk)
        answered = services.survey_answer(actor=request.user, survey_id=survey.pk, **_survey_fields(request))
        return Response(selectors.survey_data(answered))


def _survey_fields(request) -> dict:
    body = _body(request)
    return {key: body.get(key) for key in ("response", "attitude", "fix_quality", "overall", "comment",
                                           "followup") if key in body}


class SurveyLinkView(APIView):
    """The survey through its signed link: no login; an altered link is 404, an expired one 403."""

    authentication_classes = []
    permission_classes = [AllowAny]
    error_statuses = {403, 404}

    @extend_schema(responses=io.DeskSurveyOutput)
    def get(self, request, token):
        """The survey the link names."""
        return Response(selectors.survey_data(services.survey_from_token(token)))

    @extend_schema(request=io.DeskSurveyInput, responses={200: io.DeskSurveyOutput, **conflicts("survey_answered",
                                                                                        "invalid_state")})
    def post(self, request, token):
        """Answer the survey the link names, once."""
        survey = services.survey_from_token(token)
        answered = services.survey_answer(actor=None, survey_id=survey.pk, **_survey_fields(request))
        return Response(selectors.survey_data(answered))


class SupplierReferralsView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    staff_only = True

    @extend_schema(responses=io.DeskReferralRowOutput(many=True))
    def get(self, request):
        """Problems passed to suppliers, for purchasing (newest first, a page)."""
        if request.user.customer_id is not None:
            raise NotFound()
        require_roles(request.user, "purchasing", "service", "manager")
        rows = SupplierReferral.objects.select_related("request", "part").order_by("-id")
        return paginated(request, self, rows, lambda page: [
            {"id": x.pk, "request": x.request.number, "supplier": x.supplier,
             "part": x.part.code if x.part else None, "problem": x.problem, "state": x.state,
             "created_at": x.created_at} for x in page])


def _ledger_reader(request) -> None:
    if request.user.customer_id is None:
        require_roles(request.user, "service", "quality", "engineering", "manager")


class ComplaintsView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(responses=io.DeskComplaintOutput(many=True), parameters=LEDGER_FILTERS)
    def get(self, request):
        """The complaint ledger (投诉履历台账), newest first (a page): each complaint, its cause, how it was
        handled and the result; a customer sees its own."""
        _ledger_reader(request)
        rows = complaints.ledger(user=request.user, params=request.query_params).prefetch_related("decisions")
        return paginated(request, self, rows, lambda page: [complaints.ledger_row(r) for r in page])


class ComplaintParetoView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(responses=io.DeskParetoOutput(many=True), parameters=[
        OpenApiParameter("by", str, enum=list(complaints.PARETO_BY), description="cause (default), model, customer, "
                         "month"), *LEDGER_FILTERS])
    def get(self, request):
        """The frequency of complaints (a Pareto), most frequent first, over the ledger's filters."""
        _ledger_reader(request)
        rows = complaints.ledger(user=request.user, params=request.query_params)
        return paginated(request, self, complaints.pareto(rows, request.query_params.get("by") or "cause"))


def _cause_row(cause) -> dict:
    return {"id": cause.pk, "code": cause.code, "name": cause.name,
            "parent": cause.parent.code if cause.parent_id else None, "improvement": cause.improvement,
            "is_active": cause.is_active}


class CausesView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(responses=io.DeskCauseOutput(many=True))
    def get(self, request):
        """The cause tree (master data), by code, with each cause's improvement measure."""
        return paginated(request, self, ComplaintCause.objects.select_related("parent").order_by("code"),
                         lambda page: [_cause_row(c) for c in page])


class CauseImprovementView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=io.DeskImprovementInput, responses=io.DeskCauseOutput)
    def post(self, request, pk):
        """Record the improvement measure for a cause (quality, the manager)."""
        cause = services.cause_improvement_set(actor=request.user, cause_id=pk,
                                               improvement=_body(request).get("improvement"))
        return Response(_cause_row(cause))


SATISFACTION_FILTERS = [OpenApiParameter(name, str, description=text) for name, text in (
    ("from", "answered on or after (date)"), ("to", "answered on or before (date)"),
    ("department", "the handler's department (role code: service, technician, repair...)"),
    ("technician", "the handler's username"), ("kind", "request or case"))]


def _satisfaction_reader(request):
    if request.user.customer_id is not None:
        raise NotFound()
    require_roles(request.user, "service", "manager")
    return satisfaction.answered(params=request.query_params)


class SatisfactionView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True

    @extend_schema(responses=io.DeskSatisfactionOutput, parameters=SATISFACTION_FILTERS)
    def get(self, request):
        """满意度统计: how many surveys were answered, how many not satisfied, the average of each dimension."""
        rows = _satisfaction_reader(request)
        return Response(satisfaction.summary(rows, low_score=policies.value("survey_low_score")))


class SatisfactionGroupsView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True
    pagination_class = Pagination

    @extend_schema(responses=io.DeskSatisfactionGroupOutput(many=True), parameters=[
        OpenApiParameter("by", str, enum=list(satisfaction.GROUP_BY), description="month (default, oldest first), "
                         "technician or department (most answers first)"), *SATISFACTION_FILTERS])
    def get(self, request):
        """The averages per month, per technician or per department (a page)."""
        rows = _satisfaction_reader(request)
        return paginated(request, self, satisfaction.groups(rows, request.query_params.get("by") or "month",
                                                            low_score=policies.value("survey_low_score")))


class SatisfactionCommentsView(APIView):
    permission_classes = [IsAuthenticated]
    staff_only = True
    pagination_class = Pagination

    @extend_schema(responses=io.DeskSatisfactionCommentOutput(many=True), parameters=SATISFACTION_FILTERS)
    def get(self, request):
        """The answered surveys with a comment, newest first (a page): scores, who handled it, the follow-up."""
        rows = satisfaction.with_comments(_satisfaction_reader(request))
        return paginated(request, self, rows, lambda page: [satisfaction.survey_row(r) for r in page])
