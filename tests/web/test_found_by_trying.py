"""Found by trying the product (issue 10), on the pages: words where codes were shown, receiving
differences on the case page, the warehouse told a case is coming, the inbox opening the page of
the step, and form input that used to answer 500."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from rest_framework.test import APIClient

from aftersales.accounts.services import user_create
from aftersales.masterdata.models import Warehouse
from aftersales.returns.models import (Approval, CaseState, Channel, CustomerNotice, DefectClass, Disposition,
                                       Outcome, Reason, ReceivingDiscrepancy, Responsibility, UnitExit, UnitState,
                                       WarrantyStatus)
from aftersales.returns.workflow import ACTIONS, OTHER_EVENTS
from tests.files import image
from tests.flows import FUNCTION_FAULT, IN_WARRANTY, SHIP, line

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}

# People are named as people are, so that a username never looks like a code on the page.
PEOPLE = {"service": "zhang.san", "warehouse": "li.si", "quality": "wang.wu", "repair": "zhao.liu",
          "manager": "qian.qi", "finance": "sun.ba", "planning": "zhou.jiu"}


class _VisibleText(HTMLParser):
    """The text a person reads: text outside scripts and styles, and the titles and labels shown."""

    SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts.extend(value for name, value in attrs if name in self.SHOWN_ATTRIBUTES and value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def _codes() -> set[str]:
    codes = {*ACTIONS, *OTHER_EVENTS, *PEOPLE}
    for choices in (CaseState, UnitState, Disposition, Outcome, Reason, Channel, Approval.Kind, DefectClass,
                    Responsibility, UnitExit, CustomerNotice.Kind, ReceivingDiscrepancy.Kind):
        codes.update(choices.values)
    codes.update(Warehouse.objects.values_list("code", flat=True))
    codes.update(value for value in WarrantyStatus.values if len(value) > 3)
    return codes


def codes_shown(html: str, codes: set[str]) -> set[str]:
    text = visible_text(html)
    return {code for code in codes if re.search(rf"(?<![A-Za-z0-9_.\-]){re.escape(code)}(?![A-Za-z0-9_.\-])", text)}


@pytest.fixture
def people(users, customers):
    made = {role: user_create(username=name, password=None, role_codes={role}) for role, name in PEOPLE.items()}
    made["customer"] = user_create(username="chen.kehu", password=None, role_codes={"customer"},
                                   customer=customers["alice"])
    return made


@pytest.fixture
def act(people):
    def run(role, case_id, action, **body):
        client = APIClient()
        client.force_authenticate(people[role])
        response = client.post(f"/api/v1/cases/{case_id}/actions/{action}/", body, format="json")
        assert response.status_code == 200, (action, response.json())
        return response.json()

    return run


@pytest.fixture
def page_as(people):
    clients = {}

    def get(who, path, **params):
        if who not in clients:
            clients[who] = Client()
            clients[who].force_login(people[who])
        response = clients[who].get(path, params, **ZH)
        assert response.status_code == 200, (who, path, response.status_code)
        return response.content.decode()

    return get


def test_every_page_of_the_main_flow_shows_words_not_codes(people, act, page_as, registry, product_models):
    codes = _codes()
    client = APIClient()
    client.force_authenticate(people["customer"])
    serials = [IN_WARRANTY.format(n) for n in (1, 2, 3)]
    created = client.post("/api/v1/cases/", {"lines": [line(serials=serials)], "customer_reference": "TH-1"},
                          format="json")
    assert created.status_code == 201, created.json()
    case_id = created.json()["id"]
    seen: dict[str, set] = {}

    def walk(stage: str, roles: list[str], extra: list[tuple[str, str]] = ()):
        for role in roles:
            for path in ("/", "/cases/", f"/cases/{case_id}/"):
                seen[f"{stage} {role} {path}"] = codes_shown(page_as(role, path), codes)
        for role, path in extra:
            seen[f"{stage} {role} {path}"] = codes_shown(page_as(role, path), codes)

    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("defect.png", image("PNG"), content_type="image/png")
    photo = client.post(f"/api/v1/cases/{case_id}/attachments/", {"file": upload}, format="multipart")
    assert photo.status_code == 201, photo.json()
    walk("draft", ["customer", "service"], [("service", "/imports/"), ("manager", "/imports/"),
                                            ("service", "/cases/new/"), ("customer", "/cases/new/")])
    act("customer", case_id, "submit")
    walk("submitted", ["customer", "service", "manager"])
    act("service", case_id, "approve")
    walk("approved", ["customer", "warehouse"], [("warehouse", "/receiving/")])
    act("warehouse", case_id, "start_receiving")
    act("warehouse", case_id, "receive", items=[{"serial": s} for s in serials[:2]] + [{"serial": "NOT-A-UNIT"}])
    walk("receiving", ["warehouse"], [("warehouse", f"/cases/{case_id}/receive/")])
    act("warehouse", case_id, "close_receipt")
    walk("received", ["customer", "quality", "service"], [("quality", "/bench/quality/"),
                                                          ("quality", f"/cases/{case_id}/inspect/")])
    detail = APIClient()
    detail.force_authenticate(people["quality"])
    units = [u["id"] for u in detail.get(f"/api/v1/cases/{case_id}/").json()["units"] if u["state"] == "received"]
    act("quality", case_id, "inspect", unit_ids=units, result=FUNCTION_FAULT)
    act("quality", case_id, "dispose", unit_ids=units, disposition="return_as_is")
    walk("disposed", ["customer", "quality", "warehouse"], [("quality", "/bench/quality/"),
                                                             ("service", "/cases/?state=disposed&applied_from=2026-01-01")])
    act("warehouse", case_id, "ship_back", unit_ids=units, **SHIP)
    walk("settled", ["customer", "service", "manager"],
         [("service", f"/cases/{case_id}/print/{form}/") for form in ("return-note", "receipt", "inspection-report",
                                                                     "disposition-notice")])
    act("service", case_id, "close")
    walk("closed", ["customer", "service"])
    shown = {where: found for where, found in seen.items() if found}
    assert shown == {}, shown


def test_receiving_differences_are_on_the_case_page_for_staff_and_customer(people, act, page_as, registry):
    client = APIClient()
    client.force_authenticate(people["service"])
    lines = [line(serials=[IN_WARRANTY.format(1), IN_WARRANTY.format(2)])]
    case_id = client.post("/api/v1/cases/", {"customer": "C-ALICE", "lines": lines}, format="json").json()["id"]
    act("service", case_id, "submit")
    act("service", case_id, "approve")
    act("warehouse", case_id, "start_receiving")
    act("warehouse", case_id, "receive", items=[{"serial": IN_WARRANTY.format(1)}, {"serial": "ZZ-NOBODY"}])
    act("warehouse", case_id, "close_receipt")
    for role in ("service", "customer"):
        body = page_as(role, f"/cases/{case_id}/")
        section = body[body.index('id="differences-h"'):]
        assert "短少" in section and IN_WARRANTY.format(2) in section, role  # noted, never arrived
        assert "ZZ-NOBODY" in section, role  # arrived, refused: no matching line


def test_the_warehouse_inbox_shows_approved_cases_awaiting_goods(people, act, page_as, registry):
    client = APIClient()
    client.force_authenticate(people["service"])
    case = client.post("/api/v1/cases/", {"customer": "C-ALICE", "lines": [line(serials=[IN_WARRANTY.format(4)])]},
                       format="json").json()
    act("service", case["id"], "submit")
    assert case["number"] not in page_as("warehouse", "/")
    act("service", case["id"], "approve")
    inbox = page_as("warehouse", "/")
    awaited = inbox[inbox.index('id="awaited-h"'):]
    assert case["number"] in awaited and f'/cases/{case["id"]}/' in awaited
    assert "华东经销商（上海）" in awaited


def test_the_inbox_opens_the_page_of_the_step(people, act, page_as, registry):
    client = APIClient()
    client.force_authenticate(people["service"])
    case = client.post("/api/v1/cases/", {"customer": "C-ALICE", "lines": [line(serials=[IN_WARRANTY.format(5)])]},
                       format="json").json()
    act("service", case["id"], "submit")
    act("service", case["id"], "approve")
    act("warehouse", case["id"], "start_receiving")
    assert f'href="/cases/{case["id"]}/receive/"' in page_as("warehouse", "/", role="warehouse")
    act("warehouse", case["id"], "receive", items=[{"serial": IN_WARRANTY.format(5)}])
    act("warehouse", case["id"], "close_receipt")
    assert f'href="/cases/{case["id"]}/inspect/"' in page_as("quality", "/", role="quality")


@pytest.mark.parametrize("post", [
    {"line-abc-serials": "X", "line-0-product_model": "HT-2000"},
    {"line-0-quantity": "²", "line-0-product_model": "HT-2000", "customer": "C-ALICE"},
    {"line-0-quantity": str(10**12), "line-0-product_model": "HT-2000", "customer": "C-ALICE"},
    {"line-99999999999999999999-serials": "X"},
])
def test_odd_form_fields_on_the_application_page_are_no_server_error(browser_as, post, product_models, customers):
    response = browser_as("service").post("/cases/new/", post)
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("ids", [["²"], [str(2**64)], ["abc"]])
def test_odd_unit_ids_on_the_case_page_are_no_server_error(browser_as, new_case, ids, registry):
    case = new_case()
    response = browser_as("manager").post(f"/cases/{case['id']}/actions/override_warranty/",
                                          {"unit_ids": ids, "status": "out", "comment": "x"})
    assert response.status_code in (200, 302, 400)


def test_a_nul_character_in_a_search_is_a_bad_request(browser_as):
    response = browser_as("service").get("/cases/", {"q": "HT\x00"})
    assert response.status_code == 400


def test_the_portal_page_and_the_api_show_a_customer_the_same_steps(people, act, page_as, registry):
    from aftersales.deadlines.kinds import KINDS

    client = APIClient()
    client.force_authenticate(people["customer"])
    case_id = client.post("/api/v1/cases/", {"lines": [line(serials=[IN_WARRANTY.format(6)])]},
                          format="json").json()["id"]
    act("customer", case_id, "submit")
    act("service", case_id, "approve")
    act("warehouse", case_id, "start_receiving")
    act("warehouse", case_id, "receive", items=[{"serial": IN_WARRANTY.format(6)}])
    act("warehouse", case_id, "close_receipt")
    staff = APIClient()
    staff.force_authenticate(people["quality"])
    (unit,) = staff.get(f"/api/v1/cases/{case_id}/").json()["units"]
    act("quality", case_id, "inspect", unit_ids=[unit["id"]],
        result={"defect_class": "function", "responsibility": "customer"})
    act("quality", case_id, "dispose", unit_ids=[unit["id"]], disposition="repair")  # the rework risk: consent
    steps = {d["kind"] for d in client.get(f"/api/v1/cases/{case_id}/").json()["deadlines"]}
    assert steps == {"customer_answer"}
    body = page_as("customer", f"/cases/{case_id}/")
    section = body[body.index('id="deadlines-h"'):body.index("</section>", body.index('id="deadlines-h"'))]
    with_labels = {kind for kind, spec in KINDS.items() if str(spec.label) in section}
    assert with_labels == steps


def test_a_page_error_shows_messages_and_a_shortage_in_words_never_the_raw_details():
    from django.utils import translation

    from aftersales.core.errors import Conflict, InvalidInput
    from aftersales.inventory.services import InsufficientStock
    from aftersales.web.pages import page_errors

    short = InsufficientStock("Not enough stock for this movement.", details={"shortages": [
        {"warehouse": "RM", "product_model": None, "part": "P-HT-001", "available": 195, "needed": 999}]})
    with translation.override("en"):
        shown = page_errors(short)
    assert shown == {"non_field": ["Not enough stock for this movement.",
                                   "Not enough part P-HT-001 in warehouse RM: 195 available, 999 needed."]}
    assert page_errors(Conflict("Not paid yet.", details={"shipment": 2})) == {"non_field": ["Not paid yet."]}
    nested = page_errors(InvalidInput(details={"weights_kg": {"metal": ["Too heavy."]}, "quantity": "Too many.",
                                               "ids": [3, 4]}))
    assert {key: value for key, value in nested.items() if key != "non_field"} == {
        "weights_kg": ["Too heavy."], "quantity": ["Too many."]}
    records = page_errors(InvalidInput(details={"records": {"0": {"fault_found": ["Required."], "unit": 7}}}))
    assert records["records"] == ["Required."]
