"""The volume generator: reproducible from a seed, and its files import cleanly."""

import csv
import io
import re
from datetime import date

import pytest
from django.core.management import call_command

from aftersales.masterdata import generator
from aftersales.masterdata.importing import import_file
from aftersales.masterdata.models import Customer, Part, ProductModel, ShippedUnit

UNTIL = date(2025, 6, 30)
SPEC = generator.VolumeSpec(units=300, seed=42, until=UNTIL, customers=12, models=8, years=2)


def _rows(spec):
    return list(generator.iter_units(spec, generator.build_catalogue(spec)))


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    assert generator.build_catalogue(SPEC) == generator.build_catalogue(SPEC)
    assert _rows(SPEC) == _rows(SPEC)
    other = generator.VolumeSpec(units=300, seed=43, until=UNTIL, customers=12, models=8, years=2)
    assert _rows(other) != _rows(SPEC)


def test_units_look_like_a_factory_shipped_them():
    rows = _rows(SPEC)
    catalogue = generator.build_catalogue(SPEC)
    assert len(rows) == SPEC.units
    assert len({row.serial for row in rows}) == SPEC.units
    assert all(re.fullmatch(r"[A-Z]{2}\d{4}[A-Z]\d{7}", row.serial) for row in rows)
    assert all(re.fullmatch(r"\d{6}-[1-3]", row.production_lot) for row in rows)
    assert all(re.fullmatch(r"SO\d{10}", row.sales_order) for row in rows)
    assert all(date(2023, 7, 1) <= row.shipped_date <= UNTIL for row in rows)
    assert [row.shipped_date for row in rows] == sorted(row.shipped_date for row in rows)
    assert {row.customer_code for row in rows} <= {c.code for c in catalogue.customers}
    assert {row.model_code for row in rows} <= {m.code for m in catalogue.models}
    assert {c.kind for c in catalogue.customers} <= {"dealer", "agent", "ecommerce", "direct"}
    assert all(re.search(r"[\u4e00-\u9fff]", c.name) for c in catalogue.customers)
    assert [m.code for m in catalogue.models[:5]] == ["HT-1500", "HR-1800", "BM-350", "MC-350", "TC-100"]


@pytest.mark.django_db
def test_csv_file_is_gbk_reproducible_and_imports_cleanly(tmp_path):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    generator.files_generate(actor=None, spec=SPEC, csv_path=first)
    generator.files_generate(actor=None, spec=SPEC, csv_path=second)
    assert first.read_bytes() == second.read_bytes()
    table = list(csv.reader(io.StringIO(first.read_bytes().decode("gbk"), newline="")))
    assert table[0] == ["序列号", "品号", "品名", "规格", "生产批号", "客户编码", "客户名称", "发货日期", "销售订单号"]
    assert len(table) == SPEC.units + 1

    result = import_file(actor=None, kind="units", raw=first.read_bytes(), filename=first.name)

    assert result.created == SPEC.units
    assert ShippedUnit.objects.count() == SPEC.units
    assert ShippedUnit.history.count() == SPEC.units


@pytest.mark.django_db
def test_xlsx_file_imports_cleanly(tmp_path):
    path = tmp_path / "units.xlsx"
    generator.files_generate(actor=None, spec=SPEC, xlsx_path=path)

    result = import_file(actor=None, kind="units", raw=path.read_bytes(), filename=path.name)

    assert result.created == SPEC.units
    assert set(ShippedUnit.objects.values_list("serial", flat=True)) == {row.serial for row in _rows(SPEC)}


@pytest.mark.django_db
def test_database_mode_writes_history_and_a_rerun_adds_nothing():
    first = generator.units_generate(actor=None, spec=SPEC)
    again = generator.units_generate(actor=None, spec=SPEC)

    assert (first.customers_created, first.models_created, first.units_created) == (12, 8, SPEC.units)
    assert first.parts_created == Part.objects.count() > 8
    assert (again.customers_created, again.models_created, again.units_created, again.units_skipped) == (
        0, 0, 0, SPEC.units)
    assert ShippedUnit.objects.count() == ShippedUnit.history.count() == SPEC.units
    assert Customer.history.count() == Customer.objects.count() == 12


@pytest.mark.django_db
def test_command_without_history_writes_units_only(capsys):
    call_command("generate", "--units", "120", "--seed", "5", "--customers", "4", "--models", "3",
                 "--until", "2025-06-30", "--without-history")

    assert ShippedUnit.objects.count() == 120
    assert ShippedUnit.history.count() == 0
    assert ProductModel.objects.count() == 3
    assert "120 created" in capsys.readouterr().out
