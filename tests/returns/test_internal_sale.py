"""Internal discounted sale (售后客退品处理规定 5.1.4.1) with its price, discount, buyer and date, seen by finance;
the customer's request to change the product (返品处理管理规定 6.1.4) is chargeable like an expired warranty."""

import pytest

from tests.flows import FUNCTION_FAULT, IN_WARRANTY, items_for, line

pytestmark = pytest.mark.django_db

SALE = {"price": "320.00", "discount_percent": "60", "buyer_kind": "employee", "buyer": "repair",
        "sold_on": "2026-12-01"}


@pytest.fixture
def inspected(new_case, flow, detail, registry):
    def make(outcome="refund", reason="quality", serial=IN_WARRANTY.format(1)):
        lines = [line(serials=[serial], outcome=outcome, reason=reason, unit_price="899.00")]
        case = new_case(lines=lines)
        for role, name, body in [("service", "submit", {}), ("service", "approve", {}),
                                 ("warehouse", "start_receiving", {}),
                                 ("warehouse", "receive", {"items": items_for(lines)}),
                                 ("warehouse", "close_receipt", {})]:
            flow(role, name, case, **body)
        ids = [u["id"] for u in detail(case)["units"]]
        flow("quality", "inspect", case, unit_ids=ids, result=FUNCTION_FAULT)
        return case, ids
    return make


def test_an_internal_sale_records_price_discount_buyer_and_date_for_finance(inspected, flow, refused, detail, api):
    case, ids = inspected()
    refused("quality", "dispose", case, 400, "invalid", unit_ids=ids, disposition="internal_sale")
    answer = refused("quality", "dispose", case, 400, "invalid", unit_ids=ids, disposition="internal_sale",
                     internal_sale={**SALE, "discount_percent": "120", "buyer": "nobody-here"})
    assert {"internal_sale.discount_percent", "internal_sale.buyer"} <= set(answer["details"])
    flow("quality", "dispose", case, unit_ids=ids, disposition="internal_sale", internal_sale=SALE)
    assert detail(case)["units"][0]["exit"] == "sold"
    assert api("warehouse").get("/api/v1/internal-sales/").status_code == 404
    sale = api("finance").get("/api/v1/internal-sales/").json()["results"][0]
    assert (sale["case"], sale["price"], sale["discount_percent"], sale["buyer_kind"], sale["buyer"],
            sale["sold_on"]) == (case["number"], "320.00", "60.00", "employee", "repair", "2026-12-01")


def test_an_internal_department_may_buy_and_a_repair_line_may_be_sold_with_consent(inspected, flow, detail, api):
    case, ids = inspected(outcome="repair")
    flow("quality", "dispose", case, unit_ids=ids, disposition="internal_sale",
         internal_sale={**SALE, "buyer_kind": "department", "buyer": "行政部"})
    assert detail(case)["units"][0]["state"] == "waiting_customer"  # the customer wanted it back
    flow("alice", "give_consent", case, unit_ids=ids)
    assert detail(case)["units"][0]["exit"] == "sold"
    sale = api("manager").get("/api/v1/internal-sales/").json()["results"][0]
    assert (sale["buyer_kind"], sale["buyer"]) == ("department", "行政部")


def test_a_request_to_change_the_product_is_chargeable_in_warranty(inspected, flow, detail):
    case, ids = inspected(outcome="repair", reason="change")
    unit = detail(case)["units"][0]
    assert unit["warranty"]["status"] == "in" and unit["warranty"]["chargeable"] is True
    assert any("6.1.4" in reason for reason in unit["warranty"]["reasons"])
    flow("quality", "dispose", case, unit_ids=ids, disposition="repair")
    assert detail(case)["units"][0]["state"] == "waiting_customer"  # the quote first
