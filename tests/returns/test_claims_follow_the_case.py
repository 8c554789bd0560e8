"""A unit disposed to its supplier drafts a supplier claim for purchasing by itself (or joins the open draft of the
case for that supplier), the line's price as its amount and the unit's photos as evidence; the case's page and its
API link the case's supplier claims and compensations (core's related-documents registry: returns does not import
claims)."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.claims.models import ClaimItem, SupplierClaim
from aftersales.masterdata.models import Supplier
from aftersales.notifications.models import Notification
from tests.files import image
from tests.flows import FUNCTION_FAULT, IN_WARRANTY, line

pytestmark = pytest.mark.django_db

SUPPLIER_FAULT = {**FUNCTION_FAULT, "responsibility": "supplier", "notes": "加热管击穿（来料不良）"}
REASON = "外购件批次不良，退供应商"


@pytest.fixture
def supplier(product_models):
    made = Supplier.objects.create(code="S-HEAT", name="宁波加热管厂", warranty_months=18)
    made.product_models.add(product_models["HT-2000"])
    return made


@pytest.fixture
def inspected(received, flow, api):
    """Three units of a refund line (880.00 each) received and found the supplier's fault, a photo of the first."""
    serials = [IN_WARRANTY.format(n) for n in (1, 2, 3)]
    case, ids = received(lines=[line(serials=serials, outcome="refund", unit_price="880.00")])
    flow("quality", "inspect", case, unit_ids=ids, result=SUPPLIER_FAULT)
    photo = api("quality").post(f"/api/v1/cases/{case['id']}/attachments/", {
        "file": SimpleUploadedFile("element.jpg", image("JPEG"), content_type="image/jpeg"),
        "description": "加热管击穿", "unit": ids[0]}, format="multipart")
    assert photo.status_code == 201, photo.json()
    return case, ids, photo.json()["id"]


def _documents(api, case, role):
    response = api(role).get(f"/api/v1/cases/{case['id']}/documents/")
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_a_unit_disposed_to_its_supplier_drafts_a_claim_and_the_next_joins_it(inspected, supplier, flow, api,
                                                                             browser_as):
    case, ids, photo_id = inspected
    assert _documents(api, case, "purchasing") == []
    flow("quality", "dispose", case, unit_ids=ids[:1], disposition="supplier_claim")
    claim = SupplierClaim.objects.get(return_case_id=case["id"])
    assert (claim.state, claim.supplier.code, claim.amount_claimed, claim.created_by.username) == (
        "drafted", "S-HEAT", Decimal("880.00"), "quality")
    assert list(claim.attachments.values_list("id", flat=True)) == [photo_id]
    detail = api("purchasing").get(f"/api/v1/supplier-claims/{claim.pk}/").json()
    assert [item["unit"] for item in detail["items"]] == ids[:1]
    # The next unit of the case for the same supplier joins the open draft, its price added.
    flow("quality", "dispose", case, unit_ids=ids[1:2], disposition="supplier_claim")
    claim.refresh_from_db()
    assert SupplierClaim.objects.count() == 1 and claim.amount_claimed == Decimal("1760.00")
    assert sorted(ClaimItem.objects.filter(claim=claim).values_list("unit_id", flat=True)) == ids[:2]
    # Once sent, a later unit starts a new draft.
    assert api("purchasing").post(f"/api/v1/supplier-claims/{claim.pk}/actions/send/", {}, format="json") \
        .status_code == 200
    flow("quality", "dispose", case, unit_ids=ids[2:], disposition="supplier_claim")
    assert SupplierClaim.objects.filter(return_case_id=case["id"]).count() == 2
    # The case links its claims: its API (a page) and its page.
    numbers = [d["number"] for d in _documents(api, case, "purchasing") if d["kind"] == "supplier_claim"]
    assert numbers == list(SupplierClaim.objects.order_by("id").values_list("number", flat=True))
    assert _documents(api, case, "purchasing")[0]["url"] == f"/supplier-claims/{claim.pk}/"
    page = browser_as("quality").get(f"/cases/{case['id']}/").content.decode()
    assert claim.number in page and f"/supplier-claims/{claim.pk}/" in page
    # A customer sees no claim of the company's on its case.
    assert _documents(api, case, "alice") == []
    assert claim.number not in browser_as("alice").get(f"/cases/{case['id']}/").content.decode()
    assert api("bob").get(f"/api/v1/cases/{case['id']}/documents/").status_code == 404


def test_a_draft_without_a_price_is_sent_only_once_purchasing_sets_the_amount(received, supplier, flow, api):
    case, ids = received(lines=[line(serials=[IN_WARRANTY.format(1)], outcome="refund")])
    flow("quality", "inspect", case, unit_ids=ids, result=SUPPLIER_FAULT)
    flow("quality", "dispose", case, unit_ids=ids, disposition="supplier_claim")
    claim = SupplierClaim.objects.get(return_case_id=case["id"])
    assert claim.amount_claimed == 0
    path = f"/api/v1/supplier-claims/{claim.pk}/actions/"
    refused = api("purchasing").post(path + "send/", {}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "claim_amount_missing")
    bad = api("purchasing").post(path + "amend/", {"amount_claimed": "0"}, format="json")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")
    assert api("quality").post(path + "amend/", {"amount_claimed": "300"}, format="json").json()["code"] == \
        "permission_denied"
    amended = api("purchasing").post(path + "amend/", {"amount_claimed": "300.00"}, format="json")
    assert amended.status_code == 200 and amended.json()["amount_claimed"] == "300.00"
    assert api("purchasing").post(path + "send/", {}, format="json").json()["state"] == "sent"


def test_after_the_customers_consent_the_unit_is_claimed_for(received, supplier, flow):
    case, ids = received()  # a repair line: the customer wanted its unit back
    flow("quality", "inspect", case, unit_ids=ids, result=SUPPLIER_FAULT)
    flow("quality", "dispose", case, unit_ids=ids, disposition="supplier_claim")
    assert not SupplierClaim.objects.exists()  # not before the customer consents
    flow("alice", "give_consent", case, unit_ids=ids)
    claim = SupplierClaim.objects.get(return_case_id=case["id"])
    assert claim.created_by.username == "quality"  # who decided the disposition, not the customer


def test_a_model_without_a_single_supplier_is_told_to_purchasing(inspected, flow, users, product_models):
    case, ids, _photo = inspected
    for code in ("S-A", "S-B"):
        Supplier.objects.create(code=code, name=code).product_models.add(product_models["HT-2000"])
    flow("quality", "dispose", case, unit_ids=ids[:1], disposition="supplier_claim")
    assert not SupplierClaim.objects.exists()
    note = Notification.objects.filter(recipient=users["purchasing"], kind="supplier_anomaly").last()
    assert note.context["units"][0]["unit"] == ids[0]


def test_the_case_links_its_compensations_for_service_managers_and_finance(received, flow, api):
    case, ids = received()
    flow("quality", "inspect", case, unit_ids=ids, result=FUNCTION_FAULT)
    made = api("service").post("/api/v1/compensations/", {"case": case["id"], "amount": "200.00", "form": "credit",
                                                          "reason": "延误交付"}, format="json")
    assert made.status_code == 201, made.json()
    for role in ("service", "manager", "finance"):
        (document,) = [d for d in _documents(api, case, role) if d["kind"] == "compensation"]
        assert (document["number"], document["state"]) == (made.json()["number"], "proposed")
    assert not [d for d in _documents(api, case, "warehouse") if d["kind"] == "compensation"]
