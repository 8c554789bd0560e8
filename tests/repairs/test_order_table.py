"""The rework order runs on its table (repairs/workflow.py): the API offers exactly the steps the table
allows the user now, a planned order may be cancelled (its units free for another order), and every step
leaves a history row."""

import pytest

from aftersales.core.models import StateChange

from tests.flows import SERIALS

pytestmark = pytest.mark.django_db


def _steps(api, role, order_id) -> set[str]:
    response = api(role).get(f"/api/v1/repair-orders/{order_id}/")
    assert response.status_code == 200, response.json()
    return {step["action"] for step in response.json()["allowed_actions"]}


def test_the_order_offers_the_steps_of_its_table(disposed, post, api, parts):
    case, ids = disposed(SERIALS[:2])
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=201)
    assert _steps(api, "repair", order["id"]) == {"plan", "start", "request_material", "delay"}
    assert _steps(api, "planning", order["id"]) == {"delay", "cancel"}
    assert _steps(api, "quality", order["id"]) == set()
    post("repair", f"repair-orders/{order['id']}/start/")
    assert _steps(api, "repair", order["id"]) == {"plan", "record", "request_material", "delay", "close"}
    assert "cancel" not in _steps(api, "planning", order["id"])  # started: no longer cancelled


def test_a_planned_order_is_cancelled_with_a_reason_and_its_units_go_on_another(disposed, post, api, parts):
    case, ids = disposed(SERIALS[:2])
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=201)
    refused = post("planning", f"repair-orders/{order['id']}/cancel/", {"reason": ""}, expect=400, code="invalid")
    assert "reason" in refused["details"]
    assert post("repair", f"repair-orders/{order['id']}/cancel/", {"reason": "x"}, expect=403, code="permission_denied")["code"] == \
        "permission_denied"
    cancelled = post("planning", f"repair-orders/{order['id']}/cancel/", {"reason": "改由外协维修"})
    assert cancelled["state"] == "cancelled"
    again = post("planning", f"repair-orders/{order['id']}/cancel/", {"reason": "再次"}, expect=409, code="invalid_state")
    assert again["code"] == "invalid_state"
    second = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=201)
    assert second["state"] == "planned"
    history = list(StateChange.objects.filter(machine="repair_order", subject_id=order["id"])
                   .values_list("action", "from_state", "to_state"))
    assert history == [("open", "", "planned"), ("cancel", "planned", "cancelled")]
