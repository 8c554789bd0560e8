"""The services behind the new-application page and the serial lookup: an application is created with its
photos and its submission in one transaction, or not at all; a registered unit's warranty is decided on
the terms of the customer it was shipped to."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from aftersales.core.errors import AppError
from aftersales.returns.models import Attachment, CaseEvent, CaseState, ReturnCase
from aftersales.returns.services.cases import application_create
from aftersales.returns.selectors import registered_units
from aftersales.returns.services.warranty import warranty_for_registered_units
from tests.files import image
from tests.flows import HT, IN_WARRANTY, OUT_OF_WARRANTY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        yield


def _line(serial: str) -> dict:
    """A line as the page sends it: the product model by its code."""
    return {"product_model": HT, "item_name": "电热水器 2000W", "serials": [serial], "production_lot": "260910-1",
            "defect_description": "不加热"}


def _photo(name="defect.jpg"):
    return SimpleUploadedFile(name, image("JPEG"), content_type="image/jpeg")


def _nothing_written():
    return (ReturnCase.objects.count(), CaseEvent.objects.count(), Attachment.objects.count()) == (0, 0, 0)


def test_an_application_with_photos_submitted_at_once(users, registry, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = application_create(actor=users["alice"], lines=[_line(IN_WARRANTY.format(1))],
                                  photos=[_photo(), _photo("second.jpg")], submit=True, channel="dealer",
                                  customer_reference="TH-1")
    case.refresh_from_db()
    assert (case.state, case.customer.code, case.customer_reference) == (CaseState.SUBMITTED, "C-ALICE", "TH-1")
    assert sorted(case.attachments.values_list("original_name", flat=True)) == ["defect.jpg", "second.jpg"]
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 2


def test_an_application_kept_as_a_draft(users, customers, registry):
    case = application_create(actor=users["service"], customer=customers["alice"],
                              lines=[_line(IN_WARRANTY.format(1))])
    assert case.state == CaseState.DRAFT and case.attachments.count() == 0


def test_a_refused_photo_saves_nothing_and_names_the_file(users, registry, tmp_path,
                                                         django_capture_on_commit_callbacks):
    refused = SimpleUploadedFile("virus.exe", b"MZ" + b"0" * 64, content_type="application/octet-stream")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AppError) as caught:
        application_create(actor=users["alice"], lines=[_line(IN_WARRANTY.format(1))],
                           photos=[_photo(), refused], submit=True)
    assert caught.value.code == "file_not_allowed"
    assert list(caught.value.details) == ["photos"] and caught.value.details["photos"][0].startswith("virus.exe: ")
    assert _nothing_written()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_an_unknown_model_is_refused_on_its_line_and_nothing_is_written(users, registry):
    with pytest.raises(AppError) as caught:
        application_create(actor=users["alice"], lines=[{**_line(IN_WARRANTY.format(1)), "product_model": "NO-SUCH"}])
    assert caught.value.code == "invalid" and "product_model" in caught.value.details["lines"]["0"]
    assert _nothing_written()


def test_a_customer_user_applying_for_another_customer_saves_nothing(users, registry):
    with pytest.raises(AppError):
        application_create(actor=users["alice"], customer=users["bob"].customer,
                           lines=[_line(IN_WARRANTY.format(1))], submit=True)
    assert _nothing_written()


def test_a_registered_unit_gets_the_warranty_of_its_model_and_its_customer(users, registry, customers):
    on = dt.date(2026, 11, 20)

    def decided(serial, user="service"):
        units = list(registered_units(user=users[user], serial=serial))
        return warranty_for_registered_units(units, on=on)

    [within], [expired] = decided(IN_WARRANTY.format(1)), decided(OUT_OF_WARRANTY.format(1))
    assert (within.status, within.until, expired.status) == ("in", dt.date(2027, 9, 9), "out")
    customers["alice"].warranty_extension_months = 24  # the terms of the customer the units were shipped to
    customers["alice"].save()
    [within], [expired] = decided(IN_WARRANTY.format(1), "alice"), decided(OUT_OF_WARRANTY.format(1))
    assert (within.until, expired.status) == (dt.date(2029, 9, 9), "in")
    assert {"code": "customer_extension", "months": 24} in expired.reasons
    assert decided(IN_WARRANTY.format(1), "bob") == []  # another customer's unit is not found
