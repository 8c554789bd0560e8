"""API building blocks shared by every app, and the system endpoints: token, health, policies."""

import math

from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from . import parsing, policies
from .audit import history_entries
from .auth import client_ip, login_paused_for, login_paused_message
from .errors import InvalidInput, TooManyLoginAttempts
from .models import Policy
from .pagination import paginated
from .permissions import scope_to_customer

# A stored value as sent: a number, a decimal as text, a flag, text, a list of texts (a scale), or null.
SCALAR = {"anyOf": [{"type": "integer"}, {"type": "number"}, {"type": "string"}, {"type": "boolean"},
                    {"type": "array", "items": {"type": "string"}}],
          "nullable": True}


@extend_schema_field(SCALAR)
class ScalarField(serializers.JSONField):
    pass


# A policy's value: a scalar as above, or a scale of choices (a list of short words, best first).
POLICY_VALUE = {"anyOf": [*SCALAR["anyOf"], {"type": "array", "items": {"type": "string"}}], "nullable": True}


@extend_schema_field(POLICY_VALUE)
class PolicyValueField(serializers.JSONField):
    pass


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = ScalarField()
    new = ScalarField()


class HistoryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    user = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    changes = HistoryChangeSerializer(many=True)


class HistoryMixin:
    @extend_schema(responses=HistoryEntrySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, *args, **kwargs):
        """Every change to this record, newest first (a page): who, when, what (old → new), why. Append-only."""
        return paginated(request, self, history_entries(self.get_object()))


class AuditedViewSet(
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, detail, create, update and audit history of one kind of record.

    `customer_scope` names the path from the record to its customer, for portal users.
    Records are never deleted through the API: they are deactivated, and history keeps all.
    """

    customer_scope: str | None = None
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return scope_to_customer(super().get_queryset(), self.request.user, self.customer_scope)


class TokenView(APIView):
    """Exchange a username and password for an API token."""

    authentication_classes = []
    permission_classes = [AllowAny]
    error_statuses = {429}

    @extend_schema(
        request=inline_serializer("TokenRequest", {"username": serializers.CharField(),
                                                   "password": serializers.CharField()}),
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    )
    def post(self, request):
        from django.contrib.auth import authenticate
        from rest_framework.authtoken.models import Token

        body = parsing.json_object(request.data)  # a JSON array or a number is refused, not a server error
        username = body.get("username")
        password = body.get("password")
        missing = {name: [_("This field is required.")] for name in ("username", "password") if not body.get(name)}
        if missing:
            raise InvalidInput(details=missing)
        paused = login_paused_for(username=str(username), ip_address=client_ip(request))
        if paused is not None:
            raise TooManyLoginAttempts(login_paused_message(paused),
                                       details={"retry_after_seconds": math.ceil(paused.total_seconds())})
        user = authenticate(request._request, username=str(username), password=str(password))
        if user is None:
            raise InvalidInput(_("Wrong username or password."), code="invalid_credentials")
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


def healthz(request):
    """200 with the database's state when it answers; 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception as exc:  # noqa: BLE001  the health check must answer whatever the driver raises
        return JsonResponse({"status": "error", "database": "unavailable", "detail": exc.__class__.__name__},
                            status=503)
    return JsonResponse({"status": "ok", "database": database, "vendor": connection.vendor,
                         "warnings": _warnings()})


def _warnings() -> list[str]:
    """What an operator should act on although the service answers (a provisional calendar year ahead):
    the warnings of the checks apps registered (core/registry.py)."""
    from .registry import HEALTH_CHECKS

    return [warning for _name, check in HEALTH_CHECKS for warning in check()]


class PolicySerializer(serializers.ModelSerializer):
    type = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    label = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    default = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()
    value = PolicyValueField(help_text="A whole number, a decimal as text, a flag or a list of choices, "
                                       "per the policy's type.")
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = Policy
        fields = ["key", "value", "type", "unit", "label", "description", "default", "source", "updated_at", "reason"]
        read_only_fields = ["key", "updated_at"]

    def get_type(self, obj) -> str:
        return obj.definition.type

    def get_unit(self, obj) -> str:
        return str(policies.UNITS[obj.definition.unit])

    def get_label(self, obj) -> str:
        return str(obj.definition.label)

    def get_description(self, obj) -> str:
        return str(obj.definition.description)

    @extend_schema_field(POLICY_VALUE)
    def get_default(self, obj):
        return policies.to_storage(obj.definition, obj.definition.default)

    def get_source(self, obj) -> str:
        return obj.definition.source


class PolicyViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                    viewsets.GenericViewSet):
    """The company's policies. Anyone on staff reads them; managers change them, with a reason."""

    queryset = Policy.objects.filter(key__in=list(policies.REGISTRY)).order_by("key")
    serializer_class = PolicySerializer
    lookup_field = "key"
    filter_backends = []
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return scope_to_customer(super().get_queryset(), self.request.user, None)

    def perform_update(self, serializer):
        serializer.instance = policies.policy_update(
            actor=self.request.user,
            key=serializer.instance.key,
            new_value=serializer.validated_data.get("value", serializer.instance.value),
            reason=serializer.validated_data.get("reason", ""),
        )
