"""Photos of field work and of receipts: the technician adds photos before and after the work on site and the
receipts' photos to a draft claim; each is judged by its content; the readers of the order or the claim fetch
them, nobody else (404)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from aftersales.field.models import FieldPhoto
from aftersales.field.services import field_order_create
from tests.files import docx, image

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        yield tmp_path


@pytest.fixture
def send(api, django_capture_on_commit_callbacks):
    """send(role, url, **multipart): the upload, its files written as its transaction commits."""

    def post(role, url, **body):
        with django_capture_on_commit_callbacks(execute=True):
            return api(role).post(url, body, format="multipart")

    return post


def photo(name="before.jpg"):
    return SimpleUploadedFile(name, image("JPEG"), content_type="image/jpeg")


@pytest.fixture
def order(users, customers):
    return field_order_create(actor=users["service"], customer=customers["alice"], site_address="上海市张江路 100 号",
                              technician=users["technician"])


def test_photos_before_and_after_the_work(api, send, users, order, browser_as):
    url = f"/api/v1/field-orders/{order.pk}/photos/"
    assert api("technician").post(url, {"kind": "before", "photos": [photo()]}, format="multipart").status_code == 409
    api("technician").post(f"/api/v1/field-orders/{order.pk}/actions/accept/", {}, format="json")
    refused = api("technician").post(url, {"kind": "during", "photos": [photo()]}, format="multipart")
    assert refused.status_code == 400 and set(refused.json()["details"]) == {"kind"}
    bad = api("technician").post(url, {"kind": "before", "photos": [SimpleUploadedFile("a.jpg", docx())]},
                                 format="multipart")
    assert bad.status_code == 400 and not FieldPhoto.objects.exists()
    added = send("technician", url, kind="before", photos=[photo(), photo("b.jpg")])
    assert added.status_code == 201
    shown = added.json()["photos"]
    assert [p["kind"] for p in shown] == ["before", "before"]
    assert browser_as("service").get(shown[0]["url"]).status_code == 200
    assert browser_as("alice").get(shown[0]["url"]).status_code == 404
    assert browser_as("bob").get(shown[0]["url"]).status_code == 404
    page = browser_as("technician").get(f"/field/{order.pk}/").content.decode()
    assert shown[0]["url"] in page and f"/field/order/{order.pk}/photos/" in page
    assert browser_as("technician").post(f"/field/order/{order.pk}/photos/", {
        "kind": "after", "photos": [photo("after.jpg")]}).status_code == 302
    assert FieldPhoto.objects.filter(order=order, kind="after").count() == 1
    assert api("service").post(url, {"kind": "after", "photos": [photo()]}, format="multipart").status_code == 403


def test_receipts_photos_on_a_draft_claim(api, send, users, order, browser_as):
    today = timezone.localdate().isoformat()
    claim = api("technician").post("/api/v1/expense-claims/", {
        "kind": "claim", "trip_from": (timezone.localdate() - dt.timedelta(days=1)).isoformat(), "trip_to": today,
        "lines": [{"category": "transport", "amount": "50", "place": "上海"}]}, format="json").json()
    url = f"/api/v1/expense-claims/{claim['id']}/receipts/"
    added = send("technician", url, photos=[photo("ticket.jpg")])
    assert added.status_code == 201 and added.json()["receipts"][0]["kind"] == "receipt"
    receipt = added.json()["receipts"][0]["url"]
    assert browser_as("finance").get(receipt).status_code == 200
    assert browser_as("warehouse").get(receipt).status_code == 404
    api("technician").post(f"/api/v1/expense-claims/{claim['id']}/actions/submit/", {}, format="json")
    late = api("technician").post(url, {"photos": [photo()]}, format="multipart")
    assert late.status_code == 409 and FieldPhoto.objects.filter(claim_id=claim["id"]).count() == 1
