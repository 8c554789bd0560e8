"""Helpers for return case flows through the API, acted by the personas of tests/conftest.py."""

import pytest

from aftersales.inventory.services import stock_receive_from_production
from aftersales.masterdata.models import ShippedUnit


@pytest.fixture
def registry(customers, product_models):
    """Alice's registered units: HT2501xxxx shipped 2025-01-10 (out of warranty by late 2026),
    HT2609xxxx shipped 2026-09-10 (in warranty)."""
    made = {}
    for n in range(30):
        for prefix, shipped in (("HT2501", "2025-01-10"), ("HT2609", "2026-09-10")):
            serial = f"{prefix}{n:04d}"
            made[serial] = ShippedUnit.objects.create(
                serial=serial, product_model=product_models["HT-2000"], customer=customers["alice"],
                production_lot=f"{prefix[2:]}10-1", shipped_date=shipped)
    return made


@pytest.fixture
def finished_goods(users, product_models):
    stock_receive_from_production(actor=users["warehouse"], product_model=product_models["HT-2000"], quantity=100)


@pytest.fixture
def flow(api):
    """flow(role, "action", case, **body) posts a workflow action and returns the JSON answer."""

    def act(role, name, case, expect=200, **body):
        response = api(role).post(f"/api/v1/cases/{case['id']}/actions/{name}/", body, format="json")
        assert response.status_code == expect, (name, role, response.json())
        return response.json()

    return act


@pytest.fixture
def new_case(api):
    def make(role="service", lines=None, **fields):
        body = {"customer": "C-ALICE", "channel": "dealer", "customer_reference": "TH-20261120-03", **fields,
                "lines": lines or [{"product_model": "HT-2000", "item_name": "电热水器 2000W", "serials": ["HT26090001"],
                                    "production_lot": "260910-1", "defect_description": "不加热",
                                    "requested_outcome": "repair"}]}
        response = api(role).post("/api/v1/cases/", body, format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    return make


@pytest.fixture
def detail(api):
    def get(case, role="service"):
        response = api(role).get(f"/api/v1/cases/{case['id']}/")
        assert response.status_code == 200, response.json()
        return response.json()

    return get
