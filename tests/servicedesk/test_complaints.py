"""The complaint file: causes classified on the cause tree (master data), the ledger filtered and exported to
XLSX, the frequency of causes as a Pareto, and the improvement measure recorded for a cause."""

import io

import pytest
from openpyxl import load_workbook

from aftersales.servicedesk.models import ComplaintCause
from tests.flows import IN_WARRANTY

BASE = "/api/v1/service-requests/"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def complaints(api, registry):
    def register(category="product_complaint", serial=IN_WARRANTY.format(1), cause=None):
        made = api("service").post(BASE, {"channel": "phone", "serial": serial, "category": category,
                                          "description": "漏水"}, format="json").json()
        if cause:
            classified = api("service").post(f"{BASE}{made['id']}/classify/", {"cause": cause}, format="json")
            assert classified.status_code == 200, classified.json()
            assert classified.json()["cause"] == cause
        return made

    return register


def test_the_cause_tree_is_master_data_with_the_manuals_branches(api, users):
    codes = {row["code"] for row in api("service").get("/api/v1/complaint-causes/", {"page_size": 100})
             .json()["results"]}
    assert {"design", "manufacturing", "incoming_material", "transport", "installation", "usage",
            "service_conduct"} <= codes


def test_classifying_refuses_an_unknown_cause_and_a_customer(complaints, api):
    made = complaints()
    refused = api("service").post(f"{BASE}{made['id']}/classify/", {"cause": "bogus"}, format="json")
    assert refused.status_code == 400 and "cause" in refused.json()["details"]
    assert api("alice").post(f"{BASE}{made['id']}/classify/", {"cause": "design"},
                             format="json").status_code == 403
    assert api("bob").post(f"{BASE}{made['id']}/classify/", {"cause": "design"}, format="json").status_code == 404


def test_the_ledger_filters_and_the_pareto_counts_by_cause(complaints, api):
    for cause in ("manufacturing", "manufacturing", "manufacturing", "transport", "usage"):
        complaints(cause=cause)
    complaints(category="consultation")  # not a complaint, no cause: not in the ledger
    ledger = api("quality").get("/api/v1/complaints/").json()
    assert ledger["count"] == 5
    assert api("quality").get("/api/v1/complaints/", {"cause": "transport"}).json()["count"] == 1
    assert api("quality").get("/api/v1/complaints/", {"from": "bogus"}).json()["code"] == "invalid"
    pareto = api("quality").get("/api/v1/complaints/pareto/", {"by": "cause"}).json()["results"]
    assert [(row["count"], row["cumulative"]) for row in pareto] == [(3, 60.0), (1, 80.0), (1, 100.0)]
    by_model = api("quality").get("/api/v1/complaints/pareto/", {"by": "model"}).json()["results"]
    assert by_model == [{"key": "HT-2000", "count": 5, "share": 100.0, "cumulative": 100.0}]
    assert api("quality").get("/api/v1/complaints/pareto/", {"by": "bogus"}).json()["code"] == "invalid"
    assert api("alice").get("/api/v1/complaints/").json()["count"] == 5
    assert api("bob").get("/api/v1/complaints/").json()["count"] == 0


def test_an_improvement_measure_is_recorded_for_a_frequent_cause(api):
    cause = ComplaintCause.objects.get(code="manufacturing")
    done = api("quality").post(f"/api/v1/complaint-causes/{cause.pk}/improvement/",
                               {"improvement": "焊接工序增加首件检验"}, format="json")
    assert done.status_code == 200 and done.json()["improvement"] == "焊接工序增加首件检验"
    assert api("service").post(f"/api/v1/complaint-causes/{cause.pk}/improvement/", {"improvement": "x"},
                               format="json").json()["code"] == "permission_denied"


def test_the_ledger_page_exports_xlsx_and_shows_the_pareto(complaints, browser_as):
    complaints(cause="transport")
    complaints(cause="transport")
    page = browser_as("quality").get("/service-desk/complaints/", {"by": "cause"}, **ZH)
    assert page.status_code == 200 and "投诉履历台账" in page.content.decode() and "运输" in page.content.decode()
    export = browser_as("quality").get("/service-desk/complaints/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3 and rows[1][0].startswith("SR-")
    assert browser_as("warehouse").get("/service-desk/complaints/").status_code == 404


def test_the_ledger_export_reads_the_decision_and_state_in_chinese(complaints, api, browser_as):
    made = complaints(cause="transport")
    assert api("service").post(f"{BASE}{made['id']}/reply/", {"content": "收到", "channel": "phone"},
                               format="json").status_code == 200
    decided = api("service").post(f"{BASE}{made['id']}/decide/", {"kind": "quality", "problem": "批量漏水"},
                                  format="json")
    assert decided.status_code == 200, decided.json()
    export = browser_as("quality").get("/service-desk/complaints/", {"export": "xlsx"}, **ZH)
    header, row = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert (header[7], header[9]) == ("处理方式", "状态") and "审批结果" not in header
    assert row[7] not in ("quality", None) and row[9] == "已评估"


def test_the_request_page_classifies_the_cause(complaints, browser_as):
    made = complaints()
    desk = browser_as("quality")
    page = desk.get(f"/service-desk/{made['id']}/", **ZH).content.decode()
    assert "判定投诉原因" in page and "来料质量" in page
    assert desk.post(f"/service-desk/{made['id']}/classify/", {"cause": "incoming_material"}).status_code == 302
    assert ComplaintCause.objects.get(code="incoming_material").requests.count() == 1
