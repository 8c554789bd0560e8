"""Repair pages, server side: who may open them, errors beside the fields, the work done through them."""

import pytest

from aftersales.repairs.models import MaterialRequest, Quote, RepairOrder, RepairRecord, ScrapApplication
from aftersales.returns.models import ReturnUnit
from tests.flows import OUT_OF_WARRANTY

pytestmark = pytest.mark.django_db
SERIALS = ["HT26090001", "HT26090002", "HT26090003"]


def test_board_lists_orders_and_units_waiting_and_only_planning_opens(browser_as, disposed):
    case, ids = disposed(SERIALS)
    body = browser_as("planning").get("/repairs/").content.decode()
    assert case["number"] in body and f"/repairs/new/{case['id']}/" in body
    assert f"/repairs/new/{case['id']}/" not in browser_as("repair").get("/repairs/").content.decode()
    for persona in ("alice", "finance"):
        assert browser_as(persona).get("/repairs/").status_code == 404
    assert browser_as("repair").get(f"/repairs/new/{case['id']}/").status_code == 404
    none = browser_as("planning").post(f"/repairs/new/{case['id']}/", {"kind": "repair"})
    assert none.status_code == 400 and "error" in none.content.decode()
    response = browser_as("planning").post(f"/repairs/new/{case['id']}/", {
        "kind": "rework", "unit_ids": ids, "team": "维修一组", "method": "更换加热管", "is_batch": "on"})
    order = RepairOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/repairs/{order.pk}/"
    assert (order.is_batch, order.first_article_unit_id, order.team) == (True, ids[0], "维修一组")
    rows = browser_as("planning").get("/repairs/", {"export": "xlsx"})
    assert rows["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_order_page_runs_plan_first_article_records_by_scan_and_close(browser_as, disposed, parts):
    case, ids = disposed(SERIALS)
    browser_as("planning").post(f"/repairs/new/{case['id']}/", {"kind": "rework", "unit_ids": ids, "is_batch": "on"})
    order = RepairOrder.objects.get()
    repair, quality = browser_as("repair"), browser_as("quality")
    page = repair.get(f"/repairs/{order.pk}/").content.decode()
    assert f"/repairs/{order.pk}/start/" in page and f"/repairs/{order.pk}/plan/" in page
    assert f"/repairs/{order.pk}/start/" not in quality.get(f"/repairs/{order.pk}/").content.decode()
    assert repair.post(f"/repairs/{order.pk}/plan/", {"expected_finish": order.due_at.strftime("%Y-%m-%dT%H:%M")}
                       ).status_code == 302
    assert repair.post(f"/repairs/{order.pk}/start/").status_code == 302
    bad = repair.post(f"/repairs/{order.pk}/record/", {"serial": "HT26090001", "fault_found": "", "action": ""},
                      HTTP_HX_REQUEST="true")
    assert 'id="record-errors"' in bad.content.decode() and not RepairRecord.objects.exists()
    done = repair.post(f"/repairs/{order.pk}/record/", {"serial": "HT26090001", "fault_found": "加热管断路",
                                                       "action": "更换加热管", "labour_hours": "1",
                                                       "part-0-code": "HT-ELEM", "part-0-quantity": "1"})
    assert done.status_code == 400  # no heating element in raw-material stock
    repair.post(f"/repairs/{order.pk}/record/", {"serial": "HT26090001", "fault_found": "加热管断路",
                                                "action": "更换加热管", "labour_hours": "1"})
    assert ReturnUnit.objects.get(pk=ids[0]).state == "final_inspection"
    assert "first_article" in quality.get(f"/repairs/{order.pk}/").content.decode()
    quality.post(f"/repairs/{order.pk}/first_article/", {"passed": "yes", "notes": "OK"})
    repair.post(f"/repairs/{order.pk}/record/", {"all_units": "on", "fault_found": "同上", "action": "同上"})
    assert RepairRecord.objects.count() == 3
    assert repair.post(f"/repairs/{order.pk}/close/").status_code == 302
    order.refresh_from_db()
    assert order.state == "done"
    assert repair.post(f"/repairs/{order.pk}/nope/").status_code == 404


def test_material_request_through_the_pages(browser_as, disposed, parts):
    case, ids = disposed(SERIALS[:1])
    browser_as("planning").post(f"/repairs/new/{case['id']}/", {"kind": "repair", "unit_ids": ids})
    order = RepairOrder.objects.get()
    browser_as("repair").post(f"/repairs/{order.pk}/request/", {"part-0-code": "HT-ELEM", "part-0-quantity": "2"})
    request = MaterialRequest.objects.get()
    assert browser_as("repair").post(f"/material-requests/{request.pk}/approve/").status_code == 400
    browser_as("purchasing").post(f"/material-requests/{request.pk}/approve/")
    browser_as("purchasing").post(f"/material-requests/{request.pk}/receive/")
    browser_as("warehouse").post(f"/material-requests/{request.pk}/issue/")
    request.refresh_from_db()
    assert request.state == "issued"
    assert browser_as("warehouse").post("/material-requests/999/issue/").status_code == 404


def test_quote_page_sends_a_quote_the_portal_shows(browser_as, disposed, parts):
    case, ids = disposed([OUT_OF_WARRANTY.format(1)], lot="250110-1")
    page = browser_as("service").get(f"/cases/{case['id']}/").content.decode()
    assert f"/cases/{case['id']}/quote/" in page  # the charge step is the full quote
    assert browser_as("alice").get(f"/cases/{case['id']}/quote/").status_code == 404
    bad = browser_as("service").post(f"/cases/{case['id']}/quote/", {"labour_hours": "x"})
    assert bad.status_code == 400 and not Quote.objects.exists()
    browser_as("service").post(f"/cases/{case['id']}/quote/", {"labour_hours": "2", "transport": "10",
                                                              "part-0-code": "HT-ELEM", "part-0-quantity": "1"})
    quote = Quote.objects.get()
    assert str(quote.total_per_unit) == "152.00"
    portal = browser_as("alice").get(f"/cases/{case['id']}/").content.decode()
    assert "152.00" in portal and "HT-ELEM" in portal and "/actions/accept_charge/" in portal


def test_scrap_applications_are_decided_by_the_manager(browser_as, disposed, post):
    case, ids = disposed(SERIALS[:1], disposition="scrap")
    post("quality", "scrap-applications/", {"reason": "无法修复", "case": case["id"], "unit_ids": ids,
                                            "weights_kg": {"metal": "12.5"}}, expect=201)
    application = ScrapApplication.objects.get()
    assert "/decide/" not in browser_as("quality").get("/scrap/").content.decode()
    assert browser_as("service").get("/scrap/").status_code == 404
    assert browser_as("quality").post(f"/scrap/{application.pk}/decide/", {"approve": "yes"}).status_code == 404
    body = browser_as("manager").get("/scrap/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert application.number in body and "五金 12.5 " in body and "metal" not in body and "12.500" not in body
    browser_as("manager").post(f"/scrap/{application.pk}/decide/", {"approve": "yes"})
    application.refresh_from_db()
    assert application.state == "approved"


def test_the_case_page_links_a_document_only_for_those_who_may_open_its_page(browser_as, disposed, post):
    case, ids = disposed(SERIALS[:1], disposition="scrap")
    post("quality", "scrap-applications/", {"reason": "无法修复", "case": case["id"], "unit_ids": ids,
                                            "weights_kg": {"metal": "2"}}, expect=201)
    number = ScrapApplication.objects.get().number
    link = f'<a href="/scrap/?state=submitted">{number}</a>'
    assert link in browser_as("manager").get(f"/cases/{case['id']}/").content.decode()
    service = browser_as("service").get(f"/cases/{case['id']}/").content.decode()
    assert number in service and link not in service


def test_daily_report_page_and_export(browser_as, disposed):
    case, ids = disposed(SERIALS[:1])
    browser_as("planning").post(f"/repairs/new/{case['id']}/", {"kind": "repair", "unit_ids": ids, "team": "二组"})
    order = RepairOrder.objects.get()
    browser_as("repair").post(f"/repairs/{order.pk}/start/")
    browser_as("repair").post(f"/repairs/{order.pk}/record/", {"serial": "HT26090001", "fault_found": "不加热",
                                                              "action": "更换温控器", "is_anomaly": "on",
                                                              "major_anomaly": "design"})
    body = browser_as("quality").get("/repair-daily/").content.decode()
    assert "二组" in body and "不加热" in body
    assert "error" in browser_as("quality").get("/repair-daily/", {"date": "x"}).content.decode()
    export = browser_as("quality").get("/repair-daily/", {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert browser_as("alice").get("/repair-daily/").status_code == 404


def test_order_page_queries_do_not_grow_with_units(browser_as, disposed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for serials in (SERIALS[:1], [f"HT2609{n:04d}" for n in range(10, 18)]):
        case, ids = disposed(serials)
        browser_as("planning").post(f"/repairs/new/{case['id']}/", {"kind": "repair", "unit_ids": ids})
        order = RepairOrder.objects.order_by("-id").first()
        browser_as("repair").post(f"/repairs/{order.pk}/start/")
        client = browser_as("repair")
        client.get(f"/repairs/{order.pk}/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/repairs/{order.pk}/").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
