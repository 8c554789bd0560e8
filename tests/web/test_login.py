"""The web login under the failure limit (core/auth.py): it says that logins are paused and for
how long, for the right password too, as the API answers 429 too_many_login_attempts."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from aftersales.core.models import LoginAttempt
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
WRONG = "请输入一个正确的"  # Django's "Please enter a correct username and password"


def log_in(client, password):
    return client.post("/accounts/login/", {"username": "quality", "password": password})


def failures_were_minutes_ago(minutes: int) -> None:
    LoginAttempt.objects.update(attempted_at=timezone.now() - dt.timedelta(minutes=minutes))


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_WINDOW_SECONDS=900)
def test_a_paused_login_says_so_and_for_how_long_even_for_the_right_password(client, users):
    for _ in range(3):
        assert WRONG in log_in(client, "guess").content.decode()
    right = log_in(client, PASSWORD)
    body = right.content.decode()
    assert right.status_code == 200 and "_auth_user_id" not in client.session
    assert right.context["form"].non_field_errors().as_data()[0].code == "too_many_login_attempts"
    assert "登录失败次数过多，登录已暂停，请在 15 分钟后重试。" in body and WRONG not in body
    # The attempt while paused is not one more failure: the pause does not grow.
    assert LoginAttempt.objects.filter(succeeded=False).count() == 3

    failures_were_minutes_ago(10)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Too many failed login attempts: logins are paused. Try again in 5 minutes." in (
        log_in(client, PASSWORD).content.decode())
    failures_were_minutes_ago(14)
    assert "Try again in 1 minute." in log_in(client, PASSWORD).content.decode()

    failures_were_minutes_ago(16)  # out of the window: the right password works again
    assert log_in(client, PASSWORD)["Location"] == "/"
    assert client.session["_auth_user_id"] == str(users["quality"].pk)


@override_settings(LOGIN_FAILURE_LIMIT=2, LOGIN_FAILURE_WINDOW_SECONDS=900)
def test_a_wrong_password_below_the_limit_still_says_wrong_password(client, users):
    body = log_in(client, "guess").content.decode()
    assert WRONG in body and "登录已暂停" not in body


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_WINDOW_SECONDS=900)
def test_the_api_says_how_long_logins_are_paused(api, users):
    for _ in range(3):
        api(None).post("/api/v1/auth/token/", {"username": "quality", "password": "guess"})
    failures_were_minutes_ago(10)
    refused = api(None).post("/api/v1/auth/token/", {"username": "quality", "password": PASSWORD},
                             HTTP_ACCEPT_LANGUAGE="en")
    assert (refused.status_code, refused.json()["code"]) == (429, "too_many_login_attempts")
    assert 290 <= refused.json()["details"]["retry_after_seconds"] <= 300
    assert refused.json()["message"].endswith("Try again in 5 minutes.")
