"""Key-customer visits through the API: a plan, its visits opened when due and dispatched, the customer's feedback
recorded on site and answered by engineering (in engineering's inbox meanwhile), the next visit moved on at
check-out; refusals."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.field.models import FieldOrder, VisitPlan
from tests.field import COMPLETE, signature

pytestmark = pytest.mark.django_db


def _post(api, role, url, expect=200, **body):
    response = api(role).post(url, body, format="json")
    assert response.status_code == expect, response.json()
    return response.json()


def test_a_key_customers_visits_and_their_feedback(api, users, customers, browser_as):
    customers["alice"].is_key_customer = True
    customers["alice"].save()
    today = timezone.localdate()
    refused = _post(api, "service", "/api/v1/visit-plans/", 400, customer="C-BOB", every_days=0, first_visit="x")
    assert set(refused["details"]) == {"customer", "every_days", "first_visit", "site_address"}
    plan = _post(api, "service", "/api/v1/visit-plans/", 201, customer="C-ALICE", every_days=90,
                 first_visit=today.isoformat(), site_address="上海市张江路 100 号", technician="technician")
    opened = _post(api, "service", "/api/v1/visit-plans/schedule/")["opened"]
    assert len(opened) == 1 and _post(api, "service", "/api/v1/visit-plans/schedule/")["opened"] == []  # one open
    order = FieldOrder.objects.get(number=opened[0])
    assert order.work == "visit" and order.state == "dispatched" and order.visit_plan_id == plan["id"]
    url = f"/api/v1/field-orders/{order.pk}/"
    _post(api, "technician", f"{url}actions/accept/")
    assert _post(api, "technician", f"{url}feedback/", 409, topic="design", text="x")["code"] == "invalid_state"
    _post(api, "technician", f"{url}actions/check_in/")
    bad = _post(api, "technician", f"{url}feedback/", 400, topic="price", text="")
    assert set(bad["details"]) == {"topic", "text"}
    item = _post(api, "technician", f"{url}feedback/", 201, topic="design", text="希望温控旋钮改为数字显示")
    assert _post(api, "service", f"{url}feedback/", 403)["code"] == "permission_denied"
    inbox = browser_as("engineering").get("/").content.decode()
    assert order.number in inbox  # engineering's inbox: feedback to answer
    assert browser_as("engineering").get(f"/field/{order.pk}/").status_code == 200
    listed = api("engineering").get("/api/v1/customer-feedback/?open=true").json()
    assert [f["id"] for f in listed["results"]] == [item["id"]]
    answered = _post(api, "engineering", f"/api/v1/customer-feedback/{item['id']}/answer/",
                     answer="下一版改为数显温控，2027 年 Q2")
    assert answered["answered_by"] and answered["answer"].startswith("下一版")
    assert _post(api, "engineering", f"/api/v1/customer-feedback/{item['id']}/answer/", 409, answer="x")
    assert api("engineering").get("/api/v1/customer-feedback/?open=true").json()["count"] == 0
    _post(api, "technician", f"{url}report/", **COMPLETE, signature=signature())
    _post(api, "technician", f"{url}actions/submit_report/")
    _post(api, "service", f"{url}actions/confirm_call/")
    _post(api, "technician", f"{url}actions/check_out/")
    assert VisitPlan.objects.get(pk=plan["id"]).next_due == today + dt.timedelta(days=90)
    assert api("alice").get("/api/v1/visit-plans/").status_code == 404
    assert api("technician").get("/api/v1/visit-plans/").status_code == 403
