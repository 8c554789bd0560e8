"""Claims API: supplier claims (purchasing) and compensations (service proposes, a manager approves,
finance settles); each a list, a detail and its steps by the table."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.core import parsing
from aftersales.core.errors import InvalidInput
from aftersales.core.idempotency import idempotent
from aftersales.core.pagination import Pagination, paginated
from aftersales.core.schema import conflicts, honours_idempotency_key

from . import selectors, services
from . import serializers as io
from .models import ClaimState, CompensationState


def _body(request) -> dict:
    return parsing.json_object(request.data)


def _state(request, choices) -> str | None:
    state = request.query_params.get("state") or None
    if state is not None and state not in choices.values:
        raise InvalidInput(details={"state": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(choices.values)}]})
    return state


@honours_idempotency_key
class ClaimsView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(responses=io.ClaimListOutput(many=True), operation_id="supplier_claims_list",
                   parameters=[OpenApiParameter("state", str, enum=ClaimState.values)])
    def get(self, request):
        """Supplier claims, newest first (a page): purchasing, managers, quality, service, finance."""
        claims = selectors.claim_list(user=request.user, state=_state(request, ClaimState))
        return paginated(request, self, claims, lambda page: [selectors.claim_row(c) for c in page])

    @extend_schema(request=io.ClaimInput, responses={201: io.ClaimOutput})
    def post(self, request):
        """Purchasing drafts a claim (供应商索赔单): `supplier`, `case`, `items`, `description`,
        `amount_claimed`, `attachments` (evidence of the case)."""
        body = _body(request)

        def act():
            claim = services.claim_create(
                actor=request.user, supplier=body.get("supplier"), case_id=body.get("case"), items=body.get("items"),
                description=body.get("description"), amount_claimed=body.get("amount_claimed"),
                attachment_ids=body.get("attachments"))
            return Response(selectors.claim_detail(selectors.claim_get(user=request.user, pk=claim.pk), request.user),
                            status=201)

        return idempotent(request, act)


class ClaimView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=io.ClaimOutput)
    def get(self, request, pk: int):
        """A claim with its units and parts (each unit's inspection), its evidence and the allowed steps."""
        return Response(selectors.claim_detail(selectors.claim_get(user=request.user, pk=pk), request.user))


@honours_idempotency_key
class ClaimActionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=io.ClaimActionInput, responses={200: io.ClaimOutput, **conflicts("invalid_state",
                                                                                               "stale_version")})
    def post(self, request, pk: int, action: str):
        """A step of the claim: `send`, `answer` (`answer`, `answer_text`, `amount_recovered`), `close`
        (`amount_recovered`), `cancel` (`reason`). Purchasing only."""
        body = _body(request)
        selectors.claim_get(user=request.user, pk=pk)

        def act():
            services.claim_act(actor=request.user, claim_id=pk, action=action, params=body, version=body.get("version"))
            return Response(selectors.claim_detail(selectors.claim_get(user=request.user, pk=pk), request.user))

        return idempotent(request, act)


@honours_idempotency_key
class CompensationsView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(responses=io.CompensationOutput(many=True), operation_id="compensations_list",
                   parameters=[OpenApiParameter("state", str, enum=CompensationState.values),
                               OpenApiParameter("case", int)])
    def get(self, request):
        """Compensations, newest first (a page): service, managers, finance (`?state=approved`: to settle)."""
        rows = selectors.compensation_list(user=request.user, state=_state(request, CompensationState))
        if request.query_params.get("case"):
            rows = rows.filter(return_case_id=parsing.id_or_none(request.query_params["case"]) or 0)
        return paginated(request, self, rows, lambda page: [selectors.compensation_row(c, request.user) for c in page])

    @extend_schema(request=io.CompensationInput, responses={201: io.CompensationOutput,
                                                            **conflicts("not_company_responsible")})
    def post(self, request):
        """Service proposes a compensation on a case where the company is responsible: `case`, `amount`,
        `form` (credit, cash, goods), `goods`, `reason`."""
        body = _body(request)

        def act():
            made = services.compensation_propose(actor=request.user, case_id=body.get("case"), amount=body.get("amount"),
                                                 form=body.get("form"), reason=body.get("reason"),
                                                 goods=body.get("goods", ""))
            return Response(selectors.compensation_row(selectors.compensation_get(user=request.user, pk=made.pk),
                                                       request.user), status=201)

        return idempotent(request, act)


class CompensationView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=io.CompensationOutput)
    def get(self, request, pk: int):
        return Response(selectors.compensation_row(selectors.compensation_get(user=request.user, pk=pk), request.user))


@honours_idempotency_key
class CompensationActionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=io.CompensationActionInput, responses={200: io.CompensationOutput,
                                                                  **conflicts("invalid_state")})
    def post(self, request, pk: int, action: str):
        """`approve` / `reject` (`comment`, required to reject): a manager; `settle` (`reference`): finance."""
        body = _body(request)
        selectors.compensation_get(user=request.user, pk=pk)

        def act():
            services.compensation_act(actor=request.user, compensation_id=pk, action=action, params=body)
            return Response(selectors.compensation_row(selectors.compensation_get(user=request.user, pk=pk),
                                                       request.user))

        return idempotent(request, act)
