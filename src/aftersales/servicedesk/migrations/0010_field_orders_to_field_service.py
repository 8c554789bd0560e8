# The field service order is field service's now (field 0001 takes the model over on the same table).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("servicedesk", "0009_local_registration_day"),
        ("field", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="FieldOrder")],
                                            database_operations=[]),
    ]
