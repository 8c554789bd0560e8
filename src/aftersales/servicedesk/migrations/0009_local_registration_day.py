import datetime

import aftersales.core.fields
from django.db import migrations, models
from django.utils import timezone


def registration_days(apps, schema_editor):
    """Each request's local day, a day's registrations at a time (a range of moments the created_at index serves)."""
    requests = apps.get_model("servicedesk", "ServiceRequest").objects.all()
    first = requests.order_by("created_at").values_list("created_at", flat=True).first()
    if first is None:
        return
    last = timezone.localdate(requests.order_by("-created_at").values_list("created_at", flat=True).first())
    day = timezone.localdate(first)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    while day <= last:
        following = day + datetime.timedelta(days=1)
        end = timezone.make_aware(datetime.datetime.combine(following, datetime.time.min))
        requests.filter(created_at__gte=start, created_at__lt=end).update(created_on=day)
        day, start = following, end


class Migration(migrations.Migration):

    dependencies = [
        ("servicedesk", "0008_inbox_and_ledger_indexes"),
    ]

    # The local day of registration, stored (written with created_at from now on, filled here for the requests
    # there are) and held with the ledger's columns by the complaint file's indexes, in place of the index that gave
    # its first and last moments.
    operations = [
        migrations.AddField(
            model_name="servicerequest",
            name="created_on",
            field=aftersales.core.fields.LocalDayField(null=True, of="created_at", verbose_name="registered on"),
        ),
        migrations.RunPython(registration_days, migrations.RunPython.noop, elidable=True),
        # The old indexes go before NOT NULL (on SQLite a copy of the table, which would build them again).
        migrations.RemoveIndex(model_name="servicerequest", name="servicerequest_created"),
        migrations.RemoveIndex(model_name="servicerequest", name="servicerequest_cause"),
        migrations.RemoveIndex(model_name="servicerequest", name="servicerequest_customer_cause"),
        migrations.RemoveIndex(model_name="servicerequest", name="servicerequest_model_cause"),
        migrations.AlterField(
            model_name="servicerequest",
            name="created_on",
            field=aftersales.core.fields.LocalDayField(of="created_at", verbose_name="registered on"),
        ),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(fields=["created_on", "category", "cause"], name="servicerequest_ledger_day"),
        ),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(fields=["cause", "category", "created_on"], name="servicerequest_cause"),
        ),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(fields=["customer", "category", "cause", "created_on"],
                               name="servicerequest_customer_cause"),
        ),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(fields=["product_model", "category", "cause", "created_on"],
                               name="servicerequest_model_cause"),
        ),
    ]
