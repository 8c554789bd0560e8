import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from aftersales.returns.models import Attachment, CaseEvent
from tests.files import HEIC, XLS, corner_xlsx, docx, image, jpeg_with_gps, png_declaring, real_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path, registry):
    with override_settings(MEDIA_ROOT=tmp_path):
        yield


def photo(name="defect.jpg"):
    return SimpleUploadedFile(name, image("JPEG"), content_type="image/jpeg")


def oversized(name="defect.jpg", size=11 * 1024 * 1024):
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
    for upload, field in [(SimpleUploadedFile("run.exe", b"MZ"), "file"), (oversized(), "file")]:
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


# --- judged by their content, not their name ---

def _post(api, case, upload, role="service"):
    return api(role).post(f"/api/v1/cases/{case['id']}/attachments/", {"file": upload}, format="multipart")


def _nothing_written(media_root):
    assert Attachment.objects.count() == 0
    assert CaseEvent.objects.filter(action="attach").count() == 0
    assert [p for p in media_root.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("defect.jpg", b"MZ\x90\x00" + b"\x00" * 200, "unreadable"),  # a program renamed .jpg
    ("defect.jpg", b"<html><script>alert(document.cookie)</script></html>", "unreadable"),
    ("defect.png", b"", "empty"),
    ("defect.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "unreadable"),  # the signature alone is not a picture
    ("IMG_0001.HEIC", HEIC, "heic"),
    ("renamed.jpg", HEIC, "heic"),
    ("report.pdf", b"<html>not a pdf</html>", "mismatch"),
    ("list.xlsx", b"PK\x03\x04 not a zip", "mismatch"),
    ("list.xlsx", docx(), "mismatch"),
    ("letter.docx", real_xlsx(), "mismatch"),
    ("macro.xlsx", real_xlsx(macros=True), "macros"),
    ("macro.docx", docx(macros=True), "macros"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "mismatch"),  # OLE2, but no workbook
    ("list.csv", "序列号\n".encode("utf-16-le"), "mismatch"),  # NUL bytes: not UTF-8 or GBK text
    ("setup.exe", b"MZ", "not_allowed"),
    ("page.html", b"<html></html>", "not_allowed"),
    ("no-extension", image("JPEG"), "not_allowed"),
])
def test_files_whose_content_is_not_an_allowed_kind_are_refused(api, new_case, tmp_path, name, content, reason):
    case = new_case()
    response = _post(api, case, SimpleUploadedFile(name, content))
    body = response.json()
    assert (response.status_code, body["code"], body["details"]["reason"]) == (400, "file_not_allowed", reason)
    assert "PDF" in body["details"]["file"][0]  # says what is allowed
    _nothing_written(tmp_path)


def test_heic_is_refused_with_a_request_for_jpeg(api, new_case):
    body = _post(api, new_case(), SimpleUploadedFile("IMG_0001.HEIC", HEIC),).json()
    assert "JPEG" in body["message"]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow warns, the upload is refused
def test_a_decompression_bomb_is_refused_before_it_is_decoded(api, new_case, tmp_path):
    for width, height in ((10_000, 10_000), (100_000, 100_000)):
        response = _post(api, new_case(), SimpleUploadedFile("bomb.png", png_declaring(width, height)))
        assert (response.status_code, response.json()["code"]) == (400, "image_too_large")
    _nothing_written(tmp_path)


def test_a_workbook_attached_is_measured_like_an_import(api, new_case, tmp_path):
    response = _post(api, new_case(), SimpleUploadedFile("corner.xlsx", corner_xlsx()))
    assert (response.status_code, response.json()["code"]) == (400, "too_many_rows")
    _nothing_written(tmp_path)


def test_photos_are_re_encoded_without_their_metadata_under_an_unguessable_name(
        api, new_case, tmp_path, django_capture_on_commit_callbacks):
    from PIL import Image

    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(api, new_case(), SimpleUploadedFile("现场照片 1.jpg", raw))
    assert response.status_code == 201, response.json()
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type) == ("现场照片 1.jpg", "image/jpeg")
    assert re.fullmatch(r"returns/\d{4}/\d{2}/[A-Za-z0-9_-]{32}\.jpg", attachment.file.name), attachment.file.name
    stored = (tmp_path / attachment.file.name).read_bytes()
    assert stored != raw
    picture = Image.open(io.BytesIO(stored))
    assert (picture.format, picture.size) == ("JPEG", (64, 48))
    assert not picture.getexif()
    assert b"PhoneMaker" not in stored
    event = CaseEvent.objects.get(action="attach")
    assert event.changes["file"] == "现场照片 1.jpg"


@pytest.mark.parametrize(("name", "content", "content_type", "suffix"), [
    ("photo.jpg", image("PNG"), "image/png", ".png"),  # misnamed, but a real picture: stored as what it is
    ("photo.webp", image("WEBP"), "image/webp", ".webp"),
    ("photo.gif", image("GIF"), "image/png", ".png"),  # its first frame, as PNG
    ("退货单.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf", ".pdf"),
    ("退货清单.xlsx", real_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    ("说明.docx", docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    ("old.xls", XLS, "application/vnd.ms-excel", ".xls"),
    ("清单.csv", "序列号,品号\nHT1,HT-2000\n".encode("gbk"), "text/csv", ".csv"),
    ("list.csv", "\ufeffserial\nHT1\n".encode("utf-8"), "text/csv", ".csv"),
])
def test_allowed_kinds_are_stored_as_their_verified_kind(api, new_case, tmp_path, name, content, content_type,
                                                         suffix, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(api, new_case(), SimpleUploadedFile(name, content))
    assert response.status_code == 201, response.json()
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type) == (name, content_type)
    assert attachment.file.name.endswith(suffix)
    assert (tmp_path / attachment.file.name).is_file()


def test_a_user_without_a_role_cannot_attach(api, new_case, tmp_path):
    response = _post(api, new_case(), photo(), role="nobody")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    _nothing_written(tmp_path)


def test_the_file_is_written_only_when_the_transaction_commits(api, new_case, tmp_path,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert _post(api, new_case(), photo()).status_code == 201
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # rolled back here: nothing on disk
    assert len(callbacks) >= 1
