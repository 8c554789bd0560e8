"""Write notifications (in the caller's transaction) and say what they read like.

Who is told: a role's active users (a customer's users only for their own customer), or the
users of one customer. What they read is rendered when read or sent, in the recipient's
language, from the templates in templates/notifications/.

`recipients()` answers an Audience: the users, and which role or customer they are. With it,
`notify()` also writes one delivery per active channel of that role or customer (a WeCom or
DingTalk group, an SMS number, a shared mailbox), even when the role has no user to tell; a plain
list of users reaches the users only. A customer's channel hears only of that customer's notices.
"""

from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import InvalidInput, NotFound
from aftersales.core.roles import ROLE_LABELS, STAFF_ROLE_CODES, require_roles

from . import channels, rules
from .kinds import KINDS
from .models import ChannelDelivery, EmailStatus, Notification, NotificationChannel


class Audience(list):
    """The users told ({"id", "email"} each), and the staff role or the customer they are, whose
    channels are told too."""

    def __init__(self, users=(), *, role: str = "", customer_id: int | None = None):
        super().__init__(users)
        self.role, self.customer_id = ("", customer_id) if customer_id is not None else (role or "", None)


def recipients(*, role: str | None = None, customer_id: int | None = None) -> Audience:
    users = get_user_model().objects.filter(is_active=True)
    if role == "customer" or (role is None and customer_id is not None):
        users = users.filter(customer_id=customer_id)
        return Audience(users.values("id", "email").distinct(), customer_id=customer_id)
    users = users.filter(groups__name=role, customer__isnull=True)
    return Audience(users.values("id", "email").distinct(), role=role or "")


def notify(users: list[dict], kind: str, context: dict, *, subject_type: str = "", subject_id=None) -> int:
    """One notification per user, written now; e-mail for those who have an address, sent by the worker."""
    return notify_many([(users, kind, context, subject_type, subject_id)])


def notify_many(batches: list[tuple]) -> int:
    """Several notifications in one insert: (users, kind, context, subject_type, subject_id) each."""
    at = timezone.now()
    rows = [Notification(recipient_id=user["id"], kind=kind, context=context, subject_type=subject_type,
                         subject_id=subject_id, next_attempt_at=at,
                         email_status=EmailStatus.PENDING if user["email"] else EmailStatus.NONE)
            for users, kind, context, subject_type, subject_id in batches for user in users]
    Notification.objects.bulk_create(rows, batch_size=1000)
    deliveries = _channel_deliveries(batches, at)
    ChannelDelivery.objects.bulk_create(deliveries, batch_size=1000)
    if deliveries or any(row.email_status == EmailStatus.PENDING for row in rows):
        delivery_enqueue_on_commit()
    return len(rows)


def _channel_deliveries(batches: list[tuple], at) -> list[ChannelDelivery]:
    """One delivery per active channel of each batch's role or customer (per address of an SMS or e-mail
    channel); one query for the channels of all the batches, none when no batch names an audience."""
    roles = {users.role for users, *_rest in batches if getattr(users, "role", "")}
    customers = {users.customer_id for users, *_rest in batches if getattr(users, "customer_id", None)}
    if not roles and not customers:
        return []
    active = NotificationChannel.objects.filter(is_active=True).filter(
        Q(role__in=roles, customer__isnull=True) | Q(customer_id__in=customers, role=""))
    by_role, by_customer = defaultdict(list), defaultdict(list)
    for channel in active:
        (by_customer[channel.customer_id] if channel.customer_id else by_role[channel.role]).append(channel)
    found = []
    for users, kind, context, subject_type, subject_id in batches:
        customer_id, role = getattr(users, "customer_id", None), getattr(users, "role", "")
        for channel in by_customer.get(customer_id, []) if customer_id else by_role.get(role, []):
            for address in rules.split_addresses(channel.addresses) if channel.kind in ("sms", "email") else [""]:
                found.append(ChannelDelivery(channel=channel, address=address, kind=kind, context=context,
                                             subject_type=subject_type, subject_id=subject_id, next_attempt_at=at))
    return found


class _Audiences(defaultdict):
    """Audiences by role or customer; a group without users is an empty audience (its channels are told)."""

    def __init__(self, key: str):
        super().__init__()
        self.key = key

    def __missing__(self, value):
        self[value] = Audience(**{self.key: value})
        return self[value]


def recipients_by_group(roles: set[str], customer_ids: set[int]) -> tuple[dict, dict]:
    """Active staff by role and customer users by customer, in two queries (a sweep tells many groups)."""
    users = get_user_model().objects.filter(is_active=True)
    staff, customers = _Audiences("role"), _Audiences("customer_id")
    for row in users.filter(groups__name__in=roles - {"customer"}, customer__isnull=True).values(
            "id", "email", "groups__name"):
        staff[row["groups__name"]].append(row)
    if customer_ids:
        for row in users.filter(customer_id__in=customer_ids).values("id", "email", "customer_id"):
            customers[row["customer_id"]].append(row)
    return staff, customers


def render(notification, language: str | None = None) -> tuple[str, str]:
    """(subject, body) in the recipient's language (or the one given); a channel's delivery reads in
    the channel's language."""
    language = (language or getattr(getattr(notification, "recipient", None), "language", None)
                or settings.LANGUAGE_CODE)
    with translation.override(language):
        text = render_text(f"notifications/{notification.kind}.txt", _render_context(notification))
    lines = [line.rstrip() for line in text.strip().splitlines()]
    subject = lines[0] if lines else notification.kind
    body = "\n".join(lines[1:]).strip()
    return subject, body


def render_text(template_name: str, context: dict) -> str:
    """A plain-text template rendered without HTML autoescaping: an e-mail, an SMS or a robot's message
    reads "A&B <x>" as written, and a page that shows the text escapes it once, as it shows it."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def _render_context(notification) -> dict:
    context = dict(notification.context)
    context["company"] = settings.COMPANY_NAME
    context["site_url"] = settings.AFTERSALES_SITE_URL  # links in a message are whole addresses: it is read outside the site
    kind = KINDS.get(notification.kind)
    if kind is not None and kind.enrich is not None:
        context = kind.enrich(context)
    return context


# --- handing delivery to the worker ---

def delivery_enqueue_on_commit() -> None:
    """Ask the worker to deliver once the transaction commits (once per transaction)."""
    if any(callback is _enqueue_delivery for _sids, callback, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_enqueue_delivery, robust=True)


def _enqueue_delivery() -> None:
    from .tasks import deliver_notifications

    deliver_notifications.enqueue()


# --- channels (a manager's configuration) ---

CHANNEL_TEXTS = {"name": 100, "kind": 10, "role": 20, "language": 10, "secret_name": 60, "signing_secret_name": 60,
                 "addresses": 2000, "url": 500, "body_format": 10, "body_template": 4000, "auth_header": 60,
                 "auth_scheme": 20, "success_field": 100, "success_value": 100}
CHANNEL_DEFAULTS = {"role": "", "language": settings.LANGUAGE_CODE, "secret_name": "", "signing_secret_name": "",
                    "addresses": "", "url": "", "body_format": "json", "body_template": "", "auth_header": "",
                    "auth_scheme": "", "success_field": "", "success_value": ""}


def channel_create(*, actor, values: dict) -> NotificationChannel:
    """A manager adds a channel: `name`, `kind`, `role` or `customer` (its code), and what its kind needs."""
    require_roles(actor, "manager")
    channel = NotificationChannel(**CHANNEL_DEFAULTS)
    _channel_apply(channel, values, required=("name", "kind"))
    channel._history_user = actor  # the audit names the manager, whichever way the API authenticated
    channel.save()
    return channel


def channel_update(*, actor, channel_id: int, values: dict) -> NotificationChannel:
    """A manager changes a channel (only the fields sent); `is_active: false` stops it."""
    require_roles(actor, "manager")
    with transaction.atomic():
        channel = NotificationChannel.objects.select_for_update().filter(pk=channel_id).first()
        if channel is None:
            raise NotFound()
        _channel_apply(channel, values, required=())
        channel._history_user = actor
        channel.save()
    return channel


def channel_check(channel: NotificationChannel, values: dict) -> None:
    """The admin's form asks the same questions as the API: refuse (InvalidInput) or say nothing."""
    _channel_apply(channel, {k: ("" if v is None and k != "customer" else v) for k, v in values.items()},
                   required=("name", "kind"))


def _channel_apply(channel: NotificationChannel, values: dict, *, required: tuple) -> None:
    """Set the fields sent on the channel, or refuse the whole configuration (code channel_config_invalid,
    every wrong field in details) and change nothing."""
    values = parsing.json_object(values)
    unknown = sorted(set(values) - set(CHANNEL_TEXTS) - {"customer", "is_active"})
    if unknown:
        raise InvalidInput(details={name: [_("Unknown field.")] for name in unknown}, code="channel_config_invalid")
    try:
        texts = parsing.texts(values, CHANNEL_TEXTS, required=required)
    except InvalidInput as error:
        raise InvalidInput(details=error.details, code="channel_config_invalid") from None
    errors: dict[str, list] = {}
    for name, value in texts.items():
        setattr(channel, name, value)
    if "is_active" in values:
        if not isinstance(values["is_active"], bool):
            errors["is_active"] = [_("Must be true or false.")]
        else:
            channel.is_active = values["is_active"]
    if "customer" in values:
        code = values["customer"]
        if code in (None, ""):
            channel.customer = None
        else:
            from aftersales.masterdata.models import Customer

            customer = Customer.objects.filter(code=code).first() if isinstance(code, str) else None
            if customer is None:
                errors["customer"] = [_("No customer with this code.")]
            channel.customer = customer
    if "name" in texts and NotificationChannel.objects.filter(name=texts["name"]).exclude(pk=channel.pk).exists():
        errors["name"] = [_("Another channel has this name.")]
    config = {field: getattr(channel, field) for field in CHANNEL_TEXTS}
    config["customer_id"] = channel.customer_id
    if "customer" not in errors:
        for field, messages in rules.channel_problems(config, staff_roles=STAFF_ROLE_CODES,
                                                      languages=[code for code, _name in settings.LANGUAGES]).items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise InvalidInput(details=errors, code="channel_config_invalid")


def channel_test(*, actor, channel_id: int) -> list[dict]:
    """A manager sends a test message through a channel now (each address of an SMS or e-mail channel),
    and hears per address whether it arrived or why not; nothing is written."""
    require_roles(actor, "manager")
    channel = NotificationChannel.objects.select_related("customer").filter(pk=channel_id).first()
    if channel is None:
        raise NotFound()
    with translation.override(channel.language):
        audience = channel.customer.name if channel.customer_id else str(ROLE_LABELS.get(channel.role, channel.role))
        text = render_text("notifications/channel_test.txt", {"company": settings.COMPANY_NAME,
                                                              "channel": channel.name, "audience": audience})
    subject, _newline, body = text.strip().partition("\n")
    results = []
    for address in rules.split_addresses(channel.addresses) if channel.kind in ("sms", "email") else [""]:
        try:
            channels.send(channel, address, subject.strip(), body.strip(), None)
        except channels.ChannelError as error:
            results.append({"address": address, "delivered": False, "error": str(error)})
        else:
            results.append({"address": address, "delivered": True, "error": ""})
    return results
