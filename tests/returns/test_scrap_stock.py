"""Units waiting for scrap approval wait in the defective goods warehouse (不良品仓): in when scrap is
proposed (by quality, or by the customer refusing a charge), out to the scrap warehouse on approval,
back to the after-sales warehouse when scrapping is refused; every scrap move names its case; the
customer is told when a unit is scrapped, and why."""

from collections import Counter

import pytest

from aftersales.inventory.models import StockMove
from aftersales.notifications.models import Notification
from aftersales.inventory.services import Move, stock_moves_apply, warehouse_of_kind
from aftersales.notifications.services import render

from tests.flows import FUNCTION_FAULT, IN_WARRANTY, OUT_OF_WARRANTY, line

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.flows"]


@pytest.fixture
def proposed(received, flow, detail, stock, registry):
    """One in-warranty unit inspected as not repairable and proposed for scrap by quality."""
    case, (unit_id,) = received()
    flow("quality", "inspect", case, unit_ids=[unit_id], result={**FUNCTION_FAULT, "repairable": False})
    assert stock() == Counter({"AS": 1})
    flow("quality", "dispose", case, unit_ids=[unit_id], disposition="scrap")
    return case, unit_id


def _moves(case) -> list[tuple]:
    return list(StockMove.objects.filter(return_case_id=case["id"]).order_by("id").values_list(
        "kind", "from_warehouse__code", "to_warehouse__code", "return_unit_id"))


def test_a_unit_proposed_for_scrap_waits_in_the_defective_warehouse(proposed, detail, stock):
    case, unit_id = proposed
    unit = detail(case)["units"][0]
    assert (unit["state"], unit["warehouse"]) == ("waiting_approval", "DF")
    assert stock() == Counter({"DF": 1})
    assert _moves(case)[-1] == ("to_defective", "AS", "DF", unit_id)


def test_approved_scrap_leaves_the_defective_warehouse_and_the_customer_is_told(proposed, flow, detail, stock, api,
                                                                                 users):
    case, unit_id = proposed
    flow("manager", "approve_scrap", case, unit_ids=[unit_id])
    unit = detail(case)["units"][0]
    assert (unit["state"], unit["exit"], unit["warehouse"]) == ("done", "scrapped", "SC")
    assert stock() == Counter({"SC": 1})
    assert _moves(case)[-2:] == [("to_defective", "AS", "DF", unit_id), ("scrap", "DF", "SC", unit_id)]
    # The scrap moves name their case in the ledger the warehouse reads.
    listed = api("warehouse").get("/api/v1/stock/moves/", {"kind": "scrap"}).json()["results"]
    assert [m["return_case"] for m in listed] == [case["number"]]
    # The customer: a notice in the portal and a notification, saying it had no repair value.
    notices = api("alice").get(f"/api/v1/cases/{case['id']}/").json()["notices"]
    assert notices[-1]["kind"] == "scrapped"
    assert (notices[-1]["content"]["no_repair_value"], notices[-1]["content"]["customer_asked"]) == ([unit_id], [])
    (note,) = [n for n in Notification.objects.filter(recipient=users["alice"], kind="customer_notice")
               if n.context["notice"] == "scrapped"]
    subject, body = render(note, "en")
    assert case["number"] in subject and "no repair value" in body
    assert "无维修价值" in render(note, "zh-hans")[1]


def test_refused_scrap_goes_back_to_the_after_sales_warehouse(proposed, flow, detail, stock):
    case, unit_id = proposed
    flow("manager", "reject_scrap", case, unit_ids=[unit_id], comment="可维修")
    unit = detail(case)["units"][0]
    assert (unit["state"], unit["warehouse"]) == ("inspected", "AS")
    assert stock() == Counter({"AS": 1})
    assert _moves(case)[-1] == ("transfer", "DF", "AS", unit_id)
    assert not any(kind == "scrap" for kind, *_rest in _moves(case))


@pytest.mark.parametrize("role", ["quality", "warehouse", "service", "alice"])
def test_only_a_manager_takes_a_unit_out_of_the_defective_warehouse(role, proposed, refused, stock):
    case, unit_id = proposed
    refused(role, "approve_scrap", case, 403, "permission_denied", unit_ids=[unit_id])
    refused(role, "reject_scrap", case, 403, "permission_denied", unit_ids=[unit_id])
    assert stock() == Counter({"DF": 1})


def test_the_customer_refusing_a_charge_for_scrap_sends_the_unit_to_the_defective_warehouse(
        received, flow, detail, stock, api, registry):
    case, (unit_id,) = received(lines=[line(serials=[OUT_OF_WARRANTY.format(1)])])
    flow("quality", "inspect", case, unit_ids=[unit_id], result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=[unit_id], disposition="repair")
    flow("service", "quote_charge", case, unit_ids=[unit_id], amount="300.00")
    flow("alice", "refuse_charge", case, unit_ids=[unit_id], scrap=True)
    unit = detail(case)["units"][0]
    assert (unit["state"], unit["disposition"], unit["warehouse"]) == ("waiting_approval", "scrap", "DF")
    assert stock() == Counter({"DF": 1})
    flow("manager", "approve_scrap", case, unit_ids=[unit_id])
    notice = api("alice").get(f"/api/v1/cases/{case['id']}/").json()["notices"][-1]
    assert (notice["kind"], notice["content"]["customer_asked"], notice["content"]["no_repair_value"]) == (
        "scrapped", [unit_id], [])


def test_a_scrap_application_decided_moves_the_units_and_names_the_case(proposed, api, stock, parts, users):
    case, unit_id = proposed
    stock_moves_apply(actor=users["warehouse"], moves=[Move("purchase_receipt", 1, None, warehouse_of_kind(
        "raw_material"), part_id=parts["HT-ELEM"].pk)])
    body = {"reason": "无维修价值", "case": case["id"], "unit_ids": [unit_id],
            "parts": [{"part": "HT-ELEM", "quantity": 1}]}
    made = api("quality").post("/api/v1/scrap-applications/", body, format="json")
    assert made.status_code == 201, made.json()
    decided = api("manager").post(f"/api/v1/scrap-applications/{made.json()['id']}/decide/", {"approve": True},
                                  format="json")
    assert decided.status_code == 200, decided.json()
    assert stock() == Counter({"SC": 1})
    # Units and parts alike: every scrap move of the application names the case.
    scrap_moves = StockMove.objects.filter(kind="scrap")
    assert scrap_moves.count() == 2
    assert set(scrap_moves.values_list("return_case_id", flat=True)) == {case["id"]}


def test_scrap_the_customer_consents_to_after_a_redisposal_waits_in_the_defective_warehouse(disposed, flow, detail,
                                                                                            stock):
    """A repair unit quality then decides to scrap: once the customer consents it waits for the approval in
    不良品仓, like any unit proposed for scrap; torn down instead, it leaves that warehouse."""
    case, (unit_id,) = disposed([IN_WARRANTY.format(1)])
    flow("quality", "redispose", case, unit_ids=[unit_id], disposition="scrap", reason="主板烧毁，无维修价值")
    assert detail(case)["units"][0]["state"] == "waiting_customer"
    flow("alice", "give_consent", case, unit_ids=[unit_id])
    unit = detail(case)["units"][0]
    assert (unit["state"], unit["warehouse"]) == ("waiting_approval", "DF")
    assert stock() == Counter({"DF": 1})
    flow("quality", "redispose", case, unit_ids=[unit_id], disposition="teardown", reason="拆件利用")
    unit = detail(case)["units"][0]
    assert (unit["state"], unit["exit"], unit["warehouse"]) == ("done", "torn_down", None)
    assert stock()["DF"] == 0
