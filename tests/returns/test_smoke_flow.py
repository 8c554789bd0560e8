import pytest

pytestmark = pytest.mark.django_db


def test_in_warranty_repair_shipped_back(new_case, flow, detail, registry, pass_final):
    case = new_case()
    assert case["number"].startswith("RMA-")
    flow("service", "submit", case)
    data = detail(case)
    assert data["state"] == "submitted"
    assert data["units"][0]["warranty"]["status"] == "in"
    assert data["required_approvals"] == ["service"]
    flow("service", "approve", case)
    flow("warehouse", "start_receiving", case)
    result = flow("warehouse", "receive", case, items=[{"serial": "HT26090001"}])
    assert result["results"][0]["result"] == "received"
    flow("warehouse", "close_receipt", case)
    unit = detail(case)["units"][0]
    assert unit["warehouse"] == "AS"
    flow("quality", "inspect", case, unit_ids=[unit["id"]], result={"defect_class": "function", "responsibility": "company"})
    flow("quality", "dispose", case, unit_ids=[unit["id"]], disposition="repair")
    assert detail(case)["units"][0]["state"] == "disposed"
    flow("repair", "start_work", case, unit_ids=[unit["id"]])
    flow("repair", "finish_work", case, unit_ids=[unit["id"]])
    pass_final(case, [unit["id"]])
    flow("warehouse", "ship_back", case, unit_ids=[unit["id"]], carrier="顺丰", tracking_number="SF123")
    data = detail(case)
    assert data["state"] == "settled"
    assert data["units"][0]["exit"] == "shipped_back"
    flow("service", "close", case)
    assert detail(case)["state"] == "closed"
