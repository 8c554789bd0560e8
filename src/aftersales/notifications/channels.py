"""Sending one message to one channel: WeCom and DingTalk group robots by their webhooks, an SMS
gateway by its HTTP interface, a shared mailbox by e-mail. The standard library's urllib, always
with a timeout; every failure becomes a ChannelError whose text names no secret, for the outbox to
record and retry.

Secrets are read at sending: the environment variable AFTERSALES_CHANNEL_SECRET_<NAME>, else the
key <NAME> of the JSON object in the file AFTERSALES_CHANNEL_SECRETS_FILE names (read each time, so
a secret added there works without a restart).
"""

import http.client
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage

from . import rules

ENV_PREFIX = "AFTERSALES_CHANNEL_SECRET_"
MAX_ANSWER_BYTES = 64 * 1024


class ChannelError(Exception):
    """A message not delivered: the remote refused it, did not answer in time, or the channel's
    configuration is incomplete (`configuration` true: retrying helps only once an operator fixed it)."""

    def __init__(self, message: str, *, configuration: bool = False):
        super().__init__(message)
        self.configuration = configuration


def secret_value(name: str) -> str | None:
    """The secret of this name, or None when neither the environment nor the secrets file has it."""
    if not name:
        return None
    value = os.environ.get(ENV_PREFIX + name)
    if value:
        return value.strip()
    path = settings.AFTERSALES_CHANNEL_SECRETS_FILE
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            found = json.load(handle)
    except (OSError, ValueError):
        return None
    value = found.get(name) if isinstance(found, dict) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def missing_secrets(channel) -> list[str]:
    """The names of the secrets a channel needs that cannot be read now."""
    needed = [channel.secret_name, channel.signing_secret_name]
    return [name for name in needed if name and secret_value(name) is None]


def _secret(name: str) -> str:
    value = secret_value(name)
    if value is None:
        raise ChannelError(f"secret {name} is not set (environment variable {ENV_PREFIX}{name} or the secrets file)",
                           configuration=True)
    return value


def _webhook(name: str) -> str:
    url = _secret(name)
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ChannelError(f"secret {name} is not a webhook address (http:// or https://)", configuration=True)
    return url


def send(channel, address: str, subject: str, body: str, link: dict | None, *, message_id: str = "") -> None:
    """Deliver one message, or raise ChannelError (never anything else for a remote's failure).
    `message_id`: the e-mail's Message-ID, the same at every attempt."""
    secrets = [value for name in (channel.secret_name, channel.signing_secret_name)
               if name and (value := secret_value(name))]
    try:
        if channel.kind == "email":
            _email(channel, address, subject, body, link, message_id)
        else:
            SENDERS[channel.kind](channel, address, subject, body, link)
    except ChannelError as error:
        raise ChannelError(_redacted(str(error), secrets), configuration=error.configuration) from None


def _wecom(channel, address, subject, body, link) -> None:
    answer = _post_json(_webhook(channel.secret_name), rules.wecom_payload(subject, body, link))
    accepted, why = rules.robot_accepted(answer)
    if not accepted:
        raise ChannelError(f"WeCom refused the message: {why}")


def _dingtalk(channel, address, subject, body, link) -> None:
    url = _webhook(channel.secret_name)
    if channel.signing_secret_name:
        url = rules.dingtalk_signed(url, _secret(channel.signing_secret_name), round(time.time() * 1000))
    answer = _post_json(url, rules.dingtalk_payload(subject, body, link))
    accepted, why = rules.robot_accepted(answer)
    if not accepted:
        raise ChannelError(f"DingTalk refused the message: {why}")


def _sms(channel, address, subject, body, link) -> None:
    token = _secret(channel.secret_name) if channel.secret_name else ""
    try:
        filled = rules.sms_body(channel.body_template, phone=address, text=rules.sms_text(subject, body, link),
                                token=token)
    except ValueError:
        raise ChannelError("the body template is not JSON", configuration=True) from None
    headers = {}
    if channel.auth_header:
        headers[channel.auth_header] = f"{channel.auth_scheme} {token}".strip()
    if channel.body_format == "form":
        data = urllib.parse.urlencode({key: str(value) for key, value in filled.items()}).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
    else:
        data = json.dumps(filled, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json; charset=utf-8"
    status, raw = _request(channel.url, data, headers)
    if channel.success_field:
        try:
            answer = json.loads(raw)
        except ValueError:
            raise ChannelError(f"the gateway's answer (HTTP {status}) is not JSON") from None
        accepted, why = rules.gateway_accepted(answer, channel.success_field, channel.success_value)
        if not accepted:
            raise ChannelError(f"the gateway refused the message: {why}")


def _email(channel, address, subject, body, link, message_id) -> None:
    text = body + (f"\n\n{link['url']}" if link else "")
    message = EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, [address],
                           headers={"Message-ID": message_id} if message_id else None)
    try:
        message.send()
    except (OSError, ValueError) as error:  # smtplib's errors are OSErrors
        raise ChannelError(f"the mail server refused the message: {error!r}") from None


SENDERS = {"wecom": _wecom, "dingtalk": _dingtalk, "sms": _sms}


def _post_json(url: str, payload: dict) -> dict:
    data = json.dumps(payload, ensure_ascii=False).encode()
    status, raw = _request(url, data, {"Content-Type": "application/json; charset=utf-8"})
    try:
        return json.loads(raw)
    except ValueError:
        raise ChannelError(f"the answer (HTTP {status}) is not JSON") from None


def _request(url: str, data: bytes, headers: dict) -> tuple[int, bytes]:
    """POST, within the timeout; a status outside 2xx, a timeout or a broken connection is a ChannelError."""
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    timeout = settings.AFTERSALES_CHANNEL_TIMEOUT
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as error:
        raise ChannelError(f"HTTP {error.code} {error.reason}") from None
    except TimeoutError:
        raise ChannelError(f"no answer within {timeout} s") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise ChannelError(f"no answer within {timeout} s") from None
        raise ChannelError(f"connection failed: {error.reason}") from None
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise ChannelError(f"connection failed: {error.__class__.__name__}: {error}") from None


def _redacted(text: str, secrets: list[str]) -> str:
    """The text with every secret (and the key of a webhook address) replaced, for logs and the outbox."""
    for secret in secrets:
        text = text.replace(secret, "***")
        query = urllib.parse.urlsplit(secret).query
        for _key, value in urllib.parse.parse_qsl(query):
            if len(value) >= 8:
                text = text.replace(value, "***")
    return text
