"""A unit under repair redisposed to a refund (售后返退货流程描述 四.2, issue 13): the customer consents (it asked for
its unit back), the unit leaves its rework order (an order left empty is cancelled and its material released),
and the line's refund waits for finance, who records it: the unit then leaves the case into defective stock."""

from decimal import Decimal

import pytest

from aftersales.core.models import StateChange
from aftersales.repairs.models import MaterialRequest, OrderUnit, RepairOrder
from aftersales.returns.models import ReturnLine, ReturnUnit
from tests.flows import IN_WARRANTY, allowed, notice_kinds

pytestmark = pytest.mark.django_db

SERIALS = [IN_WARRANTY.format(n) for n in (1, 2)]
REASON = "台架复测：内胆渗漏，客户同意退款"


def _set_price(case, price="880.00"):
    ReturnLine.objects.filter(return_case_id=case["id"]).update(unit_price=Decimal(price))


def _unit(detail, case, unit_id):
    return next(u for u in detail(case)["units"] if u["id"] == unit_id)


def test_a_unit_in_work_redisposed_to_refund_leaves_its_order_and_finance_refunds_it(
        disposed, flow, refused, detail, post, parts, stock, timeline, browser_as):
    case, ids = disposed(SERIALS)
    _set_price(case)
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=201)
    request = post("repair", "material-requests/", {"order": order["id"], "lines": [
        {"part": "HT-ELEM", "quantity": 2}]}, expect=201)
    post("purchasing", f"material-requests/{request['id']}/decide/", {"approve": True})
    post("repair", f"repair-orders/{order['id']}/start/")
    # Finance has nothing to refund on a repair line yet.
    refused("finance", "settle_refund", case, 409, "no_refund_pending", line=1)

    flow("quality", "redispose", case, unit_ids=ids[:1], disposition="refund", reason=REASON)
    unit = _unit(detail, case, ids[0])
    assert (unit["state"], unit["disposition"]) == ("waiting_customer", "refund")
    notice = detail(case, role="alice")["notices"][-1]
    assert (notice["kind"], notice["content"]["consent_needed"]) == ("redisposed", ids[:1])
    assert notice["content"]["changes"][str(ids[0])] == {"from": "repair", "to": "refund"}
    # The unit left its order; the other is still worked on it.
    assert list(OrderUnit.objects.filter(order_id=order["id"]).values_list("unit_id", flat=True)) == ids[1:]
    left = StateChange.objects.filter(machine="repair_order", subject_id=order["id"], action="units_leave").get()
    assert (left.to_state, left.changes["unit_ids"]) == ("in_progress", ids[:1])
    # Not refundable before the customer consents; another customer cannot consent.
    refused("finance", "settle_refund", case, 409, "no_refund_pending", line=1)
    refused("bob", "give_consent", case, 404, "not_found", unit_ids=ids[:1])
    flow("alice", "give_consent", case, unit_ids=ids[:1])
    unit = _unit(detail, case, ids[0])
    assert unit["state"] == "ready_to_settle"
    assert "settle_refund" in allowed(detail(case, role="finance"))
    assert case["number"] in browser_as("finance").get("/").content.decode()  # finance's inbox: the refund to do
    # Waiting for its refund, it is not exchanged.
    refused("service", "settle_exchange", case, 409, "unit_awaits_refund", unit_ids=ids[:1], new_serial="X1")
    refused("service", "settle_refund", case, 403, "permission_denied", line=1)
    refused("finance", "settle_refund", case, 400, "invalid", line=1, deduction="900.00", deduction_reason="x")

    before = stock()
    answer = flow("finance", "settle_refund", case, line=1, deduction="30.00", deduction_reason="缺少遥控器")
    unit = _unit(detail, case, ids[0])
    assert (unit["state"], unit["exit"]) == ("done", "refunded_into_stock")
    assert stock() - before == {"DF": 1} and before - stock() == {"AS": 1}
    row = ReturnLine.objects.get(return_case_id=case["id"])
    assert (row.refund_amount, row.refund_deduction, row.refunded_at is not None) == (
        Decimal("850.00"), Decimal("30.00"), True)
    refund = detail(case, role="alice")["notices"][-1]
    assert (refund["kind"], refund["content"]["amount"], refund["content"]["unit_ids"]) == ("refund", "850.00", ids[:1])
    assert timeline(case)[-1]["unit_ids"] == ids[:1]
    assert answer["state"] == detail(case)["state"] != "settled"  # the other unit is still in work
    refused("finance", "settle_refund", case, 409, "no_refund_pending", line=1)  # nothing more to refund
    assert case["number"] not in browser_as("finance").get("/").content.decode()

    # The other unit follows: its order is left empty, so it is cancelled and its material released.
    flow("quality", "redispose", case, unit_ids=ids[1:], disposition="refund", reason=REASON)
    assert RepairOrder.objects.get(pk=order["id"]).state == "cancelled"
    assert MaterialRequest.objects.get(pk=request["id"]).state == "released"
    flow("alice", "give_consent", case, unit_ids=ids[1:])
    flow("finance", "settle_refund", case, line=1)
    row.refresh_from_db()
    assert row.refund_amount == Decimal("1730.00")  # both rounds
    assert detail(case)["state"] == "settled"
    assert set(ReturnUnit.objects.filter(pk__in=ids).values_list("exit", flat=True)) == {"refunded_into_stock"}


def test_refusing_the_refund_the_customer_gets_its_unit_back_as_it_is(disposed, flow, detail):
    case, ids = disposed(SERIALS[:1], disposition="replace")
    flow("quality", "redispose", case, unit_ids=ids, disposition="refund", reason=REASON)
    flow("alice", "refuse_consent", case, unit_ids=ids)
    unit = _unit(detail, case, ids[0])
    assert (unit["state"], unit["disposition"]) == ("ready_to_ship", "return_as_is")
    assert "redisposed" in notice_kinds(detail(case))


def test_a_refund_does_not_fit_a_refund_line(disposed, refused):
    case, ids = disposed(SERIALS[:1], disposition="scrap", outcome="refund")
    refused("quality", "redispose", case, 400, "invalid", unit_ids=ids, disposition="refund", reason=REASON)
