"""The company's calendar days (managers edit, staff read) and answers on working days."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.core.api import AuditedViewSet
from aftersales.core.errors import InvalidInput
from aftersales.lib.dates import parse_date, parse_date_or_moment

from .calendar import calendar_load
from .models import CalendarDay


class CalendarDaySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = CalendarDay
        fields = ["id", "date", "kind", "kind_display", "name", "updated_at"]


class CalendarDayViewSet(mixins.DestroyModelMixin, AuditedViewSet):
    """Plant shutdowns, extra working days and official schedules typed in: they win over the library."""

    queryset = CalendarDay.objects.all()
    serializer_class = CalendarDaySerializer
    filterset_fields = ["kind"]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user)


def _date_param(request, name: str) -> dt.date:
    try:
        return parse_date(request.query_params.get(name, ""))
    except ValueError:
        raise InvalidInput(details={name: [_("Enter a date such as 2026-10-08.")]}) from None


class WorkdayView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("date", OpenApiTypes.DATE, required=True)],
                   responses=inline_serializer("Workday", {
                       "date": serializers.DateField(), "workday": serializers.BooleanField(),
                       "reason": serializers.CharField(), "reason_display": serializers.CharField(),
                       "name": serializers.CharField(), "provisional": serializers.BooleanField()}))
    def get(self, request):
        """Is this date a working day, and why (holiday name, adjusted working day, weekend, override)."""
        date = _date_param(request, "date")
        info = calendar_load().day(date)
        return Response({"date": date, "workday": info.workday, "reason": info.reason,
                         "reason_display": info.reason_label, "name": info.name, "provisional": info.provisional})


class DueView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[
        OpenApiParameter("start", OpenApiTypes.STR, required=True,
                         description="A moment (2026-09-30T16:00) or a date (2026-09-30: received that day)."),
        OpenApiParameter("working_days", OpenApiTypes.NUMBER,
                         description="Whole working days when start is a date."),
        OpenApiParameter("working_hours", OpenApiTypes.NUMBER, description="Office hours; start must be a moment."),
        OpenApiParameter("hours", OpenApiTypes.NUMBER,
                         description="Hours counted on working days only; start must be a moment.")],
        responses=inline_serializer("Due", {
            "start": serializers.CharField(help_text="The start as read: a date, or a moment with its offset."),
            "due": serializers.DateTimeField(allow_null=True, help_text="The due moment; null when start is a date."),
            "due_date": serializers.DateField(
                allow_null=True, help_text="When start is a date: the Nth working day after it, due by its end; "
                                           "null when start is a moment."),
            "provisional": serializers.BooleanField(
                help_text="The due falls in a year whose official schedule is not confirmed.")}))
    def get(self, request):
        """The due moment after a number of working days, working hours or hours on working days; from a
        date (no time of day), the working day by whose end a number of working days is up."""
        calendar = calendar_load()
        try:
            start = parse_date_or_moment(request.query_params.get("start", ""))
        except ValueError:
            raise InvalidInput(
                details={"start": [_("Enter a date or a moment such as 2026-09-30 or 2026-09-30T16:00.")]}) from None
        if isinstance(start, dt.datetime) and timezone.is_naive(start):
            start = start.replace(tzinfo=calendar.tz)
        given = {name: request.query_params.get(name) for name in ("working_days", "working_hours", "hours")
                 if request.query_params.get(name) not in (None, "")}
        if len(given) != 1:
            raise InvalidInput(details={"working_days": [_("Give exactly one of working_days, working_hours, hours.")]})
        (name, raw), = given.items()
        try:
            amount = float(raw)
        except ValueError:
            raise InvalidInput(details={name: [_("Must be a number.")]}) from None
        if not 0 <= amount <= 3650:
            raise InvalidInput(details={name: [_("Must be between 0 and 3650.")]})
        if not isinstance(start, dt.datetime):
            if name != "working_days":
                raise InvalidInput(details={"start": [_("Hours count from a moment: give the time too, such as "
                                                        "2026-09-30T16:00.")]}, code="moment_required")
            due_date = calendar.working_days_after(start, amount)
            return Response({"start": start, "due": None, "due_date": due_date,
                             "provisional": calendar.is_provisional(due_date)})
        add = {"working_days": calendar.add_working_days, "working_hours": calendar.add_working_hours,
               "hours": calendar.add_hours_on_working_days}[name]
        due = add(start, amount)
        return Response({"start": start, "due": due, "due_date": None,
                         "provisional": calendar.is_provisional(start) or calendar.is_provisional(due)})
