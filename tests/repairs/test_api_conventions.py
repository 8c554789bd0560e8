"""Repair's share of the API conventions: conflicts with a unit's state are 409 with a stable code,
related records are named by code in answers and in error details."""

import pytest

from aftersales.repairs.models import RepairRecord

pytestmark = pytest.mark.django_db
SERIALS = [f"HT2609{n:04d}" for n in range(1, 4)]


def record(unit) -> dict:
    return {"unit": unit, "fault_found": "加热管断路", "action": "更换加热管", "labour_hours": "1.5"}


def test_records_for_units_that_cannot_take_one_now_are_409s_and_write_nothing(disposed, post):
    case, ids = disposed(SERIALS)
    _other, other_ids = disposed(["HT26090010"])
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids, "is_batch": True}, expect=201)
    records = f"repair-orders/{order['id']}/records/"
    post("repair", f"repair-orders/{order['id']}/start/")
    off = post("repair", records, {"records": [record(other_ids[0])]}, expect=409, code="unit_not_on_order")
    assert RepairRecord.objects.count() == 0
    assert off["code"] == "unit_not_on_order"
    assert off["details"]["records"]["0"]["code"] == "unit_not_on_order"
    waiting = post("repair", records, {"records": [record(ids[1])]}, expect=409, code="first_article_pending")
    assert waiting["code"] == "first_article_pending"
    assert post("repair", records, {"records": [{**record(ids[0]), "unit": "abc"}]}, expect=400, code="invalid")["code"] == "invalid"
    post("repair", records, {"records": [record(ids[0])]})  # the first article, now in final inspection
    again = post("repair", records, {"records": [record(ids[0])]}, expect=409, code="invalid_state")
    assert again["code"] == "invalid_state"
    # A well-formed body with a bad field is still a 400, whatever the units.
    assert post("repair", records, {"records": [{**record(other_ids[0]), "action": " "}]}, expect=400, code="invalid")["code"] == \
        "invalid"
    assert RepairRecord.objects.filter(order_id=order["id"]).count() == 1  # the refusals wrote nothing


def test_insufficient_stock_names_the_warehouse_and_the_part_by_code(disposed, post, parts):
    case, ids = disposed(SERIALS[:1])
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=201)
    post("repair", f"repair-orders/{order['id']}/start/")
    short = post("repair", f"repair-orders/{order['id']}/records/", {"records": [
        {**record(ids[0]), "parts": [{"part": "HT-ELEM", "quantity": 2}]}]}, expect=409, code="insufficient_stock")
    assert short["code"] == "insufficient_stock"
    assert short["details"]["shortages"] == [
        {"warehouse": "RM", "product_model": None, "part": "HT-ELEM", "available": 0, "needed": 2}]


def test_repair_answers_name_the_case_and_the_order_by_number(disposed, post, parts, api):
    case, ids = disposed(SERIALS[:1])
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=201)
    assert (order["case"], order["case_id"]) == (case["number"], case["id"])
    listed = api("planning").get("/api/v1/repair-orders/").json()["results"]
    assert [(o["number"], o["case"], o["case_id"]) for o in listed] == [(order["number"], case["number"], case["id"])]
    request = post("repair", "material-requests/", {"order": order["id"], "lines": [{"part": "HT-ELEM",
                                                                                     "quantity": 1}]}, expect=201)
    assert (request["order"], request["order_id"]) == (order["number"], order["id"])
    done = api("planning").get("/api/v1/repair-orders/", {"state": "done"}).json()
    assert done["count"] == 0 and api("planning").get("/api/v1/repair-orders/", {"case": case["id"]}).json()[
        "count"] == 1

