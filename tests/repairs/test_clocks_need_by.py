"""Clocks for the steps that had none (policies in core/policies.py, Chinese working days): planning
opening a rework order for units disposed for work, and purchasing deciding a material request; a
material request carries the date repair needs the material by."""

import pytest

from aftersales.deadlines.models import Deadline
from aftersales.repairs.models import MaterialRequest
from tests.conftest import at
from tests.flows import IN_WARRANTY

pytestmark = pytest.mark.django_db


def running(subject_type: str, subject_id: int) -> dict[str, Deadline]:
    return {d.kind: d for d in Deadline.objects.filter(subject_type=subject_type, subject_id=subject_id)}


def test_planning_has_a_working_day_to_open_a_rework_order(disposed, post, clock, api):
    clock("2026-11-06T15:00")  # a Friday
    case, ids = disposed([IN_WARRANTY.format(1), IN_WARRANTY.format(2)])
    opening = running("return_case", case["id"])["rework_order_opening"]
    assert (opening.state, opening.role, opening.due_at) == ("open", "planning", at("2026-11-09T15:00"))
    queue = api("planning").get("/api/v1/queues/planning/").json()
    assert any(item["kind"] == "rework_order_opening" for item in queue["results"])
    post("repair", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=403, code="permission_denied")
    assert running("return_case", case["id"])["rework_order_opening"].state == "open"  # a refusal changes nothing

    clock("2026-11-09T10:00")
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids[:1]}, expect=201)
    assert running("return_case", case["id"])["rework_order_opening"].state == "open"  # one unit still waits
    post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids[1:]}, expect=201)
    met = running("return_case", case["id"])["rework_order_opening"]
    assert (met.state, met.late) == ("met", False)
    # A cancelled order frees its units: planning's clock runs again.
    clock("2026-11-09T11:00")
    post("planning", f"repair-orders/{order['id']}/cancel/", {"reason": "改外协"})
    again = Deadline.objects.filter(subject_type="return_case", subject_id=case["id"], kind="rework_order_opening",
                                    state="open").get()
    assert again.due_at == at("2026-11-10T11:00")


def test_purchasing_has_a_working_day_to_decide_a_material_request(disposed, post, parts, clock):
    clock("2026-11-02T09:00")
    case, ids = disposed([IN_WARRANTY.format(3)])
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=201)
    lines = [{"part": "HT-ELEM", "quantity": 2}]
    post("repair", "material-requests/", {"order": order["id"], "lines": lines, "need_by": "2026-10-30"}, expect=400,
         code="invalid")  # a date past
    post("repair", "material-requests/", {"order": order["id"], "lines": lines, "need_by": "next week"}, expect=400,
         code="invalid")
    post("service", "material-requests/", {"order": order["id"], "lines": lines}, expect=403, code="permission_denied")
    request = post("repair", "material-requests/", {"order": order["id"], "lines": lines, "need_by": "2026-11-05"},
                   expect=201)
    assert request["need_by"] == "2026-11-05"
    assert MaterialRequest.objects.get(pk=request["id"]).need_by.isoformat() == "2026-11-05"
    decision = running("material_request", request["id"])["material_request_decision"]
    assert (decision.state, decision.role, decision.due_at) == ("open", "purchasing", at("2026-11-03T09:00"))
    clock("2026-11-03T16:00")  # late
    post("repair", f"material-requests/{request['id']}/decide/", {"approve": True}, expect=403,
         code="permission_denied")
    post("purchasing", f"material-requests/{request['id']}/decide/", {"approve": True})
    met = running("material_request", request["id"])["material_request_decision"]
    assert (met.state, met.late) == ("met", True)


def test_the_order_page_asks_for_and_shows_the_need_by_date(disposed, post, parts, browser_as):
    case, ids = disposed([IN_WARRANTY.format(4)])
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=201)
    page = browser_as("repair").get(f"/repairs/{order['id']}/").content.decode()
    assert 'name="need_by"' in page
    post("repair", "material-requests/", {"order": order["id"], "lines": [{"part": "HT-ELEM", "quantity": 1}],
                                          "need_by": "2199-01-02"}, expect=201)
    assert "2199-01-02" in browser_as("purchasing").get(f"/repairs/{order['id']}/").content.decode()
