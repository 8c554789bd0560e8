"""Return windows that hold (售后客返品管理流程 5.1.2, 5.1.3; 服装返货流程 三.1): shown on the case and in the
portal with their end; a line outside its window refused at submit unless a manager allows it with a comment;
inside its window an e-commerce no-reason return is the e-commerce desk's own (no further approval)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from aftersales.masterdata.models import ProductModel
from aftersales.workcalendar.calendar import calendar_load
from tests.flows import line

pytestmark = pytest.mark.django_db


def _ago(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


def _no_reason(outcome="refund", **fields):
    return line(quantity=1, outcome=outcome, reason="no_reason", defect_description="七天无理由", unit_price="899.00",
                **fields)


@pytest.fixture
def ecommerce_case(new_case, product_models):
    def make(delivered_days_ago, outcome="refund", role="service"):
        return new_case(role=role, customer="C-BOB", channel="ecommerce", delivered_date=_ago(delivered_days_ago),
                        lines=[_no_reason(outcome)])
    return make


def test_window_and_its_end_shown_on_the_case_and_in_the_portal(ecommerce_case, detail, browser_as):
    case = ecommerce_case(3)
    window = detail(case)["lines"][0]["window_decision"]
    delivered = timezone.localdate() - timedelta(days=3)
    assert (window["window"], window["days"], window["working_days"]) == ("ecommerce_no_reason_return", 7, False)
    assert (window["deadline"], window["within"]) == ((delivered + timedelta(days=7)).isoformat(), True)
    assert detail(case, role="bob")["lines"][0]["window_decision"]["deadline"] == window["deadline"]
    page = browser_as("bob").get(f"/cases/{case['id']}/").content.decode()
    assert window["deadline"] in page


def test_inside_its_window_the_ecommerce_desk_handles_it_without_approval(ecommerce_case, flow, detail):
    case = ecommerce_case(7)  # the seventh day: still inside
    assert flow("service", "submit", case)["state"] == "approved"
    data = detail(case)
    assert (data["required_approvals"], data["approvals"]) == ([], [])
    assert data["notices"][-1]["content"]["desk_handles"] is True


def test_a_late_no_reason_return_is_refused_at_submit_with_the_reason(ecommerce_case, refused, flow):
    case = ecommerce_case(8)
    answer = refused("service", "submit", case, 409, "return_window_passed")
    assert answer["details"]["windows"]["1"]["deadline"] == _ago(1)
    assert "1" in answer["details"]["lines"]
    refused("bob", "submit", case, 409, "return_window_passed")  # from the portal too


def test_a_manager_allows_a_late_line_with_a_comment_recorded_and_shown(ecommerce_case, refused, flow, detail,
                                                                         timeline, browser_as):
    case = ecommerce_case(10)
    refused("service", "override_window", case, 403, "permission_denied", line=1, comment="x")
    refused("manager", "override_window", case, 400, "invalid", line=1)  # no comment
    refused("manager", "override_window", case, 400, "invalid", line=9, comment="x")
    flow("manager", "override_window", case, line=1, comment="物流延误，客户已提供证明")
    window = detail(case)["lines"][0]["window_decision"]
    assert (window["within"], window["override"]["comment"], window["override"]["by"]) == (
        False, "物流延误，客户已提供证明", "manager")
    assert "by" not in detail(case, role="bob")["lines"][0]["window_decision"]["override"]
    entry = [e for e in timeline(case) if e["action"] == "override_window"][0]
    assert (entry["by"], entry["comment"], entry["changes"]["line"]) == ("manager", "物流延误，客户已提供证明", 1)
    assert "物流延误" in browser_as("service").get(f"/cases/{case['id']}/").content.decode()
    refused("manager", "override_window", case, 409, "no_window_to_override", line=1, comment="again")
    data = flow("service", "submit", case)
    assert data["state"] == "submitted"  # allowed, but not the desk's own: the usual approval
    assert detail(case)["required_approvals"] == ["service"]


def test_no_window_to_override_inside_the_window(ecommerce_case, refused):
    refused("manager", "override_window", ecommerce_case(2), 409, "no_window_to_override", line=1, comment="x")


@pytest.mark.parametrize("days_ago,state", [(15, "approved"), (16, None)])
def test_no_reason_exchange_window_is_fifteen_days(ecommerce_case, flow, refused, days_ago, state):
    case = ecommerce_case(days_ago, outcome="exchange")
    if state:
        assert flow("service", "submit", case)["state"] == state
    else:
        refused("service", "submit", case, 409, "return_window_passed")


def test_no_delivery_date_is_asked_for(new_case, refused, product_models):
    case = new_case(customer="C-BOB", channel="ecommerce", lines=[_no_reason()])
    answer = refused("service", "submit", case, 400, "invalid")
    assert "delivered_date" in answer["details"]


def test_dealer_and_quality_lines_have_no_window(new_case, detail, registry):
    case = new_case(delivered_date=_ago(400))
    assert detail(case)["lines"][0]["window_decision"] == {}


@pytest.fixture
def apparel(db):
    return ProductModel.objects.create(code="TS-100", name="纯棉T恤", category="服装")


def test_apparel_window_counts_working_days_from_delivery(new_case, detail, flow, refused, apparel):
    apparel_line = line(quantity=2, model="TS-100", defect_description="尺码不合适")
    late = new_case(delivered_date=_ago(30), lines=[apparel_line])
    window = detail(late)["lines"][0]["window_decision"]
    delivered = timezone.localdate() - timedelta(days=30)
    assert (window["window"], window["working_days"], window["days"]) == ("apparel_application", True, 7)
    assert window["deadline"] == calendar_load().working_days_after(delivered, 7).isoformat()
    answer = refused("service", "submit", late, 409, "return_window_passed")
    assert "工作日" in answer["message"] or "working days" in answer["message"]
    fresh = new_case(delivered_date=_ago(1), lines=[apparel_line])
    assert flow("service", "submit", fresh)["state"] == "submitted"  # not e-commerce: approved as usual


def test_apparel_categories_are_a_policy(new_case, detail, api, apparel):
    response = api("manager").patch("/api/v1/policies/apparel_categories/", {"value": ["童装"], "reason": "只管童装"},
                                    format="json")
    assert response.status_code == 200, response.json()
    case = new_case(delivered_date=_ago(30), lines=[line(quantity=1, model="TS-100")])
    assert detail(case)["lines"][0]["window_decision"] == {}
