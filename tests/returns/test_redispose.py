"""Decisions that can change (售后返退货流程描述 四.2): quality changes a unit's disposition before its work is
finished, with a reason; the customer is told when what it gets changes and consents when the company would
keep a unit it was to get back; refused once the work is finished. Teardown, a supplier claim and an internal
sale fit every line; a unit replaced because it is not reworked sends planning a replenishment instruction."""

import pytest

from aftersales.inventory.models import StockMove
from tests.flows import FUNCTION_FAULT, IN_WARRANTY, allowed, items_for, line, notice_kinds

pytestmark = pytest.mark.django_db

SERIALS = [IN_WARRANTY.format(n) for n in (1, 2)]


def _unit(detail, case, unit_id):
    return next(u for u in detail(case)["units"] if u["id"] == unit_id)


def test_quality_changes_repair_to_teardown_and_the_customer_consents(disposed, flow, refused, detail, timeline):
    case, ids = disposed(SERIALS[:1])
    flow("repair", "start_work", case, unit_ids=ids)
    assert "redispose" in allowed(detail(case, role="quality"))
    refused("repair", "redispose", case, 403, "permission_denied", unit_ids=ids, disposition="teardown", reason="x")
    refused("quality", "redispose", case, 400, "invalid", unit_ids=ids, disposition="teardown")  # no reason
    refused("quality", "redispose", case, 400, "invalid", unit_ids=ids, disposition="repair", reason="同上")
    refused("quality", "redispose", case, 400, "invalid", unit_ids=ids, disposition="resale", reason="x")
    flow("quality", "redispose", case, unit_ids=ids, disposition="teardown", reason="主板烧毁，无维修价值，拆件利用")
    unit = _unit(detail, case, ids[0])
    assert (unit["state"], unit["disposition"]) == ("waiting_customer", "teardown")
    notice = detail(case, role="alice")["notices"][-1]
    assert (notice["kind"], notice["content"]["consent_needed"]) == ("redisposed", ids)
    assert notice["content"]["changes"][str(ids[0])] == {"from": "repair", "to": "teardown"}
    assert notice["content"]["reason"] == "主板烧毁，无维修价值，拆件利用"
    entry = timeline(case)[-1]
    assert (entry["action"], entry["changes"]["reason"]) == ("redispose", "主板烧毁，无维修价值，拆件利用")
    moves = StockMove.objects.count()
    flow("alice", "give_consent", case, unit_ids=ids)
    unit = _unit(detail, case, ids[0])
    assert (unit["state"], unit["exit"]) == ("done", "torn_down")
    assert StockMove.objects.count() == moves + 1


def test_the_customer_refusing_gets_the_unit_back_as_it_is(disposed, flow, detail):
    case, ids = disposed(SERIALS[:1])
    flow("quality", "redispose", case, unit_ids=ids, disposition="supplier_claim", reason="外购件批次不良，退供应商")
    flow("alice", "refuse_consent", case, unit_ids=ids)
    unit = _unit(detail, case, ids[0])
    assert (unit["state"], unit["disposition"]) == ("ready_to_ship", "return_as_is")


def test_repair_to_replacement_tells_the_customer_and_planning_replenishes(disposed, flow, detail, api, browser_as):
    case, ids = disposed(SERIALS[:2])
    flow("repair", "start_work", case, unit_ids=ids)
    flow("quality", "redispose", case, unit_ids=ids, disposition="replace", reason="内胆渗漏，不可重工")
    data = detail(case, role="alice")
    assert {u["state"] for u in data["units"]} == {"ready_to_settle"}
    assert data["notices"][-1]["kind"] == "redisposed" and data["notices"][-1]["content"]["consent_needed"] == []
    assert api("warehouse").get("/api/v1/replenishments/").status_code == 404
    listed = api("planning").get("/api/v1/replenishments/", {"state": "open"}).json()
    row = listed["results"][0]
    assert (row["case"], row["product_model"], row["quantity"], row["unit_ids"]) == (case["number"], "HT-2000", 2, ids)
    assert row["due_date"] > detail(case)["submitted_at"][:10]
    assert api("planning").get("/api/v1/replenishments/", {"state": "x"}).status_code == 400
    assert case["number"] in browser_as("planning").get("/").content.decode()  # the planning inbox


def test_on_a_refund_line_the_customer_has_its_money_and_is_not_asked(disposed, flow, detail):
    case, ids = disposed(SERIALS[:1], outcome="refund")
    before = notice_kinds(detail(case))
    flow("quality", "redispose", case, unit_ids=ids, disposition="scrap", reason="维修成本高于残值")
    assert _unit(detail, case, ids[0])["state"] == "waiting_approval"
    assert notice_kinds(detail(case)) == before


def test_refused_once_the_work_is_finished(disposed, flow, refused, pass_final, detail):
    case, ids = disposed(SERIALS[:2])
    flow("repair", "start_work", case, unit_ids=ids)
    flow("repair", "finish_work", case, unit_ids=ids[:1])
    refused("quality", "redispose", case, 409, "work_finished", unit_ids=ids[:1], disposition="scrap", reason="x")
    pass_final(case, ids[:1])
    refused("quality", "redispose", case, 409, "work_finished", unit_ids=ids[:1], disposition="scrap", reason="x")
    assert allowed(detail(case, role="quality"))["redispose"] == ids[1:]


def test_teardown_on_a_repair_line_asks_the_customer_at_the_first_disposition(new_case, flow, detail, registry):
    lines = [line(serials=SERIALS[:1])]
    case = new_case(lines=lines)
    for role, name, body in [("service", "submit", {}), ("service", "approve", {}),
                             ("warehouse", "start_receiving", {}), ("warehouse", "receive", {"items": items_for(lines)}),
                             ("warehouse", "close_receipt", {})]:
        flow(role, name, case, **body)
    ids = [u["id"] for u in detail(case)["units"]]
    flow("quality", "inspect", case, unit_ids=ids, result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=ids, disposition="teardown")
    assert _unit(detail, case, ids[0])["state"] == "waiting_customer"
    assert notice_kinds(detail(case))[-1] == "consent"


def test_a_replacement_decided_otherwise_again_leaves_its_replenishment(disposed, flow, api):
    case, ids = disposed(SERIALS[:2], disposition="replace")
    assert api("planning").get("/api/v1/replenishments/").json()["results"][0]["quantity"] == 2
    flow("quality", "redispose", case, unit_ids=ids[:1], disposition="repair", reason="复测可修")
    row = api("planning").get("/api/v1/replenishments/").json()["results"][0]
    assert (row["quantity"], row["unit_ids"]) == (1, ids[1:])
    flow("quality", "redispose", case, unit_ids=ids[1:], disposition="repair", reason="复测可修")
    assert api("planning").get("/api/v1/replenishments/").json()["count"] == 0


def test_planning_closes_a_replenishment_instruction(disposed, api, post):
    disposed(SERIALS[:1], disposition="replace")
    row = api("planning").get("/api/v1/replenishments/").json()["results"][0]
    post("warehouse", f"replenishments/{row['id']}/done/", expect=403, code="permission_denied")
    post("alice", f"replenishments/{row['id']}/done/", expect=404, code="not_found")
    post("planning", "replenishments/999999/done/", expect=404, code="not_found")
    done = post("planning", f"replenishments/{row['id']}/done/")
    assert (done["state"], done["done_at"] is not None) == ("done", True)
    post("planning", f"replenishments/{row['id']}/done/", expect=409, code="invalid_state")
    assert api("planning").get("/api/v1/replenishments/", {"state": "open"}).json()["count"] == 0
