"""The service desk through the API, as the personas: registration serial first with its repeat-repair
warning, every decision path, the result, closing, the survey (portal and signed link), reopening and
escalation, and a customer reaching nothing of another customer's requests or surveys."""

import datetime as dt

import pytest
from django.core import signing
from django.utils import timezone

from aftersales.deadlines.models import Deadline, DeadlineState
from aftersales.inventory.models import StockMove
from aftersales.inventory.services import Move, stock_moves_apply, warehouse_of_kind
from aftersales.notifications.models import Notification
from aftersales.returns.models import ReturnCase
from aftersales.field.models import FieldOrder
from aftersales.servicedesk.models import (
    QualityEscalation,
    RequestEvent,
    ServiceRequest,
    SupplierReferral,
    Survey,
)
from aftersales.notifications.services import render
from aftersales.servicedesk.services import survey_token
from tests.flows import IN_WARRANTY

BASE = "/api/v1/service-requests/"
SATISFIED = {"response": 5, "attitude": 5, "fix_quality": 4, "overall": 5, "comment": "很好"}
UNHAPPY = {"response": 2, "attitude": 3, "fix_quality": 1, "overall": 2, "comment": "还是不加热"}


@pytest.fixture
def desk(service_desk):
    """The flows' service_desk, and desk.decided(kind, **body) -> (request, its answer once decided): a request
    registered on the phone, answered and decided."""

    def decided(kind="remote", **body):
        request = service_desk.register()
        service_desk.post("service", request, "reply", content="已收到，今天答复")
        return request, service_desk.post("service", request, "decide", kind=kind, **body)

    service_desk.decided = decided
    return service_desk


def test_phone_registration_serial_first_fills_product_customer_and_warranty(desk, api):
    lookup = api("service").get(f"{BASE}serial-lookup/", {"serial": IN_WARRANTY.format(1)}).json()
    assert lookup["found"] and lookup["customer"] == "C-ALICE" and lookup["product_model"] == "HT-2000"
    assert lookup["warranty_status"] == "in" and lookup["repeat_warning"] is None
    request = desk.register()
    assert request["number"].startswith("SR-") and len(request["number"]) == len("SR-2026-000001")
    assert request["customer"] == "C-ALICE" and request["product_model"] == "HT-2000"
    assert request["warranty_status"] == "in" and request["state"] == "registered"
    assert {c["kind"] for c in request["clocks"]} == {"service_first_reply", "service_resolution"}
    assert [a["action"] for a in request["allowed_actions"]] == ["reply", "contact", "classify"]


def test_the_same_units_same_fault_again_within_the_window_warns_of_a_repeat_repair(desk, api):
    first = desk.register()
    lookup = api("service").get(f"{BASE}serial-lookup/", {"serial": IN_WARRANTY.format(1), "category": "repair"})
    body = lookup.json()
    assert body["repeat_warning"]["number"] == first["number"] and body["repeat_warning"]["window_days"] == 90
    assert [r["number"] for r in body["requests"]] == [first["number"]]
    second = desk.register(category="product_complaint")
    assert second["repeat_of"] == first["number"]
    consultation = desk.register(category="consultation")
    assert consultation["repeat_of"] is None
    other_unit = desk.register(serial=IN_WARRANTY.format(2))
    assert other_unit["repeat_of"] is None
    ServiceRequest.objects.filter(pk=first["id"]).update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    ServiceRequest.objects.filter(pk=second["id"]).update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert desk.register()["repeat_of"] is None  # outside the policy's window


def test_a_customer_registers_in_the_portal_for_itself_only(desk, api):
    mine = desk.register(role="alice", channel="phone")
    assert mine["channel"] == "portal" and mine["customer"] == "C-ALICE"
    assert mine["contacts"] == [] and mine["clocks"] == []  # internal records are not the customer's
    refused = api("alice").post(BASE, {"customer": "C-BOB", "category": "repair", "description": "x"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    # Bob's lookup of Alice's unit tells him nothing of it.
    found = api("bob").get(f"{BASE}serial-lookup/", {"serial": IN_WARRANTY.format(1)}).json()
    assert found["found"] is False and found["requests"] == []


def test_bad_registration_answers_the_field_and_writes_nothing(desk, api):
    for body, field in (({"category": "repair", "description": "x"}, "channel"),
                        ({"channel": "fax", "category": "repair", "description": "x", "customer": "C-ALICE"}, "channel"),
                        ({"channel": "phone", "category": "repair", "customer": "C-ALICE"}, "description"),
                        ({"channel": "phone", "category": "repair", "customer": "C-ALICE",
                          "description": "长" * 5001}, "description"),
                        ({"channel": "phone", "category": "repair", "customer": "C-NOBODY", "description": "x"},
                         "customer")):
        response = api("service").post(BASE, body, format="json")
        assert response.status_code == 400 and field in response.json()["details"], (body, response.json())
    assert api("warehouse").post(BASE, {"channel": "phone", "category": "repair", "customer": "C-ALICE",
                                        "description": "x"}, format="json").json()["code"] == "permission_denied"
    assert not ServiceRequest.objects.exists()


def test_first_reply_meets_its_clock_and_contacts_are_logged(desk):
    request = desk.register()
    desk.post("service", request, "contacts", content="客户再次来电催促", channel="phone", inbound=True)
    answered = desk.post("service", request, "reply", content="已安排，明天给方案", channel="phone")
    assert answered["state"] == "answered" and answered["answered_at"]
    assert [c["content"] for c in answered["contacts"]] == ["客户再次来电催促", "已安排，明天给方案"]
    clocks = {c["kind"]: c for c in answered["clocks"]}
    assert clocks["service_first_reply"]["state"] == "met" and clocks["service_resolution"]["state"] == "open"
    assert [e["action"] for e in answered["timeline"]] == ["create", "contact", "reply"]
    assert desk.post("service", request, "reply", expect=409, content="again")["code"] == "invalid_state"
    assert desk.post("warehouse", request, "contacts", expect=403, content="x")["code"] == "permission_denied"


def test_answered_remotely_records_the_solution_and_tells_the_customer(desk, users):
    request, decided = desk.decided("remote", solution="请复位温控器后重试")
    assert decided["request"]["state"] == "decided" and decided["request"]["decision"]["kind"] == "remote"
    assert decided["made"] == {}
    told = Notification.objects.filter(recipient=users["alice"], kind="service_request_notice")
    assert [n.context["notice"] for n in told.order_by("id")] == ["reply", "solution"]
    resolved = desk.post("service", request, "resolve", result="客户确认已恢复")
    assert resolved["state"] == "resolved"
    assert told.filter(context__notice="result").exists()
    assert all(c["state"] != "open" for c in resolved["clocks"])


def test_a_decision_without_what_its_path_needs_is_refused_and_writes_nothing(desk):
    request = desk.register()
    desk.post("service", request, "reply", content="收到")
    for body, field in (({"kind": "remote"}, "solution"), ({"kind": "parts", "parts": []}, "parts"),
                        ({"kind": "supplier", "problem": "x"}, "supplier"), ({"kind": "quality"}, "problem"),
                        ({"kind": "technician", "technician": "service"}, "technician"), ({"kind": "bogus"}, "kind")):
        answer = desk.post("service", request, "decide", expect=400, **body)
        assert field in answer["details"], (body, answer)
    assert desk.get(request)["state"] == "answered" and desk.get(request)["decision"] is None


def test_parts_sent_leave_stock_through_the_ledger_with_carrier_and_tracking(desk, parts, users):
    raw = warehouse_of_kind("raw_material")
    stock_moves_apply(actor=users["warehouse"], moves=[Move("purchase_receipt", 3, None, raw,
                                                            part_id=parts["HT-THERM"].pk)])
    request = desk.register()
    desk.post("service", request, "reply", content="收到")
    short = desk.post("service", request, "decide", expect=409, kind="parts", carrier="顺丰", tracking="SF1",
                      parts=[{"part": "HT-THERM", "quantity": 4}])
    assert short["code"] == "insufficient_stock"
    decided = desk.post("service", request, "decide", kind="parts", carrier="顺丰速运", tracking="SF1402",
                        parts=[{"part": "HT-THERM", "quantity": 2}])
    shipment = decided["request"]["parts_shipments"][0]
    assert shipment["carrier"] == "顺丰速运" and shipment["chargeable"] is False
    assert shipment["lines"] == [{"part": "HT-THERM", "quantity": 2}]
    assert StockMove.objects.filter(kind="part_issue", part=parts["HT-THERM"], from_warehouse_id=raw,
                                    quantity=2).count() == 1


def test_technician_dispatched_opens_a_field_order(desk, users):
    planned = (timezone.localdate() + dt.timedelta(days=8)).isoformat()
    request, decided = desk.decided("technician", technician="technician", planned_date=planned)
    order = FieldOrder.objects.get(request_id=request["id"])
    assert decided["made"]["field_order"] == order.number and order.number.startswith("FO-")
    assert order.state == "dispatched" and order.technician == users["technician"]
    assert decided["request"]["field_orders"][0]["planned_date"] == planned
    late = desk.register(serial=IN_WARRANTY.format(2))
    desk.post("service", late, "reply", content="已收到")
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    refused = desk.post("service", late, "decide", expect=400, kind="technician", technician="technician",
                        planned_date=yesterday)
    assert "planned_date" in refused["details"] and not FieldOrder.objects.filter(request_id=late["id"]).exists()


def test_return_to_the_factory_creates_a_linked_case_and_follows_its_progress(desk, flow, detail, api, browser_as):
    request, decided = desk.decided("return", solution="寄回工厂维修")
    case = ReturnCase.objects.get(number=decided["made"]["return_case"])
    assert case.customer.code == "C-ALICE" and case.customer_reference == request["number"]
    line = case.lines.get()
    assert line.serials == [IN_WARRANTY.format(1)] and line.product_model.code == "HT-2000"
    assert decided["request"]["return_case"] == {"id": case.pk, "number": case.number, "state": "draft"}
    # The case's page names the request it came from (上查), above what followed from it (下查).
    page = browser_as("service").get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    tab = page[page.index('id="tab-documents"'):]
    assert tab.index("上查（来源单据）") < tab.index(request["number"]) < tab.index("下查（后续单据）")
    assert "售后服务单" in tab[:tab.index(request["number"])]
    documents = api("service").get(f"/api/v1/cases/{case.pk}/documents/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"]
    source = next(d for d in documents if d["number"] == request["number"])
    assert (source["direction"], source["kind_label"]) == ("up", "售后服务单") and source["at"] is not None
    assert desk.post("service", request, "resolve", expect=409, result="x")["code"] == "return_case_open"
    flow("service", "submit", {"id": case.pk})
    followed = desk.get(request)
    assert followed["return_case"]["state"] == "submitted"
    assert followed["timeline"][-1]["action"] == "case_progress"
    flow("service", "cancel", {"id": case.pk})
    assert desk.post("service", request, "resolve", result="客户取消退货")["state"] == "resolved"


def test_a_return_needs_the_product_model(desk):
    request = desk.register(serial="", product_model="", customer="C-ALICE")
    desk.post("service", request, "reply", content="收到")
    assert "product_model" in desk.post("service", request, "decide", expect=400, kind="return")["details"]


def test_passed_to_a_supplier_is_a_record_purchasing_sees(desk, parts, api, users):
    request, decided = desk.decided("supplier", supplier="温控器供应商", part="HT-THERM", problem="温控器批量失效")
    referral = SupplierReferral.objects.get(request_id=request["id"])
    assert decided["made"]["supplier_referral"] == referral.pk
    listed = api("purchasing").get("/api/v1/supplier-referrals/").json()
    assert listed["results"][0]["supplier"] == "温控器供应商" and listed["results"][0]["part"] == "HT-THERM"
    assert Notification.objects.filter(recipient=users["purchasing"], kind="service_request_handover").exists()
    assert api("alice").get("/api/v1/supplier-referrals/").status_code == 404
    assert api("warehouse").get("/api/v1/supplier-referrals/").status_code == 403


def test_escalated_as_a_major_quality_problem_to_quality_and_engineering(desk, users, browser_as):
    request, decided = desk.decided("quality", problem="同批次多台漏电")
    assert QualityEscalation.objects.get(request_id=request["id"]).state == "open"
    for role in ("quality", "engineering"):
        assert Notification.objects.filter(recipient=users[role], kind="service_request_handover",
                                           context__reason="quality").exists()
    inbox = browser_as("quality").get("/")
    assert request["number"] in inbox.content.decode()


def test_closing_sends_a_survey_answered_once_in_the_portal(desk, api, users, settings):
    settings.AFTERSALES_SITE_URL = "https://aftersales.example.com"
    request, _decided = desk.decided("remote", solution="复位")
    desk.post("service", request, "resolve", result="已解决")
    closed = desk.post("service", request, "close")
    assert closed["state"] == "closed" and closed["surveys"][0]["answered"] is False
    survey_id = closed["surveys"][0]["id"]
    notice = Notification.objects.get(recipient=users["alice"], context__notice="survey")
    assert notice.context["token"]
    _subject, body = render(notice, "zh-hans")
    assert f"https://aftersales.example.com/survey/{notice.context['token']}/" in body  # a whole address
    assert api("bob").get(f"/api/v1/service-surveys/{survey_id}/").status_code == 404
    assert api("bob").post(f"/api/v1/service-surveys/{survey_id}/", SATISFIED, format="json").status_code == 404
    answered = api("alice").post(f"/api/v1/service-surveys/{survey_id}/", SATISFIED, format="json")
    assert answered.status_code == 200 and answered.json()["followup"] == "none"
    again = api("alice").post(f"/api/v1/service-surveys/{survey_id}/", SATISFIED, format="json")
    assert again.status_code == 409 and again.json()["code"] == "survey_answered"
    assert desk.get(request)["state"] == "closed"


def _closed(desk):
    request, _decided = desk.decided("remote", solution="复位")
    desk.post("service", request, "resolve", result="已解决")
    return request, desk.post("service", request, "close")["surveys"][-1]["id"]


def test_the_signed_link_needs_no_login_refuses_a_second_answer_and_reopens_on_a_low_score(desk, api):
    request, survey_id = _closed(desk)
    token = survey_token(Survey.objects.get(pk=survey_id))
    link = f"/api/v1/survey-links/{token}/"
    assert api(None).get(link).json()["request"] == request["number"]
    answered = api(None).post(link, UNHAPPY, format="json")
    assert answered.status_code == 200 and answered.json()["followup"] == "reopen"
    reopened = desk.get(request)
    assert reopened["state"] == "reopened" and reopened["reopen_count"] == 1
    assert {c["kind"] for c in reopened["clocks"] if c["state"] == "open"} == {"service_resolution"}
    second = api(None).post(link, SATISFIED, format="json")
    assert second.status_code == 409 and second.json()["code"] == "survey_answered"


def test_an_expired_or_altered_link_is_refused(desk, api, monkeypatch):
    _request, survey_id = _closed(desk)
    token = survey_token(Survey.objects.get(pk=survey_id))
    altered = api(None).get(f"/api/v1/survey-links/{token[:-2]}xx/")
    assert altered.status_code == 404 and altered.json()["code"] == "survey_link_invalid"
    other = signing.TimestampSigner(salt="other").sign(str(survey_id))
    assert api(None).get(f"/api/v1/survey-links/{other}/").json()["code"] == "survey_link_invalid"
    later = __import__("time").time() + 15 * 86400
    monkeypatch.setattr("time.time", lambda: later)
    expired = api(None).post(f"/api/v1/survey-links/{token}/", SATISFIED, format="json")
    assert expired.status_code == 403 and expired.json()["code"] == "survey_link_expired"
    assert Survey.objects.get(pk=survey_id).answered_at is None


def test_a_low_score_may_complain_to_the_manager_instead(desk, api, users):
    request, survey_id = _closed(desk)
    answered = api("alice").post(f"/api/v1/service-surveys/{survey_id}/", {**UNHAPPY, "followup": "complain"},
                                 format="json")
    assert answered.json()["followup"] == "complain"
    after = desk.get(request)
    assert after["state"] == "closed" and after["escalated_to_manager"] is True
    assert Notification.objects.filter(recipient=users["manager"], kind="service_request_escalation",
                                       context__reason="complaint").exists()


def test_reopened_more_than_the_policy_allows_escalates_to_the_manager(desk, api, users):
    request, _decided = desk.decided("remote", solution="复位")
    for time in range(3):
        desk.post("service", request, "resolve", result=f"第{time + 1}次处理")
        reopened = desk.post("alice" if time % 2 else "service", request, "reopen", reason="又坏了")
        assert reopened["reopen_count"] == time + 1
        assert reopened["escalated_to_manager"] is (time + 1 > 2)
        desk.post("service", request, "decide", kind="remote", solution="再复位")
    escalations = Notification.objects.filter(recipient=users["manager"], kind="service_request_escalation")
    assert escalations.count() == 1 and escalations.get().context["reason"] == "reopened"
    assert RequestEvent.objects.filter(request_id=request["id"], action="reopen").count() == 3


def test_a_customer_reaches_nothing_of_another_customers_requests(desk, api):
    request = desk.register()
    assert api("bob").get(f"{BASE}{request['id']}/").status_code == 404
    assert api("bob").post(f"{BASE}{request['id']}/reopen/", {"reason": "x"}, format="json").status_code == 404
    assert api("bob").get(BASE).json()["count"] == 0
    assert api("alice").get(BASE).json()["count"] == 1
    assert api("bob").get(f"{BASE}99999999999999/").status_code == 404
    assert api("service").get(f"{BASE}abc/").status_code == 404


def test_a_customer_is_not_told_of_another_customers_earlier_request_for_the_same_unit(desk, api):
    earlier = desk.register()  # C-ALICE's unit, at the desk
    body = {"serial": IN_WARRANTY.format(1), "category": "repair", "description": "不加热", "contact_name": "李"}
    own = api("alice").post(BASE, body, format="json").json()
    assert own["repeat_of"] == earlier["number"]  # its own earlier request, the customer is told of
    created = api("bob").post(BASE, body, format="json")
    assert created.status_code == 201, created.json()
    seen = created.json()
    assert seen["repeat_of"] is None and earlier["number"] not in str(seen) and own["number"] not in str(seen)
    assert desk.get(seen)["repeat_of"] == own["number"]  # the desk still sees the unit's history


def test_a_request_is_read_whole_by_the_desk_the_departments_it_reaches_and_its_customer(desk, api):
    request, _decided = desk.decided("remote", solution="复位")
    for role in ("warehouse", "finance", "repair", "ecommerce"):
        refused = api(role).get(f"{BASE}{request['id']}/")
        assert refused.status_code == 403, (role, refused.status_code)
    for role in ("service", "manager", "quality", "technician", "alice"):
        assert api(role).get(f"{BASE}{request['id']}/").status_code == 200, role
    seen = desk.get(request, role="alice")
    assert seen["decision"]["by"] is None and {e["actor"] for e in seen["timeline"]} == {None}
    assert desk.get(request)["decision"]["by"] == "service"


def test_the_inbox_queues(desk, api, clock):
    clock("2026-11-02T09:00")
    old = desk.register()
    Deadline.objects.filter(subject_id=old["id"], kind="service_first_reply").update(
        due_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    new = desk.register(serial=IN_WARRANTY.format(2))
    queue = {name: [r["number"] for r in api("service").get(BASE, {"queue": name}).json()["results"]]
             for name in ("unanswered", "overdue", "reopened", "open")}
    assert queue["unanswered"] == [new["number"], old["number"]] and queue["overdue"] == [old["number"]]
    assert queue["reopened"] == []
    assert api("service").get(BASE, {"queue": "bogus"}).json()["code"] == "invalid"
    assert Deadline.objects.filter(subject_type="service_request", state=DeadlineState.OPEN).count() == 4


def test_a_closed_request_leaves_the_open_queue_and_a_reopened_one_comes_back(desk, api):
    request, _decided = desk.decided("remote", solution="复位")
    desk.post("service", request, "resolve", result="已解决")
    open_now = [r["number"] for r in api("service").get(BASE, {"queue": "open"}).json()["results"]]
    assert request["number"] in open_now  # resolved: the desk still closes it
    desk.post("service", request, "close")
    for queue in ("open", None):
        listed = api("service").get(BASE, {"queue": queue} if queue else {}).json()["results"]
        assert request["number"] not in [r["number"] for r in listed]
    assert request["number"] in [r["number"] for r in api("service").get(BASE, {"queue": "all"}).json()["results"]]
    desk.post("service", request, "reopen", reason="仍漏水")
    assert request["number"] in [r["number"] for r in api("service").get(BASE, {"queue": "open"}).json()["results"]]
