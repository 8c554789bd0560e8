"""Found by trying the product (issue 10): the first-article gate holds on every endpoint, and the
repair daily report counts units, not records."""

import pytest
from django.utils import timezone

from aftersales.core.policies import policy_update

from tests.flows import FUNCTION_FAULT, line

from tests.flows import SERIALS, record, states

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch_order(disposed, post, parts):
    """A batch order of four units, started: its first article is in work, the rest wait."""
    case, ids = disposed(SERIALS)
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids, "is_batch": True}, expect=201)
    post("repair", f"repair-orders/{order['id']}/start/")
    return case, ids, order


def test_the_case_actions_are_no_side_door_round_the_first_article(batch_order, flow, detail, api):
    case, ids, order = batch_order
    assert states(ids) == ["in_work", "disposed", "disposed", "disposed"]
    offered = {a["action"]: a.get("unit_ids") for a in detail(case, role="repair")["allowed_actions"]}
    assert "start_work" not in offered and offered["finish_work"] == [ids[0]]
    refused = api("repair").post(f"/api/v1/cases/{case['id']}/actions/start_work/", {"unit_ids": ids[1:]},
                                 format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "first_article_pending")
    assert states(ids) == ["in_work", "disposed", "disposed", "disposed"]
    # The first article itself may be finished through the case; the others wait for quality's check.
    flow("repair", "finish_work", case, unit_ids=[ids[0]])
    assert api("repair").post(f"/api/v1/cases/{case['id']}/actions/start_work/", {"unit_ids": [ids[1]]},
                              format="json").json()["code"] == "first_article_pending"
    api("quality").post(f"/api/v1/repair-orders/{order['id']}/first-article/", {"passed": True}, format="json")
    flow("repair", "start_work", case, unit_ids=ids[1:])
    assert states(ids) == ["final_inspection", "in_work", "in_work", "in_work"]


def test_a_batch_case_is_worked_through_a_rework_order(received, flow, api, detail, users, registry):
    policy_update(actor=users["manager"], key="batch_threshold_per_model_per_day", new_value=2)
    case, ids = received(lines=[line(serials=SERIALS[:2])], approvers=("manager",))
    assert detail(case)["volume_class"] == "batch"
    flow("quality", "inspect", case, unit_ids=ids, result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=ids, disposition="repair")
    refused = api("repair").post(f"/api/v1/cases/{case['id']}/actions/start_work/", {"unit_ids": ids}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "batch_work_needs_order")
    assert states(ids) == ["disposed", "disposed"]


def test_a_sporadic_case_is_worked_without_an_order(disposed, flow):
    case, ids = disposed(SERIALS[:1])
    flow("repair", "start_work", case, unit_ids=ids)
    assert states(ids) == ["in_work"]


def test_the_daily_report_counts_a_reworked_first_article_once(batch_order, post, api):
    case, ids, order = batch_order
    post("repair", f"repair-orders/{order['id']}/records/", {"records": [record(ids[0])]})
    post("quality", f"repair-orders/{order['id']}/first-article/", {"passed": False, "notes": "仍不加热"})
    post("repair", f"repair-orders/{order['id']}/records/", {"records": [record(ids[0], labour_hours="0.5")]})
    post("quality", f"repair-orders/{order['id']}/first-article/", {"passed": True})
    post("repair", f"repair-orders/{order['id']}/records/", {"records": [record(pk) for pk in ids[1:]]})
    report = api("quality").get("/api/v1/repair-daily-report/", {"date": timezone.localdate().isoformat()}).json()
    (team,) = report["teams"]
    # Four units repaired, from five records: 1.5 + 0.5 + 3 × 1.5 hours.
    assert (report["repaired"], report["records"], report["labour_hours"]) == (4, 5, "6.50")
    assert (team["repaired"], team["labour_hours"]) == (4, "6.50")
