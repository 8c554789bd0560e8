"""Approvers who are who the manual names (售后客返品管理流程 5.1.1.1; 售后返退货产品流程描述 一.2-4): the VP per
product line for a batch, the general manager for a quality incident, the region's sales manager for a
whole-unit replacement, kept as master data; one person gives one kind per case unless a policy allows it;
the approval matrix as a page managers read and print."""

import pytest

from aftersales.accounts.services import user_create
from aftersales.masterdata.models import Approver
from tests.conftest import PASSWORD
from tests.flows import IN_WARRANTY, allowed, line

pytestmark = pytest.mark.django_db

NAMED = [  # username, kind, product line, region
    ("vp_heat", "vp", "电热水器", ""), ("vp_motor", "vp", "电机控制器", ""), ("gm", "gm", "", ""),
    ("rsm_east", "rsm", "", "华东"), ("rsm_south", "rsm", "", "华南"),
    ("boss", "vp", "电热水器", ""), ("boss", "gm", "", ""),
]


@pytest.fixture
def approvers(users, product_models):
    for username, kind, product_line, region in NAMED:
        if username not in users:
            users[username] = user_create(username=username, password=PASSWORD, role_codes={"manager"},
                                          first_name=username)
        Approver.objects.create(kind=kind, user=users[username], product_line=product_line, region=region)
    return users


def _submitted(new_case, flow, lines, **fields):
    case = new_case(lines=lines, **fields)
    flow("service", "submit", case)
    return case


def test_a_batch_is_approved_by_the_vp_of_its_product_line(approvers, new_case, flow, refused, detail):
    case = _submitted(new_case, flow, [line(quantity=50)])
    assert detail(case)["required_approvals"] == ["vp"]
    refused("manager", "approve", case, 403, "no_approval_for_you")  # a manager, but not the one named
    refused("vp_motor", "approve", case, 403, "no_approval_for_you")  # the VP of another product line
    refused("service", "approve", case, 403, "no_approval_for_you")
    assert "approve" not in allowed(detail(case, role="manager"))
    assert "approve" in allowed(detail(case, role="vp_heat"))
    assert flow("vp_heat", "approve", case)["state"] == "approved"
    assert [(a["kind"], a["by"]) for a in detail(case)["approvals"]] == [("vp", "vp_heat")]


def test_a_quality_incident_is_approved_by_the_general_manager(approvers, new_case, flow, refused, registry):
    case = _submitted(new_case, flow, [line(serials=[IN_WARRANTY.format(1)])], is_quality_incident=True)
    flow("service", "approve", case)
    refused("manager", "approve", case, 403, "no_approval_for_you")
    refused("vp_heat", "approve", case, 403, "no_approval_for_you")
    refused("gm", "approve", case, 403, "permission_denied", approval="vp")  # a kind not waiting for them
    assert flow("gm", "approve", case)["state"] == "approved"


def test_a_whole_unit_replacement_is_approved_by_the_sales_manager_of_the_region(approvers, new_case, flow,
                                                                                 refused, registry):
    case = _submitted(new_case, flow, [line(serials=[IN_WARRANTY.format(1)], outcome="exchange")])
    flow("service", "approve", case)
    refused("rsm_south", "approve", case, 403, "no_approval_for_you")  # alice is in 华东
    refused("manager", "approve", case, 403, "no_approval_for_you")
    assert flow("rsm_east", "approve", case)["state"] == "approved"


def test_one_person_does_not_give_two_kinds_on_one_case(approvers, new_case, flow, refused, detail, api):
    case = _submitted(new_case, flow, [line(quantity=50)], is_quality_incident=True)
    assert detail(case)["required_approvals"] == ["vp", "gm"]
    flow("boss", "approve", case, approval="vp")
    refused("boss", "approve", case, 409, "one_approval_per_person")
    refused("boss", "reject", case, 409, "one_approval_per_person", comment="不同意")
    response = api("manager").patch("/api/v1/policies/approver_may_give_several_kinds/",
                                    {"value": True, "reason": "小公司：总经理兼分管副总"}, format="json")
    assert response.status_code == 200, response.json()
    assert flow("boss", "approve", case)["state"] == "approved"
    assert [(a["kind"], a["by"]) for a in detail(case)["approvals"]] == [("vp", "boss"), ("gm", "boss")]


def test_the_service_approver_does_not_give_the_managers_approval_too(users, new_case, flow, refused, registry):
    """Nobody named for a kind: its role gives it, but still one kind per person."""
    case = _submitted(new_case, flow, [line(serials=[IN_WARRANTY.format(1)])], is_quality_incident=True)
    flow("manager", "approve", case, approval="service")
    refused("manager", "approve", case, 409, "one_approval_per_person")


def test_nobody_named_for_the_product_line_the_role_gives_it(approvers, new_case, flow, product_models):
    case = _submitted(new_case, flow, [line(quantity=50, model="MC-750")])
    Approver.objects.filter(product_line="电机控制器").update(is_active=False)
    assert flow("manager", "approve", case)["state"] == "approved"


def test_the_approval_matrix_page_names_who_approves_what_in_chinese(approvers, browser_as):
    response = browser_as("manager").get("/approvals/matrix/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("审批", "vp_heat", "电热水器", "华东", "售后客返品管理流程 5.1.1.1", "window.print()"):
        assert text in page, text
    assert browser_as("alice").get("/approvals/matrix/").status_code == 404


def test_approvers_are_master_data_managers_keep(approvers, api):
    body = {"kind": "rsm", "user": "rsm_south", "region": "西南"}
    response = api("quality").post("/api/v1/approvers/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    response = api("manager").post("/api/v1/approvers/", body, format="json")
    assert response.status_code == 201, response.json()
    listed = api("service").get("/api/v1/approvers/", {"kind": "rsm"}).json()
    assert {(row["user"], row["region"]) for row in listed["results"]} >= {("rsm_south", "西南"), ("rsm_east", "华东")}
    assert api("alice").get("/api/v1/approvers/").status_code == 403
