"""A replacement unit's serial: checked against finished-goods stock (refused when not in it), and
registered in the units registry as shipped to the customer that day, beside the faulty unit it
replaces, so that its own warranty starts and its history joins the faulty unit's."""

from collections import Counter

import pytest
from django.utils import timezone

from aftersales.core.policies import policy_update
from aftersales.masterdata.models import ShippedUnit

from tests.flows import FUNCTION_FAULT, IN_WARRANTY, SHIP, line

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.flows"]


@pytest.fixture
def to_settle(received, flow):
    """An exchange line's unit received, inspected and disposed for replacement, waiting to be settled."""

    def make(serial=IN_WARRANTY.format(3)):
        case, (unit_id,) = received(lines=[line(serials=[serial], outcome="exchange")], approvers=("service", "manager"))
        flow("quality", "inspect", case, unit_ids=[unit_id], result=FUNCTION_FAULT)
        flow("quality", "dispose", case, unit_ids=[unit_id], disposition="replace")
        return case, unit_id

    return make


def test_a_serial_not_in_finished_goods_is_refused(to_settle, refused, flow, detail, stock, finished_goods, registry):
    case, unit_id = to_settle()
    # Finished goods hold units (100), but not this serial: 409, nothing written.
    body = refused("warehouse", "settle_exchange", case, 409, "replacement_not_in_stock", unit_ids=[unit_id],
                   new_serial="HT2611NOPE01", **SHIP)
    assert body["details"]["serials"] == ["HT2611NOPE01"]
    assert not ShippedUnit.objects.filter(serial="HT2611NOPE01").exists()
    # The same serial twice in one settlement is one unit: the second is refused as well.
    flow("warehouse", "settle_exchange", case, unit_ids=[unit_id], new_serial=finished_goods[0], **SHIP)
    assert stock() == Counter({"FG": 99, "DF": 1})


def test_a_shipped_serial_is_out_of_stock_for_the_next_exchange(to_settle, refused, flow, finished_goods, registry):
    first, first_unit = to_settle(IN_WARRANTY.format(3))
    second, second_unit = to_settle(IN_WARRANTY.format(4))
    flow("service", "settle_exchange", first, unit_ids=[first_unit], new_serial=finished_goods[0], **SHIP)
    refused("service", "settle_exchange", second, 409, "replacement_not_in_stock", unit_ids=[second_unit],
            new_serial=finished_goods[0], **SHIP)
    flow("service", "settle_exchange", second, unit_ids=[second_unit], new_serial=finished_goods[1], **SHIP)


def test_the_replacement_is_registered_to_the_customer_today_and_joins_the_faulty_units_history(
        to_settle, flow, new_case, detail, api, finished_goods, registry):
    old_serial, new_serial = IN_WARRANTY.format(3), finished_goods[0]
    case, unit_id = to_settle(old_serial)
    flow("warehouse", "settle_exchange", case, unit_ids=[unit_id], new_serial=new_serial, **SHIP)

    # The registry: shipped to Alice today under the case's number, beside the unit it replaces.
    found = api("service").get("/api/v1/units/", {"serial": new_serial}).json()["results"]
    assert [(u["customer"], u["shipped_date"], u["sales_order"], u["replaces"]) for u in found] == [
        ("C-ALICE", timezone.localdate().isoformat(), case["number"], old_serial)]
    old = api("service").get("/api/v1/units/", {"serial": old_serial}).json()["results"]
    assert [u["replaced_by"] for u in old] == [[new_serial]]
    # Alice sees her new unit; Bob does not.
    assert len(api("alice").get("/api/v1/units/", {"serial": new_serial}).json()["results"]) == 1
    assert api("bob").get("/api/v1/units/", {"serial": new_serial}).json()["results"] == []

    # The history, both ways: the faulty serial names its replacement, the replacement the faulty unit.
    history = api("service").get("/api/v1/service-history/", {"serial": old_serial}).json()["entries"]
    assert [(h["role"], h["replacement_serial"]) for h in history] == [("returned", new_serial)]
    history = api("alice").get("/api/v1/service-history/", {"serial": new_serial}).json()["entries"]
    assert [(h["role"], h["serial"]) for h in history] == [("replacement", old_serial)]

    # Its own warranty: when it comes back, the registry finds it, in warranty from today.
    flow("service", "close", case)
    again = new_case(lines=[line(serials=[new_serial])])
    flow("service", "submit", again)
    unit = detail(again)["units"][0]
    assert unit["in_registry"] is True
    flow("service", "approve", again)
    flow("warehouse", "start_receiving", again)
    flow("warehouse", "receive", again, items=[{"serial": new_serial}])
    flow("warehouse", "close_receipt", again)
    flow("quality", "inspect", again, unit_ids=[unit["id"]], result=FUNCTION_FAULT)
    unit = detail(again)["units"][0]
    assert unit["warranty"]["status"] == "in"


def test_units_shipped_ahead_are_checked_registered_and_matched(new_case, flow, detail, refused, api, stock, users,
                                                               finished_goods, registry):
    policy_update(actor=users["manager"], key="batch_threshold_per_model_per_day", new_value=3)
    # the approvals are not what this test is about: the manager may give every kind
    policy_update(actor=users["manager"], key="approver_may_give_several_kinds", new_value=True)
    serials = [IN_WARRANTY.format(n) for n in range(5)]
    note = line(serials=serials, outcome="exchange")
    case = new_case(lines=[note])
    flow("service", "submit", case)
    for _ in detail(case)["pending_approvals"]:
        flow("manager", "approve", case)
    assert detail(case)["state"] == "approved"
    refused("service", "ship_exchange_in_advance", case, 409, "replacement_not_in_stock", line=1,
            serials=[finished_goods[0], "NOT-IN-FG"])
    flow("service", "ship_exchange_in_advance", case, line=1, serials=finished_goods[:2], **SHIP)
    assert stock() == Counter({"FG": 98})
    registered = {u["serial"]: u for u in api("service").get("/api/v1/units/", {"sales_order": case["number"]})
                  .json()["results"]}
    assert set(registered) == set(finished_goods[:2])
    assert {u["replaces"] for u in registered.values()} == {None}  # no faulty unit is matched yet
    shipped_on = registered[finished_goods[0]]["shipped_date"]

    flow("warehouse", "start_receiving", case)
    flow("warehouse", "receive", case, items=[{"serial": s} for s in serials])
    flow("warehouse", "close_receipt", case)
    ids = [u["id"] for u in detail(case)["units"]]
    flow("quality", "inspect", case, unit_ids=ids, result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=ids, disposition="replace")
    flow("warehouse", "settle_exchange", case, unit_ids=ids[:3], new_serials={str(ids[2]): finished_goods[2]})
    units = detail(case)["units"]
    replaced = {u["replacement_serial"]: u["serial"] for u in units[:3]}
    for new_serial, old_serial in replaced.items():
        (found,) = api("service").get("/api/v1/units/", {"serial": new_serial}).json()["results"]
        assert (found["replaces"], found["customer"]) == (old_serial, "C-ALICE")
    # Shipped ahead: its warranty runs from the day it was shipped, kept when it is matched.
    (ahead,) = api("service").get("/api/v1/units/", {"serial": finished_goods[0]}).json()["results"]
    assert ahead["shipped_date"] == shipped_on


def test_production_receipts_by_serial_through_the_api(api, stock, product_models):
    response = api("warehouse").post("/api/v1/stock/production-receipts/",
                                     {"product_model": "HT-2000", "serials": ["FG-1", "FG-2"]}, format="json")
    assert response.status_code == 201, response.json()
    assert stock() == Counter({"FG": 2})
    again = api("warehouse").post("/api/v1/stock/production-receipts/",
                                  {"product_model": "HT-2000", "serials": ["FG-2", "FG-3"]}, format="json")
    assert (again.status_code, again.json()["code"]) == (400, "invalid")
    twice = api("warehouse").post("/api/v1/stock/production-receipts/",
                                  {"product_model": "HT-2000", "serials": ["FG-4", "FG-4"]}, format="json")
    assert (twice.status_code, twice.json()["code"]) == (400, "invalid")
    assert stock() == Counter({"FG": 2})
    refused = api("service").post("/api/v1/stock/production-receipts/",
                                  {"product_model": "HT-2000", "serials": ["FG-5"]}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
