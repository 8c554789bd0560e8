"""Document numbers move to core's one sequence table (core.DocumentSequence); the service requests' and field orders' numbers under their prefixes."""

from django.db import migrations


def forward(apps, schema_editor):
    Old = apps.get_model("servicedesk", "RequestNumberSequence")
    Sequence = apps.get_model("core", "DocumentSequence")
    for row in Old.objects.all():
        kept, _ = Sequence.objects.get_or_create(prefix=row.prefix, year=row.year)
        if kept.last < row.last:
            kept.last = row.last
            kept.save(update_fields=["last"])


def backward(apps, schema_editor):
    Old = apps.get_model("servicedesk", "RequestNumberSequence")
    Sequence = apps.get_model("core", "DocumentSequence")
    for row in Sequence.objects.filter(prefix__in=["SR", "FO"]):
        Old.objects.update_or_create(prefix=row.prefix, year=row.year, defaults={"last": row.last})


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0005_document_sequence"),
        ("servicedesk", "0004_survey_cases"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(name="RequestNumberSequence"),
    ]
