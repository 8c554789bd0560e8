"""Audit history is written on every change, with who and when, and shown through the API."""

import pytest

from aftersales.masterdata.models import Customer, Part, ProductModel, ShippedUnit, Warehouse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url,payload,change,model", [
    ("/api/v1/customers/", {"code": "A1", "name": "甲"}, {"region": "华北"}, Customer),
    ("/api/v1/product-models/", {"code": "M1", "name": "型号"}, {"warranty_months": 24}, ProductModel),
    ("/api/v1/parts/", {"code": "P1", "name": "件", "unit_cost": "1.00"}, {"unit_cost": "2.50"}, Part),
    ("/api/v1/units/", {"serial": "S1", "product_model": "HT-2000", "customer": "C-ALICE",
                        "shipped_date": "2026-01-01"}, {"production_lot": "260101-9"}, ShippedUnit),
])
def test_create_and_update_are_each_recorded_with_the_user(api, users, product_models, url, payload, change, model):
    client = api("manager")
    created = client.post(url, payload)
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert client.patch(f"{url}{pk}/", change).status_code == 200
    records = list(model.history.filter(id=pk).order_by("history_date"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert {r.history_user for r in records} == {users["manager"]}

    entries = client.get(f"{url}{pk}/history/").json()["results"]
    assert [e["type"] for e in entries] == ["changed", "created"]
    field, new_value = next(iter(change.items()))
    assert entries[0]["user"] == "manager"
    assert entries[0]["changes"][0]["field"] == field
    assert str(entries[0]["changes"][0]["new"]) == str(new_value)


def test_warehouse_change_is_audited(api, users):
    warehouse = Warehouse.objects.get(code="AS")
    assert api("manager").patch(f"/api/v1/warehouses/{warehouse.pk}/", {"name": "售后仓（一号库）"}).status_code == 200
    assert warehouse.history.latest().history_user == users["manager"]


def test_history_is_append_only_in_the_api(api, users, customers):
    url = f"/api/v1/customers/{customers['alice'].pk}/history/"
    client = api("manager")
    assert client.post(url, {}).status_code == 405
    assert client.delete(url).status_code in (403, 405)


def test_admin_cannot_revert_history():
    from django.conf import settings

    assert settings.SIMPLE_HISTORY_REVERT_DISABLED is True
