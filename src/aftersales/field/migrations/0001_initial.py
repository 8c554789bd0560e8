# The field service order moves from the service desk to field service: the model is taken over as it is (state
# only, on the existing table), then 0002 renames the table and adds what field service needs.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("servicedesk", "0009_local_registration_day"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name="FieldOrder",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("number", models.CharField(max_length=20, unique=True, verbose_name="number")),
                    ("planned_date", models.DateField(blank=True, null=True, verbose_name="planned date")),
                    ("state", models.CharField(choices=[("planned", "Planned"), ("cancelled", "Cancelled")],
                                               default="planned", max_length=10, verbose_name="state")),
                    ("created_at", models.DateTimeField(auto_now_add=True)),
                    ("technician", models.ForeignKey(blank=True, null=True,
                                                     on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                     to=settings.AUTH_USER_MODEL, verbose_name="technician")),
                    ("request", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                  related_name="field_orders", to="servicedesk.servicerequest")),
                ],
                options={"ordering": ["-id"], "db_table": "servicedesk_fieldorder"},
            ),
        ], database_operations=[]),
    ]
