"""The user's in-app notifications, rendered in the user's language; marking them read."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from aftersales.core.serializers import any_map

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
