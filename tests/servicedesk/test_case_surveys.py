"""The satisfaction survey of a closed return case: sent once per closing to the case's customer, answered in
the portal or through the signed link without login; a low score registers a complaint request linked to the
case (escalated to the manager when the customer chooses to complain); another customer reaches nothing."""

import pytest

from aftersales.notifications.models import Notification
from aftersales.returns.models import CaseEvent, ReturnLine
from aftersales.servicedesk.models import ServiceRequest, Survey
from aftersales.servicedesk.services import survey_token
from tests.flows import SHIP

SATISFIED = {"response": 5, "attitude": 4, "fix_quality": 5, "overall": 5, "comment": "修得很好"}
UNHAPPY = {"response": 3, "attitude": 4, "fix_quality": 1, "overall": 2, "comment": "修好两天又坏了"}


@pytest.fixture
def closed_case(received, flow, work_and_final):
    """closed_case() -> a return case of Alice's, repaired, shipped back and closed through the API."""

    def make():
        case, ids = received()
        flow("quality", "inspect", case, unit_ids=ids, result={"defect_class": "function", "responsibility": "company"})
        flow("quality", "dispose", case, unit_ids=ids, disposition="repair")
        work_and_final(case, ids)
        flow("warehouse", "ship_back", case, unit_ids=ids, **SHIP)
        flow("service", "close", case)
        return case

    return make


def _survey(case) -> Survey:
    return Survey.objects.get(return_case_id=case["id"])


def test_closing_a_case_sends_its_customer_one_survey_with_a_link(closed_case, users):
    case = closed_case()
    survey = _survey(case)
    assert (survey.closing, survey.customer.code, survey.request_id, survey.answered_at) == (1, "C-ALICE", None, None)
    assert (survey.handled_by, survey.department) == (users["repair"], "repair")  # who repaired it
    (notice,) = Notification.objects.filter(recipient=users["alice"], kind="service_case_survey")
    assert notice.context == {"case": case["number"], "token": survey_token(survey)}
    assert (notice.subject_type, notice.subject_id) == ("return_case", case["id"])
    # Only the closing sends one: no other action of the case did.
    assert Survey.objects.count() == 1
    assert CaseEvent.objects.filter(return_case_id=case["id"], action="close").count() == 1


def test_a_satisfied_answer_in_the_portal_raises_nothing_and_is_taken_once(closed_case, api):
    case = closed_case()
    survey = _survey(case)
    shown = api("alice").get(f"/api/v1/service-surveys/{survey.pk}/").json()
    assert (shown["return_case"], shown["request"], shown["answered"]) == (case["number"], None, False)
    answered = api("alice").post(f"/api/v1/service-surveys/{survey.pk}/", SATISFIED, format="json").json()
    assert (answered["followup"], answered["complaint"], answered["overall"]) == ("none", None, 5)
    again = api("alice").post(f"/api/v1/service-surveys/{survey.pk}/", SATISFIED, format="json")
    assert again.status_code == 409 and again.json()["code"] == "survey_answered"
    assert not ServiceRequest.objects.exists()


def test_a_low_score_through_the_link_registers_a_complaint_linked_to_the_case(closed_case, api, users):
    case = closed_case()
    link = f"/api/v1/survey-links/{survey_token(_survey(case))}/"
    assert api(None).get(link).json()["return_case"] == case["number"]
    answered = api(None).post(link, UNHAPPY, format="json")
    assert answered.status_code == 200, answered.json()
    body = answered.json()
    complaint = ServiceRequest.objects.get()
    assert (body["followup"], body["complaint"]) == ("reopen", complaint.number)
    assert (complaint.category, complaint.customer.code, complaint.return_case_id) == (
        "product_complaint", "C-ALICE", case["id"])
    assert (complaint.state, complaint.channel, complaint.priority) == ("registered", "portal", "high")
    assert complaint.serial == "HT26090001" and complaint.product_model.code == "HT-2000"
    assert case["number"] in complaint.description and UNHAPPY["comment"] in complaint.description
    assert complaint.escalated_to_manager is False  # the desk handles it again (再次处理); the manager is told
    told = Notification.objects.get(recipient=users["manager"], kind="service_request_escalation")
    assert told.context["reason"] == "case_complaint" and told.context["request"] == complaint.number
    # The desk sees it in its queue, with its first-reply clock running.
    queue = api("service").get("/api/v1/service-requests/", {"queue": "unanswered"}).json()
    assert [r["number"] for r in queue["results"]] == [complaint.number]
    second = api(None).post(link, SATISFIED, format="json")
    assert second.status_code == 409 and second.json()["code"] == "survey_answered"
    assert ServiceRequest.objects.count() == 1


def test_a_customer_choosing_to_complain_escalates_the_complaint_to_the_manager(closed_case, api, browser_as):
    case = closed_case()
    survey = _survey(case)
    answered = api("alice").post(f"/api/v1/service-surveys/{survey.pk}/", {**UNHAPPY, "followup": "complain"},
                                 format="json").json()
    complaint = ServiceRequest.objects.get(number=answered["complaint"])
    assert complaint.escalated_to_manager is True and answered["followup"] == "complain"
    assert complaint.number in browser_as("manager").get("/").content.decode()  # the manager's inbox
    # The case's page names the complaint that followed from it.
    assert complaint.number in browser_as("service").get(f"/cases/{case['id']}/").content.decode()


def test_another_customer_reaches_nothing_of_a_case_survey(closed_case, api, browser_as):
    case = closed_case()
    survey = _survey(case)
    assert api("bob").get(f"/api/v1/service-surveys/{survey.pk}/").status_code == 404
    refused = api("bob").post(f"/api/v1/service-surveys/{survey.pk}/", UNHAPPY, format="json")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    assert browser_as("bob").get(f"/service-surveys/{survey.pk}/").status_code == 404
    assert case["number"] not in browser_as("bob").get("/service-desk/mine/").content.decode()
    assert Survey.objects.get(pk=survey.pk).answered_at is None and not ServiceRequest.objects.exists()


def test_the_customer_finds_the_case_survey_in_the_portal_and_answers_it_on_its_page(closed_case, browser_as):
    case = closed_case()
    survey = _survey(case)
    alice = browser_as("alice")
    assert f"/service-surveys/{survey.pk}/" in alice.get("/service-desk/mine/").content.decode()
    assert f"/service-surveys/{survey.pk}/" in alice.get(f"/cases/{case['id']}/").content.decode()
    page = alice.post(f"/service-surveys/{survey.pk}/", {**UNHAPPY, "followup": "complain"})
    assert page.status_code == 200
    complaint = ServiceRequest.objects.get()
    assert complaint.number in page.content.decode()
    assert f"/service-surveys/{survey.pk}/" not in alice.get("/service-desk/mine/").content.decode()


def test_the_link_page_needs_no_login(closed_case, client):
    case = closed_case()
    token = survey_token(_survey(case))
    page = client.get(f"/survey/{token}/")
    assert page.status_code == 200 and case["number"] in page.content.decode()
    answered = client.post(f"/survey/{token}/", SATISFIED)
    assert answered.status_code == 200 and _survey(case).overall == 5


def test_a_case_the_desk_sent_back_is_asked_about_with_its_request(api, registry, flow, detail, work_and_final):
    """A request decided "return to the factory": the case's closing sends no survey of its own; the request's
    closing asks about the whole (one survey, not two)."""
    base = "/api/v1/service-requests/"
    request = api("service").post(base, {"channel": "phone", "serial": "HT26090001", "category": "repair",
                                         "description": "不加热"}, format="json").json()
    api("service").post(f"{base}{request['id']}/reply/", {"content": "收到"}, format="json")
    decided = api("service").post(f"{base}{request['id']}/decide/", {"kind": "return", "solution": "寄回"},
                                  format="json").json()
    case = {"id": decided["request"]["return_case"]["id"]}
    ReturnLine.objects.filter(return_case_id=case["id"]).update(production_lot="260910-1")  # the desk completes the note
    flow("service", "submit", case)
    flow("service", "approve", case)
    flow("warehouse", "start_receiving", case)
    flow("warehouse", "receive", case, items=[{"serial": "HT26090001"}])
    flow("warehouse", "close_receipt", case)
    ids = [u["id"] for u in detail(case)["units"]]
    flow("quality", "inspect", case, unit_ids=ids, result={"defect_class": "function", "responsibility": "company"})
    flow("quality", "dispose", case, unit_ids=ids, disposition="repair")
    work_and_final(case, ids)
    flow("warehouse", "ship_back", case, unit_ids=ids, **SHIP)
    flow("service", "close", case)
    assert not Survey.objects.filter(return_case_id=case["id"]).exists()
    api("service").post(f"{base}{request['id']}/resolve/", {"result": "已修复寄回"}, format="json")
    closed = api("service").post(f"{base}{request['id']}/close/", {}, format="json").json()
    (survey,) = Survey.objects.all()
    assert survey.request_id == request["id"] and closed["surveys"][0]["id"] == survey.pk
    assert (survey.handled_by.username, survey.department) == ("service", "service")  # who decided
