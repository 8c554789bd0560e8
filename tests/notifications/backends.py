"""E-mail backends for delivery tests."""

from smtplib import SMTPServerDisconnected

from django.core.mail.backends.base import BaseEmailBackend


class DownBackend(BaseEmailBackend):
    """The mail server is down."""

    def send_messages(self, messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")
