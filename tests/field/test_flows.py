"""Field service through the API, as the personas: dispatch from the service desk, the technician's day on site
with parts from van stock and a signed report, installation with training, what the manual fines proposed as it
happens (late on site, leaving without the call, an incomplete report, an ignored dispatch), a contested penalty
withdrawn, a repeat repair flagged, and the refusals (another technician, a customer, bad input)."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.deadlines.models import Deadline
from aftersales.field.models import FieldOrder, Penalty
from aftersales.inventory.models import StockBalance, StockMove
from aftersales.inventory.services import Move, stock_moves_apply, warehouse_of_kind
from aftersales.masterdata.models import Warehouse
from tests.field import COMPLETE, signature
from tests.flows import IN_WARRANTY

pytestmark = pytest.mark.django_db
ORDERS = "/api/v1/field-orders/"


@pytest.fixture
def field(api, users, customers, parts, product_models):
    """field.open(**body) -> an order opened by headquarters; field.step(role, order, action, expect, **body);
    field.report(role, order, expect, **body); field.get(order, role)."""
    raw = warehouse_of_kind("raw_material")
    stock_moves_apply(actor=users["warehouse"], moves=[Move("purchase_receipt", 20, None, raw, part_id=parts[code].pk)
                                                        for code in ("HT-THERM", "HT-ELEM")])

    class Field:
        def open(self, role="service", expect=201, **fields):
            arrival = (timezone.now() + dt.timedelta(hours=3)).isoformat()
            body = {"work": "repair", "customer": "C-ALICE", "site_address": "上海市浦东新区张江路 100 号",
                    "contact_name": "王先生", "contact_phone": "13800000001", "product_model": "HT-2000",
                    "serial": IN_WARRANTY.format(1), "required_arrival": arrival, **fields}
            response = api(role).post(ORDERS, body, format="json")
            assert response.status_code == expect, response.json()
            return response.json()

        def step(self, role, order, action, expect=200, **body):
            response = api(role).post(f"{ORDERS}{order['id']}/actions/{action}/", body, format="json")
            assert response.status_code == expect, (action, role, response.json())
            return response.json()

        def report(self, role, order, expect=200, **body):
            response = api(role).post(f"{ORDERS}{order['id']}/report/", body, format="json")
            assert response.status_code == expect, response.json()
            return response.json()

        def get(self, order, role="service", expect=200):
            response = api(role).get(f"{ORDERS}{order['id']}/")
            assert response.status_code == expect, response.json()
            return response.json()

        def issue(self, code, quantity, expect=200, technician="technician"):
            response = api("warehouse").post("/api/v1/van-stock/issue/", {
                "technician": technician, "parts": [{"part": code, "quantity": quantity}]}, format="json")
            assert response.status_code == expect, response.json()
            return response.json()

    return Field()


def _van_balance(users, code, parts) -> int:
    van = Warehouse.objects.get(holder=users["technician"])
    row = StockBalance.objects.filter(warehouse=van, part=parts[code]).first()
    return row.quantity if row else 0


def test_repair_on_site_with_parts_from_van_stock(field, users, parts, api):
    van = field.issue("HT-THERM", 3)
    assert van["parts"] == [{"part": "HT-THERM", "name": "温控器", "quantity": 3}]
    order = field.open(technician="technician")
    assert order["state"] == "dispatched" and order["technician"] == "technician"
    day = api("technician").get("/api/v1/field-day/").json()
    assert [o["number"] for o in day["orders"]] == [order["number"]] and day["van_stock"][0]["quantity"] == 3
    field.step("technician", order, "accept")
    field.step("technician", order, "check_in", latitude="31.2304", longitude="121.4737")
    field.report("technician", order, **COMPLETE, parts=[{"part": "HT-THERM", "quantity": 1}])
    saved = field.report("technician", order, signature=signature())
    assert saved["report"]["signed"] and saved["report"]["parts"][0]["quantity"] == 1
    assert saved["report"]["fault_cause"] == COMPLETE["fault_cause"]  # a later save keeps what it does not send
    field.step("technician", order, "submit_report")
    assert _van_balance(users, "HT-THERM", parts) == 3  # the parts leave the van at check-out
    field.step("service", order, "confirm_call")
    done = field.step("technician", order, "check_out")
    assert done["state"] == "done" and not done["left_without_call"] and done["penalties"] == []
    assert _van_balance(users, "HT-THERM", parts) == 2
    used = StockMove.objects.get(kind="field_use", part=parts["HT-THERM"])
    assert used.to_warehouse_id is None and used.reference == order["number"] and used.quantity == 1
    # Balances equal the ledger: 3 in, 1 used.
    van = Warehouse.objects.get(holder=users["technician"])
    moved_in = sum(StockMove.objects.filter(to_warehouse=van).values_list("quantity", flat=True))
    moved_out = sum(StockMove.objects.filter(from_warehouse=van).values_list("quantity", flat=True))
    assert moved_in - moved_out == 2


def test_a_report_names_every_missing_field_and_the_van_stock_it_lacks(field, users, parts):
    order = field.open(technician="technician")
    field.step("technician", order, "accept")
    field.step("technician", order, "check_in")
    field.report("technician", order, solution="已处理", parts=[{"part": "HT-ELEM", "quantity": 2}])
    refused = field.step("technician", order, "submit_report", expect=400)
    assert set(refused["details"]) == {"fault_cause", "hours", "customer_opinion", "signed_by", "signature", "parts"}
    assert FieldOrder.objects.get(pk=order["id"]).state == "on_site"
    bad = field.report("technician", order, expect=400, hours="-1", signature="data:image/png;base64,AAAA",
                       parts=[{"part": "NOPE", "quantity": 0}])
    assert set(bad["details"]) == {"hours", "signature", "parts"}
    assert set(bad["details"]["parts"]["0"]) and len(bad["details"]["parts"]["0"]) == 2  # unknown part, quantity


def test_installation_with_training(field, users):
    order = field.open(work="installation", contract_covered=True, technician="technician", serial="")
    field.step("technician", order, "accept")
    field.step("technician", order, "check_in")
    field.report("technician", order, solution="安装调试完成", hours="4", customer_opinion="操作已掌握",
                 signed_by="李工", signature=signature(), trained_people=["李工", "张师傅"])
    refused = field.step("technician", order, "submit_report", expect=400)
    assert set(refused["details"]) == {"training_topics", "days_on_site"}
    assert field.report("technician", order, expect=400, people="0", days_on_site="abc")["details"].keys() == {
        "people", "days_on_site"}
    field.report("technician", order, training_topics="日常操作、清洗、故障代码", people=2, days_on_site="1.5")
    field.step("technician", order, "submit_report")
    field.step("manager", order, "confirm_call")
    done = field.step("technician", order, "check_out")
    assert done["contract_covered"] and done["report"]["trained_people"] == ["李工", "张师傅"]
    assert (done["report"]["people"], done["report"]["days_on_site"]) == (2, "1.5")  # 3 person-days


def test_late_on_site_and_leaving_without_the_call_are_proposed_penalties(field, users):
    order = field.open(technician="technician")
    field.step("technician", order, "accept")
    FieldOrder.objects.filter(pk=order["id"]).update(required_arrival=timezone.now() - dt.timedelta(minutes=40))
    on_site = field.step("technician", order, "check_in")
    assert on_site["arrived_late"] is True
    field.report("technician", order, **COMPLETE, signature=signature())
    field.step("technician", order, "submit_report")
    done = field.step("technician", order, "check_out")
    assert done["left_without_call"] is True
    proposed = {p["rule"]: p for p in done["penalties"]}
    assert set(proposed) == {"late_on_site", "left_without_calling"}
    assert proposed["late_on_site"]["amount"] == "50.00" and proposed["late_on_site"]["proposed"]
    assert all(p["state"] == "proposed" and p["clause"] == "售后服务管理规定 四" for p in proposed.values())


def test_a_contested_penalty_is_withdrawn_and_only_the_manager_decides(field, users, api):
    order = field.open(technician="technician")
    field.step("technician", order, "accept")
    FieldOrder.objects.filter(pk=order["id"]).update(required_arrival=timezone.now() - dt.timedelta(minutes=5))
    field.step("technician", order, "check_in")
    penalty = Penalty.objects.get(order_id=order["id"])
    url = f"/api/v1/penalties/{penalty.pk}/actions/"
    mine = api("technician").get("/api/v1/penalties/").json()
    assert [p["id"] for p in mine["results"]] == [penalty.pk]
    assert api("technician").post(f"{url}contest/", {}, format="json").json()["details"].keys() == {"note"}
    contested = api("technician").post(f"{url}contest/", {"note": "客户改了时间，有短信为证"}, format="json")
    assert contested.status_code == 200 and contested.json()["state"] == "contested"
    assert api("technician").post(f"{url}withdraw/", {"note": "x"}, format="json").status_code == 403
    assert api("service").post(f"{url}withdraw/", {"note": "x"}, format="json").status_code == 403
    withdrawn = api("manager").post(f"{url}withdraw/", {"note": "客户改约属实"}, format="json").json()
    assert withdrawn["state"] == "withdrawn" and [e["action"] for e in withdrawn["timeline"]] == [
        "create", "contest", "withdraw"]
    assert api("manager").post(f"{url}confirm/", {}, format="json").status_code == 409


def test_an_incomplete_report_returned_and_an_ignored_dispatch_are_proposed(field, users, api):
    order = field.open(technician="technician")
    # Not accepted in time: reassigned, the first technician ignored the dispatch.
    Deadline.objects.filter(subject_type="field_order", subject_id=order["id"]).update(
        due_at=timezone.now() - dt.timedelta(minutes=1))
    from aftersales.accounts.services import user_create

    user_create(username="tech2", password=None, role_codes={"technician"})
    field.step("service", order, "assign", technician="tech2")
    ignored = Penalty.objects.get(order_id=order["id"])
    assert ignored.rule == "ignored_dispatch" and ignored.technician == users["technician"]
    assert ignored.amount == 100
    # Refused without a reason: ignored too; with a reason: not.
    other = field.open(technician="technician")
    field.step("technician", other, "refuse", reason="在另一现场，无法按时到达")
    assert not Penalty.objects.filter(order_id=other["id"]).exists()
    field.step("service", other, "assign", technician="technician")
    back = field.step("technician", other, "refuse")
    assert back["state"] == "open" and back["technician"] is None
    assert Penalty.objects.get(order_id=other["id"]).rule == "ignored_dispatch"
    # A report sent back as incomplete: 20 yuan, each time.
    third = field.open(technician="technician")
    field.step("technician", third, "accept")
    field.step("technician", third, "check_in")
    field.report("technician", third, **COMPLETE, signature=signature())
    field.step("technician", third, "submit_report")
    assert field.step("service", third, "return_report", expect=400)["details"].keys() == {"reason"}
    back = field.step("service", third, "return_report", reason="故障原因写得不清楚")
    assert back["state"] == "on_site" and back["report"]["times_returned"] == 1
    field.step("technician", third, "submit_report")
    field.step("service", third, "return_report", reason="仍不清楚")
    assert Penalty.objects.filter(order_id=third["id"], rule="incomplete_report").count() == 2


def test_refusals_another_technician_a_customer_leave_and_bad_input(field, users, api):
    from aftersales.accounts.services import user_create

    users["tech2"] = user_create(username="tech2", password=None, role_codes={"technician"})
    order = field.open(technician="technician")
    assert field.step("tech2", order, "accept", expect=403)["code"] == "not_your_order"
    assert api("tech2").get(f"{ORDERS}{order['id']}/").status_code == 404  # not in their orders
    assert field.step("alice", order, "accept", expect=404)["code"] == "not_found"
    assert api("bob").get(f"{ORDERS}{order['id']}/").status_code == 404
    seen = api("alice").get(f"{ORDERS}{order['id']}/").json()
    assert "timeline" not in seen and "penalties" not in seen and seen["allowed_actions"] == []
    assert field.step("technician", order, "check_in", expect=409)["code"] == "invalid_state"
    assert field.step("warehouse", order, "assign", expect=403, technician="tech2")["code"] == "permission_denied"
    assert field.step("service", order, "nonsense", expect=404)["code"] == "unknown_action"
    assert api("service").get(f"{ORDERS}99999999999999999999/").status_code == 404
    bad = field.open(expect=400, work="nonsense", customer="NOPE", site_address="", required_arrival="yesterday")
    assert set(bad["details"]) == {"work", "customer", "site_address", "required_arrival"}
    field.step("technician", order, "accept")
    position = field.step("technician", order, "check_in", expect=400, latitude="91", longitude="abc")
    assert set(position["details"]) == {"latitude", "longitude"}
    leave = api("service").post("/api/v1/technician-leave/", {
        "technician": "tech2", "first_day": timezone.localdate().isoformat(),
        "last_day": timezone.localdate().isoformat()}, format="json")
    assert leave.status_code == 201
    other = field.open()
    assert field.step("service", other, "assign", expect=409, technician="tech2")["code"] == "technician_on_leave"
    board = api("service").get("/api/v1/field-board/").json()
    assert {t["username"]: t["available"] for t in board["technicians"]}["tech2"] is False
    assert board["counts"]["open"] == 1 and board["counts"]["on_site"] == 0 and board["counts"]["accepted"] == 1
    short = field.issue("HT-PANEL", 1, expect=409)
    assert short["code"] == "insufficient_stock"


def test_a_repeat_repair_is_flagged_at_registration_and_on_the_order(service_desk, field, users, api):
    first = field.open(technician="technician")
    field.step("technician", first, "accept")
    field.step("technician", first, "check_in")
    field.report("technician", first, **COMPLETE, signature=signature())
    field.step("technician", first, "submit_report")
    field.step("service", first, "confirm_call")
    field.step("technician", first, "check_out")
    again = field.open()
    assert again["repeat"] and again["repeat_of"] == {"number": first["number"], "technician": "technician"}
    request = service_desk.register(serial=IN_WARRANTY.format(1))
    service_desk.post("service", request, "reply", content="已收到")
    earlier = service_desk.register(serial=IN_WARRANTY.format(1))
    assert earlier["repeat_of"] == request["number"]  # the desk flags it when it is registered
    service_desk.post("service", earlier, "reply", content="已收到")
    decided = service_desk.post("service", earlier, "decide", kind="technician", technician="technician")
    order = FieldOrder.objects.get(number=decided["made"]["field_order"])
    assert order.repeat_of.number == first["number"] and order.state == "dispatched"


def test_figures_per_technician(field, users, api):
    order = field.open(technician="technician")
    field.step("technician", order, "accept")
    field.step("technician", order, "check_in")
    field.report("technician", order, **COMPLETE, signature=signature())
    field.step("technician", order, "submit_report")
    field.step("service", order, "confirm_call")
    field.step("technician", order, "check_out")
    figures = api("manager").get("/api/v1/technician-figures/").json()
    line = {t["technician"]: t for t in figures["technicians"]}["technician"]
    assert line["orders_done"] == 1 and line["on_time_rate"] == "100.0" and line["report_completeness"] == "100.0"
    assert line["first_time_fix_rate"] == "100.0" and line["penalties"] == 0
    own = api("technician").get("/api/v1/technician-figures/").json()
    assert [t["technician"] for t in own["technicians"]] == ["technician"]
    assert api("technician").get("/api/v1/technician-figures/?month=2026-13").status_code == 400


def test_parts_planned_for_open_orders_make_the_spare_parts_plan(field, users, parts, api):
    first = field.open(parts=[{"part": "HT-THERM", "quantity": 15}, {"part": "HT-ELEM", "quantity": 1}])
    assert [(p["part"], p["quantity"]) for p in first["planned_parts"]] == [("HT-THERM", 15), ("HT-ELEM", 1)]
    field.open(parts=[{"part": "HT-THERM", "quantity": 10}])
    sent = api("warehouse").post("/api/v1/van-stock/issue/", {
        "technician": "technician", "parts": [{"part": "HT-THERM", "quantity": 4}], "order": first["number"],
        "carrier": "顺丰速运", "tracking": "SF1234567890"}, format="json").json()
    assert sent["issue"].startswith("VI-") and sent["tracking"] == "SF1234567890" and sent["order"] == first["number"]
    assert sent["lines"] == [{"part": "HT-THERM", "quantity": 4}] and sent["parts"][0]["quantity"] == 4
    assert StockMove.objects.get(kind="van_issue").reference == sent["issue"]
    plan = {row["part"]: row for row in api("planning").get("/api/v1/spare-parts-plan/").json()["parts"]}
    # 25 thermostats planned: 16 in the raw material warehouse (20 less 4 issued), 4 in the van: 5 short.
    assert (plan["HT-THERM"]["demand"], plan["HT-THERM"]["in_stock"], plan["HT-THERM"]["in_vans"]) == (25, 16, 4)
    assert plan["HT-THERM"]["shortfall"] == 5 and plan["HT-THERM"]["orders"] == 2 and plan["HT-ELEM"]["shortfall"] == 0
    assert api("alice").get("/api/v1/spare-parts-plan/").status_code == 404
    assert api("quality").get("/api/v1/spare-parts-plan/").status_code == 403
    issues = api("technician").get("/api/v1/van-stock/issues/").json()
    assert [x["issue"] for x in issues["results"]] == [sent["issue"]]
    bad = field.open(expect=400, parts=[{"part": "NOPE", "quantity": 1}])
    assert set(bad["details"]) == {"parts"}
