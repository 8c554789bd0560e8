"""The company's own days: plant shutdowns, extra working days, and a year's official schedule
typed in before the library knows it. They win over the statutory calendar."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (no work)")
    SHUTDOWN = "shutdown", _("Company shutdown (no work)")
    WORKDAY = "workday", _("Working day")


class CalendarDay(models.Model):
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=80, blank=True,
                            help_text=_("What people call the day: 春节, 年度停产检修, 调休上班 …"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"

    @property
    def is_workday(self) -> bool:
        return self.kind == DayKind.WORKDAY
