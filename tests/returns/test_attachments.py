import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from aftersales.returns.models import Attachment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path, registry):
    with override_settings(MEDIA_ROOT=tmp_path):
        yield


def photo(name="defect.jpg", size=100):
    return SimpleUploadedFile(name, b"\xff\xd8" + b"0" * size, content_type="image/jpeg")


def test_customer_adds_a_photo_to_a_line_of_its_draft(api, new_case, detail):
    case = new_case(role="alice")
    response = api("alice").post(f"/api/v1/cases/{case['id']}/attachments/",
                                 {"file": photo(), "description": "外壳裂纹", "line": 1}, format="multipart")
    assert response.status_code == 201, response.json()
    shown = detail(case, role="alice")["attachments"]
    assert shown[0]["description"] == "外壳裂纹"
    assert detail(case)["attachments"][0]["line_id"] is not None


def test_bad_files_are_refused_and_nothing_is_kept(api, new_case):
    case = new_case()
    client = api("service")
    for upload, field in [(SimpleUploadedFile("run.exe", b"MZ"), "file"), (photo(size=11 * 1024 * 1024), "file")]:
        response = client.post(f"/api/v1/cases/{case['id']}/attachments/", {"file": upload}, format="multipart")
        assert response.status_code == 400
        assert field in response.json()["details"]
    response = client.post(f"/api/v1/cases/{case['id']}/attachments/", {"file": photo(), "line": 9}, format="multipart")
    assert "line" in response.json()["details"]
    assert Attachment.objects.count() == 0


def test_another_customer_cannot_attach(api, new_case):
    case = new_case(role="alice")
    response = api("bob").post(f"/api/v1/cases/{case['id']}/attachments/", {"file": photo()}, format="multipart")
    assert response.status_code == 404
