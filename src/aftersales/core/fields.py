"""Model fields the project shares."""

from django.db import models
from django.utils import timezone


class LocalDayField(models.DateField):
    """The calendar day in the local time zone (settings.TIME_ZONE) of the row's moment field `of`, written from it
    whenever the row is (save, create, bulk_create), so that days and months are read from an index rather than
    computed from every moment. Declared after `of`, it sees the moment auto_now_add has just taken. A queryset
    update() of the moment writes no day: set both (save(update_fields=[of, this])) or neither."""

    def __init__(self, *args, of: str, **kwargs):
        self.of = of
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, path, args, {**kwargs, "of": self.of}

    def pre_save(self, model_instance, add):
        moment = getattr(model_instance, self.of)
        day = timezone.localdate(moment) if moment is not None else None
        setattr(model_instance, self.attname, day)
        return day
