"""Helpers for return case flows through the API, acted by the personas of tests/conftest.py:
complete note lines, what arrives, a case's footprint (everything an action may write), and the
fixtures that build a case up to a stage (`new_case`, `received`, `disposed`) or check a refusal
(`refused`); for repair work, the parts in stock (`parts`) and posts to its endpoints (`post`)."""

from collections import Counter
from decimal import Decimal

import pytest

from aftersales.deadlines.models import Deadline
from aftersales.inventory.models import StockBalance, StockMove
from aftersales.inventory.services import stock_receive_from_production
from aftersales.masterdata.models import Part, ShippedUnit
from aftersales.notifications.models import Notification
from aftersales.returns.models import (Approval, CaseEvent, CustomerNotice, Inspection, ReceivingDiscrepancy,
                                       ReturnCase, ReturnLine, ReturnUnit)


@pytest.fixture
def registry(customers, product_models):
    """Alice's registered units: HT2501xxxx shipped 2025-01-10 (out of warranty by late 2026),
    HT2609xxxx shipped 2026-09-10 (in warranty)."""
    made = {}
    for n in range(30):
        for prefix, shipped in (("HT2501", "2025-01-10"), ("HT2609", "2026-09-10")):
            serial = f"{prefix}{n:04d}"
            made[serial] = ShippedUnit.objects.create(
                serial=serial, product_model=product_models["HT-2000"], customer=customers["alice"],
                production_lot=f"{prefix[2:]}10-1", shipped_date=shipped)
    return made


# The serials of the new HT-2000 units the `finished_goods` fixture puts into finished-goods stock
# (an exchange ships one of them: a replacement serial must be in stock).
FG_SERIALS = [f"HT2611NEW{n:04d}" for n in range(1, 101)]


@pytest.fixture
def finished_goods(users, product_models):
    stock_receive_from_production(actor=users["warehouse"], product_model=product_models["HT-2000"],
                                  serials=FG_SERIALS)
    return FG_SERIALS


@pytest.fixture
def flow(api):
    """flow(role, "action", case, **body) posts a workflow action and returns the JSON answer."""

    def act(role, name, case, expect=200, **body):
        response = api(role).post(f"/api/v1/cases/{case['id']}/actions/{name}/", body, format="json")
        assert response.status_code == expect, (name, role, response.json())
        return response.json()

    return act


@pytest.fixture
def new_case(api):
    """new_case(**fields) -> a draft through the API. Without lines: one in-warranty unit, a serial of
    its own per case (HT26090001 first): one physical unit is on one open case at a time."""
    serials = iter(f"HT2609{n:04d}" for n in range(1, 30))

    def make(role="service", lines=None, **fields):
        body = {"customer": "C-ALICE", "channel": "dealer", "customer_reference": "TH-20261120-03", **fields,
                "lines": lines or [{"product_model": "HT-2000", "item_name": "电热水器 2000W", "serials": [next(serials)],
                                    "production_lot": "260910-1", "defect_description": "不加热",
                                    "requested_outcome": "repair"}]}
        response = api(role).post("/api/v1/cases/", body, format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    return make


@pytest.fixture
def detail(api):
    def get(case, role="service"):
        response = api(role).get(f"/api/v1/cases/{case['id']}/")
        assert response.status_code == 200, response.json()
        return response.json()

    return get


HT = "HT-2000"
IN_WARRANTY = "HT2609{:04d}"  # registry fixture: shipped 2026-09-10
OUT_OF_WARRANTY = "HT2501{:04d}"  # registry fixture: shipped 2025-01-10


def line(*, serials=None, quantity=None, outcome="repair", model=HT, **fields) -> dict:
    """A complete return-note line (part no., name, quantity or serials, lot, defect)."""
    body = {"product_model": model, "item_name": "电热水器 2000W", "production_lot": "260910-1",
            "defect_description": "不加热", "requested_outcome": outcome, **fields}
    if serials is not None:
        body["serials"] = serials
    if quantity is not None:
        body["quantity"] = quantity
    return body


def items_for(lines: list[dict]) -> list[dict]:
    """What arrives when the goods match the note exactly."""
    items = []
    for number, note_line in enumerate(lines, start=1):
        if note_line.get("serials"):
            items.extend({"serial": serial} for serial in note_line["serials"])
        else:
            items.append({"line": number, "quantity": note_line["quantity"]})
    return items


def footprint(case_id: int) -> dict:
    """Everything an action may write; equal before and after means nothing was written."""
    case = ReturnCase.objects.get(pk=case_id)
    return {
        "case": (case.state, case.version, case.approval_round),
        "units": list(ReturnUnit.objects.filter(return_case_id=case_id).order_by("id").values_list(
            "id", "state", "warehouse_id", "exit", "disposition", "consent", "charge_amount", "charge_answer")),
        "lines": list(ReturnLine.objects.filter(return_case_id=case_id).order_by("id").values_list(
            "id", "refund_amount", "exchanges_shipped")),
        "events": CaseEvent.objects.filter(return_case_id=case_id).count(),
        "notices": CustomerNotice.objects.filter(return_case_id=case_id).count(),
        "approvals": Approval.objects.filter(return_case_id=case_id).count(),
        "inspections": Inspection.objects.filter(unit__return_case_id=case_id).count(),
        "discrepancies": ReceivingDiscrepancy.objects.filter(return_case_id=case_id).count(),
        "deadlines": list(Deadline.objects.filter(subject_type="return_case", subject_id=case_id).order_by("id")
                          .values_list("id", "state", "due_at", "consumed_seconds")),
        "notifications": Notification.objects.count(),
        "moves": StockMove.objects.count(),
        "balances": list(StockBalance.objects.order_by("id").values_list("id", "quantity")),
    }


@pytest.fixture
def stock(api):
    """stock() -> Counter of the HT-2000 balance per warehouse code, read through the API."""

    def balances(model=HT) -> Counter:
        response = api("warehouse").get("/api/v1/stock/balances/", {"product_model__code": model, "page_size": 500})
        assert response.status_code == 200, response.json()
        return Counter({row["warehouse"]: row["quantity"] for row in response.json()["results"]})

    return balances


@pytest.fixture
def timeline(api):
    def get(case, role="service") -> list[dict]:
        response = api(role).get(f"/api/v1/cases/{case['id']}/timeline/", {"page_size": 500})
        assert response.status_code == 200, response.json()
        return response.json()["results"]

    return get


@pytest.fixture
def refused(api):
    """refused(role, action, case, status, code, **body): the action is refused with that status
    and error code, and nothing at all was written."""

    def check(role, name, case, status, code, **body):
        before = footprint(case["id"])
        response = api(role).post(f"/api/v1/cases/{case['id']}/actions/{name}/", body, format="json")
        assert (response.status_code, response.json()["code"]) == (status, code), (name, role, response.json())
        assert footprint(case["id"]) == before
        return response.json()

    return check


@pytest.fixture
def received(new_case, flow, detail, registry):
    """received(lines) -> (case, unit ids): applied, approved, received exactly as noted, receipt closed."""

    def make(lines=None, approvers=("service",), **fields):
        lines = lines or [line(serials=[IN_WARRANTY.format(1)])]
        case = new_case(lines=lines, **fields)
        flow("service", "submit", case)
        for role in approvers:
            flow(role, "approve", case)
        flow("warehouse", "start_receiving", case)
        flow("warehouse", "receive", case, items=items_for(lines))
        flow("warehouse", "close_receipt", case)
        return case, [unit["id"] for unit in detail(case)["units"]]

    return make


@pytest.fixture
def work_and_final(flow, pass_final):
    """Repair works the units, quality passes them at final inspection."""

    def run(case, ids):
        flow("repair", "start_work", case, unit_ids=ids)
        flow("repair", "finish_work", case, unit_ids=ids)
        pass_final(case, ids)

    return run


def notice_kinds(data) -> list[str]:
    return [notice["kind"] for notice in data["notices"]]


def allowed(data) -> dict:
    return {entry["action"]: entry.get("unit_ids") for entry in data["allowed_actions"]}


FUNCTION_FAULT = {"defect_class": "function", "responsibility": "company"}
SHIP = {"carrier": "顺丰", "tracking_number": "SF1234567890"}


# --- repair work ---

@pytest.fixture
def parts(db):
    return {
        "HT-ELEM": Part.objects.create(code="HT-ELEM", name="加热管 2000W", unit_cost=Decimal("35.00"),
                                       scrap_class="metal"),
        "HT-THERM": Part.objects.create(code="HT-THERM", name="温控器", unit_cost=Decimal("12.50"),
                                        scrap_class="plastic"),
        "HT-PANEL": Part.objects.create(code="HT-PANEL", name="前面板", unit_cost=Decimal("20.00"),
                                        scrap_class="plastic"),
    }


@pytest.fixture
def disposed(new_case, flow, detail, registry):
    """disposed(serials, disposition="repair") -> (case, unit ids): received, inspected, disposed."""

    def make(serials, disposition="repair", lot="260910-1", outcome="repair"):
        lines = [line(serials=list(serials), production_lot=lot, outcome=outcome)]
        case = new_case(lines=lines)
        flow("service", "submit", case)
        flow("service", "approve", case)
        flow("warehouse", "start_receiving", case)
        flow("warehouse", "receive", case, items=items_for(lines))
        flow("warehouse", "close_receipt", case)
        ids = [u["id"] for u in detail(case)["units"]]
        flow("quality", "inspect", case, unit_ids=ids, result=FUNCTION_FAULT)
        flow("quality", "dispose", case, unit_ids=ids, disposition=disposition)
        return case, ids

    return make


@pytest.fixture
def post(api):
    """post(role, path, body, expect=200, code=None) -> JSON; a refusal (expect >= 400) names its code."""

    def call(role, path, body=None, expect=200, code=None):
        response = api(role).post(f"/api/v1/{path}", body or {}, format="json")
        assert response.status_code == expect, (path, role, response.json())
        if expect >= 400:  # a refusal says why: its code is part of what the test checks
            assert code is not None, "say which error code the refusal answers"
            assert response.json()["code"] == code, (path, role, response.json())
        return response.json()

    return call


# --- repair flows ---

SERIALS = [f"HT2609{n:04d}" for n in range(1, 5)]


def raw_stock(code: str) -> int:
    return sum(StockBalance.objects.filter(part__code=code, warehouse__code="RM").values_list("quantity", flat=True))


def states(ids) -> list[str]:
    return list(ReturnUnit.objects.filter(pk__in=ids).order_by("id").values_list("state", flat=True))


def record(unit, **extra) -> dict:
    return {"unit": unit, "fault_found": "加热管断路", "cause": "来料不良", "action": "更换加热管",
            "labour_hours": "1.5", **extra}


# --- final inspection by checklist (issue 13, part B) ---

def checklist_results(api, case, ids, role="quality", failed=()) -> dict:
    """Every item of the units' final checklists (GET final-checklist) as passed, but those in `failed`."""
    response = api(role).get(f"/api/v1/cases/{case['id']}/final-checklist/?page_size=500")
    assert response.status_code == 200, response.json()
    wanted = set(ids)
    codes = {item["code"] for entry in response.json()["results"] if entry["unit"] in wanted
             for item in entry["items"]}
    return {code: {"passed": code not in failed, "value": "ok" if code not in failed else "NG"} for code in codes}


@pytest.fixture
def pass_final(api, flow):
    """pass_final(case, ids): quality passes the units, a passed result for every checklist item."""

    def run(case, ids, role="quality", **body):
        return flow(role, "pass_final", case, unit_ids=ids, results=checklist_results(api, case, ids), **body)

    return run


# --- the service desk (issue 14) ---

SERVICE_REQUESTS = "/api/v1/service-requests/"


@pytest.fixture
def service_desk(api, registry, users):
    """service_desk.register(role, expect, **fields) -> a request registered on the phone (JSON answer);
    service_desk.post(role, request, step, expect, **body); service_desk.get(request, role, expect)."""

    class Desk:
        def register(self, role="service", expect=201, **fields):
            body = {"channel": "phone", "serial": IN_WARRANTY.format(1), "category": "repair",
                    "description": "热水器不加热", "contact_name": "王先生", "contact_phone": "13800000001", **fields}
            response = api(role).post(SERVICE_REQUESTS, body, format="json")
            assert response.status_code == expect, response.json()
            return response.json()

        def post(self, role, request, step, expect=200, **body):
            response = api(role).post(f"{SERVICE_REQUESTS}{request['id']}/{step}/", body, format="json")
            assert response.status_code == expect, (step, role, response.json())
            return response.json()

        def get(self, request, role="service", expect=200):
            response = api(role).get(f"{SERVICE_REQUESTS}{request['id']}/")
            assert response.status_code == expect, response.json()
            return response.json()

    return Desk()
