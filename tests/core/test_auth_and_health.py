import pytest
from django.test import override_settings

from aftersales.core.models import LoginAttempt
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_for_a_good_password(api, users):
    response = api(None).post("/api/v1/auth/token/", {"username": "service", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    listed = api(None).get("/api/v1/customers/", HTTP_AUTHORIZATION=f"Token {token}")
    assert listed.status_code == 200


def test_wrong_password(api, users):
    response = api(None).post("/api/v1/auth/token/", {"username": "service", "password": "nope"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_missing_fields(api, users):
    response = api(None).post("/api/v1/auth/token/", {"username": "service"})
    assert response.status_code == 400
    assert "password" in response.json()["details"]


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_login_attempts_are_rate_limited(api, users):
    client = api(None)
    for _ in range(3):
        assert client.post("/api/v1/auth/token/", {"username": "service", "password": "guess"}).status_code == 400
    # Even the right password is refused while the limit holds.
    response = client.post("/api/v1/auth/token/", {"username": "service", "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_login_attempts"
    # Another user from elsewhere is not affected by service's failures.
    assert LoginAttempt.objects.filter(username="service", succeeded=False).count() == 3


@override_settings(LOGIN_FAILURE_LIMIT=2)
def test_browser_login_is_rate_limited_too(client, users):
    for _ in range(2):
        client.post("/admin/login/", {"username": "manager", "password": "guess"})
    client.post("/admin/login/", {"username": "manager", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_browser_login_works(client, users):
    response = client.post("/admin/login/?next=/admin/", {"username": "manager", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(users["manager"].pk)


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


def test_openapi_schema_and_docs_are_served_locally(client, users):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/units/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html
