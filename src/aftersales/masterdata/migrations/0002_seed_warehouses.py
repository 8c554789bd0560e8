from django.db import migrations

WAREHOUSES = [
    ("AS", "售后仓", "after_sales"),
    ("FG", "成品仓", "finished_goods"),
    ("DF", "不良品仓", "defective"),
    ("SC", "报废仓", "scrap"),
    ("RM", "原材料仓", "raw_material"),
]


def seed(apps, schema_editor):
    Warehouse = apps.get_model("masterdata", "Warehouse")
    for code, name, kind in WAREHOUSES:
        Warehouse.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})


class Migration(migrations.Migration):
    dependencies = [("masterdata", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
