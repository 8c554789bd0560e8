"""Login with a limit on guessing: failures per username and per address within a window.

Attempts are rows in the database so that every worker process sees the same count.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import ngettext

from .models import LoginAttempt


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def login_paused_for(*, username: str, ip_address: str | None) -> timedelta | None:
    """How long logins stay refused for this username or address, or None when they are not."""
    now = timezone.now()
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    failures = LoginAttempt.objects.filter(succeeded=False, attempted_at__gte=now - window)
    limit = settings.LOGIN_FAILURE_LIMIT
    ends = []
    for field, value, most in (("username", username, limit), ("ip_address", ip_address, limit * 4)):
        if value is None:
            continue
        # Over the limit until the failure `most` places from the newest leaves the window.
        oldest_counted = (failures.filter(**{field: value}).order_by("-attempted_at")
                          .values_list("attempted_at", flat=True)[most - 1:most])
        ends += [attempted_at + window for attempted_at in oldest_counted]
    return max(ends) - now if ends else None


def login_blocked(*, username: str, ip_address: str | None) -> bool:
    return login_paused_for(username=username, ip_address=ip_address) is not None


def login_paused_message(paused: timedelta) -> str:
    minutes = max(math.ceil(paused.total_seconds() / 60), 1)
    return ngettext("Too many failed login attempts: logins are paused. Try again in %(minutes)s minute.",
                    "Too many failed login attempts: logins are paused. Try again in %(minutes)s minutes.",
                    minutes) % {"minutes": minutes}


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
