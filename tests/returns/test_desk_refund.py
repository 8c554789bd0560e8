"""Within its window an e-commerce no-reason return is handled by the e-commerce desk without a further approval
(售后客返品管理流程 5.1.2: 电商自行办理退款): the desk records the refund itself, by the same path as finance and
the same unit accounting; any other refund (another line, a late line a manager allowed, another channel) is
finance's, and the desk is refused with `desk_refund_not_allowed`."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.returns.models import ReturnLine
from tests.flows import FUNCTION_FAULT, allowed, line

pytestmark = pytest.mark.django_db


def _ago(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


def _no_reason(**fields):
    return line(quantity=1, outcome="refund", reason="no_reason", defect_description="七天无理由",
                unit_price="899.00", **fields)


def _decide(flow, detail, case, disposition="defective_stock"):
    ids = [u["id"] for u in detail(case)["units"]]
    flow("quality", "inspect", case, unit_ids=ids, result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=ids, disposition=disposition)
    return ids


def test_the_desk_refunds_its_no_reason_line_within_the_window_and_no_other(received, flow, refused, detail,
                                                                             timeline, browser_as):
    lines = [_no_reason(), line(quantity=1, outcome="refund", reason="quality", unit_price="500.00")]
    case, _ids = received(lines, customer="C-BOB", channel="ecommerce", delivered_date=_ago(3))
    refused("ecommerce", "settle_refund", case, 409, "refund_units_undecided", line=1)  # the same unit accounting
    _decide(flow, detail, case)
    assert "settle_refund" in allowed(detail(case, role="ecommerce"))
    assert case["number"] in browser_as("ecommerce").get("/").content.decode()  # the desk's inbox
    refused("ecommerce", "settle_refund", case, 403, "desk_refund_not_allowed", line=2)  # a quality return
    refused("ecommerce", "settle_refund", case, 400, "invalid", line=1, deduction="50")  # no reason for it
    flow("ecommerce", "settle_refund", case, line=1, deduction="20.00", deduction_reason="缺少说明书")
    row = ReturnLine.objects.get(return_case_id=case["id"], line_no=1)
    assert (row.refund_amount, row.refunded_at is not None) == (Decimal("879.00"), True)
    assert timeline(case)[-1]["changes"]["by"] == "ecommerce"
    # Its own line refunded, nothing is left for the desk; finance refunds the other.
    refused("ecommerce", "settle_refund", case, 403, "desk_refund_not_allowed", line=2)
    assert "settle_refund" not in allowed(detail(case, role="ecommerce"))
    assert case["number"] not in browser_as("ecommerce").get("/").content.decode()
    flow("finance", "settle_refund", case, line=2)
    assert detail(case)["state"] == "settled"


def test_a_late_line_a_manager_allowed_is_finances_to_refund(new_case, flow, refused, detail, product_models):
    case = new_case(customer="C-BOB", channel="ecommerce", delivered_date=_ago(10), lines=[_no_reason()])
    flow("manager", "override_window", case, line=1, comment="物流延误，客户已提供证明")
    flow("service", "submit", case)
    flow("service", "approve", case)
    flow("warehouse", "start_receiving", case)
    flow("warehouse", "receive", case, items=[{"line": 1, "quantity": 1}])
    flow("warehouse", "close_receipt", case)
    _decide(flow, detail, case)
    assert "settle_refund" not in allowed(detail(case, role="ecommerce"))
    refused("ecommerce", "settle_refund", case, 403, "desk_refund_not_allowed", line=1)
    flow("finance", "settle_refund", case, line=1)


def test_the_desk_does_not_refund_a_dealers_line(received, flow, refused, detail):
    case, _ids = received([line(quantity=1, outcome="refund", reason="no_reason", unit_price="100.00")])
    _decide(flow, detail, case)
    refused("ecommerce", "settle_refund", case, 403, "desk_refund_not_allowed", line=1)
    refused("warehouse", "settle_refund", case, 403, "permission_denied", line=1)
    flow("finance", "settle_refund", case, line=1)
