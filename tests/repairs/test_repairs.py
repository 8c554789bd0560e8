"""Repair and rework through the API: orders with first-article checks, repair records with parts,
material requests, quotes, scrap, teardown with outsourced refurbishment, delays and cost."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.deadlines.models import Deadline
from aftersales.inventory.models import StockMove
from aftersales.repairs.models import PartUse, Quote, RepairRecord
from tests.files import image
from tests.flows import OUT_OF_WARRANTY, SERIALS, SHIP, raw_stock, record, states

pytestmark = pytest.mark.django_db
def test_batch_order_waits_for_its_first_article_which_fails_then_passes(disposed, post, parts):
    case, ids = disposed(SERIALS)
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids, "kind": "rework",
                                                 "method": "更换加热管并升级固件", "team": "维修一组",
                                                 "is_batch": True}, expect=201)
    assert (order["state"], order["first_article_unit"], order["is_batch"]) == ("planned", ids[0], True)
    clocks = {d.kind: d for d in Deadline.objects.filter(subject_type="repair_order", subject_id=order["id"])}
    assert set(clocks) == {"repair_order", "repair_plan_reply"}
    # batch: the sporadic 3 working days plus 48 hours
    assert clocks["repair_order"].budget_seconds == 3 * 86400 + 48 * 3600
    post("repair", f"repair-orders/{order['id']}/plan/", {"expected_finish": "2099-01-01T17:00"}, expect=400, code="invalid")
    post("repair", f"repair-orders/{order['id']}/plan/", {"expected_finish": order["due_at"]})
    assert Deadline.objects.get(subject_id=order["id"], kind="repair_plan_reply").state == "met"
    post("quality", f"repair-orders/{order['id']}/start/", expect=403, code="permission_denied")
    order = post("repair", f"repair-orders/{order['id']}/start/")
    assert order["state"] == "first_article"
    assert states(ids) == ["in_work", "disposed", "disposed", "disposed"]
    held = post("repair", f"repair-orders/{order['id']}/records/", {"records": [record(ids[1])]}, expect=409,
                code="first_article_pending")
    assert held["code"] == "first_article_pending"
    post("quality", f"repair-orders/{order['id']}/first-article/", {"passed": True}, expect=409,
         code="first_article_not_ready")  # not reworked
    post("repair", f"repair-orders/{order['id']}/records/", {"records": [record(ids[0])]})
    order = post("quality", f"repair-orders/{order['id']}/first-article/", {"passed": False, "notes": "温控不准"})
    assert order["state"] == "first_article" and states(ids)[0] == "in_work"
    post("repair", f"repair-orders/{order['id']}/records/", {"records": [record(ids[0], action="更换温控器")]})
    order = post("quality", f"repair-orders/{order['id']}/first-article/", {"passed": True})
    assert order["state"] == "in_progress"
    assert states(ids) == ["final_inspection", "disposed", "disposed", "disposed"]
    assert [c["passed"] for c in order["first_article_checks"]] == [False, True]
    post("repair", f"repair-orders/{order['id']}/close/", expect=409, code="order_not_finished")  # three units not worked yet
    post("repair", f"repair-orders/{order['id']}/records/", {"records": [record(pk) for pk in ids[1:]]})
    order = post("repair", f"repair-orders/{order['id']}/close/")
    assert order["state"] == "done"
    assert Deadline.objects.get(subject_id=order["id"], kind="repair_order").state == "met"
    assert RepairRecord.objects.filter(order_id=order["id"]).count() == 5  # the first article twice


def test_only_disposed_units_go_on_one_open_order(disposed, post):
    case, ids = disposed(SERIALS[:2])
    post("service", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=403, code="permission_denied")
    post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=201)
    again = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=409, code="unit_on_order")
    assert again["code"] == "unit_on_order"


def test_material_request_approved_received_and_issued_with_stock_correct(disposed, post, parts):
    case, ids = disposed(SERIALS[:2])
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=201)
    bad = post("repair", "material-requests/", {"order": order["id"], "lines": [{"part": "NOPE", "quantity": 1},
                                                                                 {"part": "HT-ELEM", "quantity": 0}]},
               expect=400, code="invalid")
    assert set(bad["details"]["lines"]) == {"0", "1"}
    request = post("repair", "material-requests/", {"order": order["id"], "lines": [
        {"part": "HT-ELEM", "quantity": 5}, {"part": "HT-THERM", "quantity": 2}]}, expect=201)
    post("warehouse", f"material-requests/{request['id']}/issue/", expect=409, code="invalid_state")  # not approved, not received
    post("repair", f"material-requests/{request['id']}/decide/", {"approve": True}, expect=403, code="permission_denied")
    post("purchasing", f"material-requests/{request['id']}/decide/", {"approve": True})
    post("purchasing", f"material-requests/{request['id']}/receive/")
    assert (raw_stock("HT-ELEM"), raw_stock("HT-THERM")) == (5, 2)
    issued = post("warehouse", f"material-requests/{request['id']}/issue/")
    assert issued["state"] == "issued" and [line["issued"] for line in issued["lines"]] == [5, 2]
    assert (raw_stock("HT-ELEM"), raw_stock("HT-THERM")) == (0, 0)
    # The records take their parts from what was issued; beyond it, from stock, which is empty now.
    post("repair", f"repair-orders/{order['id']}/start/")
    short = post("repair", f"repair-orders/{order['id']}/records/", {"records": [
        record(ids[0], parts=[{"part": "HT-ELEM", "quantity": 6}])]}, expect=409, code="insufficient_stock")
    assert short["code"] == "insufficient_stock"
    post("repair", f"repair-orders/{order['id']}/records/", {"records": [
        record(ids[0], parts=[{"part": "HT-ELEM", "quantity": 3}]),
        record(ids[1], parts=[{"part": "HT-ELEM", "quantity": 2}, {"part": "HT-THERM", "quantity": 1}])]})
    assert StockMove.objects.filter(part__code="HT-ELEM", kind="part_issue").count() == 1  # the issue only
    refused = post("repair", "material-requests/", {"order": order["id"], "lines": [
        {"part": "HT-ELEM", "quantity": 1}]}, expect=201)
    post("purchasing", f"material-requests/{refused['id']}/decide/", {"approve": False}, expect=400, code="invalid")
    assert post("purchasing", f"material-requests/{refused['id']}/decide/",
                {"approve": False, "comment": "库存充足"})["state"] == "rejected"


def _charged(disposed, post, serials):
    return disposed([OUT_OF_WARRANTY.format(n) for n in serials], lot="250110-1")


def test_quote_accepted_in_the_portal_then_work(disposed, post, parts, flow, detail):
    case, ids = _charged(disposed, post, [1])
    post("service", "quotes/", {"case": case["id"], "unit_ids": ids, "parts": [{"part": "HT-ELEM", "quantity": 1}],
                                "labour_hours": "2", "transport": "15", "expected_return_date": "2026-12-10"},
         expect=201)
    quote = Quote.objects.get()
    # 35.00 × 1.20 + 2 h × 50 + 15
    assert (quote.parts_total, quote.labour_total, quote.total_per_unit) == (
        Decimal("42.00"), Decimal("100.00"), Decimal("157.00"))
    unit = detail(case, role="alice")["units"][0]
    assert (unit["state"], unit["charge_amount"]) == ("waiting_customer", "157.00")
    order_refused = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=409, code="invalid_state")
    assert order_refused["code"] == "invalid_state"  # no work before the customer accepts
    flow("alice", "accept_charge", case, unit_ids=ids)
    quote.refresh_from_db()
    assert quote.state == "accepted"
    assert post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=201)["state"] == "planned"


def test_quote_refused_returns_the_unit_as_is(disposed, post, parts, flow, detail):
    case, ids = _charged(disposed, post, [1])
    post("service", "quotes/", {"case": case["id"], "unit_ids": ids, "parts": [], "labour_hours": "1"}, expect=201)
    flow("alice", "refuse_charge", case, unit_ids=ids)
    assert Quote.objects.get().state == "refused"
    unit = detail(case)["units"][0]
    assert (unit["state"], unit["disposition"]) == ("ready_to_ship", "return_as_is")
    flow("warehouse", "ship_back", case, unit_ids=ids, **SHIP)
    assert detail(case)["units"][0]["exit"] == "shipped_back"


def test_quote_revised_after_the_bench_finding_is_asked_again(disposed, post, parts, flow, detail, api):
    case, ids = _charged(disposed, post, [1])
    post("service", "quotes/", {"case": case["id"], "unit_ids": ids, "parts": [{"part": "HT-THERM", "quantity": 1}],
                                "labour_hours": "1"}, expect=201)
    flow("alice", "accept_charge", case, unit_ids=ids)
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=201)
    post("repair", f"repair-orders/{order['id']}/start/")
    first = Quote.objects.get()
    post("service", f"quotes/{first.pk}/revise/", {"parts": [{"part": "HT-ELEM", "quantity": 1}],
                                                  "labour_hours": "2"}, expect=400, code="invalid")  # no reason
    revised = post("service", f"quotes/{first.pk}/revise/", {
        "parts": [{"part": "HT-THERM", "quantity": 1}, {"part": "HT-ELEM", "quantity": 1}], "labour_hours": "2",
        "reason": "拆机发现加热管也已损坏"}, expect=201)
    first.refresh_from_db()
    assert (first.state, revised["revision"], revised["total_per_unit"]) == ("superseded", 2, "157.00")
    unit = detail(case, role="alice")["units"][0]
    assert (unit["state"], unit["charge_amount"], unit["charge_answer"]) == ("waiting_customer", "157.00", None)
    assert detail(case, role="alice")["notices"][-1]["content"]["revised"] is True
    quotes = api("alice").get("/api/v1/quotes/", {"case": case["id"]}).json()["results"]
    assert [q["state"] for q in quotes] == ["superseded", "sent"]
    assert api("bob").get("/api/v1/quotes/", {"case": case["id"]}).status_code == 404
    flow("alice", "accept_charge", case, unit_ids=ids)
    assert Quote.objects.get(revision=2).state == "accepted"
    assert detail(case)["units"][0]["state"] == "disposed"  # back to work after the new acceptance


def test_scrap_application_with_weights_per_class_approved(disposed, post, parts, detail):
    case, ids = disposed(SERIALS[:2], disposition="scrap")
    assert set(states(ids)) == {"waiting_approval"}
    bad = post("quality", "scrap-applications/", {"reason": "无法修复", "weights_kg": {"metal": "-1", "gold": 2}},
               expect=400, code="invalid")
    assert set(bad["details"]["weights_kg"]) == {"metal", "gold"}
    application = post("quality", "scrap-applications/", {
        "reason": "无法修复，附维修材料报废", "case": case["id"], "unit_ids": ids,
        "weights_kg": {"metal": "3.5", "plastic": "1.25", "packaging": "0.8", "wire": "0.4"}}, expect=201)
    assert application["weights_kg"] == {"metal": "3.500", "plastic": "1.250", "packaging": "0.800", "wire": "0.400"}
    post("quality", f"scrap-applications/{application['id']}/decide/", {"approve": True}, expect=403, code="permission_denied")
    decided = post("manager", f"scrap-applications/{application['id']}/decide/", {"approve": True})
    assert decided["state"] == "approved"
    units = detail(case)["units"]
    assert {(u["state"], u["exit"], u["warehouse"]) for u in units} == {("done", "scrapped", "SC")}


def test_teardown_returns_good_parts_to_stock_and_sends_cosmetic_parts_to_refurbishment(disposed, post, parts, api):
    case, ids = disposed(SERIALS[:1], disposition="teardown", outcome="refund")
    torn = post("repair", "teardowns/", {"unit": ids[0], "parts": [
        {"part": "HT-ELEM", "quantity": 1, "outcome": "good"},
        {"part": "HT-PANEL", "quantity": 2, "outcome": "cosmetic"},
        {"part": "HT-THERM", "quantity": 1, "outcome": "scrap"}]}, expect=201)
    assert raw_stock("HT-ELEM") == 0  # a good part waits for quality (三.1)
    post("quality", "teardowns/check/", {"teardown_part_ids": [torn["parts"][0]["id"]], "passed": True})
    assert (raw_stock("HT-ELEM"), raw_stock("HT-PANEL"), raw_stock("HT-THERM")) == (1, 0, 0)
    cosmetic = [row["id"] for row in torn["parts"] if row["outcome"] == "cosmetic"]
    post("purchasing", "refurbish-orders/", {"supplier": "东莞外协厂", "teardown_part_ids": [torn["parts"][0]["id"]]},
         expect=409, code="invalid_state")  # a good part does not go out
    order = post("purchasing", "refurbish-orders/", {"supplier": "东莞外协厂", "teardown_part_ids": cosmetic},
                 expect=201)
    post("quality", f"refurbish-orders/{order['id']}/return/", {"passed": 3, "cost": "10"}, expect=400, code="invalid")
    back = post("quality", f"refurbish-orders/{order['id']}/return/", {"passed": 1, "cost": "18.00"})
    assert (back["state"], back["passed_qc"], back["failed_qc"]) == ("returned", 1, 1)
    assert raw_stock("HT-PANEL") == 1
    # The refurbishment is a cost of the case whose unit gave the parts.
    cost = api("finance").get(f"/api/v1/cases/{case['id']}/cost/").json()
    assert (cost["outsourcing"], cost["total"]) == ("18.00", "18.00")
    post("repair", "teardowns/", {"unit": ids[0], "parts": [{"part": "HT-ELEM", "quantity": 1, "outcome": "x"}]},
         expect=400, code="invalid")


def test_a_delay_past_the_maximum_needs_a_manager(disposed, post):
    case, ids = disposed(SERIALS[:1])
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=201)
    notice = {"reason": "material", "explanation": "加热管缺料", "notice": "已书面通知销售售后服务部"}
    first = post("repair", f"repair-orders/{order['id']}/delays/", {**notice, "working_days": 10})
    assert first["delay_working_days"] == 10 and first["delays"][0]["due_after"] > first["delays"][0]["due_before"]
    refused = post("repair", f"repair-orders/{order['id']}/delays/", {**notice, "working_days": 6}, expect=409,
                   code="delay_beyond_limit")
    assert (refused["code"], refused["details"]) == ("delay_beyond_limit", {"total": 16, "limit": 15})
    post("repair", f"repair-orders/{order['id']}/delays/", {**notice, "notice": "", "working_days": 1}, expect=400, code="invalid")
    granted = post("manager", f"repair-orders/{order['id']}/delays/", {**notice, "working_days": 6})
    assert granted["delay_working_days"] == 16 and granted["delays"][1]["approved_by"] == "manager"
    deadline = Deadline.objects.get(subject_type="repair_order", subject_id=order["id"], kind="repair_order")
    assert deadline.budget_seconds == (3 + 16) * 86400
    from aftersales.notifications.models import Notification
    from aftersales.notifications.services import render

    told = Notification.objects.filter(kind="repair_delay", recipient__username="service").order_by("id")
    assert told.count() == 2 and "已书面通知销售售后服务部" in render(told.last(), "en")[1]


def test_a_delay_into_an_unconfirmed_year_tells_service_the_due_moment_is_provisional(disposed, post, clock):
    from aftersales.notifications.models import Notification
    from aftersales.notifications.services import render

    clock("2026-12-14T09:00")  # Monday: 3 working days, then 1 of delay, is Friday 18 December
    case, ids = disposed(SERIALS[:1])
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=201)
    notice = {"reason": "material", "explanation": "加热管缺料", "notice": "已书面通知销售售后服务部"}
    post("repair", f"repair-orders/{order['id']}/delays/", {**notice, "working_days": 1})
    within_2026 = Notification.objects.filter(kind="repair_delay", recipient__username="service").get()
    assert "provisional" not in render(within_2026, "en")[1]
    # 14 more: 13 working days are left in December (15–31), the 18th in all is Friday 8 January 2027.
    moved = post("repair", f"repair-orders/{order['id']}/delays/", {**notice, "working_days": 14})
    assert moved["due_provisional"] is True and moved["due_at"].startswith("2027-")
    into_2027 = Notification.objects.filter(kind="repair_delay", recipient__username="service").latest("id")
    assert "(provisional: the official holiday schedule of 2027 is not confirmed)" in render(into_2027, "en")[1]
    assert "暂定：2027 年国家节假日安排尚未确认" in render(into_2027, "zh-hans")[1]


def test_cost_of_a_case_adds_up_from_its_parts_labour_and_transport(disposed, post, parts, flow, api):
    case, ids = _charged(disposed, post, [1, 2])
    post("service", "quotes/", {"case": case["id"], "unit_ids": ids, "parts": [{"part": "HT-ELEM", "quantity": 1}],
                                "labour_hours": "1", "transport": "10"}, expect=201)
    flow("alice", "accept_charge", case, unit_ids=ids)
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=201)
    request = post("repair", "material-requests/", {"order": order["id"], "lines": [{"part": "HT-ELEM", "quantity": 2}]},
                   expect=201)
    post("purchasing", f"material-requests/{request['id']}/decide/", {"approve": True})
    post("purchasing", f"material-requests/{request['id']}/receive/")
    post("warehouse", f"material-requests/{request['id']}/issue/")
    from aftersales.accounts.models import User
    from aftersales.inventory.services import Move, stock_moves_apply, warehouse_of_kind

    stock_moves_apply(actor=User.objects.get(username="warehouse"), moves=[
        Move("purchase_receipt", 5, None, warehouse_of_kind("raw_material"), part_id=parts["HT-THERM"].pk)])
    post("repair", f"repair-orders/{order['id']}/start/")
    post("repair", f"repair-orders/{order['id']}/records/", {"records": [
        record(ids[0], labour_hours="1.5", parts=[{"part": "HT-ELEM", "quantity": 1}]),
        record(ids[1], labour_hours="0.5", parts=[{"part": "HT-ELEM", "quantity": 1},
                                                  {"part": "HT-THERM", "quantity": 2}])]})
    cost = api("finance").get(f"/api/v1/cases/{case['id']}/cost/").json()
    # parts: 2 × 35 issued with the request + 2 × 12.50 from stock; labour 2 h × 50; transport 2 × 10
    assert (cost["parts"], cost["labour"], cost["transport"], cost["total"]) == ("95.00", "100.00", "20.00", "215.00")
    # charged: 2 units × (42 + 50 + 10)
    assert (cost["charged"], cost["absorbed"]) == ("204.00", "11.00")
    assert [(u["parts"], u["labour_hours"]) for u in cost["units"]] == [("0.00", "1.50"), ("25.00", "0.50")]
    assert api("alice").get(f"/api/v1/cases/{case['id']}/cost/").status_code == 404
    assert sum(p.quantity for p in PartUse.objects.filter(from_issue=False)) == 4


def test_repair_daily_report_with_anomalies_and_major_ones_flagged(disposed, post, parts, api):
    from django.utils import timezone

    from aftersales.notifications.models import Notification
    from aftersales.notifications.services import render

    case, ids = disposed(SERIALS[:3])
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids, "team": "维修一组"}, expect=201)
    post("repair", f"repair-orders/{order['id']}/start/")
    bad = post("repair", f"repair-orders/{order['id']}/records/", {"records": [
        record(ids[0], major_anomaly="luck")]}, expect=400, code="invalid")
    assert "major_anomaly" in bad["details"]["records"]["0"]
    post("repair", f"repair-orders/{order['id']}/records/", {"records": [
        record(ids[0]), record(ids[1], is_anomaly=True, cause="焊点虚焊"),
        record(ids[2], major_anomaly="incoming_material", cause="加热管批次不良")]})
    photo = api("repair").post(f"/api/v1/cases/{case['id']}/attachments/", {
        "file": SimpleUploadedFile("焊点.jpg", image("JPEG")), "unit": ids[1]}, format="multipart").json()
    report = api("quality").get("/api/v1/repair-daily-report/", {"date": timezone.localdate().isoformat()}).json()
    (team,) = report["teams"]
    assert (team["team"], team["repaired"], team["labour_hours"]) == ("维修一组", 3, "4.50")
    assert [a["unit"] for a in team["anomalies"]] == ids[1:]
    assert [a["photos"] for a in team["anomalies"]] == [[f"/attachments/{photo['id']}/"], []]
    assert [a["major"] for a in team["major_anomalies"]] == ["incoming_material"]
    assert api("quality").get("/api/v1/repair-daily-report/", {"date": "yesterday"}).status_code == 400
    assert api("alice").get("/api/v1/repair-daily-report/").status_code == 404
    told = Notification.objects.filter(kind="major_anomaly")
    # Incoming material at fault: purchasing is told too (it claims from the supplier).
    assert {n.recipient.username for n in told} == {"quality", "engineering", "service", "purchasing"}
    subject, body = render(told.first(), "en")
    assert order["number"] in subject and "Incoming material" in body and "HT26090003" in body


def test_finance_sees_fees_due_and_records_payment(disposed, post, parts, flow, api):
    case, ids = _charged(disposed, post, [1, 2])
    quote = post("service", "quotes/", {"case": case["id"], "unit_ids": ids, "parts": [], "labour_hours": "1"},
                 expect=201)
    post("finance", f"quotes/{quote['id']}/payment/", {"amount": "50"}, expect=409, code="invalid_state")  # not accepted yet
    flow("alice", "accept_charge", case, unit_ids=ids)
    due = api("finance").get("/api/v1/fees-due/").json()["results"]
    assert [(row["case"], row["amount_due"], row["outstanding"]) for row in due] == [(case["number"], "100.00",
                                                                                     "100.00")]
    post("finance", f"quotes/{quote['id']}/payment/", {"amount": "120"}, expect=400, code="invalid")
    post("service", f"quotes/{quote['id']}/payment/", {"amount": "60"}, expect=403, code="permission_denied")
    paid = post("finance", f"quotes/{quote['id']}/payment/", {"amount": "60"})
    assert paid["paid_amount"] == "60.00"
    assert api("finance").get("/api/v1/fees-due/").json()["results"][0]["outstanding"] == "40.00"
    post("finance", f"quotes/{quote['id']}/payment/", {"amount": "40"})
    assert api("finance").get("/api/v1/fees-due/").json()["results"] == []
    assert api("quality").get("/api/v1/fees-due/").status_code == 404


def test_a_refused_charge_may_send_the_unit_to_scrap_if_the_customer_says_so(disposed, post, parts, flow, detail):
    case, ids = _charged(disposed, post, [1])
    post("service", "quotes/", {"case": case["id"], "unit_ids": ids, "parts": [], "labour_hours": "1"}, expect=201)
    flow("alice", "refuse_charge", case, unit_ids=ids, scrap=True)
    unit = detail(case)["units"][0]
    assert (unit["state"], unit["disposition"]) == ("waiting_approval", "scrap")
    assert Quote.objects.get().state == "refused"


def test_repair_data_of_a_period_per_order(disposed, post, parts, api):
    from django.utils import timezone

    case, ids = disposed(SERIALS[:2])
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids, "team": "一组"}, expect=201)
    post("repair", f"repair-orders/{order['id']}/start/")
    post("repair", f"repair-orders/{order['id']}/records/", {"records": [record(ids[0])]})
    today = timezone.localdate().isoformat()
    rows = api("planning").get("/api/v1/repair-data/", {"from": today, "to": today}).json()["results"]
    assert [(r["order"], r["units"], r["recorded"], r["labour_hours"]) for r in rows] == [
        (order["number"], 2, 1, "1.50")]
    assert api("planning").get("/api/v1/repair-data/", {"from": today, "to": "2020-01-01"}).status_code == 400


def test_bad_inputs_found_by_the_property_test_are_refused(disposed, post, parts, users):
    from aftersales.inventory.services import Move, stock_moves_apply, warehouse_of_kind

    stock_moves_apply(actor=users["warehouse"], moves=[
        Move("purchase_receipt", 5, None, warehouse_of_kind("raw_material"), part_id=parts["HT-ELEM"].pk)])
    application = post("quality", "scrap-applications/", {"reason": "维修材料报废",
                                                           "parts": [{"part": "HT-ELEM", "quantity": 5}]}, expect=201)
    post("manager", f"scrap-applications/{application['id']}/decide/", {"approve": "false"}, expect=400, code="invalid")
    assert raw_stock("HT-ELEM") == 5  # "false" as text approves nothing
    case, ids = disposed(SERIALS[:1], disposition="teardown", outcome="refund")
    torn = post("repair", "teardowns/", {"unit": ids[0], "parts": [{"part": "HT-PANEL", "quantity": 1,
                                                                    "outcome": "cosmetic"}] * 12}, expect=201)
    for bad in (str(torn["parts"][11]["id"]), torn["parts"][0]["id"]):
        post("purchasing", "refurbish-orders/", {"supplier": "东莞外协厂", "teardown_part_ids": bad}, expect=400, code="invalid")
    huge = post("repair", "teardowns/", {"unit": ids[0], "parts": [{"part": "HT-ELEM", "quantity": 2 ** 63,
                                                                    "outcome": "good"}]}, expect=400, code="invalid")
    assert "0" in huge["details"]["parts"]


def test_review_findings_on_quotes_and_inputs(disposed, post, parts, flow, api):
    case, ids = _charged(disposed, post, [1, 2])
    body = {"case": case["id"], "unit_ids": ids, "parts": [{"part": "HT-ELEM", "quantity": 1}], "labour_hours": "1"}
    quote = post("service", "quotes/", body, expect=201)
    assert post("service", "quotes/", body, expect=409, code="quote_pending")["code"] == "quote_pending"  # revise instead
    shown = api("alice").get("/api/v1/quotes/", {"case": case["id"]}).json()["results"][0]["lines"][0]
    assert "unit_cost" not in shown and shown["unit_price"] == "42.00"
    # The customer answers unit by unit: the quote settles with the last answer.
    flow("alice", "accept_charge", case, unit_ids=[ids[0]])
    assert Quote.objects.get(pk=quote["id"]).state == "sent"
    flow("alice", "accept_charge", case, unit_ids=[ids[1]])
    assert Quote.objects.get(pk=quote["id"]).state == "accepted"
    for bad in ({"case": "x", "unit_ids": ids}, {"case": case["id"], "unit_ids": "12"},
                {"case": case["id"], "unit_ids": ids, "is_batch": "false"}):
        post("planning", "repair-orders/", bad, expect=400, code="invalid")
    order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids}, expect=201)
    post("repair", f"repair-orders/{order['id']}/plan/", {"expected_finish": "2026-02-30T10:00"}, expect=400, code="invalid")
    post("repair", f"repair-orders/{order['id']}/start/")
    post("repair", f"repair-orders/{order['id']}/records/", {"records": [record(ids[0], labour_hours="1e7")]},
         expect=400, code="invalid")
    post("repair", f"repair-orders/{order['id']}/records/", {"records": [record(ids[0], major_anomaly=None)]})


def test_a_sent_quote_revised_is_quoted_again_through_the_case(disposed, post, parts, detail):
    case, ids = _charged(disposed, post, [1])
    quote = post("service", "quotes/", {"case": case["id"], "unit_ids": ids, "parts": [], "labour_hours": "1"},
                 expect=201)
    post("service", f"quotes/{quote['id']}/revise/", {"parts": [], "labour_hours": "2", "reason": "复核工时"},
         expect=201)
    data = detail(case, role="alice")
    assert data["units"][0]["charge_amount"] == "100.00"
    assert [n["content"]["amount"] for n in data["notices"] if n["kind"] == "charge"] == ["50.00", "100.00"]
