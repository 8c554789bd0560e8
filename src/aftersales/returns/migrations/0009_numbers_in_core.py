"""Document numbers move to core's one sequence table (core.DocumentSequence); the case numbers under RMA."""

from django.db import migrations


def forward(apps, schema_editor):
    Old = apps.get_model("returns", "CaseNumberSequence")
    Sequence = apps.get_model("core", "DocumentSequence")
    for row in Old.objects.all():
        kept, _ = Sequence.objects.get_or_create(prefix="RMA", year=row.year)
        if kept.last < row.last:
            kept.last = row.last
            kept.save(update_fields=["last"])


def backward(apps, schema_editor):
    Old = apps.get_model("returns", "CaseNumberSequence")
    Sequence = apps.get_model("core", "DocumentSequence")
    for row in Sequence.objects.filter(prefix="RMA"):
        Old.objects.update_or_create(year=row.year, defaults={"last": row.last})


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0005_document_sequence"),
        ("returns", "0008_d_refund_instead"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(name="CaseNumberSequence"),
    ]
