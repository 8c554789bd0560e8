"""Travel expenses through the API: an advance asked before a trip, paid, then settled by the trip's claim whose
receipt from another town is flagged; the phone allowance withheld by a confirmed phone-off penalty; who may do
what, and bad input named field by field."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.field.models import ExpenseClaim
from aftersales.field.services import field_order_create

pytestmark = pytest.mark.django_db
CLAIMS = "/api/v1/expense-claims/"


@pytest.fixture
def trip(users, customers):
    order = field_order_create(actor=users["service"], customer=customers["alice"],
                               site_address="江苏省苏州市工业园区星湖街 1 号", technician=users["technician"])
    today = timezone.localdate()
    return {"order": order, "from": (today - dt.timedelta(days=2)).isoformat(), "to": today.isoformat()}


def _post(api, role, url, expect=200, **body):
    response = api(role).post(url, body, format="json")
    assert response.status_code == expect, response.json()
    return response.json()


def test_an_advance_is_settled_by_a_claim_with_a_mismatched_receipt_flagged(api, trip, users):
    advance = _post(api, "technician", CLAIMS, 201, kind="advance", amount="800", trip_from=trip["from"],
                    trip_to=trip["to"], orders=[trip["order"].number])
    assert advance["state"] == "draft" and advance["balance"] == "800.00"
    url = f"{CLAIMS}{advance['id']}/actions/"
    _post(api, "technician", f"{url}submit/")
    assert _post(api, "finance", f"{url}pay/", 409)["code"] == "invalid_state"  # the manager approves first
    assert _post(api, "service", f"{url}approve/", 403)["code"] == "permission_denied"
    _post(api, "manager", f"{url}approve/")
    paid = _post(api, "finance", f"{url}pay/")
    assert paid["state"] == "paid" and paid["paid_at"]
    claim = _post(api, "technician", CLAIMS, 201, kind="claim", advance=advance["number"], trip_from=trip["from"],
                  trip_to=trip["to"], places="无锡", orders=[trip["order"].number], lines=[
                      {"category": "transport", "amount": "320.50", "place": "苏州", "receipt_on": trip["from"]},
                      {"category": "lodging", "amount": "400", "place": "无锡市", "receipt_on": trip["to"]},
                      {"category": "meals", "amount": "150", "place": "杭州", "receipt_on": trip["to"]}])
    flags = [(line["place"], line["place_mismatch"]) for line in claim["lines"]]
    assert flags == [("苏州", False), ("无锡市", False), ("杭州", True)] and claim["flagged"]
    assert claim["total"] == "870.50" and claim["advance_paid"] == "800.00" and claim["balance"] == "70.50"
    again = _post(api, "technician", CLAIMS, 409, kind="claim", advance=advance["number"], trip_from=trip["from"],
                  trip_to=trip["to"], lines=[{"category": "meals", "amount": "10"}])
    assert again["code"] == "advance_settled"  # one claim settles an advance
    url = f"{CLAIMS}{claim['id']}/actions/"
    _post(api, "technician", f"{url}submit/")
    assert _post(api, "manager", f"{url}reject/", 400)["details"].keys() == {"note"}
    _post(api, "manager", f"{url}approve/", note="杭州餐费已核实：客户临时改约")
    assert _post(api, "finance", f"{url}pay/")["state"] == "paid"
    figures = api("manager").get("/api/v1/technician-figures/").json()
    assert {t["technician"]: t["expenses"] for t in figures["technicians"]}["technician"] == "870.50"


def test_a_confirmed_phone_off_penalty_withholds_the_phone_allowance(api, trip, users):
    recorded = _post(api, "manager", "/api/v1/penalties/", 201, technician="technician", rule="phone_off",
                      description="8:00-22:00 关机", evidence="总部通话记录", occurred_on=trip["to"])
    claim = _post(api, "technician", CLAIMS, 201, kind="claim", trip_from=trip["from"], trip_to=trip["to"],
                  orders=[trip["order"].number], lines=[{"category": "phone_allowance", "amount": "30"},
                                                        {"category": "transport", "amount": "100", "place": "苏州"}])
    assert [line["withheld"] for line in claim["lines"]] == [False, False]  # proposed only, not yet confirmed
    _post(api, "manager", f"/api/v1/penalties/{recorded['id']}/actions/confirm/")
    _post(api, "technician", f"{CLAIMS}{claim['id']}/actions/submit/")
    approved = _post(api, "manager", f"{CLAIMS}{claim['id']}/actions/approve/")
    assert [line["withheld"] for line in approved["lines"]] == [True, False]
    assert approved["total"] == "100.00" and approved["withheld"] == "30.00"


def test_who_reads_and_what_is_refused(api, trip, users):
    from aftersales.accounts.services import user_create

    users["tech2"] = user_create(username="tech2", password=None, role_codes={"technician"})
    claim = _post(api, "technician", CLAIMS, 201, kind="claim", trip_from=trip["from"], trip_to=trip["to"],
                  lines=[{"category": "transport", "amount": "10", "place": "苏州", "receipt_on": "2020-01-01"}])
    assert claim["lines"][0]["outside_trip"] is True
    assert api("tech2").get(f"{CLAIMS}{claim['id']}/").status_code == 404
    assert _post(api, "tech2", f"{CLAIMS}{claim['id']}/actions/submit/", 404)["code"] == "not_found"
    assert api("alice").get(CLAIMS).status_code == 404
    assert api("finance").get(f"{CLAIMS}{claim['id']}/").status_code == 200
    assert _post(api, "manager", CLAIMS, 403, kind="advance", amount="1", trip_from=trip["from"],
                 trip_to=trip["to"])["code"] == "permission_denied"
    bad = _post(api, "technician", CLAIMS, 400, kind="claim", trip_from="2026-02-30", trip_to="x", orders="FO-1",
                lines=[{"category": "bribe", "amount": "-5"}, "text"])
    assert set(bad["details"]) == {"trip_from", "trip_to", "orders", "lines"}
    assert set(bad["details"]["lines"]) == {"0", "1"} and len(bad["details"]["lines"]["0"]) == 2
    empty = _post(api, "technician", CLAIMS, 400, kind="advance", amount="0", trip_from=trip["to"],
                  trip_to=trip["from"])
    assert set(empty["details"]) == {"amount", "trip_to"}
    assert _post(api, "technician", CLAIMS, 400, kind="loan")["details"].keys() == {"kind"}
    assert ExpenseClaim.objects.count() == 1
    assert _post(api, "technician", f"{CLAIMS}{claim['id']}/actions/nonsense/", 404)["code"] == "unknown_action"
