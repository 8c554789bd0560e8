"""Complaints about service staff (来电、来函、来人反应服务人员表现不良): the request names the person, only the
service manager verifies or rejects it with a finding, a verified one is a conduct record against the person
(what the penalty ledger reads), searchable by person for the manager; the customer sees none of it."""

import pytest

from aftersales.servicedesk.models import ConductRecord, RequestEvent, ServiceRequest

CONDUCT = "/api/v1/conduct-records/"


def complaint(desk, role="service", **fields):
    return desk.register(role=role, category="staff_complaint", description="维修人员态度恶劣，顶撞用户",
                         **({"staff_member": "technician"} if role != "alice" else {}) | fields)


def test_the_manager_verifies_a_complaint_and_it_is_recorded_against_the_person(service_desk, api, users):
    request = complaint(service_desk)
    assert request["staff_member"] == "technician" and request["conduct_verdict"] == ""
    actions = [a["action"] for a in service_desk.get(request, role="manager")["allowed_actions"]]
    assert "verify_complaint" in actions and "reject_complaint" in actions
    verified = service_desk.post("manager", request, "verify-complaint", finding="查实：与用户发生口角")
    assert verified["conduct_verdict"] == "verified"
    record = verified["conduct_record"]
    assert record["person"] == "technician" and record["verified_by"] == "manager"
    assert record["finding"] == "查实：与用户发生口角" and record["request"] == request["number"]
    stored = ConductRecord.objects.get()
    assert stored.person == users["technician"] and stored.request_id == request["id"]
    assert verified["timeline"][-1]["action"] == "verify_complaint"
    # Judged once: neither verified again nor rejected afterwards.
    again = service_desk.post("manager", request, "verify-complaint", expect=409, finding="再次")
    assert again["code"] == "complaint_judged"
    assert service_desk.post("manager", request, "reject-complaint", expect=409, finding="x")["code"] == \
        "complaint_judged"
    assert ConductRecord.objects.count() == 1


def test_only_the_manager_judges_a_complaint(service_desk, api):
    request = complaint(service_desk)
    for role in ("service", "quality", "technician"):
        refused = service_desk.post(role, request, "verify-complaint", expect=403, finding="查实")
        assert refused["code"] == "permission_denied"
        assert service_desk.post(role, request, "reject-complaint", expect=403, finding="x")["code"] == \
            "permission_denied"
    assert service_desk.post("alice", request, "verify-complaint", expect=403, finding="x")["code"] == \
        "permission_denied"
    assert service_desk.post("bob", request, "verify-complaint", expect=404, finding="x")["code"] == "not_found"
    assert "verify_complaint" not in [a["action"] for a in service_desk.get(request)["allowed_actions"]]
    assert not ConductRecord.objects.exists()
    assert ServiceRequest.objects.get(pk=request["id"]).conduct_verdict == ""


def test_a_rejected_complaint_records_nothing_against_the_person(service_desk):
    request = complaint(service_desk)
    rejected = service_desk.post("manager", request, "reject-complaint", finding="经核实，用户误解了收费规定")
    assert rejected["conduct_verdict"] == "rejected" and rejected["conduct_record"] is None
    assert rejected["timeline"][-1]["changes"]["finding"] == "经核实，用户误解了收费规定"
    assert not ConductRecord.objects.exists()


def test_bad_judgements_are_refused_and_change_nothing(service_desk):
    other = service_desk.register()  # a repair request, not a complaint about staff
    assert service_desk.post("manager", other, "verify-complaint", expect=409, finding="x")["code"] == \
        "not_staff_complaint"
    request = complaint(service_desk)
    for body, field in (({}, "finding"), ({"finding": "长" * 5001}, "finding"),
                        ({"finding": "查实", "staff_member": "nobody-at-all"}, "staff_member"),
                        ({"finding": "查实", "staff_member": "alice"}, "staff_member")):  # a customer's login
        answer = service_desk.post("manager", request, "verify-complaint", expect=400, **body)
        assert answer["code"] == "invalid" and field in answer["details"], (body, answer)
    assert not ConductRecord.objects.exists()
    assert not RequestEvent.objects.filter(action__in=("verify_complaint", "reject_complaint")).exists()


def test_registering_a_complaint_about_staff_names_the_person(service_desk, api):
    for fields, field in (({}, "staff_member"), ({"staff_member": "nobody-at-all"}, "staff_member"),
                          ({"staff_member": "nobody"}, "staff_member")):  # a user without a role is not staff
        answer = complaint(service_desk, expect=400, **fields) if fields else service_desk.register(
            category="staff_complaint", expect=400)
        assert field in answer["details"], answer
    repair = service_desk.register(expect=400, staff_member="technician")  # only a complaint names a person
    assert "staff_member" in repair["details"]
    assert not ServiceRequest.objects.exists()


def test_a_customers_complaint_is_named_by_the_manager_and_the_customer_sees_no_record(service_desk, api):
    refused = service_desk.register(role="alice", category="staff_complaint", staff_member="technician", expect=400)
    assert "staff_member" in refused["details"]
    request = complaint(service_desk, role="alice")
    assert request["staff_member"] is None
    unnamed = service_desk.post("manager", request, "verify-complaint", expect=400, finding="查实")
    assert "staff_member" in unnamed["details"]
    verified = service_desk.post("manager", request, "verify-complaint", finding="查实：未按时到达现场",
                                 staff_member="technician")
    assert verified["staff_member"] == "technician" and verified["conduct_record"]["person"] == "technician"
    seen = service_desk.get(request, role="alice")
    assert seen["staff_member"] is None and seen["conduct_verdict"] == "" and seen["conduct_record"] is None
    assert "verify_complaint" not in [e["action"] for e in seen["timeline"]]  # the step itself is the verdict
    assert {e["actor"] for e in seen["timeline"]} == {None}  # what happened, not who did it
    assert "technician" not in str(seen) and "'manager'" not in str(seen)
    technician = service_desk.get(request, role="technician")  # the person complained about reads no verdict
    assert technician["staff_member"] is None and technician["conduct_record"] is None
    assert technician["conduct_verdict"] == ""
    assert "未按时到达现场" not in str(technician)
    assert service_desk.get(request, role="bob", expect=404)["code"] == "not_found"


def test_conduct_records_are_searched_by_person_by_the_manager_only(service_desk, api, users):
    first = complaint(service_desk)
    service_desk.post("manager", first, "verify-complaint", finding="查实一")
    second = complaint(service_desk, staff_member="repair")
    service_desk.post("manager", second, "verify-complaint", finding="查实二")
    every = api("manager").get(CONDUCT).json()["results"]
    assert [r["person"] for r in every] == ["repair", "technician"]  # newest first
    mine = api("manager").get(CONDUCT, {"person": "technician"}).json()["results"]
    assert [(r["person"], r["request"], r["finding"]) for r in mine] == [("technician", first["number"], "查实一")]
    for role in ("service", "technician", "finance"):
        refused = api(role).get(CONDUCT)
        assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    for customer in ("alice", "bob"):
        assert api(customer).get(CONDUCT).status_code == 404


@pytest.mark.django_db
def test_the_request_page_offers_the_manager_the_verdict_buttons(service_desk, client, users):
    request = complaint(service_desk)
    client.force_login(users["manager"])
    page = client.get(f"/service-desk/{request['id']}/").content.decode()
    assert "verify_complaint/" in page and "reject_complaint/" in page
    done = client.post(f"/service-desk/{request['id']}/verify_complaint/", {"finding": "查实", "staff_member": ""})
    assert done.status_code == 302 and ConductRecord.objects.get().person == users["technician"]
    client.force_login(users["service"])
    page = client.get(f"/service-desk/{request['id']}/").content.decode()
    assert "verify_complaint/" not in page
    refused = client.post(f"/service-desk/{request['id']}/reject_complaint/", {"finding": "x"})
    assert refused.status_code == 403
