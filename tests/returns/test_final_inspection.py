"""Final inspection by checklist (售后客返品管理流程 5.2.7, 售后返退货流程描述 六.2): the model's test items
(master data) and the customer's complaint points are the unit's final test, one result per item; a
unit reaches the customer or finished goods only by passing it; the 产品检验报告 prints it. And the
responsible department inside the company, named at inspection."""

import pytest

from aftersales.inventory.models import StockMove
from aftersales.returns.models import Inspection, ReturnUnit
from tests.flows import FUNCTION_FAULT, IN_WARRANTY, checklist_results, line
from tests.printing import COMPANY, embedded_fonts

pytestmark = pytest.mark.django_db

ITEMS = [{"product_model": "HT-2000", "code": "HIPOT", "name": "耐压测试", "requirement": "1500V 1min 无击穿",
          "position": 1},
         {"product_model": "HT-2000", "code": "HEAT", "name": "加热功能", "requirement": "30 分钟升温 ≥ 25℃",
          "position": 2}]


@pytest.fixture
def test_items(api, product_models):
    for item in ITEMS:
        response = api("quality").post("/api/v1/test-items/", item, format="json")
        assert response.status_code == 201, response.json()


@pytest.fixture
def at_final(received, flow, test_items):
    """A repaired unit waiting for its final test; the note's defect has two complaint points."""
    case, (unit_id,) = received(lines=[line(serials=[IN_WARRANTY.format(1)], defect_description="不加热；漏水")])
    flow("quality", "inspect", case, unit_ids=[unit_id], result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=[unit_id], disposition="repair")
    flow("repair", "start_work", case, unit_ids=[unit_id])
    flow("repair", "finish_work", case, unit_ids=[unit_id])
    return case, unit_id


def test_test_items_are_master_data_kept_by_quality_and_engineering(api, product_models):
    assert api("engineering").post("/api/v1/test-items/", ITEMS[0], format="json").status_code == 201
    refused = api("service").post("/api/v1/test-items/", ITEMS[1], format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    twice = api("quality").post("/api/v1/test-items/", ITEMS[0], format="json")
    assert twice.status_code == 400  # one code per model
    listed = api("repair").get("/api/v1/test-items/", {"product_model__code": "HT-2000"}).json()
    assert [row["code"] for row in listed["results"]] == ["HIPOT"]


def test_the_checklist_is_the_models_items_and_the_customers_complaint_points(at_final, api):
    case, unit_id = at_final
    response = api("quality").get(f"/api/v1/cases/{case['id']}/final-checklist/")
    assert response.status_code == 200
    (entry,) = response.json()["results"]
    assert entry["unit"] == unit_id
    assert [(i["code"], i["name"], i["source"]) for i in entry["items"]] == [
        ("HIPOT", "耐压测试", "model"), ("HEAT", "加热功能", "model"),
        ("complaint-1", "不加热", "complaint"), ("complaint-2", "漏水", "complaint")]


def test_pass_needs_a_passed_result_for_every_item(at_final, flow, refused, detail, api):
    case, unit_id = at_final
    incomplete = refused("quality", "pass_final", case, 409, "final_test_incomplete", unit_ids=[unit_id],
                         results={"HIPOT": True, "HEAT": {"passed": True, "value": "28℃"}})
    assert incomplete["details"]["missing"] == {str(unit_id): ["complaint-1", "complaint-2"]}
    refused("quality", "pass_final", case, 409, "final_test_failed", unit_ids=[unit_id],
            results=checklist_results(api, case, [unit_id], failed={"complaint-2"}))
    refused("quality", "pass_final", case, 400, "invalid", unit_ids=[unit_id], results={"NOPE": True})
    refused("quality", "pass_final", case, 400, "invalid", unit_ids=[unit_id], results={"HIPOT": "yes"})
    refused("quality", "pass_final", case, 400, "invalid", unit_ids=[unit_id],
            results={"HIPOT": {"passed": True, "value": "x" * 201}})
    refused("repair", "pass_final", case, 403, "permission_denied", unit_ids=[unit_id],
            results=checklist_results(api, case, [unit_id]))

    # Failed on the complaint point: back to work, the result recorded item by item.
    flow("quality", "fail_final", case, unit_ids=[unit_id], notes="仍漏水",
         results=checklist_results(api, case, [unit_id], failed={"complaint-2"}))
    failed = Inspection.objects.get(unit_id=unit_id, stage="final")
    assert failed.passed is False
    assert [(i["code"], i["passed"]) for i in failed.checklist][-1] == ("complaint-2", False)
    flow("repair", "finish_work", case, unit_ids=[unit_id])
    flow("quality", "pass_final", case, unit_ids=[unit_id], results=checklist_results(api, case, [unit_id]))
    assert detail(case)["units"][0]["state"] == "ready_to_ship"
    passed = Inspection.objects.filter(unit_id=unit_id, stage="final").last()
    assert passed.passed and len(passed.checklist) == 4 and all(i["passed"] for i in passed.checklist)


def test_resale_goes_to_finished_goods_only_after_its_final_test(received, flow, refused, detail, stock, api,
                                                                 test_items):
    case, (unit_id,) = received(lines=[line(serials=[IN_WARRANTY.format(1)], outcome="refund", unit_price="999.00",
                                            defect_description="外观划伤")])
    flow("quality", "inspect", case, unit_ids=[unit_id], result={"defect_class": "none", "no_fault_found": True})
    flow("quality", "dispose", case, unit_ids=[unit_id], disposition="resale")
    unit = detail(case)["units"][0]
    assert (unit["state"], unit["warehouse"], unit["exit"]) == ("final_inspection", "AS", "")
    assert stock()["FG"] == 0 and not StockMove.objects.filter(kind="to_finished_goods").exists()
    # Resale before the final test is refused: nothing moves.
    refused("quality", "pass_final", case, 409, "final_test_incomplete", unit_ids=[unit_id])
    refused("warehouse", "pass_final", case, 403, "permission_denied", unit_ids=[unit_id])
    assert stock()["FG"] == 0
    flow("quality", "pass_final", case, unit_ids=[unit_id], results=checklist_results(api, case, [unit_id]))
    unit = detail(case)["units"][0]
    assert (unit["state"], unit["warehouse"], unit["exit"]) == ("done", "FG", "refunded_into_stock")
    assert stock() == {"FG": 1}


def test_the_product_inspection_report_prints_each_item_as_tested(at_final, flow, api, browser_as, tmp_path,
                                                                  settings):
    settings.COMPANY_NAME = COMPANY
    case, unit_id = at_final
    results = checklist_results(api, case, [unit_id])
    results["HEAT"] = {"passed": True, "value": "升温 27℃"}
    flow("quality", "pass_final", case, unit_ids=[unit_id], results=results, notes="通电 2 小时")
    url = f"/cases/{case['id']}/print/final-inspection/"
    page = browser_as("quality").get(url).content.decode()
    for text in [COMPANY, "产品检验报告", "成品检验合格单", case["number"], IN_WARRANTY.format(1), "耐压测试",
                 "1500V 1min 无击穿", "升温 27℃", "漏水", "通电 2 小时"]:
        assert text in page, text
    response = browser_as("quality").get(url + "?format=pdf")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    fonts = embedded_fonts(response.content, tmp_path)
    cjk = {name: embedded for name, embedded in fonts.items() if "NotoSansCJK" in name.replace("-", "")}
    assert cjk and all(cjk.values()), fonts
    assert browser_as("bob").get(url).status_code == 404  # another customer's case


# --- the responsible department (责任判定 inside the company) ---

def test_inspection_names_the_responsible_department(received, flow, refused, api, browser_as):
    case, ids = received(lines=[line(serials=[IN_WARRANTY.format(1), IN_WARRANTY.format(2)])])
    refused("quality", "inspect", case, 400, "invalid", unit_ids=ids,
            result={"responsibility": "customer", "responsible_department": "design"})
    refused("quality", "inspect", case, 400, "invalid", unit_ids=ids, result={"responsible_department": "canteen"})
    refused("warehouse", "inspect", case, 403, "permission_denied", unit_ids=ids,
            result={"responsible_department": "design"})
    flow("quality", "inspect", case, unit_ids=ids, result={"defect_class": "function",
                                                          "responsible_department": "purchasing"},
         per_unit={str(ids[1]): {"responsible_department": "manufacturing"}})
    report = api("service").get(f"/api/v1/cases/{case['id']}/inspection-report/").json()
    assert report["by_department"] == {"purchasing": 1, "manufacturing": 1}
    assert {u["responsibility"] for u in report["units"]} == {"company"}  # a department is the company's
    page = browser_as("quality").get(f"/cases/{case['id']}/print/inspection-report/").content.decode()
    assert "Purchasing / incoming material" in page or "采购" in page
    assert ReturnUnit.objects.filter(pk__in=ids).count() == 2


# --- good teardown parts enter raw-material stock only after quality passes them (三.1) ---

def test_good_teardown_parts_wait_for_quality(disposed, parts, post, api):
    _case, (unit_id,) = disposed([IN_WARRANTY.format(3)], disposition="teardown", outcome="refund")

    def raw_stock():
        rows = api("warehouse").get("/api/v1/stock/balances/", {"warehouse__code": "RM", "page_size": 500}).json()
        return {row["part"]: row["quantity"] for row in rows["results"]}

    before = raw_stock()
    torn = post("repair", "teardowns/", {"unit": unit_id, "parts": [
        {"part": "HT-ELEM", "quantity": 1, "outcome": "good"}, {"part": "HT-THERM", "quantity": 2, "outcome": "good"},
        {"part": "HT-ELEM", "quantity": 1, "outcome": "scrap"}]}, expect=201)["parts"]
    assert [p["qc_passed"] for p in torn] == [None, None, None]
    assert raw_stock() == before  # the bench's good parts are not stock yet
    good, scrap = [torn[0]["id"], torn[1]["id"]], torn[2]["id"]
    post("repair", "teardowns/check/", {"teardown_part_ids": good, "passed": True}, expect=403,
         code="permission_denied")
    post("quality", "teardowns/check/", {"teardown_part_ids": [scrap], "passed": True}, expect=409,
         code="invalid_state")
    post("quality", "teardowns/check/", {"teardown_part_ids": good, "passed": "yes"}, expect=400, code="invalid")
    post("quality", "teardowns/check/", {"teardown_part_ids": [good[1]], "passed": False})
    checked = post("quality", "teardowns/check/", {"teardown_part_ids": [good[0]], "passed": True})["parts"]
    assert checked[0]["qc_passed"] is True
    after = raw_stock()
    assert after.get("HT-ELEM", 0) == before.get("HT-ELEM", 0) + 1
    assert after.get("HT-THERM", 0) == before.get("HT-THERM", 0)  # failed at quality: scrap, not stock
    post("quality", "teardowns/check/", {"teardown_part_ids": [good[0]], "passed": True}, expect=409,
         code="invalid_state")  # checked once


def test_the_final_inspection_page_tests_each_item_and_passes_the_unit(at_final, browser_as, detail):
    case, unit_id = at_final
    case_page = browser_as("quality").get(f"/cases/{case['id']}/").content.decode()
    assert f"/cases/{case['id']}/final-inspection/" in case_page
    url = f"/cases/{case['id']}/final-inspection/"
    page = browser_as("quality").get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "出货检验" in page and "耐压测试" in page and "漏水" in page and "合格" in page
    codes = ["HIPOT", "HEAT", "complaint-1", "complaint-2"]
    # One item left without a result: refused, named, nothing changes.
    partial = {f"result-{unit_id}-{code}": "pass" for code in codes[:3]}
    response = browser_as("quality").post(url, {"unit_ids": [unit_id], "step": "pass", **partial},
                                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400 and "成品检验未完成" in response.content.decode()
    assert ReturnUnit.objects.get(pk=unit_id).state == "final_inspection"
    # Every item passed, one with its measured value: the unit passes and goes back to the customer.
    results = {f"result-{unit_id}-{code}": "pass" for code in codes}
    response = browser_as("quality").post(url, {"unit_ids": [unit_id], "step": "pass", "notes": "通电 2 小时",
                                                f"value-{unit_id}-HIPOT": "1500V 无击穿", **results})
    assert response.status_code == 302
    assert ReturnUnit.objects.get(pk=unit_id).state == "ready_to_ship"
    final = Inspection.objects.get(unit_id=unit_id, stage=Inspection.Stage.FINAL)
    assert final.checklist[0]["value"] == "1500V 无击穿" and all(row["passed"] for row in final.checklist)


def test_the_final_inspection_page_fails_a_unit_back_to_work_and_is_quality_s(at_final, browser_as):
    case, unit_id = at_final
    url = f"/cases/{case['id']}/final-inspection/"
    assert browser_as("repair").get(url).status_code == 404  # not a page of theirs
    response = browser_as("quality").post(url, {"unit_ids": [unit_id], "step": "fail",
                                                f"result-{unit_id}-HEAT": "fail"})
    assert response.status_code == 302
    assert ReturnUnit.objects.get(pk=unit_id).state == "in_work"
    assert browser_as("quality").post(url, {"step": "pass"}).status_code == 400  # no unit selected
