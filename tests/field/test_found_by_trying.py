"""Defects found by trying field service as its users would (an outside walk through the API and the pages), each
fixed at its cause and kept fixed here."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.field.models import FieldOrder, Penalty
from aftersales.field.services import field_order_create
from aftersales.masterdata.models import Contact
from tests.field import COMPLETE, signature

pytestmark = pytest.mark.django_db
ORDERS = "/api/v1/field-orders/"


def _post(api, role, url, expect=200, **body):
    response = api(role).post(url, body, format="json")
    assert response.status_code == expect, response.json()
    return response.json()


@pytest.fixture
def order(users, customers):
    return field_order_create(actor=users["service"], customer=customers["alice"], site_address="上海市张江路 100 号",
                              technician=users["technician"], required_arrival=timezone.now() + dt.timedelta(hours=2))


def test_a_penalty_names_an_order_of_its_technician(api, users, order):
    from aftersales.accounts.services import user_create

    user_create(username="tech2", password=None, role_codes={"technician"})
    refused = _post(api, "manager", "/api/v1/penalties/", 400, technician="tech2", rule="late_on_site",
                    order=order.number, description="迟到", evidence="客户电话")
    assert set(refused["details"]) == {"order"} and not Penalty.objects.exists()
    _post(api, "manager", "/api/v1/penalties/", 201, technician="technician", rule="late_on_site",
          order=order.number, description="迟到", evidence="客户电话")


def test_a_customer_reads_no_lateness_in_the_list_either(api, order):
    row = api("alice").get(ORDERS).json()["results"][0]
    assert "late" not in row and "repeat" not in row and row["number"] == order.number


def test_an_order_from_the_desk_takes_the_customers_contact_and_is_dispatched_with_its_site(
        api, users, customers, service_desk):
    Contact.objects.create(customer=customers["alice"], name="孙经理", phone="13800010001", is_primary=True)
    request = service_desk.register(contact_name="", contact_phone="")
    service_desk.post("service", request, "reply", content="已收到")
    decided = service_desk.post("service", request, "decide", kind="technician")
    made = FieldOrder.objects.get(number=decided["made"]["field_order"])
    assert (made.contact_name, made.contact_phone, made.state) == ("孙经理", "13800010001", "open")
    url = f"{ORDERS}{made.pk}/actions/assign/"
    assert set(_post(api, "service", url, 400, technician="technician")["details"]) == {"site_address"}
    arrival = (timezone.now() + dt.timedelta(days=1)).isoformat()
    dispatched = _post(api, "service", url, technician="technician", site_address="上海市松江区 8 号",
                       required_arrival=arrival)
    assert dispatched["site_address"] == "上海市松江区 8 号" and dispatched["required_arrival"]
    page = service_desk.get(request)
    assert page["field_orders"][0]["url"] == f"/field/{made.pk}/" and page["field_orders"][0]["state_label"]


def test_numbers_are_refused_not_rounded_and_every_field_is_named(api, order):
    body = {"work": "repair", "customer": "C-ALICE", "site_address": "上海", "contract_covered": True,
            "description": "长" * 6000}
    refused = _post(api, "service", ORDERS, 400, **body)
    assert set(refused["details"]) == {"contract_covered", "description"}  # the site address was sent
    assert set(_post(api, "service", ORDERS, 400, work="visit", site_address="上海")["details"]) == {"customer"}
    _post(api, "technician", f"{ORDERS}{order.pk}/actions/accept/")
    _post(api, "technician", f"{ORDERS}{order.pk}/actions/check_in/", 400, latitude="91", longitude="1e308")
    where = _post(api, "technician", f"{ORDERS}{order.pk}/actions/check_in/", 400, latitude="91", longitude="0")
    assert "90" in where["details"]["latitude"][0]  # the range, not "the amount is too large"
    _post(api, "technician", f"{ORDERS}{order.pk}/actions/check_in/")
    missing = _post(api, "technician", f"{ORDERS}{order.pk}/actions/submit_report/", 400)
    assert {"fault_cause", "solution", "hours", "customer_opinion", "signed_by", "signature"} <= set(missing["details"])
    assert set(_post(api, "technician", f"{ORDERS}{order.pk}/report/", 400, hours="1.234")["details"]) == {"hours"}
    parts = _post(api, "technician", f"{ORDERS}{order.pk}/report/", 400, parts=[{"quantity": 1}])
    assert parts["details"]["parts"]["0"] == ["请选择配件。"] or parts["details"]["parts"]["0"] == ["Choose a part."]


def test_lists_refuse_what_they_cannot_filter_by(api, order):
    assert api("service").get("/api/v1/field-board/?state=dance").status_code == 400
    assert api("service").get("/api/v1/field-board/?page=abc").status_code == 400
    assert api("service").get(f"{ORDERS}?open=maybe").status_code == 400
    assert api("service").get(f"{ORDERS}?request=abc").status_code == 400
    assert api("service").get(f"{ORDERS}?open=true").json()["count"] == 1


def test_a_late_arrival_says_how_late_and_the_signature_shows_again(api, users, order, browser_as):
    FieldOrder.objects.filter(pk=order.pk).update(required_arrival=timezone.now() - dt.timedelta(minutes=42))
    _post(api, "technician", f"{ORDERS}{order.pk}/actions/accept/")
    _post(api, "technician", f"{ORDERS}{order.pk}/actions/check_in/")
    assert "42" in Penalty.objects.get(order=order).description
    assert browser_as("technician").get(f"/field/{order.pk}/signature.png").status_code == 404  # none yet
    _post(api, "technician", f"{ORDERS}{order.pk}/report/", **COMPLETE, signature=signature())
    image = browser_as("technician").get(f"/field/{order.pk}/signature.png")
    assert image.status_code == 200 and image["Content-Type"] == "image/png" and image.content[:4] == b"\x89PNG"
    page = browser_as("technician").get(f"/field/{order.pk}/").content.decode()
    assert f'data-signed="/field/{order.pk}/signature.png"' in page
    assert browser_as("alice").get(f"/field/{order.pk}/signature.png").status_code == 404


def test_headquarters_opens_a_direct_order_on_the_board(browser_as, users, customers):
    service = browser_as("service")
    board = service.get("/field/").content.decode()
    assert 'action="/field/new/"' in board
    refused = service.post("/field/new/", {"work": "installation", "customer": "", "site_address": ""})
    assert refused.status_code == 302 and not FieldOrder.objects.exists()
    made = service.post("/field/new/", {"work": "installation", "customer": "C-ALICE", "site_address": "杭州 1 号",
                                        "contract_covered": "true", "technician": "technician"})
    order = FieldOrder.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/field/{order.pk}/"
    assert order.contract_covered and order.state == "dispatched"


def test_the_desks_decision_and_the_signature_name_what_is_wrong(api, order, service_desk):
    request = service_desk.register()
    service_desk.post("service", request, "reply", content="已收到")
    refused = service_desk.post("service", request, "decide", expect=400, kind="technician", technician="nobody",
                                planned_date="abc")
    assert set(refused["details"]) == {"technician", "planned_date"}  # both at once
    _post(api, "technician", f"{ORDERS}{order.pk}/actions/accept/")
    _post(api, "technician", f"{ORDERS}{order.pk}/actions/check_in/")
    wrong = _post(api, "technician", f"{ORDERS}{order.pk}/report/", 400, signature=123)
    assert wrong["details"]["signature"] != ["签名图片太大。"] and wrong["details"]["signature"] != [
        "The signature is too large."]


def test_a_dispatch_left_unaccepted_past_its_time_is_an_ignored_dispatch_once(api, users, order):
    from aftersales.deadlines.models import Deadline
    from aftersales.deadlines.services import deadlines_sweep

    past = timezone.now() - dt.timedelta(minutes=5)
    Deadline.objects.filter(subject_type="field_order", subject_id=order.pk).update(due_at=past, next_alert_at=past,
                                                                                      alert_level=1)
    deadlines_sweep()
    ignored = Penalty.objects.get(order=order)
    assert ignored.rule == "ignored_dispatch" and ignored.technician == users["technician"]
    _post(api, "technician", f"{ORDERS}{order.pk}/actions/accept/")  # late: nothing more is proposed
    assert Penalty.objects.filter(order=order).count() == 1
