"""One error shape everywhere, in the request's language; catalogues complete and compiled."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def assert_error_shape(body):
    assert set(body) == {"code", "message", "details"}
    assert isinstance(body["code"], str) and body["message"]


def test_not_found_json_for_unknown_api_paths(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert_error_shape(response.json())
    assert response.json()["code"] == "not_found"


def test_not_found_record(api, users):
    response = api("manager").get("/api/v1/customers/999999/")
    assert response.status_code == 404
    assert_error_shape(response.json())


def test_not_authenticated_shape(api):
    body = api(None).get("/api/v1/units/").json()
    assert_error_shape(body)
    assert body["code"] == "not_authenticated"


def test_permission_denied_shape(api, users):
    body = api("warehouse").post("/api/v1/customers/", {"code": "X", "name": "x"}).json()
    assert_error_shape(body)
    assert body["code"] == "permission_denied"


def test_validation_error_shape_lists_fields(api, users):
    body = api("manager").post("/api/v1/customers/", {}).json()
    assert_error_shape(body)
    assert body["code"] == "invalid"
    assert set(body["details"]) >= {"code", "name"}


def test_method_not_allowed_shape(api, users):
    response = api("manager").put("/api/v1/policies/warranty_months/", {"value": 1})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_malformed_json_shape(api, users):
    response = api("manager").generic("POST", "/api/v1/customers/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize("language,expected", [
    ("zh-hans", "此字段为必填项。"),
    ("en", "This field is required."),
])
def test_messages_follow_the_request_language(api, users, language, expected):
    body = api("manager").post("/api/v1/customers/", {}, HTTP_ACCEPT_LANGUAGE=language).json()
    assert body["details"]["name"] == [expected]


def test_chinese_is_the_default_language(api, users):
    body = api("manager").post("/api/v1/customers/", {}).json()
    assert body["message"] == "提交的数据无效。"


def test_english_message_for_our_own_errors(api, users):
    body = api("manager").post("/api/v1/customers/", {}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["message"] == "The data sent is not valid."


def test_language_switch_in_the_browser_sets_the_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/admin/login/")
    assert "Log in" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/admin/login/"})
    assert "登录" in client.get("/admin/login/").content.decode()


def _catalogue(language: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"


def test_chinese_catalogue_is_complete():
    catalogue = polib.pofile(str(_catalogue("zh_Hans")))
    assert len(catalogue) > 100
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    for entry in catalogue.translated_entries():
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for placeholder in ("%(", "%s", "%d"):
            for text in texts:
                assert entry.msgid.count(placeholder) == text.count(placeholder), entry.msgid


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_catalogues_are_compiled_and_current(language):
    po_path = _catalogue(language)
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), "run `aftersales compile_catalogues` (make does)"
    compiled = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in polib.mofile(str(mo_path))}
    for entry in polib.pofile(str(po_path)).translated_entries():
        assert compiled.get((entry.msgctxt, entry.msgid)) == entry.msgstr, entry.msgid


def test_api_doc_lists_every_endpoint():
    from drf_spectacular.generators import SchemaGenerator

    doc = (Path(settings.PACKAGE_DIR).parent.parent / "docs" / "api.md").read_text()
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    missing = [path for path in paths if path.replace("{id}/history/", "") not in doc
               and path.split("{")[0] not in doc]
    assert missing == []
