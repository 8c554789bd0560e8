"""Units redisposed away from the work leave their rework order (issue 13: decisions that can change): an order
whose first article left waits for a new one; a cancelled order releases its material requests not issued."""

import pytest

from aftersales.core.models import StateChange
from aftersales.repairs.models import MaterialRequest, RepairOrder
from tests.flows import SERIALS, states

pytestmark = pytest.mark.django_db


def test_the_first_article_redisposed_the_order_waits_for_the_next(disposed, post, flow, api, parts):
    case, ids = disposed(SERIALS[:3])
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids, "is_batch": True}, expect=201)
    post("repair", f"repair-orders/{order['id']}/start/")
    assert RepairOrder.objects.get(pk=order["id"]).state == "first_article"
    flow("quality", "redispose", case, unit_ids=ids[:1], disposition="teardown", reason="主板烧毁，拆件利用")
    again = RepairOrder.objects.get(pk=order["id"])
    assert (again.state, again.first_article_unit_id) == ("planned", ids[1])
    started = post("repair", f"repair-orders/{order['id']}/start/")
    assert (started["state"], started["first_article_unit"]) == ("first_article", ids[1])
    assert states(ids[1:]) == ["in_work", "disposed"]
    # Quality is never offered the step on its own: it comes of a redisposal.
    steps = api("quality").get(f"/api/v1/repair-orders/{order['id']}/").json()["allowed_actions"]
    assert "units_leave" not in {s["action"] for s in steps}


def test_cancelling_an_order_releases_its_material(disposed, post, parts):
    case, ids = disposed(SERIALS[:1])
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=201)
    request = post("repair", "material-requests/", {"order": order["id"], "lines": [
        {"part": "HT-ELEM", "quantity": 1}]}, expect=201)
    post("planning", f"repair-orders/{order['id']}/cancel/", {"reason": "改由外协维修"})
    released = MaterialRequest.objects.get(pk=request["id"])
    assert released.state == "released" and order["number"] in released.comment
    assert StateChange.objects.filter(machine="material_request", subject_id=request["id"], action="release").exists()
    post("purchasing", f"material-requests/{request['id']}/decide/", {"approve": True}, expect=409,
         code="invalid_state")
