"""Defects an outside test found by using the product (issue 10), each kept fixed here: one physical
unit on one open case, refunds of what was announced, customers kept apart, malformed requests."""

from decimal import Decimal

import pytest

from aftersales.inventory.models import StockBalance, StockMove
from aftersales.masterdata.models import ShippedUnit
from aftersales.returns.models import ReturnCase, ReturnUnit
from tests.flows import FUNCTION_FAULT, IN_WARRANTY, SHIP, allowed, footprint, line

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _models(product_models):
    """Every case here returns HT-2000 units."""


def _after_sales_stock(serial: str) -> int:
    return StockBalance.objects.get(warehouse__code="AS", product_model__code="HT-2000").quantity


# --- 1. one physical unit, one open case ---

def test_a_serial_on_an_open_case_is_refused_at_submit(new_case, flow, detail, api, registry):
    serial = IN_WARRANTY.format(7)
    first = new_case(lines=[line(serials=[serial])])
    flow("service", "submit", first)
    second = new_case(lines=[line(serials=[IN_WARRANTY.format(8)]), line(serials=[serial])])
    response = api("service").post(f"/api/v1/cases/{second['id']}/actions/submit/", {}, format="json")
    body = response.json()
    assert (response.status_code, body["code"]) == (409, "serial_on_open_case")
    assert body["details"]["cases"] == {serial: first["number"]}
    assert list(body["details"]["lines"]) == ["2"]  # the line that lists it, as the note numbers it
    assert detail(second)["state"] == "draft" and not ReturnUnit.objects.filter(return_case_id=second["id"]).exists()
    # Once the first case lets the unit go (cancelled here), the serial may be applied for again.
    flow("service", "cancel", first)
    flow("service", "submit", second)
    assert detail(second)["state"] == "submitted"


def test_a_rejected_application_lets_its_serials_go(new_case, flow, registry):
    serial = IN_WARRANTY.format(7)
    first = new_case(lines=[line(serials=[serial])])
    flow("service", "submit", first)
    flow("service", "reject", first, comment="不符合退货条件")
    second = new_case(lines=[line(serials=[serial])])
    flow("service", "submit", second)


def test_a_unit_received_on_one_case_is_not_received_on_another(received, new_case, flow, detail, registry):
    serial = IN_WARRANTY.format(7)
    first, _ids = received(lines=[line(serials=[serial])])
    assert _after_sales_stock(serial) == 1
    # A second note for the same goods, applied for without the serial (a quantity line of the model).
    second = new_case(lines=[line(quantity=1)])
    flow("service", "submit", second)
    flow("service", "approve", second)
    flow("warehouse", "start_receiving", second)
    answer = flow("warehouse", "receive", second, items=[{"serial": serial}])
    assert answer["results"] == [{"serial": serial, "result": "serial_on_open_case", "case": first["number"]}]
    assert not ReturnUnit.objects.filter(return_case_id=second["id"]).exists()
    assert StockMove.objects.filter(kind="return_receipt", serial=serial).count() == 1
    assert _after_sales_stock(serial) == 1
    differences = detail(second)["discrepancies"]
    assert [(d["kind"], d["serial"]) for d in differences] == [("unmatched", serial)]


# --- 2. the refund is what the note announced and quality took back ---

def test_an_extra_unit_on_a_refund_line_is_decided_on_its_own_and_not_refunded(new_case, flow, detail, refused,
                                                                                 registry):
    announced, extra = IN_WARRANTY.format(11), IN_WARRANTY.format(12)
    lines = [line(serials=[announced], outcome="refund", unit_price="500.00")]
    case = new_case(lines=lines)
    flow("service", "submit", case)
    flow("service", "approve", case)
    flow("warehouse", "start_receiving", case)
    flow("warehouse", "receive", case, items=[{"serial": announced}, {"serial": extra}])
    flow("warehouse", "close_receipt", case)
    units = {u["serial"]: u for u in detail(case)["units"]}
    assert units[extra]["is_extra"] and not units[announced]["is_extra"]
    flow("quality", "inspect", case, unit_ids=[u["id"] for u in units.values()], result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=[units[announced]["id"]], disposition="defective_stock")
    # The extra unit is undecided: the refund waits.
    body = refused("finance", "settle_refund", case, 409, "refund_units_undecided", line=1)
    assert body["details"]["unit_ids"] == [units[extra]["id"]]
    # An extra on a refund line goes back as it came (nobody paid for it), nothing else.
    refused("quality", "dispose", case, 400, "invalid", unit_ids=[units[extra]["id"]], disposition="resale")
    flow("quality", "dispose", case, unit_ids=[units[extra]["id"]], disposition="return_as_is")
    flow("finance", "settle_refund", case, line=1)
    data = detail(case)
    assert data["lines"][0]["refund_amount"] == "500.00"  # 1 × 500.00 announced, not 1000.00
    flow("warehouse", "ship_back", case, unit_ids=[units[extra]["id"]], **SHIP)
    assert detail(case)["state"] == "settled"


# --- 5, 6. a serial registered to another customer ---

@pytest.fixture
def bobs_unit(customers, product_models):
    customers["bob"].warranty_extension_months = 24
    customers["bob"].save()
    customers["alice"].warranty_extension_months = 0
    customers["alice"].save()
    return ShippedUnit.objects.create(serial="HTBOB00001", product_model=product_models["HT-2000"],
                                      customer=customers["bob"], production_lot="250101-1",
                                      shipped_date="2025-01-01")


def test_a_customer_learns_nothing_of_a_unit_shipped_to_another(new_case, flow, api, bobs_unit):
    case = new_case(role="alice", lines=[line(serials=[bobs_unit.serial])])
    flow("alice", "submit", case)
    seen = api("alice").get(f"/api/v1/cases/{case['id']}/").json()
    (unit,) = seen["units"]
    assert unit["in_registry"] is False
    assert unit["warranty"]["status"] == "unknown" and unit["warranty"]["until"] is None
    assert "2025" not in str(unit) and "C-BOB" not in str(seen)
    assert "registered_to_other_customer" not in unit and "registered_to_other_customers" not in seen["lines"][0]
    # Service sees whose unit it is, on the unit and on the line.
    staff = api("service").get(f"/api/v1/cases/{case['id']}/").json()
    assert staff["units"][0]["registered_to_other_customer"] == "C-BOB"
    assert staff["lines"][0]["registered_to_other_customers"] == [{"serial": bobs_unit.serial, "customer": "C-BOB"}]


def test_the_warranty_follows_the_terms_of_the_registered_customer(new_case, flow, api, bobs_unit, customers):
    customers["alice"].warranty_extension_months = 60  # the applicant's long extension does not apply
    customers["alice"].save()
    case = new_case(lines=[line(serials=[bobs_unit.serial])])
    flow("service", "submit", case)
    warranty = api("service").get(f"/api/v1/cases/{case['id']}/").json()["units"][0]["warranty"]
    # Shipped 2025-01-01 to Bob: 12 months + Bob's 24 = until 2027-12-31, whatever Alice's terms are.
    assert (warranty["status"], warranty["until"]) == ("in", "2027-12-31")
    assert any("24" in reason for reason in warranty["reasons"])


# --- 7. one selector decides what a customer sees ---

def test_a_customer_sees_only_its_own_steps_and_no_staff_names(new_case, flow, api, registry):
    case = new_case(role="alice")
    flow("alice", "submit", case)
    flow("service", "approve", case)
    staff = api("service").get(f"/api/v1/cases/{case['id']}/").json()
    assert {d["role"] for d in staff["deadlines"]} >= {"service"}
    seen = api("alice").get(f"/api/v1/cases/{case['id']}/").json()
    assert all(d["role"] == "customer" for d in seen["deadlines"])
    assert [a["by"] for a in seen["approvals"]] == [None] and seen["created_by"] is None
    timeline = api("alice").get(f"/api/v1/cases/{case['id']}/timeline/").json()["results"]
    assert [e["by"] for e in timeline] == [None, None, None]
    assert [e["by"] for e in api("service").get(f"/api/v1/cases/{case['id']}/timeline/").json()["results"]] == [
        "alice", "alice", "service"]


# --- 15. malformed but plausible requests ---

@pytest.mark.parametrize("path", ["abc", "null,null", "²", "1e3", "-1", str(2**31), str(2**64), str(2**70)])
def test_ids_that_are_no_case_are_404(api, path):
    for suffix in ("", "timeline/", "inspection-report/"):
        response = api("service").get(f"/api/v1/cases/{path}/{suffix}")
        assert response.status_code == 404, (path, suffix, response.content[:200])
    response = api("service").post(f"/api/v1/cases/{path}/actions/submit/", {}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("query", ["²", "abc", str(2**64), "1,2"])
def test_an_id_in_a_query_that_is_no_id_finds_nothing(api, query):
    assert api("planning").get("/api/v1/repair-orders/", {"case": query}).status_code == 200
    assert api("service").get("/api/v1/quotes/", {"case": query}).status_code == 404


@pytest.mark.parametrize("body", [[1, 2], "submit", 5])
def test_an_action_body_that_is_no_object_is_refused(new_case, api, body):
    case = new_case()
    before = footprint(case["id"])
    response = api("service").post(f"/api/v1/cases/{case['id']}/actions/submit/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid"), response.json()
    assert footprint(case["id"]) == before


@pytest.mark.parametrize("comment", [{"text": "x"}, ["x"], 12, "x" * 5001])
def test_a_comment_that_is_not_text_or_too_long_is_refused(new_case, flow, refused, comment):
    case = new_case()
    flow("service", "submit", case)
    body = refused("service", "reject", case, 400, "invalid", comment=comment)
    assert "comment" in body["details"]


@pytest.mark.parametrize("quantity", [10**12, 2**31, 2**64, 100_001])
def test_quantities_past_what_a_return_holds_are_refused_on_every_database(api, quantity):
    response = api("service").post("/api/v1/cases/", {"customer": "C-ALICE", "lines": [line(quantity=quantity)]},
                                   format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert "quantity" in response.json()["details"]["lines"]["0"]
    assert not ReturnCase.objects.exists()


@pytest.mark.parametrize("unit_ids", [[2**31], [2**64], [2**70], ["²"], [True], [1.5], "1,2"])
def test_unit_ids_past_the_key_range_are_refused(received, api, registry, unit_ids):
    case, ids = received()
    before = footprint(case["id"])
    response = api("quality").post(f"/api/v1/cases/{case['id']}/actions/inspect/",
                                   {"unit_ids": unit_ids, "result": FUNCTION_FAULT}, format="json")
    assert response.status_code in (400, 404) and response.json()["code"] in ("invalid", "not_found"), response.json()
    assert footprint(case["id"]) == before


@pytest.mark.parametrize("item", [{"line": 1, "quantity": 10**12}, {"line": [1], "quantity": 1},
                                  {"serial": {"x": 1}}, {"serial": "S", "product_model": ["HT-2000"]},
                                  {"serial": "S" * 81}])
def test_receiving_items_of_the_wrong_shape_are_refused(new_case, flow, refused, item):
    case = new_case(lines=[line(quantity=2)])
    flow("service", "submit", case)
    flow("service", "approve", case)
    flow("warehouse", "start_receiving", case)
    refused("warehouse", "receive", case, 400, "invalid", items=[item])


def test_a_nul_character_is_refused_before_any_view(api, new_case):
    response = api("service").get("/api/v1/cases/", {"search": "HT\x00"})
    assert (response.status_code, response.json()["code"]) == (400, "null_character")
    case = new_case()
    response = api("service").post(f"/api/v1/cases/{case['id']}/actions/submit/", {"comment": "a\x00b"},
                                   format="json")
    assert (response.status_code, response.json()["code"]) == (400, "null_character")
    assert footprint(case["id"])["case"][0] == "draft"


@pytest.mark.parametrize("params", [{"date": "2026-02-30"}, {"date": "9999-12-31"}, {"date": "²"}])
def test_impossible_or_far_dates_are_400(api, params):
    response = api("quality").get("/api/v1/repair-daily-report/", params)
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_a_grade_longer_than_its_column_is_refused_not_a_server_error(received, refused, registry):
    case, ids = received()
    refused("quality", "inspect", case, 400, "invalid", unit_ids=ids, result={**FUNCTION_FAULT, "grade": "A" * 11})


def test_the_refund_counts_units_not_money_typed_twice(received, flow, detail, registry):
    case, ids = received(lines=[line(serials=[IN_WARRANTY.format(n) for n in (1, 2)], outcome="refund",
                                     unit_price="120.00")])
    flow("quality", "inspect", case, unit_ids=ids, result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=ids, disposition="defective_stock")
    flow("finance", "settle_refund", case, line=1, deduction="20", deduction_reason="缺少配件")
    assert Decimal(detail(case)["lines"][0]["refund_amount"]) == Decimal("220.00")
    assert "settle_refund" not in allowed(detail(case, role="finance"))


def test_an_approved_case_whose_note_is_incomplete_goes_back_to_be_completed(new_case, flow, api, registry):
    """Approved with a line lacking its production lot, the case could only be cancelled: receiving refuses an
    incomplete note. Service returns it for correction; completed and submitted again, it is approved anew."""
    case = new_case(lines=[line(serials=[IN_WARRANTY.format(1)], production_lot="")])
    flow("service", "submit", case)
    flow("service", "approve", case)
    refused = flow("warehouse", "start_receiving", case, expect=409)
    assert refused["code"] == "return_note_incomplete"
    assert "return_for_correction" in {a["action"] for a in api("service").get(
        f"/api/v1/cases/{case['id']}/").json()["allowed_actions"]}
    flow("warehouse", "return_for_correction", case, expect=403, comment="缺少生产批号")
    flow("service", "return_for_correction", case, comment="缺少生产批号")
    patched = api("service").patch(f"/api/v1/cases/{case['id']}/", {"lines": [
        line(serials=[IN_WARRANTY.format(1)], production_lot="260910-1")]}, format="json")
    assert patched.status_code == 200, patched.json()
    flow("service", "submit", case)
    assert ReturnCase.objects.get(pk=case["id"]).state == "submitted"  # its approval asked again
    flow("service", "approve", case)
    assert flow("warehouse", "start_receiving", case)["state"] == "receiving"
