from decimal import Decimal

import pytest

from aftersales.masterdata.models import Part
from tests.flows import FUNCTION_FAULT, items_for, line


@pytest.fixture
def parts(db):
    return {
        "HT-ELEM": Part.objects.create(code="HT-ELEM", name="加热管 2000W", unit_cost=Decimal("35.00"),
                                       scrap_class="metal"),
        "HT-THERM": Part.objects.create(code="HT-THERM", name="温控器", unit_cost=Decimal("12.50"),
                                        scrap_class="plastic"),
        "HT-PANEL": Part.objects.create(code="HT-PANEL", name="前面板", unit_cost=Decimal("20.00"),
                                        scrap_class="plastic"),
    }


@pytest.fixture
def disposed(new_case, flow, detail, registry):
    """disposed(serials, disposition="repair") -> (case, unit ids): received, inspected, disposed."""

    def make(serials, disposition="repair", lot="260910-1", outcome="repair"):
        lines = [line(serials=list(serials), production_lot=lot, outcome=outcome)]
        case = new_case(lines=lines)
        flow("service", "submit", case)
        flow("service", "approve", case)
        flow("warehouse", "start_receiving", case)
        flow("warehouse", "receive", case, items=items_for(lines))
        flow("warehouse", "close_receipt", case)
        ids = [u["id"] for u in detail(case)["units"]]
        flow("quality", "inspect", case, unit_ids=ids, result=FUNCTION_FAULT)
        flow("quality", "dispose", case, unit_ids=ids, disposition=disposition)
        return case, ids

    return make


@pytest.fixture
def post(api):
    """post(role, path, body, expect=200) -> JSON."""

    def call(role, path, body=None, expect=200):
        response = api(role).post(f"/api/v1/{path}", body or {}, format="json")
        assert response.status_code == expect, (path, role, response.json())
        return response.json()

    return call
