"""Compensation where the company is responsible (客退返工品处理流程: 商议赔偿事宜): service proposes the
amount and the form (credit, cash, goods), a manager approves, finance sees and settles it; refused on
a case where the company is not responsible, and by the wrong roles."""

import pytest

from aftersales.claims.models import Compensation

from tests.flows import FUNCTION_FAULT, line

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.flows"]


@pytest.fixture
def inspected(received, flow):
    """inspected(responsibility) -> the case, its one unit inspected with that responsibility."""

    def make(responsibility="company"):
        case, ids = received()
        flow("quality", "inspect", case, unit_ids=ids, result={**FUNCTION_FAULT, "responsibility": responsibility})
        return case

    return make


def _propose(api, on_case, role="service", **changes):
    body = {"case": on_case["id"], "amount": "300.00", "form": "credit", "reason": "工艺不良致客户停线半天", **changes}
    return api(role).post("/api/v1/compensations/", body, format="json")


def _step(api, made, action, role, **body):
    return api(role).post(f"/api/v1/compensations/{made['id']}/actions/{action}/", body, format="json")


def test_proposed_approved_and_settled_as_finance_sees_it(inspected, api):
    case = inspected("company")
    made = _propose(api, case)
    assert made.status_code == 201, made.json()
    made = made.json()
    assert (made["state"], made["amount"], made["form"], made["customer"]) == ("proposed", "300.00", "credit",
                                                                                "C-ALICE")
    approved = _step(api, made, "approve", "manager", comment="同意")
    assert approved.status_code == 200, approved.json()
    assert (approved.json()["state"], approved.json()["decided_by"]) == ("approved", "manager")
    # Finance: the approved ones to settle, in the list and on its page.
    to_settle = api("finance").get("/api/v1/compensations/", {"state": "approved"}).json()["results"]
    assert [(c["number"], c["amount"], [a["action"] for a in c["allowed_actions"]]) for c in to_settle] == [
        (made["number"], "300.00", ["settle"])]
    refused = _step(api, made, "settle", "finance")
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid")  # the voucher's number is required
    settled = _step(api, made, "settle", "finance", reference="JZ-2026-118")
    assert (settled.json()["state"], settled.json()["settlement_reference"]) == ("settled", "JZ-2026-118")
    again = _step(api, made, "settle", "finance", reference="JZ-2026-119")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_state")


@pytest.mark.parametrize("form,goods", [("cash", ""), ("goods", "赠送配件包 2 套")])
def test_the_forms_of_compensation(form, goods, inspected, api):
    made = _propose(api, inspected("company"), form=form, goods=goods)
    assert made.status_code == 201, made.json()
    assert (made.json()["form"], made.json()["goods"]) == (form, goods)


def test_goods_name_what_is_given(inspected, api):
    refused = _propose(api, inspected("company"), form="goods")
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid")
    assert "goods" in refused.json()["details"]


@pytest.mark.parametrize("responsibility", ["customer", "supplier", ""])
def test_refused_where_the_company_is_not_responsible(responsibility, inspected, api):
    refused = _propose(api, inspected(responsibility))
    assert (refused.status_code, refused.json()["code"]) == (409, "not_company_responsible")
    assert not Compensation.objects.exists()


@pytest.mark.parametrize("role", ["service", "finance", "quality", "purchasing"])
def test_only_a_manager_approves(role, inspected, api):
    made = _propose(api, inspected("company")).json()
    for action in ("approve", "reject"):
        refused = _step(api, made, action, role, comment="x")
        assert refused.status_code == 403, (role, refused.json())
        assert refused.json()["code"] == "permission_denied"
    assert Compensation.objects.get().state == "proposed"


@pytest.mark.parametrize("role", ["manager", "service"])
def test_only_finance_settles(role, inspected, api):
    made = _propose(api, inspected("company")).json()
    _step(api, made, "approve", "manager")
    refused = _step(api, made, "settle", role, reference="JZ-1")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")


@pytest.mark.parametrize("role", ["manager", "finance", "quality", "warehouse"])
def test_only_service_proposes(role, inspected, api):
    refused = _propose(api, inspected("company"), role=role)
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"


def test_a_rejection_says_why_and_bad_input_is_refused(inspected, api):
    case = inspected("company")
    for changes, field in [({"amount": "0"}, "amount"), ({"amount": "1e40"}, "amount"), ({"form": "voucher"}, "form"),
                           ({"reason": ""}, "reason"), ({"case": "abc"}, "case")]:
        response = _propose(api, case, **changes)
        assert (response.status_code, response.json()["code"]) == (400, "invalid"), changes
        assert field in response.json()["details"]
    made = _propose(api, case).json()
    refused = _step(api, made, "reject", "manager")
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid")
    rejected = _step(api, made, "reject", "manager", comment="金额过高，重新商议")
    assert rejected.json()["state"] == "rejected"


def test_customers_find_no_compensations_and_finance_has_a_page(inspected, api, browser_as):
    made = _propose(api, inspected("company")).json()
    assert api("alice").get("/api/v1/compensations/").status_code == 404
    assert api("warehouse").get("/api/v1/compensations/").status_code == 403
    page = browser_as("finance").get("/compensations/")
    assert page.status_code == 200 and made["number"] in page.content.decode()
    chinese = browser_as("finance").get("/compensations/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "赔偿原因" in chinese and "退货原因" not in chinese
    row = chinese[chinese.index(made["number"]):]
    assert ">credit<" not in row and ">proposed<" not in row and "已提出" in row and "冲抵客户货款" in row
    assert browser_as("warehouse").get("/compensations/").status_code == 404
    approved = browser_as("manager").post(f"/compensations/{made['id']}/act/", {"action": "approve"})
    assert approved.status_code == 302 and Compensation.objects.get().state == "approved"


def test_a_case_with_several_units_is_compensated_when_one_was_the_companys(received, flow, api):
    case, ids = received(lines=[line(serials=["HT26090001", "HT26090002"])])
    flow("quality", "inspect", case, unit_ids=ids, result={**FUNCTION_FAULT, "responsibility": "customer"},
         per_unit={str(ids[1]): {"responsibility": "company"}})
    assert _propose(api, case).status_code == 201
