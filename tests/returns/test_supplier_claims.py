"""Supplier claims (供应商索赔, 售后服务工作流程及管理规定 三.8) through the API, per role: an incoming-material
anomaly found at inspection reaches purchasing; purchasing drafts the claim (units and parts, the
inspection results and photos as evidence, the amount), sends it, records the supplier's answer and
the amount recovered, closes it; each step clocked on working days; printed as 供应商索赔单."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.claims.models import SupplierClaim
from aftersales.claims.rules import recovery_problem
from aftersales.deadlines.models import Deadline
from aftersales.masterdata.models import Part, Supplier
from aftersales.notifications.models import Notification
from aftersales.notifications.services import render

from tests.files import image
from tests.flows import FUNCTION_FAULT, IN_WARRANTY, line
from tests.printing import COMPANY, embedded_fonts

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.flows"]

SUPPLIER_FAULT = {**FUNCTION_FAULT, "responsibility": "supplier", "notes": "加热管击穿（来料不良）"}


@pytest.fixture
def supplier(product_models):
    part = Part.objects.create(code="HT-ELEM", name="加热管 2000W", scrap_class="metal")
    made = Supplier.objects.create(code="S-HEAT", name="宁波加热管厂", contact_name="王经理", phone="0574-1",
                                   warranty_months=18, warranty_terms="收货后18个月内包换")
    made.parts.add(part)
    return made


@pytest.fixture
def faulty(received, flow, api):
    """Two units received; quality finds the supplier's heating element at fault, with a photo."""
    case, ids = received(lines=[line(serials=[IN_WARRANTY.format(1), IN_WARRANTY.format(2)])])
    flow("quality", "inspect", case, unit_ids=ids, result=SUPPLIER_FAULT)
    photo = api("quality").post(f"/api/v1/cases/{case['id']}/attachments/", {
        "file": SimpleUploadedFile("element.jpg", image("JPEG"), content_type="image/jpeg"),
        "description": "加热管击穿", "unit": ids[0]}, format="multipart")
    assert photo.status_code == 201, photo.json()
    return case, ids, photo.json()["id"]


def _draft(api, on_case, ids, photo_id, role="purchasing", **changes):
    body = {"supplier": "S-HEAT", "case": on_case["id"], "description": "加热管来料不良，击穿两台",
            "items": [{"unit": ids[0]}, {"unit": ids[1]}, {"part": "HT-ELEM", "quantity": 2, "note": "更换用料"}],
            "amount_claimed": "560.00", "attachments": [photo_id], **changes}
    return api(role).post("/api/v1/supplier-claims/", body, format="json")


def _step(api, claim, action, role="purchasing", **body):
    return api(role).post(f"/api/v1/supplier-claims/{claim['id']}/actions/{action}/", body, format="json")


def test_an_incoming_material_anomaly_at_inspection_reaches_purchasing(faulty, users):
    case, ids, _photo = faulty
    (note,) = Notification.objects.filter(recipient=users["purchasing"], kind="supplier_anomaly")
    assert (note.context["case"], note.context["count"]) == (case["number"], 2)
    subject, body = render(note, "en")
    assert case["number"] in subject and IN_WARRANTY.format(1) in body
    assert not Notification.objects.filter(recipient=users["warehouse"], kind="supplier_anomaly").exists()


def test_the_claim_runs_drafted_sent_answered_closed(faulty, supplier, api):
    case, ids, photo_id = faulty
    made = _draft(api, case, ids, photo_id)
    assert made.status_code == 201, made.json()
    claim = made.json()
    assert (claim["state"], claim["supplier"], claim["amount_claimed"]) == ("drafted", "S-HEAT", "560.00")
    assert [(i["serial"], i["part"], i["quantity"]) for i in claim["items"]] == [
        (IN_WARRANTY.format(1), None, 1), (IN_WARRANTY.format(2), None, 1), ("", "HT-ELEM", 2)]
    # The evidence: quality's inspection of each unit, and the photo.
    assert claim["items"][0]["inspection"]["responsibility"] == "supplier"
    assert [e["id"] for e in claim["evidence"]] == [photo_id]
    assert [a["action"] for a in claim["allowed_actions"]] == ["amend", "send", "cancel"]
    # Clocked: sending runs on working days; then the supplier's answer.
    (send,) = Deadline.objects.filter(subject_type="supplier_claim", subject_id=claim["id"], state="open")
    assert (send.kind, send.role) == ("supplier_claim_send", "purchasing")
    assert claim["due_at"] is not None

    claim = _step(api, claim, "send").json()
    assert claim["state"] == "sent" and claim["sent_at"]
    (answer_clock,) = Deadline.objects.filter(subject_type="supplier_claim", subject_id=claim["id"], state="open")
    assert answer_clock.kind == "supplier_claim_answer"
    refused = _step(api, claim, "answer", answer="partly", amount_recovered="600.00")
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid")
    assert "amount_recovered" in refused.json()["details"]
    claim = _step(api, claim, "answer", answer="partly", answer_text="同意赔偿一台", amount_recovered="280.00").json()
    assert (claim["state"], claim["answer"], claim["amount_recovered"]) == ("answered", "partly", "280.00")
    assert not Deadline.objects.filter(subject_type="supplier_claim", subject_id=claim["id"], state="open").exists()
    claim = _step(api, claim, "close", amount_recovered="300.00").json()
    assert (claim["state"], claim["amount_recovered"], claim["allowed_actions"]) == ("closed", "300.00", [])
    # Out of state: 409 with the code.
    again = _step(api, claim, "send")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_state")
    # Finance and managers read it; the list filters by state.
    listed = api("finance").get("/api/v1/supplier-claims/", {"state": "closed"}).json()["results"]
    assert [(c["number"], c["amount_recovered"]) for c in listed] == [(claim["number"], "300.00")]


@pytest.mark.parametrize("role", ["service", "quality", "manager", "finance", "warehouse", "repair"])
def test_only_purchasing_drafts_and_steps_claims(role, faulty, supplier, api):
    case, ids, photo_id = faulty
    response = _draft(api, case, ids, photo_id, role=role)
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert not SupplierClaim.objects.exists()
    claim = _draft(api, case, ids, photo_id).json()
    step = _step(api, claim, "send", role=role)
    assert step.status_code == 403 and step.json()["code"] == "permission_denied"
    assert api("purchasing").get(f"/api/v1/supplier-claims/{claim['id']}/").json()["state"] == "drafted"


def test_staff_outside_the_readers_are_refused_and_customers_find_nothing(faulty, supplier, api):
    case, ids, photo_id = faulty
    claim = _draft(api, case, ids, photo_id).json()
    for role in ("warehouse", "repair", "planning"):
        response = api(role).get("/api/v1/supplier-claims/")
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied"), role
    for path in ("/api/v1/supplier-claims/", f"/api/v1/supplier-claims/{claim['id']}/"):
        assert api("alice").get(path).status_code == 404


def test_bad_claims_are_refused_with_the_field_and_write_nothing(faulty, supplier, api, received):
    case, ids, photo_id = faulty
    other, other_ids = received(lines=[line(serials=[IN_WARRANTY.format(5)])])
    for changes, field in [({"supplier": "S-NONE"}, "supplier"), ({"amount_claimed": "0"}, "amount_claimed"),
                           ({"amount_claimed": "abc"}, "amount_claimed"), ({"items": []}, "items"),
                           ({"items": [{"unit": other_ids[0]}]}, "items"), ({"items": [{"part": "NOPE"}]}, "items"),
                           ({"items": [{"unit": ids[0], "part": "HT-ELEM"}]}, "items"),
                           ({"description": "x" * 5001}, "description"), ({"attachments": [10 ** 12]}, "attachments"),
                           ({"case": "abc"}, "case")]:
        response = _draft(api, case, ids, photo_id, **changes)
        assert (response.status_code, response.json()["code"]) == (400, "invalid"), changes
        assert field in response.json()["details"], (changes, response.json())
    assert not SupplierClaim.objects.exists()
    assert api("purchasing").get("/api/v1/supplier-claims/abc/").status_code == 404
    assert api("purchasing").get(f"/api/v1/supplier-claims/{10 ** 15}/").status_code == 404


def test_cancel_needs_a_reason(faulty, supplier, api):
    case, ids, photo_id = faulty
    claim = _draft(api, case, ids, photo_id).json()
    refused = _step(api, claim, "cancel")
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid")
    claim = _step(api, claim, "cancel", reason="供应商已倒闭").json()
    assert claim["state"] == "cancelled"
    assert not Deadline.objects.filter(subject_type="supplier_claim", subject_id=claim["id"], state="open").exists()


def test_recovery_rules():
    claimed = Decimal("100.00")
    assert recovery_problem(answer="partly", claimed=claimed, recovered=Decimal("40")) is None
    assert recovery_problem(answer="partly", claimed=claimed, recovered=Decimal("140"))
    assert recovery_problem(answer="refused", claimed=claimed, recovered=Decimal("1"))
    assert recovery_problem(answer="accepted", claimed=claimed, recovered=Decimal("99"))
    assert recovery_problem(answer="accepted", claimed=claimed, recovered=claimed) is None


def test_purchasing_page_and_the_printed_claim_with_embedded_chinese_fonts(faulty, supplier, api, browser_as,
                                                                          tmp_path, settings):
    settings.COMPANY_NAME = COMPANY
    case, ids, photo_id = faulty
    claim = _draft(api, case, ids, photo_id).json()
    client = browser_as("purchasing")
    page = client.get("/supplier-claims/")
    assert page.status_code == 200 and claim["number"] in page.content.decode()
    detail = client.get(f"/supplier-claims/{claim['id']}/").content.decode()
    assert "宁波加热管厂" in detail and "send" in detail
    stepped = client.post(f"/supplier-claims/{claim['id']}/act/", {"action": "send"})
    assert stepped.status_code == 302
    assert SupplierClaim.objects.get(pk=claim["id"]).state == "sent"
    assert browser_as("warehouse").get("/supplier-claims/").status_code == 404

    printed = client.get(f"/supplier-claims/{claim['id']}/print/")
    text = printed.content.decode()
    assert "供应商索赔单" in text and COMPANY in text and "加热管来料不良" in text and "560.00" in text
    pdf = client.get(f"/supplier-claims/{claim['id']}/print/", {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    fonts = embedded_fonts(pdf.content, tmp_path)
    cjk = {name: embedded for name, embedded in fonts.items() if "NotoSansCJK" in name.replace("-", "")}
    assert cjk and all(cjk.values()), fonts


def test_the_claims_steps_wait_in_purchasings_inbox_and_queue(faulty, supplier, api, browser_as):
    case, ids, photo_id = faulty
    claim = _draft(api, case, ids, photo_id).json()
    inbox = browser_as("purchasing").get("/")
    assert inbox.status_code == 200
    assert claim["number"] in inbox.content.decode() and f"/supplier-claims/{claim['id']}/" in inbox.content.decode()
    queue = api("purchasing").get("/api/v1/queues/purchasing/").json()["results"]
    assert [(q["kind"], q["reference"]) for q in queue] == [("supplier_claim_send", claim["number"])]
