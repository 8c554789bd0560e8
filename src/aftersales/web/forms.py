"""Forms of the shell: the login."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from aftersales.core.auth import client_ip, login_paused_for, login_paused_message


class LoginForm(AuthenticationForm):
    """Django's login form, saying that logins are paused, and for how long, when the failure limit
    holds (the API's 429 too_many_login_attempts), instead of "wrong password" for the right one."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username:
            paused = login_paused_for(username=username, ip_address=client_ip(self.request))
            if paused is not None:
                raise ValidationError(login_paused_message(paused), code="too_many_login_attempts")
        return super().clean()
