"""Login with a limit on guessing: failures per username and per address within a window.

Attempts are rows in the database so that every worker process sees the same count.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils import timezone

from .models import LoginAttempt


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def login_blocked(*, username: str, ip_address: str | None) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    failures = LoginAttempt.objects.filter(succeeded=False, attempted_at__gte=since)
    limit = settings.LOGIN_FAILURE_LIMIT
    if failures.filter(username=username).count() >= limit:
        return True
    return ip_address is not None and failures.filter(ip_address=ip_address).count() >= limit * 4


class ThrottledModelBackend(ModelBackend):
    """Refuses to check a password while its username or address is over the failure limit."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if username is not None and login_blocked(username=username, ip_address=client_ip(request)):
            # PermissionDenied stops Django trying further backends and counts as a failure.
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field():
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


@receiver(user_login_failed)
def _record_failure(sender, credentials, request=None, **kwargs):
    LoginAttempt.objects.create(
        username=(credentials.get("username") or "")[:150], ip_address=client_ip(request), succeeded=False
    )


@receiver(user_logged_in)
def _record_success(sender, request, user, **kwargs):
    LoginAttempt.objects.create(username=user.get_username(), ip_address=client_ip(request), succeeded=True)
