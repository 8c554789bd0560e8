"""Time limits on the return case's steps: each clocked step gets its due moment from the policy
and the working-day calendar, stands still while the customer is asked, is met and marked late."""

import datetime as dt

import pytest

from aftersales.deadlines.models import Deadline, DeadlinePause
from tests.conftest import at

from tests.flows import FUNCTION_FAULT, OUT_OF_WARRANTY, SHIP, items_for, line

pytestmark = pytest.mark.django_db


def clocks(case_id: int) -> dict[str, Deadline]:
    """The case's latest clock of each step."""
    return {d.kind: d for d in Deadline.objects.filter(subject_type="return_case", subject_id=case_id).order_by("id")}


def test_first_reply_and_approval_started_before_national_day_are_due_after_it(new_case, flow, detail, clock,
                                                                               registry, api):
    clock("2026-09-30T16:00")  # Wednesday; 1-7 October are days off
    case = new_case()
    flow("service", "submit", case)
    running = clocks(case["id"])
    assert set(running) == {"first_reply", "approval", "complaint_cycle"}
    assert running["first_reply"].due_at == at("2026-10-08T16:00")  # 24 hours on working days: 8 + 16
    assert running["approval"].due_at == at("2026-10-08T16:00")  # one working day
    assert running["complaint_cycle"].due_at == at("2026-10-20T16:00")  # function, sporadic: 10 working days
    assert {d.role for d in running.values()} == {"service"}
    shown = {d["kind"]: d for d in detail(case)["deadlines"]}
    assert dt.datetime.fromisoformat(shown["approval"]["due_at"]) == at("2026-10-08T16:00")
    assert shown["approval"]["provisional"] is False

    clock("2026-10-09T09:00")
    flow("service", "approve", case)
    done = clocks(case["id"])
    assert (done["first_reply"].state, done["first_reply"].late) == ("met", True)
    assert (done["approval"].state, done["approval"].met_at, done["approval"].late) == (
        "met", at("2026-10-09T09:00"), True)
    assert done["complaint_cycle"].state == "open"


def test_approval_moves_to_the_manager_when_the_gm_is_what_is_left(new_case, flow, clock, registry):
    clock("2026-11-02T09:00")
    case = new_case(is_quality_incident=True)  # service, then the general manager
    flow("service", "submit", case)
    assert clocks(case["id"])["approval"].role == "service"
    flow("service", "approve", case)
    running = clocks(case["id"])
    assert (running["first_reply"].state, running["first_reply"].late) == ("met", False)
    assert (running["approval"].state, running["approval"].role) == ("open", "manager")
    flow("manager", "approve", case)
    assert clocks(case["id"])["approval"].state == "met"


def test_batch_cycle_and_a_correction_meets_the_reply(new_case, flow, clock, registry):
    clock("2026-11-02T09:00")
    case = new_case(lines=[line(quantity=60)])  # 60 pieces of one model: a batch, for the VP
    flow("service", "submit", case)
    running = clocks(case["id"])
    assert (running["approval"].role, running["first_reply"].role) == ("manager", "service")
    assert running["complaint_cycle"].due_at == at("2026-11-30T09:00")  # function, batch: 20 working days
    clock("2026-11-02T10:00")
    flow("manager", "return_for_correction", case, comment="缺少生产批号")
    assert {d.state for d in clocks(case["id"]).values()} == {"met"}
    flow("service", "submit", case)  # a new round: a new first reply and approval
    assert Deadline.objects.filter(subject_id=case["id"], kind="first_reply").count() == 2
    assert clocks(case["id"])["first_reply"].state == "open"


def test_each_step_of_a_charged_repair_with_pause_and_lateness(new_case, flow, detail, clock, registry, api, pass_final):
    lines = [line(serials=[OUT_OF_WARRANTY.format(1)], production_lot="250110-1")]
    clock("2026-11-02T09:00")  # Monday
    case = new_case(lines=lines)
    flow("service", "submit", case)
    flow("service", "approve", case)
    clock("2026-11-02T10:00")
    flow("warehouse", "start_receiving", case)
    assert clocks(case["id"])["receiving"].due_at == at("2026-11-03T10:00")
    flow("warehouse", "receive", case, items=items_for(lines))
    clock("2026-11-02T11:00")
    flow("warehouse", "close_receipt", case)
    running = clocks(case["id"])
    assert (running["receiving"].state, running["receiving"].late) == ("met", False)
    assert (running["inspection"].role, running["inspection"].due_at) == ("quality", at("2026-11-04T11:00"))

    unit_id = detail(case)["units"][0]["id"]
    clock("2026-11-02T12:00")
    flow("quality", "inspect", case, unit_ids=[unit_id], result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=[unit_id], disposition="repair")  # chargeable: waits for the quote
    running = clocks(case["id"])
    assert (running["inspection"].state, running["inspection"].late) == ("met", False)
    assert running["disposition"].state == "met"
    assert (running["quote"].role, running["quote"].due_at) == ("service", at("2026-11-03T12:00"))
    assert "customer_answer" not in running and running["complaint_cycle"].state == "open"  # service owes a quote

    clock("2026-11-02T13:00")
    flow("service", "quote_charge", case, unit_ids=[unit_id], amount="380.00", expected_return_date="2026-11-20")
    running = clocks(case["id"])
    assert (running["quote"].state, running["quote"].late) == ("met", False)
    answer = running["customer_answer"]
    assert (answer.role, answer.customer.code, answer.due_at) == ("customer", "C-ALICE", at("2026-11-09T13:00"))
    cycle = running["complaint_cycle"]
    assert (cycle.state, cycle.consumed_seconds) == ("paused", 4 * 3600)  # 09:00-13:00 used before the pause
    assert DeadlinePause.objects.get(deadline=cycle).reason == "waiting for the customer's answer"

    # The customer's queue holds her answer; another customer's holds nothing.
    queue = api("alice").get("/api/v1/queues/customer/").json()
    assert [(item["kind"], item["reference"]) for item in queue["results"]] == [("customer_answer", case["number"])]
    assert api("bob").get("/api/v1/queues/customer/").json()["open"] == 0

    clock("2026-11-04T12:00")  # Wednesday: two working days later
    flow("alice", "accept_charge", case, unit_ids=[unit_id])
    running = clocks(case["id"])
    assert (running["customer_answer"].state, running["customer_answer"].late) == ("met", False)
    cycle = running["complaint_cycle"]
    # Without the pause: 2 Nov 09:00 + 10 working days = 16 Nov 09:00; paused 13:00 Mon to 12:00 Wed.
    assert (cycle.state, cycle.due_at) == ("open", at("2026-11-18T08:00"))
    assert DeadlinePause.objects.get(deadline=cycle).resumed_at == at("2026-11-04T12:00")

    flow("repair", "start_work", case, unit_ids=[unit_id])
    clock("2026-11-06T15:00")  # Friday
    flow("repair", "finish_work", case, unit_ids=[unit_id])
    assert clocks(case["id"])["final_inspection"].due_at == at("2026-11-09T15:00")
    clock("2026-11-10T09:00")
    pass_final(case, [unit_id])
    running = clocks(case["id"])
    assert (running["final_inspection"].state, running["final_inspection"].late) == ("met", True)
    assert (running["ship_back"].role, running["ship_back"].due_at) == ("warehouse", at("2026-11-12T09:00"))
    clock("2026-11-11T09:00")
    flow("warehouse", "ship_back", case, unit_ids=[unit_id], **SHIP)
    running = clocks(case["id"])
    assert (running["ship_back"].state, running["ship_back"].late) == ("met", False)
    assert (running["complaint_cycle"].state, running["complaint_cycle"].late) == ("met", False)
    assert not Deadline.objects.filter(subject_id=case["id"], state__in=["open", "paused"]).exists()


def test_an_appearance_defect_shortens_the_complaint_cycle(new_case, flow, detail, clock, registry):
    lines = [line(serials=["HT26090001"])]
    clock("2026-11-02T09:00")
    case = new_case(lines=lines)
    flow("service", "submit", case)
    assert clocks(case["id"])["complaint_cycle"].due_at == at("2026-11-16T09:00")
    flow("service", "approve", case)
    flow("warehouse", "start_receiving", case)
    flow("warehouse", "receive", case, items=items_for(lines))
    flow("warehouse", "close_receipt", case)
    unit_id = detail(case)["units"][0]["id"]
    flow("quality", "inspect", case, unit_ids=[unit_id], result={"defect_class": "appearance",
                                                                 "responsibility": "company"})
    cycle = clocks(case["id"])["complaint_cycle"]
    assert cycle.due_at == at("2026-11-09T09:00")  # one week: 5 working days from the submission
    assert cycle.detail["facts"]["defect"] == "appearance" and len(cycle.detail["retimed"]) == 1


def test_a_cancelled_case_cancels_its_clocks_and_a_refused_action_starts_none(new_case, flow, clock, registry, api):
    clock("2026-11-02T09:00")
    case = new_case()
    response = api("warehouse").post(f"/api/v1/cases/{case['id']}/actions/submit/", {}, format="json")
    assert response.status_code == 403 and not clocks(case["id"])
    flow("service", "submit", case)
    flow("service", "cancel", case)
    assert {d.state for d in clocks(case["id"]).values()} == {"cancelled"}


def test_queues_sorted_by_due_moment_with_overdue_and_due_today(new_case, flow, clock, registry, api, monkeypatch):
    cases = []
    for moment in ("2026-11-02T09:00", "2026-11-02T08:00", "2026-11-03T09:00"):
        clock(moment)
        case = new_case()
        flow("service", "submit", case)
        cases.append(case)
    monkeypatch.setattr("django.utils.timezone.now", lambda: at("2026-11-03T08:30"))
    queue = api("service").get("/api/v1/queues/service/").json()
    approvals = [item for item in queue["results"] if item["kind"] == "approval"]
    assert [item["reference"] for item in approvals] == [cases[1]["number"], cases[0]["number"],
                                                         cases[2]["number"]]
    assert [item["overdue"] for item in approvals] == [True, False, False]
    # Due: 3 Nov 08:00 (overdue), 3 Nov 09:00 (today), 4 Nov 09:00; the same for first replies.
    assert (queue["open"], queue["overdue"], queue["due_today"]) == (9, 2, 2)
    summary = {row["role"]: row for row in api("service").get("/api/v1/queues/").json()["results"]}
    assert summary["service"]["open"] == 9 and summary["service"]["label"]
    assert api("service").get("/api/v1/queues/quality/").status_code == 404  # not one of her roles
    assert api("alice").get("/api/v1/queues/service/").status_code == 404
    assert api("service").get("/api/v1/queues/service/", {"page_size": 2}).json()["count"] == 9
