"""Pure rules of the channels, testable without a database: what a valid configuration is, how a
message reads in a robot's markdown or an SMS, DingTalk's signature, the SMS body template, and
whether an answer means the message was accepted."""

import base64
import hashlib
import hmac
import json
import re
import urllib.parse

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

KINDS = ("wecom", "dingtalk", "sms", "email")
BODY_FORMATS = ("json", "form")
SECRET_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,59}")
PHONE = re.compile(r"\+?[0-9][0-9-]{4,19}")
HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,60}")
# What the robots take (bytes of the UTF-8 content): WeCom 4096, DingTalk about 20000; an SMS is cut
# where gateways split a long text into many billed parts.
WECOM_MAX_BYTES = 4096
DINGTALK_MAX_BYTES = 18000
SMS_MAX_CHARS = 300


def split_addresses(raw: str) -> list[str]:
    """Comma-, semicolon- or line-separated addresses, in order, each once (，and ； as typed in Chinese too)."""
    found = []
    for item in re.split(r"[,;，；\s]+", raw or ""):
        if item and item not in found:
            found.append(item)
    return found


def channel_problems(config: dict, *, staff_roles: list[str], languages: list[str]) -> dict[str, list[str]]:
    """Every field of a channel's configuration that is wrong, each with why (empty: valid).
    `config` holds the model's fields, `customer_id` for the customer."""
    problems: dict[str, list[str]] = {}

    def refuse(field, message):
        problems.setdefault(field, []).append(message)

    kind = config.get("kind")
    if kind not in KINDS:
        refuse("kind", _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(KINDS)})
    role, customer = config.get("role") or "", config.get("customer_id")
    if bool(role) == bool(customer):
        refuse("role", _("A channel is for one staff role or one customer: give exactly one of them."))
    elif role and role not in staff_roles:
        refuse("role", _("Not a staff role: %(role)s (a customer's channel names the customer).") % {"role": role})
    if config.get("language") not in languages:
        refuse("language", _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(languages)})
    for field in ("secret_name", "signing_secret_name"):
        name = config.get(field) or ""
        if name and not SECRET_NAME.fullmatch(name):
            refuse(field, _("A secret's name is capital letters, digits and underscores, starting with a letter "
                            "(e.g. WECOM_QUALITY)."))
    if kind in ("wecom", "dingtalk") and not config.get("secret_name"):
        refuse("secret_name", _("Name the secret that holds the robot's webhook address."))
    if kind != "dingtalk" and config.get("signing_secret_name"):
        refuse("signing_secret_name", _("Only a DingTalk robot signs its messages."))
    addresses = split_addresses(config.get("addresses") or "")
    if kind == "sms":
        if not addresses:
            refuse("addresses", _("Give the phone numbers the text messages go to."))
        for phone in addresses:
            if not PHONE.fullmatch(phone):
                refuse("addresses", _("Not a phone number: %(value)s.") % {"value": phone})
        _sms_problems(config, refuse)
    elif kind == "email":
        if not addresses:
            refuse("addresses", _("Give the e-mail addresses the messages go to."))
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                refuse("addresses", _("Not an e-mail address: %(value)s.") % {"value": address})
    elif addresses:
        refuse("addresses", _("A group robot has no addresses: the robot's group reads the messages."))
    return problems


def _sms_problems(config: dict, refuse) -> None:
    url = config.get("url") or ""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        refuse("url", _("The gateway's address is an http:// or https:// address."))
    if config.get("body_format") not in BODY_FORMATS:
        refuse("body_format", _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(BODY_FORMATS)})
    try:
        template = json.loads(config.get("body_template") or "")
    except ValueError:
        template = None
    if not isinstance(template, dict):
        refuse("body_template", _('The body template is a JSON object, e.g. {"mobile": "{phone}", "content": "{text}"}.'))
    else:
        values = list(_strings(template))
        if not any("{text}" in value for value in values):
            refuse("body_template", _("The body template has no {text}: the message would not be sent."))
        if not any("{phone}" in value for value in values):
            refuse("body_template", _("The body template has no {phone}: the gateway would not know the number."))
        if config.get("body_format") == "form" and any(not isinstance(v, (str, int, float)) for v in template.values()):
            refuse("body_template", _("A form body's values are plain text (no lists or objects)."))
        if any("{token}" in value for value in values) and not config.get("secret_name"):
            refuse("secret_name", _("The body template uses {token}: name the secret that holds it."))
    header = config.get("auth_header") or ""
    if header and not HEADER_NAME.fullmatch(header):
        refuse("auth_header", _("A header's name is letters, digits and hyphens."))
    if header and not config.get("secret_name"):
        refuse("secret_name", _("The authentication header needs the token: name the secret that holds it."))
    if config.get("success_value") and not config.get("success_field"):
        refuse("success_field", _("Name the field of the answer that holds the success value."))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


# --- how a message reads ---

def _cut_bytes(text: str, limit: int) -> str:
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[:limit - 3].decode("utf-8", errors="ignore") + "…"


def _link_line(link: dict | None) -> str:
    if not link:
        return ""
    label = str(link["label"]).replace("[", "(").replace("]", ")")
    return f"[{label}]({link['url']})"


def wecom_payload(subject: str, body: str, link: dict | None) -> dict:
    """WeCom's markdown: the subject in bold, the body, the link last (kept when the body is cut)."""
    tail = _link_line(link)
    head = f"**{subject}**\n"
    room = WECOM_MAX_BYTES - len((head + "\n" + tail).encode("utf-8"))
    content = head + _cut_bytes(body, max(room, 0)) + (f"\n{tail}" if tail else "")
    return {"msgtype": "markdown", "markdown": {"content": content.strip()}}


def dingtalk_payload(subject: str, body: str, link: dict | None) -> dict:
    """DingTalk's markdown: the subject as the title (what the chat list shows) and as a heading; lines
    end in a markdown line break, which DingTalk needs to keep them apart."""
    tail = _link_line(link)
    head = f"#### {subject}\n\n"
    lines = "  \n".join(body.splitlines())
    room = DINGTALK_MAX_BYTES - len((head + "\n\n" + tail).encode("utf-8"))
    text = head + _cut_bytes(lines, max(room, 0)) + (f"\n\n{tail}" if tail else "")
    return {"msgtype": "markdown", "markdown": {"title": subject, "text": text.strip()}}


def sms_text(subject: str, body: str, link: dict | None) -> str:
    text = "\n".join(part for part in (subject, body, link["url"] if link else "") if part)
    return text if len(text) <= SMS_MAX_CHARS else text[:SMS_MAX_CHARS - 1] + "…"


def dingtalk_signed(webhook: str, secret: str, timestamp_ms: int) -> str:
    """The webhook with DingTalk's `timestamp` and `sign`: base64 of HMAC-SHA256 over "timestamp\\nsecret"
    keyed by the secret, URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    joiner = "&" if urllib.parse.urlsplit(webhook).query else "?"
    return f"{webhook}{joiner}timestamp={timestamp_ms}&sign={sign}"


def sms_body(template_text: str, *, phone: str, text: str, token: str) -> dict:
    """The template with {phone}, {text} and {token} replaced in its values (after parsing it, so a
    quote in the text never breaks the JSON)."""

    def fill(value):
        if isinstance(value, str):
            return value.replace("{phone}", phone).replace("{text}", text).replace("{token}", token)
        if isinstance(value, dict):
            return {key: fill(item) for key, item in value.items()}
        if isinstance(value, list):
            return [fill(item) for item in value]
        return value

    return fill(json.loads(template_text))


def robot_accepted(answer) -> tuple[bool, str]:
    """WeCom and DingTalk answer {"errcode": 0, "errmsg": "ok"} when they took the message."""
    if not isinstance(answer, dict) or "errcode" not in answer:
        return False, "the robot's answer has no errcode"  # for the outbox's last error, as the others
    if answer["errcode"] == 0:
        return True, ""
    return False, f"errcode {answer['errcode']}: {str(answer.get('errmsg', ''))[:300]}"


def gateway_accepted(answer, field: str, expected: str) -> tuple[bool, str]:
    """With no field, a 2xx answer is enough; otherwise the (dotted) field must hold the value."""
    if not field:
        return True, ""
    value = answer
    for part in field.split("."):
        if not isinstance(value, dict) or part not in value:
            return False, f"the gateway's answer has no {field}"
        value = value[part]
    shown = json.dumps(value) if isinstance(value, bool) or value is None else str(value)  # true, not True
    if shown == expected:
        return True, ""
    return False, f"{field}={str(value)[:100]!r}"
