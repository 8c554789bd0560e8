"""The user's in-app notifications, rendered in the user's language; marking them read. The channels
managers configure."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.core import parsing
from aftersales.core.idempotency import idempotent
from aftersales.core.pagination import Pagination, paginated
from aftersales.core.schema import honours_idempotency_key
from aftersales.core.serializers import any_map

from . import selectors, services
from . import serializers as io
from .models import Notification
from .services import render


class NotificationSerializer(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    context = any_map(read_only=True, help_text="What the notification is about, per kind (case, amount, due_at, ...).")

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "subject_type", "subject_id", "context", "created_at", "read_at"]

    def _rendered(self, notification) -> tuple[str, str]:
        if not hasattr(notification, "_rendered"):
            notification._rendered = render(notification, self.context["request"].LANGUAGE_CODE)
        return notification._rendered

    def get_subject(self, notification) -> str:
        return self._rendered(notification)[0]

    def get_body(self, notification) -> str:
        return self._rendered(notification)[1]


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your notifications, newest first; `?unread=true` for the unread ones."""

    queryset = Notification.objects.all()  # narrowed to the user in get_queryset
    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = []

    def get_queryset(self):
        rows = Notification.objects.filter(recipient=self.request.user).order_by("-id")
        if self.request.query_params.get("unread") in ("1", "true", "yes"):
            rows = rows.filter(read_at__isnull=True)
        return rows

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=inline_serializer("ReadAll", {"marked": serializers.IntegerField()}))
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        marked = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
            read_at=timezone.now())
        return Response({"marked": marked})


# --- channels: managers configure where a role's or a customer's notifications go ---

@honours_idempotency_key
class ChannelsView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(responses=io.ChannelOutput(many=True), operation_id="notification_channels_list")
    def get(self, request):
        """The channels (managers): WeCom and DingTalk group robots, SMS numbers, shared mailboxes, each for
        a staff role or a customer; secrets by name only, with those the worker cannot read now."""
        return paginated(request, self, selectors.channel_list(user=request.user),
                         lambda page: [selectors.channel_row(channel) for channel in page])

    @extend_schema(request=io.ChannelInput, responses={201: io.ChannelOutput})
    def post(self, request):
        """A manager adds a channel; a wrong configuration is refused whole (400 `channel_config_invalid`,
        each wrong field in `details`)."""
        body = parsing.json_object(request.data)

        def act():
            channel = services.channel_create(actor=request.user, values=body)
            return Response(selectors.channel_row(selectors.channel_get(user=request.user, pk=channel.pk)),
                            status=201)

        return idempotent(request, act)


class ChannelView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=io.ChannelOutput)
    def get(self, request, pk: int):
        return Response(selectors.channel_row(selectors.channel_get(user=request.user, pk=pk)))

    @extend_schema(request=io.ChannelPatchInput, responses=io.ChannelOutput)
    def patch(self, request, pk: int):
        """Change the fields sent; `is_active: false` stops the channel (its waiting messages are skipped)."""
        selectors.channel_get(user=request.user, pk=pk)
        services.channel_update(actor=request.user, channel_id=pk, values=parsing.json_object(request.data))
        return Response(selectors.channel_row(selectors.channel_get(user=request.user, pk=pk)))


class ChannelTestView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=io.ChannelTestOutput)
    def post(self, request, pk: int):
        """Send a test message through the channel now (each address of an SMS or e-mail channel); answers
        per address whether it arrived, or the remote's or the configuration's error."""
        selectors.channel_get(user=request.user, pk=pk)
        return Response({"results": services.channel_test(actor=request.user, channel_id=pk)})
