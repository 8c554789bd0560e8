"""What the customer is promised: where and how to send the goods (the approval notice: the after-sales
warehouse's address from master data, what to enclose by policy), the return date agreed for an
in-warranty repair (出货时限), and a reworked batch's delivery date once its first article passes
(客退返工品处理流程); each shown to the customer in the portal."""

import pytest

from aftersales.masterdata.models import Warehouse
from aftersales.returns.models import CustomerNotice
from tests.flows import FUNCTION_FAULT, IN_WARRANTY, OUT_OF_WARRANTY, line, record

pytestmark = pytest.mark.django_db

ADDRESS = {"address": "浙江省台州市温岭市东部新区金塘北路 88 号 售后仓", "receiver": "王仓管", "phone": "0576-86000000"}


def test_the_approval_notice_says_where_and_how_to_send_the_goods(new_case, flow, api, detail, registry):
    warehouse = Warehouse.objects.get(kind="after_sales")
    refused = api("service").patch(f"/api/v1/warehouses/{warehouse.pk}/", ADDRESS, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert api("manager").patch(f"/api/v1/warehouses/{warehouse.pk}/", ADDRESS, format="json").status_code == 200
    too_long = api("manager").patch(f"/api/v1/warehouses/{warehouse.pk}/", {"phone": "1" * 41}, format="json")
    assert (too_long.status_code, too_long.json()["code"]) == (400, "invalid")
    changed = api("manager").patch("/api/v1/policies/enclose_invoice/", {"value": False, "reason": "直营客户无发票"},
                                   format="json")
    assert changed.status_code == 200, changed.json()

    case = new_case(role="alice")
    flow("alice", "submit", case)
    flow("service", "approve", case)
    (notice,) = [n for n in detail(case, role="alice")["notices"] if n["kind"] == "decision"]
    assert notice["content"]["send_to"] == {"name": warehouse.name, **ADDRESS}
    assert notice["content"]["enclose"] == ["return_note", "original_packaging"]
    page = api("alice").get(f"/api/v1/cases/{case['id']}/").json()
    assert page["notices"][-1]["content"]["send_to"]["address"] == ADDRESS["address"]


@pytest.fixture
def in_warranty_repair(received, flow):
    case, (unit_id,) = received()
    flow("quality", "inspect", case, unit_ids=[unit_id], result=FUNCTION_FAULT)
    return case, unit_id


def test_an_in_warranty_repair_carries_the_return_date_agreed(in_warranty_repair, flow, refused, detail,
                                                              browser_as):
    case, unit_id = in_warranty_repair
    refused("service", "agree_return_date", case, 409, "invalid_state", date="2199-01-10")  # not disposed yet
    flow("quality", "dispose", case, unit_ids=[unit_id], disposition="repair")
    refused("quality", "agree_return_date", case, 403, "permission_denied", date="2199-01-10")
    refused("alice", "agree_return_date", case, 403, "permission_denied", date="2199-01-10")
    refused("service", "agree_return_date", case, 400, "invalid", date="2020-01-10")  # past
    refused("service", "agree_return_date", case, 400, "invalid", date="soon")
    refused("service", "agree_return_date", case, 400, "invalid")
    flow("service", "agree_return_date", case, date="2199-01-10", comment="客户来电确认")
    seen = detail(case, role="alice")
    assert seen["agreed_return_date"] == "2199-01-10"
    assert seen["notices"][-1]["kind"] == "return_date" and seen["notices"][-1]["content"]["date"] == "2199-01-10"
    page = browser_as("alice").get(f"/cases/{case['id']}/").content.decode()
    assert "2199-01-10" in page


def test_no_return_date_without_an_in_warranty_repair(received, flow, refused):
    case, (unit_id,) = received(lines=[line(serials=[OUT_OF_WARRANTY.format(1)])])
    flow("quality", "inspect", case, unit_ids=[unit_id], result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=[unit_id], disposition="return_as_is")
    refused("service", "agree_return_date", case, 409, "no_in_warranty_repair", date="2199-01-10")


def test_the_customer_is_told_the_batch_delivery_date_after_the_first_article(disposed, post, parts, detail):
    case, ids = disposed([IN_WARRANTY.format(n) for n in range(1, 4)])
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids, "is_batch": True}, expect=201)
    post("repair", f"repair-orders/{order['id']}/plan/", {"expected_finish": order["due_at"]})
    post("repair", f"repair-orders/{order['id']}/start/")
    post("repair", f"repair-orders/{order['id']}/records/", {"records": [record(ids[0])]})
    post("quality", f"repair-orders/{order['id']}/first-article/", {"passed": False, "notes": "仍不加热"})
    assert not CustomerNotice.objects.filter(kind="delivery").exists()  # failed: nothing promised
    post("repair", f"repair-orders/{order['id']}/records/", {"records": [record(ids[0])]})
    post("service", f"repair-orders/{order['id']}/first-article/", {"passed": True}, expect=403,
         code="permission_denied")
    post("quality", f"repair-orders/{order['id']}/first-article/", {"passed": True})
    delivery = [n for n in detail(case, role="alice")["notices"] if n["kind"] == "delivery"]
    assert [(n["content"]["date"], n["content"]["order"], n["content"]["units"]) for n in delivery] == [
        (order["due_at"][:10], order["number"], 3)]
