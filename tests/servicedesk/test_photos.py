"""Photos on service requests: sent with the registration (the desk's quick form, the portal on a phone, the
API as multipart) or added later; judged by their content under size limits, hostile files refused with a
clear error and nothing kept; a customer sees its own request's photos only (404 otherwise)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from aftersales.servicedesk.models import RequestEvent, RequestPhoto, ServiceRequest
from tests.files import HEIC, docx, image, jpeg_with_gps, png_declaring
from tests.flows import IN_WARRANTY, SERVICE_REQUESTS

pytestmark = pytest.mark.django_db
FIELDS = {"channel": "phone", "serial": IN_WARRANTY.format(1), "category": "repair", "description": "外壳开裂"}


@pytest.fixture(autouse=True)
def media(tmp_path, registry):
    with override_settings(MEDIA_ROOT=tmp_path):
        yield tmp_path


def photo(name="crack.jpg", kind="JPEG"):
    return SimpleUploadedFile(name, image(kind), content_type="image/jpeg")


def register(api, role="service", photos=(), **fields):
    body = {**FIELDS, **fields} if role != "alice" else {**FIELDS, **fields, "channel": ""}
    return api(role).post(SERVICE_REQUESTS, {**body, "photos": list(photos)}, format="multipart")


def fetch(client, user, url):
    client.force_login(user)
    return client.get(url)


def nothing_kept(media_root):
    assert not RequestPhoto.objects.exists()
    assert [p for p in media_root.rglob("*") if p.is_file()] == []


def test_the_desk_registers_with_photos_through_the_api_and_they_are_served_re_encoded(
        api, client, users, media, django_capture_on_commit_callbacks):
    import io

    from PIL import Image

    with django_capture_on_commit_callbacks(execute=True):
        response = register(api, photos=[photo(), SimpleUploadedFile("gps.jpg", jpeg_with_gps())])
    assert response.status_code == 201, response.json()
    shown = response.json()["photos"]
    assert [p["name"] for p in shown] == ["crack.jpg", "gps.jpg"] and shown[0]["content_type"] == "image/jpeg"
    stored = [p for p in media.rglob("*") if p.is_file()]
    assert len(stored) == 2 and all("crack" not in p.name and p.suffix == ".jpg" for p in stored)
    served = fetch(client, users["service"], shown[1]["url"])
    assert served.status_code == 200 and served["X-Content-Type-Options"] == "nosniff"
    assert not Image.open(io.BytesIO(b"".join(served.streaming_content))).getexif()  # no GPS left
    assert RequestEvent.objects.filter(action="photos").count() == 1


@pytest.mark.parametrize(("name", "content", "code", "reason"), [
    ("crack.jpg", b"MZ\x90\x00" + b"\x00" * 200, "file_not_allowed", "unreadable"),  # a program renamed .jpg
    ("crack.jpg", b"<html><script>alert(1)</script></html>", "file_not_allowed", "unreadable"),
    ("crack.png", b"", "file_not_allowed", "empty"),
    ("IMG_0001.HEIC", HEIC, "file_not_allowed", "heic"),
    ("letter.docx", docx(), "file_not_allowed", "not_allowed"),  # a genuine document is not a photo
    ("report.pdf", b"%PDF-1.4 genuine enough", "file_not_allowed", "not_allowed"),
    ("setup.exe", b"MZ", "file_not_allowed", "not_allowed"),
])
def test_a_hostile_or_wrong_file_registers_nothing(api, media, name, content, code, reason,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = register(api, photos=[photo(), SimpleUploadedFile(name, content)])
    body = response.json()
    assert (response.status_code, body["code"], body["details"]["reason"]) == (400, code, reason)
    assert body["details"]["photos"][0].startswith(f"{name}: ") and "JPG" in body["details"]["file"][0]
    assert not ServiceRequest.objects.exists()
    nothing_kept(media)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_huge_photo_or_a_decompression_bomb_is_refused(api, media, django_capture_on_commit_callbacks):
    huge = SimpleUploadedFile("huge.jpg", b"\xff\xd8" + b"0" * (11 * 1024 * 1024), content_type="image/jpeg")
    bomb = SimpleUploadedFile("bomb.png", png_declaring(100_000, 100_000))
    for upload, code in ((huge, "file_too_large"), (bomb, "image_too_large")):
        with django_capture_on_commit_callbacks(execute=True):
            response = register(api, photos=[upload])
        assert (response.status_code, response.json()["code"]) == (400, code)
    too_many = register(api, photos=[photo(f"p{n}.jpg") for n in range(11)])
    assert too_many.status_code == 400 and "photos" in too_many.json()["details"]
    assert not ServiceRequest.objects.exists()
    nothing_kept(media)


def test_photos_added_later_and_a_customer_sees_its_own_only(api, client, users, media,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mine = register(api, role="alice", photos=[photo()])
    assert mine.status_code == 201, mine.json()
    request = mine.json()
    path = f"{SERVICE_REQUESTS}{request['id']}/photos/"
    with django_capture_on_commit_callbacks(execute=True):
        added = api("service").post(path, {"photos": [photo("more.png", "PNG")]}, format="multipart")
    assert added.status_code == 201 and [p["name"] for p in added.json()["photos"]] == ["crack.jpg", "more.png"]
    url = added.json()["photos"][1]["url"]
    assert fetch(client, users["alice"], url).status_code == 200
    assert fetch(client, users["bob"], url).status_code == 404
    assert api("bob").post(path, {"photos": [photo()]}, format="multipart").status_code == 404
    refused = api("warehouse").post(path, {"photos": [photo()]}, format="multipart")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    empty = api("service").post(path, {}, format="multipart")
    assert empty.status_code == 400 and "photos" in empty.json()["details"]
    bad = api("alice").post(path, {"photos": [SimpleUploadedFile("x.jpg", b"not a photo")]}, format="multipart")
    assert (bad.status_code, bad.json()["code"]) == (400, "file_not_allowed")
    assert RequestPhoto.objects.count() == 2
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_the_quick_form_and_the_portal_take_photos(client, users, media, registry, django_capture_on_commit_callbacks):
    client.force_login(users["service"])
    page = client.get("/service-desk/new/").content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="photos"' in page
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/service-desk/new/", {**FIELDS, "photos": [photo()]})
    assert done.status_code == 302 and RequestPhoto.objects.count() == 1
    refused = client.post("/service-desk/new/", {**FIELDS, "photos": [SimpleUploadedFile("x.jpg", b"MZ")]})
    assert refused.status_code == 200 and "x.jpg" in refused.content.decode()
    assert ServiceRequest.objects.count() == 1
    client.force_login(users["alice"])
    with django_capture_on_commit_callbacks(execute=True):
        mine = client.post("/service-desk/new/", {"category": "repair", "description": "漏水", "photos": [photo()]})
    assert mine.status_code == 302
    request = ServiceRequest.objects.get(customer__code="C-ALICE", channel="portal")
    page = client.get(f"/service-desk/{request.pk}/").content.decode()
    assert f"/service-desk/photos/{request.photos.get().pk}/" in page and 'name="photos"' in page
    client.force_login(users["bob"])
    assert client.get(f"/service-desk/photos/{request.photos.get().pk}/").status_code == 404
