"""Parts sent out of warranty are charged through the quote (保修期外...通过销售中心报价): the shipment waits for
the customer's accepted (and, per policy, paid) quote before the parts ship and leave stock; in warranty they
ship free at once. Refusals: shipping before acceptance, before payment, a refused quote, another customer."""

from decimal import Decimal

import pytest

from aftersales.core.policies import policy_update
from aftersales.inventory.models import StockMove
from aftersales.inventory.services import Move, stock_moves_apply, warehouse_of_kind
from aftersales.repairs.models import Quote
from aftersales.servicedesk.models import PartsShipment
from tests.flows import OUT_OF_WARRANTY

QUOTES = "/api/v1/parts-quotes/"


@pytest.fixture
def out_of_warranty(service_desk, parts, users):
    """A request on a unit out of warranty, decided as parts sent: (request, shipment) as the API answers."""
    stock_moves_apply(actor=users["warehouse"], moves=[Move("purchase_receipt", 5, None,
                                                            warehouse_of_kind("raw_material"),
                                                            part_id=parts["HT-THERM"].pk)])
    request = service_desk.register(serial=OUT_OF_WARRANTY.format(1))
    assert request["warranty_status"] == "out"
    service_desk.post("service", request, "reply", content="收到")
    decided = service_desk.post("service", request, "decide", kind="parts", parts=[{"part": "HT-THERM",
                                                                                      "quantity": 2}])
    return request, decided["request"]["parts_shipments"][0]


def ship(service_desk, request, shipment, expect=200, role="service"):
    return service_desk.post(role, request, f"parts-shipments/{shipment['id']}/ship", expect=expect,
                             carrier="顺丰速运", tracking="SF2026")


def test_parts_are_free_in_warranty_only_and_nothing_is_settled_without_a_charge_keeper(monkeypatch):
    from aftersales.core import registry
    from aftersales.servicedesk import rules

    assert not rules.parts_chargeable("in")
    assert all(rules.parts_chargeable(status) for status in ("out", "unknown", ""))
    monkeypatch.setattr(registry, "CHARGE_CHECKS", {})
    assert registry.charge_refusal("parts_shipment", object()) == "quote_not_accepted"


def issued() -> int:
    return StockMove.objects.filter(kind="part_issue").count()


def test_charged_parts_wait_for_the_accepted_and_paid_quote_then_ship(service_desk, out_of_warranty, api):
    request, shipment = out_of_warranty
    assert (shipment["state"], shipment["chargeable"], shipment["shipped_at"]) == ("awaiting_quote", True, None)
    assert issued() == 0  # nothing leaves stock before the charge is settled
    assert ship(service_desk, request, shipment, expect=409)["code"] == "quote_not_accepted"
    assert service_desk.post("service", request, "resolve", expect=409, result="已发货")["code"] == \
        "parts_not_shipped"
    sent = api("service").post(QUOTES, {"shipment": shipment["id"], "transport": "20"}, format="json")
    assert sent.status_code == 201, sent.json()
    quote = sent.json()
    # 12.50 at cost, plus the 20 % markup = 15.00 each; two of them and the transport.
    assert quote["total_per_unit"] == "50.00" and quote["service_request"] == request["number"]
    assert quote["case"] is None and [line["kind"] for line in quote["lines"]] == ["part", "transport"]
    again = api("service").post(QUOTES, {"shipment": shipment["id"]}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "quote_pending")
    seen = api("alice").get(QUOTES, {"shipment": shipment["id"]}).json()["results"]
    assert seen[0]["id"] == quote["id"] and "unit_cost" not in seen[0]["lines"][0]
    assert ship(service_desk, request, shipment, expect=409)["code"] == "quote_not_accepted"  # sent, not answered
    answered = api("alice").post(f"{QUOTES}{quote['id']}/answer/", {"accept": True}, format="json")
    assert answered.status_code == 200 and answered.json()["state"] == "accepted"
    assert ship(service_desk, request, shipment, expect=409)["code"] == "quote_not_paid"  # the policy's default
    assert issued() == 0
    paid = api("finance").post(f"/api/v1/quotes/{quote['id']}/payment/", {"amount": "50.00"}, format="json")
    assert paid.status_code == 200 and paid.json()["amount_due"] == "50.00"
    assert ship(service_desk, request, shipment, role="warehouse", expect=403)["code"] == "permission_denied"
    shipped = ship(service_desk, request, shipment)["parts_shipments"][0]
    assert (shipped["state"], shipped["carrier"], shipped["tracking"]) == ("shipped", "顺丰速运", "SF2026")
    assert StockMove.objects.filter(kind="part_issue", quantity=2).count() == 1
    assert ship(service_desk, request, shipment, expect=409)["code"] == "invalid_state"  # shipped once
    assert service_desk.post("service", request, "resolve", result="配件已发出")["state"] == "resolved"
    fees = api("finance").get("/api/v1/fees-due/")
    assert fees.status_code == 200 and fees.json()["results"] == []


def test_when_policy_allows_accepted_parts_ship_before_payment(service_desk, out_of_warranty, api, users):
    policy_update(actor=users["manager"], key="parts_paid_before_shipping", new_value=False, reason="月结客户")
    request, shipment = out_of_warranty
    quote = api("service").post(QUOTES, {"shipment": shipment["id"]}, format="json").json()
    api("service").post(f"{QUOTES}{quote['id']}/answer/", {"accept": True}, format="json")  # told on the phone
    assert ship(service_desk, request, shipment)["parts_shipments"][0]["state"] == "shipped"
    due = api("finance").get("/api/v1/fees-due/").json()["results"]
    assert [(row["service_request"], row["case"], row["outstanding"]) for row in due] == [
        (request["number"], None, "30.00")]


def test_a_refused_quote_cancels_the_shipment_and_nothing_ships(service_desk, out_of_warranty, api):
    request, shipment = out_of_warranty
    quote = api("service").post(QUOTES, {"shipment": shipment["id"]}, format="json").json()
    assert api("bob").post(f"{QUOTES}{quote['id']}/answer/", {"accept": False}, format="json").status_code == 404
    assert api("bob").get(QUOTES, {"shipment": shipment["id"]}).status_code == 404
    assert api("warehouse").get(QUOTES, {"shipment": shipment["id"]}).json()["code"] == "permission_denied"
    bad = api("alice").post(f"{QUOTES}{quote['id']}/answer/", {"accept": "maybe"}, format="json")
    assert bad.status_code == 400 and "accept" in bad.json()["details"]
    refused = api("alice").post(f"{QUOTES}{quote['id']}/answer/", {"accept": False}, format="json")
    assert refused.json()["state"] == "refused"
    assert PartsShipment.objects.get(pk=shipment["id"]).state == "cancelled"
    assert ship(service_desk, request, shipment, expect=409)["code"] == "invalid_state"
    again = api("service").post(QUOTES, {"shipment": shipment["id"]}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_state")
    assert issued() == 0
    assert service_desk.post("service", request, "resolve", result="客户不需要配件")["state"] == "resolved"
    revise = api("service").post(f"/api/v1/quotes/{quote['id']}/revise/", {"reason": "x", "parts": []}, format="json")
    assert revise.status_code == 409


def test_parts_in_warranty_ship_free_at_once(service_desk, parts, users, api):
    stock_moves_apply(actor=users["warehouse"], moves=[Move("purchase_receipt", 3, None,
                                                            warehouse_of_kind("raw_material"),
                                                            part_id=parts["HT-THERM"].pk)])
    request = service_desk.register()
    service_desk.post("service", request, "reply", content="收到")
    no_carrier = service_desk.post("service", request, "decide", expect=400, kind="parts",
                                   parts=[{"part": "HT-THERM", "quantity": 1}])
    assert "carrier" in no_carrier["details"]
    decided = service_desk.post("service", request, "decide", kind="parts", carrier="顺丰", tracking="SF1",
                                parts=[{"part": "HT-THERM", "quantity": 1}])
    shipment = decided["request"]["parts_shipments"][0]
    assert (shipment["state"], shipment["chargeable"]) == ("shipped", False) and shipment["shipped_at"]
    assert issued() == 1 and not Quote.objects.exists()
    refused = api("service").post(QUOTES, {"shipment": shipment["id"]}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "invalid_state")
    assert Decimal(Quote.objects.count()) == 0


def test_the_request_page_quotes_answers_and_ships_the_parts(service_desk, out_of_warranty, api, client, users):
    request, shipment = out_of_warranty
    page_url = f"/service-desk/{request['id']}/"
    client.force_login(users["service"])
    page = client.get(page_url).content.decode()
    assert f"/parts-shipments/{shipment['id']}/quote/" in page and 'name="tracking"' in page
    refused = client.post(f"/service-desk/{request['id']}/ship/", {"shipment": shipment["id"], "carrier": "顺丰",
                                                                  "tracking": "SF9"})
    assert refused.status_code == 409 and not StockMove.objects.filter(kind="part_issue").exists()
    assert client.post(f"/parts-shipments/{shipment['id']}/quote/", {"transport": "0"}).status_code == 302
    quote = Quote.objects.get(parts_shipment_id=shipment["id"])
    client.force_login(users["bob"])
    assert client.post(f"/parts-quotes/{quote.pk}/answer/", {"accept": "true"}).status_code == 404
    client.force_login(users["alice"])
    page = client.get(page_url).content.decode()
    assert f"/parts-quotes/{quote.pk}/answer/" in page and "unit_cost" not in page
    assert client.post(f"/parts-quotes/{quote.pk}/answer/", {"accept": "true"}).status_code == 302
    quote.refresh_from_db()
    assert quote.state == "accepted"
    api("finance").post(f"/api/v1/quotes/{quote.pk}/payment/", {"amount": "30.00"}, format="json")
    client.force_login(users["service"])
    shipped = client.post(f"/service-desk/{request['id']}/ship/", {"shipment": shipment["id"], "carrier": "顺丰",
                                                                  "tracking": "SF9"})
    assert shipped.status_code == 302 and PartsShipment.objects.get(pk=shipment["id"]).state == "shipped"


def test_a_quote_for_a_shipment_that_does_not_exist_is_refused_beside_the_field(api, out_of_warranty):
    for shipment in (99999999, "x"):
        refused = api("service").post(QUOTES, {"shipment": shipment}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (400, "invalid")
        assert "shipment" in refused.json()["details"]
    assert not Quote.objects.exists()
