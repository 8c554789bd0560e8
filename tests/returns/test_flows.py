"""The return case end to end through the API (DOMAIN.md, "The return case, stage by stage"):
each step taken by the persona of the role that acts, asserting states, stock per warehouse,
customer notices, the timeline, and that a refused request wrote nothing."""

import io
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.core.models import DocumentSequence
from aftersales.accounts.services import user_create
from aftersales.inventory.models import StockBalance, StockMove
from aftersales.masterdata.models import ShippedUnit
from aftersales.returns.models import (CaseEvent, ReceivingDiscrepancy, ReturnCase, ReturnUnit)

from tests.flows import (FUNCTION_FAULT, HT, IN_WARRANTY, OUT_OF_WARRANTY, SHIP, allowed, footprint, items_for, line,
                       notice_kinds)

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def _product_models(product_models):
    """Every flow here returns HT-2000 (and sometimes MC-750) units."""


@pytest.fixture(autouse=True)
def _every_unit_accounted_for(db):
    """After each flow: balances are the ledger's sum, and returned-goods warehouses hold exactly
    the units located in them (finished goods also holds new production)."""
    yield
    ledger = Counter()
    for move in StockMove.objects.values("from_warehouse__code", "to_warehouse__code", "product_model__code",
                                         "quantity"):
        if move["from_warehouse__code"]:
            ledger[(move["from_warehouse__code"], move["product_model__code"])] -= move["quantity"]
        if move["to_warehouse__code"]:
            ledger[(move["to_warehouse__code"], move["product_model__code"])] += move["quantity"]
    balances = Counter({(b["warehouse__code"], b["product_model__code"]): b["quantity"]
                        for b in StockBalance.objects.values("warehouse__code", "product_model__code", "quantity")})
    assert {k: v for k, v in ledger.items() if v} == {k: v for k, v in balances.items() if v}
    located = Counter(ReturnUnit.objects.exclude(warehouse=None).values_list("warehouse__code", "product_model__code"))
    for key, quantity in (balances | located).items():
        assert (located[key] <= balances[key]) if key[0] == "FG" else (located[key] == balances[key]), key



# --- 1. in-warranty repair, shipped back ---

def test_in_warranty_repair_shipped_back(new_case, flow, detail, registry, stock, timeline, pass_final):
    case = new_case()
    flow("service", "submit", case)
    assert detail(case)["units"][0]["warranty"]["status"] == "in"
    flow("service", "approve", case)
    flow("warehouse", "start_receiving", case)
    assert stock()["AS"] == 0
    flow("warehouse", "receive", case, items=[{"serial": IN_WARRANTY.format(1)}])
    assert stock()["AS"] == 1
    flow("warehouse", "close_receipt", case)
    (unit,) = detail(case)["units"]
    assert (unit["state"], unit["warehouse"], unit["warranty"]["chargeable"]) == ("received", "AS", False)
    flow("quality", "inspect", case, unit_ids=[unit["id"]], result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=[unit["id"]], disposition="repair")
    flow("repair", "start_work", case, unit_ids=[unit["id"]])
    assert detail(case)["state"] == "in_work"
    flow("repair", "finish_work", case, unit_ids=[unit["id"]])
    pass_final(case, [unit["id"]])
    assert detail(case)["state"] == "ready"
    assert stock()["AS"] == 1
    flow("warehouse", "ship_back", case, unit_ids=[unit["id"]], **SHIP)
    assert stock()["AS"] == 0
    data = detail(case)
    assert data["state"] == "settled"
    assert (data["units"][0]["exit"], data["units"][0]["warehouse"]) == ("shipped_back", None)
    flow("service", "close", case)
    data = detail(case)
    assert data["state"] == "closed"
    assert notice_kinds(data) == ["decision", "receipt", "shipment"]
    assert data["notices"][-1]["content"]["tracking_number"] == SHIP["tracking_number"]

    events = timeline(case)
    assert [(e["action"], e["by"]) for e in events] == [
        ("create", "service"), ("submit", "service"), ("approve", "service"), ("start_receiving", "warehouse"),
        ("receive", "warehouse"), ("close_receipt", "warehouse"), ("inspect", "quality"), ("dispose", "quality"),
        ("start_work", "repair"), ("finish_work", "repair"), ("pass_final", "quality"),
        ("ship_back", "warehouse"), ("close", "service")]
    assert [(e["from_state"], e["to_state"]) for e in events[1:4]] == [
        ("draft", "submitted"), ("submitted", "approved"), ("approved", "receiving")]
    assert events[4]["unit_ids"] == [unit["id"]] and events[4]["unit_to_state"] == "received"
    assert events[-2]["unit_to_state"] == "done"
    moves = StockMove.objects.filter(return_case_id=case["id"]).order_by("id")
    assert [(m.kind, m.serial) for m in moves] == [("return_receipt", IN_WARRANTY.format(1)),
                                                  ("ship_back", IN_WARRANTY.format(1))]


# --- 2. out of warranty: the customer accepts or refuses the charge ---

@pytest.fixture
def charged_unit(received, flow, detail, registry):
    """An out-of-warranty unit disposed for repair, waiting for the customer (case, unit id)."""
    case, (unit_id,) = received(lines=[line(serials=[OUT_OF_WARRANTY.format(1)], production_lot="250110-1")])
    unit = detail(case)["units"][0]
    assert (unit["warranty"]["status"], unit["warranty"]["chargeable"]) == ("out", True)
    flow("quality", "inspect", case, unit_ids=[unit_id], result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=[unit_id], disposition="repair")
    unit = detail(case)["units"][0]
    assert (unit["state"], unit["needs_consent"]) == ("waiting_customer", False)
    return case, unit_id


def test_out_of_warranty_repair_with_the_charge_accepted(charged_unit, flow, detail, refused, stock, work_and_final,
                                                          timeline):
    case, unit_id = charged_unit
    refused("alice", "accept_charge", case, 409, "no_charge_quoted", unit_ids=[unit_id])
    refused("service", "quote_charge", case, 400, "invalid", unit_ids=[unit_id], amount="0")
    flow("service", "quote_charge", case, unit_ids=[unit_id], amount="380.50", expected_return_date="2026-12-10")
    portal = detail(case, role="alice")
    assert portal["notices"][-1]["kind"] == "charge"
    assert portal["notices"][-1]["content"]["amount"] == "380.50"
    assert allowed(portal) == {"accept_charge": [unit_id], "refuse_charge": [unit_id]}

    flow("alice", "accept_charge", case, unit_ids=[unit_id])
    unit = detail(case)["units"][0]
    assert unit["state"] == "disposed"
    assert unit["charge_answer"]["accepted"] is True and unit["charge_answer"]["via"] == "portal"
    assert unit["charge_answer"]["amount"] == "380.50"
    work_and_final(case, [unit_id])
    flow("warehouse", "ship_back", case, unit_ids=[unit_id], **SHIP)
    data = detail(case)
    assert (data["state"], data["units"][0]["exit"], data["units"][0]["disposition"]) == (
        "settled", "shipped_back", "repair")
    assert stock()["AS"] == 0
    assert ("accept_charge", "alice") in [(e["action"], e["by"]) for e in timeline(case)]


def test_out_of_warranty_charge_refused_and_returned_as_is(charged_unit, flow, detail, refused, stock):
    case, unit_id = charged_unit
    flow("service", "quote_charge", case, unit_ids=[unit_id], amount="380.00")
    flow("alice", "refuse_charge", case, unit_ids=[unit_id])
    unit = detail(case)["units"][0]
    assert (unit["state"], unit["disposition"], unit["charge_answer"]["accepted"]) == (
        "ready_to_ship", "return_as_is", False)
    refused("repair", "start_work", case, 409, "invalid_state", unit_ids=[unit_id])
    flow("service", "ship_back", case, unit_ids=[unit_id], **SHIP)
    data = detail(case)
    assert (data["state"], data["units"][0]["exit"]) == ("settled", "shipped_back")
    assert stock()["AS"] == 0


# --- 3. refund with a missing accessory ---

def test_refund_with_a_missing_accessory(received, flow, detail, refused, stock, registry, timeline, pass_final):
    serials = [IN_WARRANTY.format(1), IN_WARRANTY.format(2)]
    case, ids = received(lines=[line(serials=serials, outcome="refund", unit_price="1299.00")])
    assert stock()["AS"] == 2
    flow("quality", "inspect", case, unit_ids=ids, result={"defect_class": "none", "no_fault_found": True},
         per_unit={str(ids[1]): {"defect_class": "appearance", "missing_accessories": "遥控器"}})
    assert detail(case)["state"] == "inspecting"
    flow("quality", "dispose", case, unit_ids=ids, disposition="resale",
         per_unit={str(ids[1]): "defective_stock"})
    # Resale waits for its final test in the after-sales warehouse (售后返退货流程描述 六.2).
    assert [(u["state"], u["warehouse"]) for u in detail(case)["units"]] == [("final_inspection", "AS"),
                                                                             ("done", "DF")]
    pass_final(case, [ids[0]])
    data = detail(case)
    assert [(u["state"], u["exit"], u["warehouse"]) for u in data["units"]] == [
        ("done", "refunded_into_stock", "FG"), ("done", "refunded_into_stock", "DF")]
    assert data["state"] == "ready"  # every unit is done, the refund is not
    assert stock() == Counter({"FG": 1, "DF": 1})

    refused("service", "settle_refund", case, 403, "permission_denied", line=1)
    refused("finance", "settle_refund", case, 400, "invalid", line=1, deduction="80.00")  # no reason given
    refused("finance", "settle_refund", case, 400, "invalid", line=1, deduction="9999.00", deduction_reason="x")
    flow("finance", "settle_refund", case, line=1, deduction="80.00", deduction_reason="缺遥控器")
    data = detail(case)
    assert data["state"] == "settled"
    assert (data["lines"][0]["refund_amount"], data["lines"][0]["refund_deduction"]) == ("2518.00", "80.00")
    refund = data["notices"][-1]
    assert refund["kind"] == "refund"
    assert refund["content"] == {"line": 1, "gross": "2598.00", "deduction": "80.00", "reason": "缺遥控器",
                                 "amount": "2518.00"}
    assert Decimal(refund["content"]["amount"]) == Decimal("1299.00") * 2 - Decimal("80.00")
    refused("finance", "settle_refund", case, 409, "invalid_state", line=1)  # settled: no second refund
    flow("service", "close", case)
    assert detail(case)["state"] == "closed"
    assert [e["action"] for e in timeline(case)][-2:] == ["settle_refund", "close"]


def test_refund_line_beside_a_repair_line(received, flow, detail, refused, registry):
    case, (refund_id, repair_id) = received(lines=[
        line(serials=[IN_WARRANTY.format(1)], outcome="refund", unit_price="999.00"),
        line(serials=[IN_WARRANTY.format(2)])])
    assert "settle_refund" in allowed(detail(case, role="finance"))
    refused("finance", "settle_refund", case, 409, "refund_units_undecided", line=1)  # its unit is not decided yet
    refused("finance", "settle_refund", case, 400, "invalid", line=2)  # not a refund line
    flow("quality", "inspect", case, unit_ids=[refund_id, repair_id], result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=[refund_id], disposition="defective_stock")
    flow("finance", "settle_refund", case, line=1)
    data = detail(case, role="finance")
    assert (data["state"], data["lines"][0]["refund_amount"]) == ("inspecting", "999.00")
    assert "settle_refund" not in allowed(data)
    refused("finance", "settle_refund", case, 409, "no_refund_pending", line=1)
    flow("quality", "dispose", case, unit_ids=[repair_id], disposition="return_as_is")
    flow("warehouse", "ship_back", case, unit_ids=[repair_id], **SHIP)
    assert detail(case)["state"] == "settled"


# --- 4. exchange: the regional sales manager's approval, a new unit out, the old one to DF ---

@pytest.mark.parametrize("rsm_set", [False, True], ids=["no_rsm_manager_approves", "rsm_named_on_customer"])
def test_exchange(rsm_set, new_case, flow, detail, refused, api, users, customers, registry, finished_goods, stock):
    old_serial, new_serial = IN_WARRANTY.format(3), "HT2611NEW0001"
    case = new_case(lines=[line(serials=[old_serial], outcome="exchange")])
    if rsm_set:
        users["rsm_east"] = user_create(username="rsm_east", password=None, role_codes={"manager"})
        customers["alice"].regional_sales_manager = users["rsm_east"]
        customers["alice"].save()
    flow("service", "submit", case)
    assert detail(case)["required_approvals"] == ["service", "rsm"]
    flow("service", "approve", case)
    data = detail(case)
    assert (data["state"], data["pending_approvals"]) == ("submitted", ["rsm"])
    refused("service", "approve", case, 403, "no_approval_for_you")
    if rsm_set:
        refused("manager", "approve", case, 403, "no_approval_for_you")  # not this customer's RSM
        assert "approve" not in allowed(detail(case, role="manager"))
        approver = "rsm_east"
    else:
        approver = "manager"
    assert "approve" in allowed(detail(case, role=approver))
    flow(approver, "approve", case)
    data = detail(case)
    assert data["state"] == "approved"
    assert [(a["kind"], a["by"]) for a in data["approvals"]] == [("service", "service"), ("rsm", approver)]

    flow("warehouse", "start_receiving", case)
    flow("warehouse", "receive", case, items=[{"serial": old_serial}])
    flow("warehouse", "close_receipt", case)
    (unit_id,) = [u["id"] for u in detail(case)["units"]]
    flow("quality", "inspect", case, unit_ids=[unit_id], result=FUNCTION_FAULT)
    refused("quality", "dispose", case, 400, "invalid", unit_ids=[unit_id], disposition="resale")
    flow("quality", "dispose", case, unit_ids=[unit_id], disposition="replace")
    assert detail(case)["units"][0]["state"] == "ready_to_settle"
    assert stock() == Counter({"FG": 100, "AS": 1})
    refused("service", "settle_exchange", case, 400, "invalid", unit_ids=[unit_id])  # no new serial
    flow("service", "settle_exchange", case, unit_ids=[unit_id], new_serial=new_serial, **SHIP)
    data = detail(case)
    unit = data["units"][0]
    assert (unit["state"], unit["exit"], unit["warehouse"], unit["replacement_serial"]) == (
        "done", "exchanged", "DF", new_serial)
    assert (data["state"], data["lines"][0]["exchanges_shipped"]) == ("settled", 1)
    assert data["notices"][-1]["content"]["replacement_serials"] == [new_serial]
    assert stock() == Counter({"FG": 99, "DF": 1})
    assert StockMove.objects.filter(kind="exchange_out", serial=new_serial, return_case_id=case["id"]).count() == 1

    history = api("service").get("/api/v1/service-history/", {"serial": old_serial}).json()["entries"]
    assert [(h["case"], h["role"], h["replacement_serial"], h["exit"]) for h in history] == [
        (case["number"], "returned", new_serial, "exchanged")]
    history = api("alice").get("/api/v1/service-history/", {"serial": new_serial}).json()["entries"]
    assert [(h["case"], h["role"], h["serial"]) for h in history] == [(case["number"], "replacement", old_serial)]
    assert api("bob").get("/api/v1/service-history/", {"serial": new_serial}).json()["entries"] == []


def test_exchange_without_finished_goods_in_stock_is_refused(received, flow, detail, refused, stock, registry):
    case, (unit_id,) = received(lines=[line(serials=[IN_WARRANTY.format(3)], outcome="exchange")],
                                approvers=("service", "manager"))
    flow("quality", "inspect", case, unit_ids=[unit_id], result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=[unit_id], disposition="replace")
    refused("warehouse", "settle_exchange", case, 409, "insufficient_stock", unit_ids=[unit_id],
            new_serial="HT2611NEW0002")
    assert detail(case)["units"][0]["state"] == "ready_to_settle"
    assert stock() == Counter({"AS": 1})


BATCH_SERIALS = [IN_WARRANTY.format(n) for n in range(30)] + [OUT_OF_WARRANTY.format(n) for n in range(20)]


@pytest.mark.parametrize("by_serials", [False, True], ids=["quantity_line", "serial_line"])
def test_batch_exchange_shipped_ahead_of_the_returns(by_serials, new_case, flow, detail, refused, stock,
                                                     finished_goods, registry, users, customers):
    note = line(serials=BATCH_SERIALS, outcome="exchange") if by_serials else line(quantity=50, outcome="exchange")
    case = new_case(lines=[note])
    flow("service", "submit", case)
    assert detail(case)["required_approvals"] == ["vp", "rsm"]
    # one person gives one kind of approval: the VP's by the manager, the region's sales manager's by its own
    users["rsm_east"] = user_create(username="rsm_east", password=None, role_codes={"manager"})
    customers["alice"].regional_sales_manager = users["rsm_east"]
    customers["alice"].save()
    flow("manager", "approve", case)
    flow("rsm_east", "approve", case)
    assert "ship_exchange_in_advance" in allowed(detail(case))
    new = finished_goods  # the serials in finished-goods stock
    flow("service", "ship_exchange_in_advance", case, line=1, serials=new[:10], **SHIP)
    data = detail(case)
    assert (data["state"], data["lines"][0]["exchanges_shipped"]) == ("approved", 10)  # still waiting for the goods
    assert data["notices"][-1]["content"]["replacement_serials"][:2] == new[:2]
    assert stock() == Counter({"FG": 90})
    refused("service", "ship_exchange_in_advance", case, 400, "invalid", line=1,
            serials=[f"MORE{n:03d}" for n in range(41)])  # more than the line returns
    refused("service", "ship_exchange_in_advance", case, 400, "invalid", line=2, serials=["NEW999"])
    flow("warehouse", "start_receiving", case)
    flow("warehouse", "receive", case, items=items_for([note])[:40] if by_serials else [{"line": 1, "quantity": 40}])
    flow("warehouse", "ship_exchange_in_advance", case, line=1, serials=new[10:15])
    assert detail(case)["state"] == "receiving"
    flow("warehouse", "receive", case, items=items_for([note])[40:] if by_serials else [{"line": 1, "quantity": 10}])
    flow("warehouse", "close_receipt", case)
    ids = [u["id"] for u in detail(case)["units"]]
    assert (len(ids), stock()) == (50, Counter({"FG": 85, "AS": 50}))
    flow("quality", "inspect", case, unit_ids=ids, result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=ids, disposition="replace")
    refused("warehouse", "settle_exchange", case, 400, "invalid", unit_ids=ids[:16])  # the 16th needs a serial
    # Fifteen are covered by the units shipped ahead; the 16th and 17th get new units now.
    flow("warehouse", "settle_exchange", case, unit_ids=ids[:17], new_serials={str(ids[15]): new[15],
                                                                               str(ids[16]): new[16]})
    assert stock() == Counter({"FG": 83, "AS": 33, "DF": 17})
    units = detail(case)["units"]
    assert [u["replacement_serial"] for u in units[15:18]] == [new[15], new[16], ""]
    # Each is matched with a unit shipped ahead: serial beside serial.
    assert [u["replacement_serial"] for u in units[:15]] == new[:15]
    flow("warehouse", "settle_exchange", case, unit_ids=ids[17:],
         new_serials={str(pk): new[n] for n, pk in enumerate(ids[17:], start=17)})
    data = detail(case)
    assert (data["state"], data["lines"][0]["exchanges_shipped"]) == ("settled", 50)
    assert stock() == Counter({"FG": 50, "DF": 50})
    assert "ship_exchange_in_advance" not in allowed(data)


def test_exchange_that_quality_repairs_is_shipped_back(received, flow, detail, stock, work_and_final, registry):
    case, ids = received(lines=[line(serials=[IN_WARRANTY.format(3)], outcome="exchange")],
                         approvers=("service", "manager"))
    flow("quality", "inspect", case, unit_ids=ids, result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=ids, disposition="repair")
    work_and_final(case, ids)
    assert detail(case)["units"][0]["state"] == "ready_to_ship"
    flow("warehouse", "ship_back", case, unit_ids=ids, **SHIP)
    data = detail(case)
    assert (data["state"], data["units"][0]["exit"]) == ("settled", "shipped_back")
    assert stock() == Counter()


# --- 5. batch return: VP approval, quality sorting, mixed dispositions in one line ---

@pytest.mark.parametrize(("lines_of", "volume", "approvals", "quality_sorts"), [
    (lambda: [line(quantity=50)], "batch", ["vp"], True),
    (lambda: [line(quantity=49)], "sporadic", ["service"], True),
    (lambda: [line(quantity=20)], "sporadic", ["service"], False),
    (lambda: [line(serials=[IN_WARRANTY.format(n) for n in range(30)]),
              line(serials=[OUT_OF_WARRANTY.format(n) for n in range(20)], production_lot="250110-1")],
     "batch", ["vp"], True),
    (lambda: [line(quantity=40), line(quantity=40, model="MC-750", item_name="控制器")], "sporadic", ["service"],
     True),
], ids=["50_by_quantity", "49_by_quantity", "20_by_quantity", "50_by_serials", "two_models_40_each"])
def test_volume_class_decides_the_approval(lines_of, volume, approvals, quality_sorts, new_case, flow, detail,
                                           refused, registry):
    case = new_case(lines=lines_of())
    flow("service", "submit", case)
    data = detail(case)
    assert (data["volume_class"], data["required_approvals"], data["needs_quality_sorting"]) == (
        volume, approvals, quality_sorts)
    if volume == "batch":
        refused("service", "approve", case, 403, "no_approval_for_you")
        flow("manager", "approve", case)
    else:
        flow("service", "approve", case)
    assert detail(case)["state"] == "approved"


def test_one_customer_one_model_one_day_adds_up_to_a_batch(new_case, flow, detail):
    first = new_case(lines=[line(quantity=30)])
    flow("service", "submit", first)
    second = new_case(lines=[line(quantity=20)])
    flow("service", "submit", second)
    assert detail(first)["volume_class"] == "sporadic"
    data = detail(second)
    assert (data["volume_class"], data["required_approvals"]) == ("batch", ["vp"])
    assert data["volume_detail"]["largest_model_quantity"] == 50


def test_batch_case_sorted_by_quality_with_mixed_dispositions(received, flow, detail, refused, api, stock):
    case, ids = received(lines=[line(quantity=50)], approvers=("manager",))
    data = detail(case)
    assert (data["volume_class"], data["needs_quality_sorting"], len(ids)) == ("batch", True, 50)
    assert [(a["kind"], a["by"]) for a in data["approvals"]] == [("vp", "manager")]
    assert stock()["AS"] == 50
    assert "inspect" not in allowed(data)  # service sees no inspection on a quality-sorted case
    assert "ship_exchange_in_advance" not in allowed(data)  # nothing to exchange on this batch
    refused("service", "ship_exchange_in_advance", case, 409, "no_exchange_to_ship", line=1, serials=["N1"])
    assert allowed(detail(case, role="quality"))["inspect"] == ids
    refused("service", "inspect", case, 403, "quality_sorting_required", unit_ids=ids, result=FUNCTION_FAULT)

    appearance = {str(pk): {"defect_class": "appearance", "grade": "B"} for pk in ids[:5]}
    nff = {str(pk): {"defect_class": "none", "no_fault_found": True} for pk in ids[40:]}
    flow("quality", "inspect", case, unit_ids=ids, result={**FUNCTION_FAULT, "grade": "A"},
         per_unit={**appearance, **nff})
    report = api("quality").get(f"/api/v1/cases/{case['id']}/inspection-report/").json()
    assert report["inspected_units"] == 50
    assert report["by_defect_class"] == {"function": 35, "appearance": 5, "none": 10}
    assert (report["by_grade"], report["no_fault_found"]) == ({"A": 45, "B": 5}, 10)

    scrap = {str(pk): "scrap" for pk in ids[30:40]}
    as_is = {str(pk): {"disposition": "return_as_is"} for pk in ids[40:]}
    flow("quality", "dispose", case, unit_ids=ids, disposition="repair", per_unit={**scrap, **as_is})
    data = detail(case)
    assert data["unit_counts"] == {"disposed": 30, "waiting_approval": 10, "ready_to_ship": 10}
    assert data["state"] == "disposed"
    assert Counter(u["disposition"] for u in data["units"]) == {"repair": 30, "scrap": 10, "return_as_is": 10}

    flow("manager", "approve_scrap", case, unit_ids=ids[30:40])
    flow("warehouse", "ship_back", case, unit_ids=ids[40:], **SHIP)
    assert stock() == Counter({"AS": 30, "SC": 10})
    # A batch is worked through its rework order, first article first (no side door through the case).
    refused("repair", "start_work", case, 409, "batch_work_needs_order", unit_ids=ids[:30])
    order = api("planning").post("/api/v1/repair-orders/", {"case": case["id"], "unit_ids": ids[:30]}, format="json")
    assert order.status_code == 201, order.json()
    order = order.json()
    assert api("repair").post(f"/api/v1/repair-orders/{order['id']}/start/", {}, format="json").status_code == 200
    refused("repair", "start_work", case, 409, "first_article_pending", unit_ids=ids[1:30])
    data = detail(case)
    assert data["unit_counts"]["in_work"] == 1 and data["unit_counts"]["disposed"] == 29  # the first article only


# --- 6. scrap needs a manager's approval ---

@pytest.fixture
def scrap_waiting(received, flow, detail, registry):
    case, (unit_id,) = received()
    flow("quality", "inspect", case, unit_ids=[unit_id], result={**FUNCTION_FAULT, "repairable": False})
    flow("quality", "dispose", case, unit_ids=[unit_id], disposition="scrap")
    data = detail(case)
    assert (data["units"][0]["state"], data["state"]) == ("waiting_approval", "disposed")
    return case, unit_id


@pytest.mark.parametrize("role", ["quality", "service", "warehouse", "alice"])
def test_only_a_manager_approves_scrap(role, scrap_waiting, refused):
    case, unit_id = scrap_waiting
    refused(role, "approve_scrap", case, 403, "permission_denied", unit_ids=[unit_id])


def test_scrap_approved_goes_to_the_scrap_warehouse(scrap_waiting, flow, detail, stock):
    case, unit_id = scrap_waiting
    flow("manager", "approve_scrap", case, unit_ids=[unit_id])
    data = detail(case)
    assert (data["units"][0]["state"], data["units"][0]["exit"], data["units"][0]["warehouse"]) == (
        "done", "scrapped", "SC")
    assert data["state"] == "settled"
    assert stock() == Counter({"SC": 1})
    assert StockMove.objects.filter(return_case_id=case["id"], kind="scrap").count() == 1


def test_scrap_refused_goes_back_to_inspected(scrap_waiting, flow, detail, stock, work_and_final):
    case, unit_id = scrap_waiting
    flow("manager", "reject_scrap", case, unit_ids=[unit_id], comment="可维修")
    data = detail(case)
    assert (data["units"][0]["state"], data["units"][0]["disposition"], data["state"]) == (
        "inspected", "", "inspecting")
    assert stock() == Counter({"AS": 1})
    flow("quality", "dispose", case, unit_ids=[unit_id], disposition="repair")
    work_and_final(case, [unit_id])
    assert detail(case)["units"][0]["state"] == "ready_to_ship"


# --- 7. no fault found, returned as is ---

def test_no_fault_found_returned_as_is(received, flow, detail, stock, registry, api):
    case, (unit_id,) = received()
    flow("quality", "inspect", case, unit_ids=[unit_id], result={"defect_class": "none", "no_fault_found": True})
    flow("quality", "dispose", case, unit_ids=[unit_id], disposition="return_as_is")
    data = detail(case)
    assert (data["units"][0]["state"], data["state"]) == ("ready_to_ship", "ready")
    flow("warehouse", "ship_back", case, unit_ids=[unit_id], **SHIP)
    data = detail(case)
    assert (data["state"], data["units"][0]["exit"], data["units"][0]["disposition"]) == (
        "settled", "shipped_back", "return_as_is")
    assert stock()["AS"] == 0
    history = api("alice").get("/api/v1/service-history/", {"serial": IN_WARRANTY.format(1)}).json()["entries"]
    assert history[0]["inspections"][0]["no_fault_found"] is True


# --- 8. customer-caused damage: consent before rework, then the charge ---

def test_customer_damage_waits_for_consent_and_charge(received, flow, detail, refused, api, registry,
                                                       work_and_final, stock):
    case, (unit_id,) = received()
    flow("quality", "inspect", case, unit_ids=[unit_id],
         result={"defect_class": "appearance", "responsibility": "customer", "human_damage": True})
    unit = detail(case)["units"][0]
    assert (unit["warranty"]["status"], unit["warranty"]["chargeable"]) == ("in", True)
    flow("quality", "dispose", case, unit_ids=[unit_id], disposition="repair")
    data = detail(case, role="alice")
    assert (data["units"][0]["state"], data["units"][0]["needs_consent"]) == ("waiting_customer", True)
    assert data["notices"][-1]["kind"] == "consent"
    assert allowed(data) == {"give_consent": [unit_id], "refuse_consent": [unit_id]}
    refused("repair", "start_work", case, 409, "invalid_state", unit_ids=[unit_id])

    # Bob, another customer, finds nothing of Alice's case.
    for path in ("", "timeline/", "inspection-report/"):
        response = api("bob").get(f"/api/v1/cases/{case['id']}/{path}")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    refused("bob", "give_consent", case, 404, "not_found", unit_ids=[unit_id])
    refused("bob", "cancel", case, 404, "not_found")

    flow("alice", "give_consent", case, unit_ids=[unit_id])
    unit = detail(case)["units"][0]
    assert (unit["state"], unit["consent"]["given"], unit["consent"]["by"]) == ("waiting_customer", True, "alice")
    refused("alice", "give_consent", case, 409, "no_consent_pending", unit_ids=[unit_id])
    refused("repair", "start_work", case, 409, "invalid_state", unit_ids=[unit_id])
    flow("service", "quote_charge", case, unit_ids=[unit_id], amount="260.00")
    flow("alice", "accept_charge", case, unit_ids=[unit_id])
    data = detail(case)
    assert (data["units"][0]["state"], data["state"]) == ("disposed", "disposed")
    work_and_final(case, [unit_id])
    flow("warehouse", "ship_back", case, unit_ids=[unit_id], **SHIP)
    assert detail(case)["state"] == "settled"
    assert stock()["AS"] == 0


def test_customer_refuses_the_rework_and_gets_the_unit_back(received, flow, detail, registry, stock):
    case, (unit_id,) = received()
    flow("quality", "inspect", case, unit_ids=[unit_id], result={"defect_class": "appearance",
                                                                 "responsibility": "customer"})
    flow("quality", "dispose", case, unit_ids=[unit_id], disposition="refurbish")
    assert detail(case)["units"][0]["needs_consent"] is True
    flow("alice", "refuse_consent", case, unit_ids=[unit_id], comment="不修了")
    unit = detail(case)["units"][0]
    assert (unit["state"], unit["disposition"], unit["consent"]["given"]) == ("ready_to_ship", "return_as_is", False)
    flow("warehouse", "ship_back", case, unit_ids=[unit_id], **SHIP)
    assert stock() == Counter()


# --- 9. an incomplete return note is sent back, not received ---

def test_incomplete_return_note_is_not_received(new_case, flow, detail, refused, registry, stock):
    case = new_case(lines=[line(serials=[IN_WARRANTY.format(1)]),
                           line(serials=[IN_WARRANTY.format(2)], production_lot="", defect_description="")])
    flow("service", "submit", case)
    flow("service", "approve", case)
    data = detail(case, role="warehouse")
    assert "start_receiving" not in allowed(data)
    error = refused("warehouse", "start_receiving", case, 409, "return_note_incomplete")
    assert [(m["line"], m["missing"]) for m in error["details"]["missing"]] == [
        (2, ["production_lot", "defect_description"])]
    data = detail(case)
    assert data["state"] == "approved"
    assert {u["state"] for u in data["units"]} == {"expected"}
    assert stock() == Counter()
    assert not StockMove.objects.exists()


# --- 10. receiving: what arrived against the note ---

@pytest.fixture
def receiving_case(new_case, flow, registry):
    """Alice's case in receiving: line 1 two serials, line 2 five pieces without serials."""
    case = new_case(lines=[line(serials=[IN_WARRANTY.format(1), IN_WARRANTY.format(2)]),
                           line(quantity=5, production_lot="260512-1")])
    flow("service", "submit", case)
    flow("service", "approve", case)
    flow("warehouse", "start_receiving", case)
    return case


@pytest.fixture
def other_case(new_case, flow):
    case = new_case(lines=[line(serials=[IN_WARRANTY.format(10)])])
    flow("service", "submit", case)
    return case


@pytest.mark.parametrize(("item", "result"), [
    ({"serial": "MC26010001"}, "refused"),  # in the registry as MC-750: no line for that model
    ({"serial": "XX-NOT-REGISTERED"}, "unknown_serial"),
    ({"serial": "ZZ0001", "product_model": "MC-750"}, "refused"),
    ({"serial": IN_WARRANTY.format(10)}, "wrong_case"),
])
def test_goods_without_a_matching_line_are_refused(item, result, receiving_case, other_case, flow, detail, stock,
                                                    customers, product_models):
    ShippedUnit.objects.create(serial="MC26010001", product_model=product_models["MC-750"],
                               customer=customers["alice"], production_lot="260101-1", shipped_date="2026-01-01")
    case = receiving_case
    answer = flow("warehouse", "receive", case, items=[item])
    assert [r["result"] for r in answer["results"]] == [result]
    if result == "wrong_case":
        assert answer["results"][0]["case"] == other_case["number"]
    differences = list(ReceivingDiscrepancy.objects.filter(return_case_id=case["id"]).values_list("kind", "serial"))
    assert differences == [("unmatched", item["serial"])]
    assert not ReturnUnit.objects.filter(serial=item["serial"]).exclude(return_case_id=other_case["id"]).exists()
    assert ReturnUnit.objects.get(serial=IN_WARRANTY.format(10)).state == "expected"
    assert {u["state"] for u in detail(case)["units"]} == {"expected"}
    assert stock() == Counter() and stock("MC-750") == Counter()
    assert detail(case)["state"] == "receiving"


def test_a_bad_item_refuses_the_whole_receipt(receiving_case, refused, stock):
    refused("warehouse", "receive", receiving_case, 400, "invalid",
            items=[{"serial": IN_WARRANTY.format(1)}, {"line": 1, "quantity": 1}])  # line 1 lists serials
    refused("warehouse", "receive", receiving_case, 400, "invalid", items=[])
    assert stock() == Counter()


def test_receiving_duplicates_extras_and_shortages(receiving_case, flow, detail, stock):
    case = receiving_case
    answer = flow("warehouse", "receive", case, items=[
        {"serial": IN_WARRANTY.format(1)}, {"serial": IN_WARRANTY.format(1)},
        {"serial": IN_WARRANTY.format(5)},  # registered HT-2000, not on the note: received as extra
        {"line": 2, "quantity": 3}])
    assert [r["result"] for r in answer["results"]] == ["received", "duplicate", "extra", "received"]
    again = flow("warehouse", "receive", case, items=[{"serial": IN_WARRANTY.format(1)}])
    assert again["results"] == [{"serial": IN_WARRANTY.format(1), "result": "duplicate"}]
    assert stock()["AS"] == 5
    flow("warehouse", "close_receipt", case)

    data = detail(case)
    assert data["state"] == "received"
    by_serial = {u["serial"]: u for u in data["units"]}
    assert by_serial[IN_WARRANTY.format(2)]["state"] == "missing"
    assert by_serial[IN_WARRANTY.format(5)]["is_extra"] is True
    assert data["unit_counts"] == {"received": 5, "missing": 1}
    assert sorted((d["kind"], d["line"], d["serial"], d["quantity"]) for d in data["discrepancies"]) == [
        ("extra", 1, IN_WARRANTY.format(5), 1), ("shortage", 1, IN_WARRANTY.format(2), 1), ("shortage", 2, "", 2)]
    receipt = data["notices"][-1]
    assert receipt["kind"] == "receipt"
    assert receipt["content"]["received"] == 5
    assert receipt["content"]["lines"] == [{"line": 1, "noted": 2, "arrived": 2}, {"line": 2, "noted": 5, "arrived": 3}]
    assert sorted(d["kind"] for d in receipt["content"]["differences"]) == ["extra", "shortage", "shortage"]
    assert stock()["AS"] == 5


def test_more_pieces_than_noted_are_received_as_extra(receiving_case, flow, detail, stock):
    case = receiving_case
    first = flow("warehouse", "receive", case, items=[{"line": 2, "quantity": 3}])
    second = flow("warehouse", "receive", case, items=[{"line": 2, "quantity": 4}])
    assert [(r["result"], r["extra"]) for r in first["results"] + second["results"]] == [("received", 0),
                                                                                        ("received", 2)]
    flow("warehouse", "receive", case, items=[{"serial": IN_WARRANTY.format(1)}, {"serial": IN_WARRANTY.format(2)}])
    flow("warehouse", "close_receipt", case)
    data = detail(case)
    assert [(d["kind"], d["line"], d["quantity"]) for d in data["discrepancies"]] == [("extra", 2, 2)]
    assert sum(u["is_extra"] for u in data["units"]) == 2
    assert data["notices"][-1]["content"]["lines"][1] == {"line": 2, "noted": 5, "arrived": 7}
    assert stock()["AS"] == 9


# --- 11. final inspection failed: back to work ---

def test_final_inspection_failure_goes_back_to_work(received, flow, detail, registry, timeline, pass_final):
    case, (unit_id,) = received()
    flow("quality", "inspect", case, unit_ids=[unit_id], result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=[unit_id], disposition="repair")
    flow("repair", "start_work", case, unit_ids=[unit_id])
    flow("repair", "finish_work", case, unit_ids=[unit_id])
    flow("quality", "fail_final", case, unit_ids=[unit_id], notes="仍不加热")
    data = detail(case)
    assert (data["units"][0]["state"], data["state"]) == ("in_work", "in_work")
    flow("repair", "finish_work", case, unit_ids=[unit_id])
    pass_final(case, [unit_id])
    assert detail(case)["units"][0]["state"] == "ready_to_ship"
    unit = ReturnUnit.objects.get(pk=unit_id)
    assert unit.final_inspections_failed == 1
    assert list(unit.inspections.filter(stage="final").values_list("passed", flat=True)) == [False, True]
    events = timeline(case)
    assert [e["action"] for e in events][-3:] == ["fail_final", "finish_work", "pass_final"]
    assert (events[-3]["unit_ids"], events[-3]["unit_to_state"], events[-3]["to_state"]) == (
        [unit_id], "in_work", "in_work")


# --- 12. receiving by the dealer's return list (XLSX) ---

def dealer_return_list(rows: list[tuple]) -> bytes:
    """A return list as dealers send it: merged title, date and note number, header, rows,
    a blank row, a totals row and a signature row."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "退货清单"
    sheet.append(["华东经销商（上海） 客户退货清单"])
    sheet.merge_cells("A1:I1")
    sheet.append(["申请日期：", "2026-11-20", None, None, "退货单号：", "TH-20261120-03"])
    sheet.append([])
    sheet.append(["序号", "品号", "品名", "规格", "序列号", "数量", "生产批号", "不良内容", "要求处理方式"])
    for number, (model, serial, quantity) in enumerate(rows, start=1):
        sheet.append([number, model, "电热水器 2000W", "60L", serial, quantity, "260910-1", "不加热", "维修"])
    sheet.append([])
    sheet.append(["合计", None, None, None, None, sum(row[2] for row in rows)])
    sheet.append(["经办人：张伟", None, None, "联系电话：021-5555 0100"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_receiving_list_upload(new_case, flow, detail, api, stock, registry):
    serials = [IN_WARRANTY.format(1), IN_WARRANTY.format(2)]
    case = new_case(lines=[line(serials=serials), line(quantity=3, production_lot="250612-1")])
    flow("service", "submit", case)
    flow("service", "approve", case)
    flow("warehouse", "start_receiving", case)
    raw = dealer_return_list([(HT, serials[0], 1), (HT, serials[1], 1), (HT, None, 3)])
    upload = io.BytesIO(raw)
    upload.name = "退货清单.xlsx"
    response = api("warehouse").post(f"/api/v1/cases/{case['id']}/receiving-list/", {"file": upload},
                                     format="multipart")
    assert response.status_code == 200, response.json()
    assert [r["result"] for r in response.json()["results"]] == ["received", "received", "received"]
    for role, status in (("bob", 404), ("quality", 403)):
        upload.seek(0)
        before = footprint(case["id"])
        other = api(role).post(f"/api/v1/cases/{case['id']}/receiving-list/", {"file": upload}, format="multipart")
        assert other.status_code == status, other.json()
        assert footprint(case["id"]) == before
    assert stock()["AS"] == 5
    flow("warehouse", "close_receipt", case)
    data = detail(case)
    assert data["unit_counts"] == {"received": 5}
    assert data["discrepancies"] == []


def test_receiving_list_with_a_bad_row_receives_nothing(new_case, flow, api, registry):
    case = new_case(lines=[line(serials=[IN_WARRANTY.format(1)])])
    flow("service", "submit", case)
    flow("service", "approve", case)
    flow("warehouse", "start_receiving", case)
    upload = io.BytesIO(dealer_return_list([(HT, IN_WARRANTY.format(1), 1), (HT, None, 2)]))  # no quantity line
    upload.name = "list.xlsx"
    before = footprint(case["id"])
    response = api("warehouse").post(f"/api/v1/cases/{case['id']}/receiving-list/", {"file": upload},
                                     format="multipart")
    assert (response.status_code, response.json()["code"]) == (400, "import_rejected")
    assert [e["row"] for e in response.json()["details"]["errors"]] == [6]
    assert footprint(case["id"]) == before


# --- 13. roles ---

@pytest.fixture
def submitted_case(new_case, flow, registry):
    case = new_case()
    flow("service", "submit", case)
    return case


@pytest.mark.parametrize(("role", "action"), [
    ("warehouse", "approve"), ("quality", "approve"), ("finance", "reject"), ("repair", "submit"),
    ("service", "start_receiving"), ("quality", "receive"), ("repair", "inspect"), ("service", "dispose"),
    ("quality", "start_work"), ("repair", "pass_final"), ("quality", "ship_back"), ("service", "settle_refund"),
    ("quality", "approve_scrap"), ("warehouse", "close"), ("finance", "quote_charge"),
    ("technician", "cancel"), ("engineering", "finish_work"), ("purchasing", "settle_exchange"),
    ("planning", "override_warranty"), ("nobody", "approve"),
    ("alice", "approve"), ("alice", "reject"), ("alice", "dispose"), ("alice", "quote_charge"),
])
def test_roles_not_in_the_table_are_refused(role, action, submitted_case, detail, refused):
    unit_ids = [u["id"] for u in detail(submitted_case)["units"]]
    refused(role, action, submitted_case, 403, "permission_denied", unit_ids=unit_ids)


def test_customer_submits_her_own_draft_but_cannot_approve(api, flow, detail, refused, registry):
    body = {"channel": "dealer", "lines": [line(serials=[IN_WARRANTY.format(1)])]}
    response = api("alice").post("/api/v1/cases/", {**body, "customer": "C-BOB"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    response = api("alice").post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201, response.json()
    case = response.json()
    assert case["customer"]["code"] == "C-ALICE"
    assert allowed(case) == {"submit": None, "cancel": None}
    refused("bob", "submit", case, 404, "not_found")
    edit = {"version": case["version"], "lines": [*body["lines"], line(quantity=2, production_lot="260101-2")]}
    assert api("bob").patch(f"/api/v1/cases/{case['id']}/", edit, format="json").status_code == 404
    assert api("warehouse").patch(f"/api/v1/cases/{case['id']}/", edit, format="json").status_code == 403
    response = api("alice").patch(f"/api/v1/cases/{case['id']}/", edit, format="json")
    assert response.status_code == 200, response.json()
    assert [ln["quantity"] for ln in response.json()["lines"]] == [1, 2]
    stale = api("alice").patch(f"/api/v1/cases/{case['id']}/", edit, format="json")
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_version")
    flow("alice", "submit", case)
    late = api("alice").patch(f"/api/v1/cases/{case['id']}/", {"notes": "x"}, format="json")
    assert (late.status_code, late.json()["code"]) == (409, "invalid_state")
    refused("alice", "approve", case, 403, "permission_denied")
    assert allowed(detail(case, role="alice")) == {"cancel": None}
    flow("service", "approve", case)
    assert detail(case)["state"] == "approved"


@pytest.mark.parametrize(("role", "expected"), [
    ("warehouse", {"start_receiving": None}),
    ("service", {"cancel": None, "return_for_correction": None}),
    ("manager", {"cancel": None, "return_for_correction": None, "override_warranty": "units"}),
    ("alice", {"cancel": None}),
    ("quality", {}),
    ("finance", {}),
])
def test_allowed_actions_on_an_approved_case(role, expected, submitted_case, flow, detail):
    flow("service", "approve", submitted_case)
    data = detail(submitted_case, role=role)
    unit_ids = [u["id"] for u in data["units"]]
    assert allowed(data) == {name: unit_ids if ids == "units" else ids for name, ids in expected.items()}


@pytest.mark.parametrize(("role", "expected"), [
    ("quality", {"inspect"}),
    ("service", {"inspect"}),
    ("manager", {"override_warranty"}),
    ("warehouse", set()),
    ("finance", set()),  # no refund line on this case
    ("repair", set()),
    ("alice", set()),
])
def test_allowed_actions_on_a_received_repair_case(role, expected, received, detail, registry):
    case, _ids = received()
    assert set(allowed(detail(case, role=role))) == expected


# --- 14. gap-free case numbers ---

@pytest.mark.parametrize("bad_line", [
    {"product_model": "NO-SUCH-MODEL", "quantity": 1},
    {"product_model": HT, "serials": ["HT26090001", "HT26090001"]},
    {"product_model": HT, "serials": ["HT26090001"], "quantity": 3},
    {"product_model": HT, "quantity": -1},
], ids=["unknown_model", "serial_twice", "quantity_not_serials", "negative_quantity"])
def test_case_numbers_are_gap_free(bad_line, new_case, api):
    year = timezone.localdate().year
    assert new_case()["number"] == f"RMA-{year}-000001"
    assert new_case()["number"] == f"RMA-{year}-000002"
    cases = ReturnCase.objects.count()
    response = api("service").post("/api/v1/cases/", {"customer": "C-ALICE", "lines": [bad_line]}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert ReturnCase.objects.count() == cases
    assert DocumentSequence.objects.get(prefix="RMA", year=year).last == 2
    assert new_case()["number"] == f"RMA-{year}-000003"


# --- 15. stale versions and retried requests ---

def test_stale_version_is_refused(new_case, flow, detail, refused, registry):
    case = new_case()
    version = detail(case)["version"]
    flow("service", "submit", case, version=version)
    error = refused("service", "approve", case, 409, "stale_version", version=version)
    assert error["details"]["version"] == version + 1
    flow("service", "approve", case, version=version + 1)
    response_version = detail(case)["version"]
    assert response_version == version + 2


def test_retried_receive_with_the_same_idempotency_key_receives_once(receiving_case, api, stock):
    case = receiving_case
    url = f"/api/v1/cases/{case['id']}/actions/receive/"
    body = {"items": [{"serial": IN_WARRANTY.format(1)}]}
    client = api("warehouse")
    first = client.post(url, body, format="json", headers={"Idempotency-Key": "scan-0001"})
    assert first.status_code == 200, first.json()
    assert "Idempotent-Replay" not in first.headers
    before = footprint(case["id"])
    second = client.post(url, body, format="json", headers={"Idempotency-Key": "scan-0001"})
    assert (second.status_code, second.headers["Idempotent-Replay"]) == (200, "true")
    assert second.json() == first.json()
    assert footprint(case["id"]) == before
    assert stock()["AS"] == 1
    assert CaseEvent.objects.filter(return_case_id=case["id"], action="receive").count() == 1

    other = client.post(url, {"items": [{"serial": IN_WARRANTY.format(2)}]}, format="json",
                        headers={"Idempotency-Key": "scan-0001"})
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert footprint(case["id"]) == before


def test_same_idempotency_key_with_another_receiving_list_is_refused(receiving_case, api):
    url = f"/api/v1/cases/{receiving_case['id']}/receiving-list/"

    def post(serial):
        upload = io.BytesIO(dealer_return_list([(HT, serial, 1)]))
        upload.name = "退货清单.xlsx"
        return api("warehouse").post(url, {"file": upload}, format="multipart", headers={"Idempotency-Key": "list-1"})

    assert post(IN_WARRANTY.format(1)).status_code == 200
    other = post(IN_WARRANTY.format(2))
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
