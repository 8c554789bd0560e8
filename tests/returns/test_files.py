"""Attachment files at /attachments/<id>/: the case's own access rule, the verified content type,
headers that keep a file from running as a page, the same address in the page and the API."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.authtoken.models import Token

from aftersales.returns.models import Attachment
from tests.files import image

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path, settings, registry):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def attach(api, django_capture_on_commit_callbacks):
    """attach(case, name, content) -> the API's answer for the new attachment (the file written)."""

    def add(case, name="现场照片.jpg", content=None, role="service"):
        upload = SimpleUploadedFile(name, content if content is not None else image("JPEG"))
        with django_capture_on_commit_callbacks(execute=True):
            response = api(role).post(f"/api/v1/cases/{case['id']}/attachments/", {"file": upload},
                                      format="multipart")
        assert response.status_code == 201, response.json()
        return response.json()

    return add


@pytest.fixture
def alice_photo(new_case, attach):
    case = new_case(role="alice")
    return case, attach(case, role="alice")


def test_staff_download_the_photo_inline_with_its_verified_type(browser_as, alice_photo):
    from PIL import Image

    _case, added = alice_photo
    response = browser_as("quality").get(added["url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87.jpg" in response["Content-Disposition"]
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).format == "JPEG"


def test_alice_gets_her_own_and_bob_gets_404(browser_as, alice_photo):
    _case, added = alice_photo
    assert browser_as("alice").get(added["url"]).status_code == 200
    assert browser_as("bob").get(added["url"]).status_code == 404
    assert browser_as("nobody").get(added["url"]).status_code == 404  # no role: cases are not theirs to read


def test_anonymous_is_sent_to_log_in(alice_photo):
    _case, added = alice_photo
    response = Client().get(added["url"])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/attachments/")


def test_api_clients_fetch_it_with_their_token(users, alice_photo):
    _case, added = alice_photo
    token = Token.objects.create(user=users["service"])
    assert Client().get(added["url"], HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    bob = Token.objects.create(user=users["bob"])
    assert Client().get(added["url"], HTTP_AUTHORIZATION=f"Token {bob.key}").status_code == 404
    refused = Client().get(added["url"], HTTP_AUTHORIZATION="Token not-a-token")
    assert (refused.status_code, refused.json()["code"]) == (401, "authentication_failed")


def test_documents_are_downloads_under_their_original_name(new_case, attach, browser_as):
    case = new_case()
    added = attach(case, "退货单 11月.pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n")
    response = browser_as("service").get(added["url"])
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E9%80%80%E8%B4%A7%E5%8D%95%2011%E6%9C%88.pdf" in disposition
    csv = attach(case, "list.csv", b"serial\n<script>alert(1)</script>\n")
    response = browser_as("service").get(csv["url"])
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("text/csv", "nosniff")
    assert response["Content-Disposition"] == 'attachment; filename="list.csv"'


@pytest.mark.parametrize("path", ["/attachments/abc/", "/attachments/0/", "/attachments/-1/",
                                  "/attachments/99999999999999999999999999/", "/attachments/9223372036854775807/",
                                  "/attachments/2147483648/"])
def test_impossible_ids_are_404_not_500(browser_as, alice_photo, path):
    assert browser_as("service").get(path).status_code == 404


def test_a_missing_file_is_404(browser_as, alice_photo, tmp_path):
    _case, added = alice_photo
    (tmp_path / Attachment.objects.get().file.name).unlink()
    assert browser_as("service").get(added["url"]).status_code == 404


def test_only_reads(browser_as, alice_photo):
    _case, added = alice_photo
    assert browser_as("service").post(added["url"]).status_code == 405


def test_the_page_and_the_api_give_the_same_address(browser_as, alice_photo, detail):
    case, added = alice_photo
    assert added["url"] == f"/attachments/{added['id']}/"
    assert (added["name"], added["content_type"], added["inline"]) == ("现场照片.jpg", "image/jpeg", True)
    assert detail(case)["attachments"][0]["url"] == added["url"]
    page = browser_as("service").get(f"/cases/{case['id']}/").content.decode()
    assert f'href="{added["url"]}"' in page
    assert "/media/" not in page


def test_media_is_not_served(browser_as, alice_photo):
    assert browser_as("service").get(f"/media/{Attachment.objects.get().file.name}").status_code == 404


def test_unverified_files_from_before_are_downloads_of_unknown_type(browser_as, alice_photo, tmp_path):
    _case, added = alice_photo
    Attachment.objects.update(content_type="application/octet-stream", original_name="old.jpg")
    response = browser_as("service").get(added["url"])
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="old.jpg"'


def test_api_case_ids_that_are_not_numbers_are_404(api, users):
    for path in ("/api/v1/cases/abc/", "/api/v1/cases/99999999999999999999999999/"):
        response = api("service").get(path)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), path
