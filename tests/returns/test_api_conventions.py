"""The return case's share of the API conventions: a conflict with a record's state is a 409."""

import pytest

from tests.flows import FUNCTION_FAULT, IN_WARRANTY, line

pytestmark = pytest.mark.django_db


def test_a_line_refunded_twice_is_a_conflict_with_its_state(received, flow, refused, registry):
    case, ids = received(lines=[line(serials=[IN_WARRANTY.format(1)], outcome="refund", unit_price="120.00"),
                                line(serials=[IN_WARRANTY.format(2)], outcome="refund", unit_price="80.00")])
    flow("quality", "inspect", case, unit_ids=ids, result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=ids, disposition="defective_stock")
    flow("finance", "settle_refund", case, line=1)
    body = refused("finance", "settle_refund", case, 409, "invalid_state", line=1)  # line 2 still waits
    assert body["details"] == {"line": 1}
    refused("finance", "settle_refund", case, 400, "invalid", line=7)
    flow("finance", "settle_refund", case, line=2)
