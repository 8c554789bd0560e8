"""The fields each workflow action asks for on the case page: labels, kinds, and how they become the
action's params; and the actions done on a page of their own. Which actions a user sees is the
workflow's own list (allowed_actions)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from aftersales.core import parsing
from aftersales.core.registry import action_page

from .clocks import SUBJECT
from .models import Disposition


@dataclass(frozen=True)
class Field:
    name: str
    label: object
    kind: str = "text"  # text, textarea, decimal, date, select, checkbox
    required: bool = False
    choices: tuple = ()


COMMENT = Field("comment", _("Comment"), "textarea")
COMMENT_REQUIRED = Field("comment", _("Comment"), "textarea", required=True)
CARRIER = Field("carrier", _("Carrier"), required=True)
TRACKING = Field("tracking_number", _("Tracking number"), required=True)
NOTES = Field("notes", _("Notes"), "textarea")

DISPOSITION = Field("disposition", _("Disposition"), "select", required=True, choices=tuple(Disposition.choices))
# An internal discounted sale's record (售后客退品处理规定 5.1.4.1), sent as the action's `internal_sale`.
SALE = [Field("internal_sale.price", _("Internal sale: price (CNY)"), "decimal"),
        Field("internal_sale.discount_percent", _("Internal sale: discount (percent)"), "decimal"),
        Field("internal_sale.buyer_kind", _("Internal sale: buyer"), "select",
              choices=(("employee", _("Employee")), ("department", _("Internal department")))),
        Field("internal_sale.buyer", _("Internal sale: employee's username or department")),
        Field("internal_sale.sold_on", _("Internal sale: date"), "date")]

FIELDS: dict[str, list[Field]] = {
    "reject": [COMMENT_REQUIRED],
    "return_for_correction": [COMMENT_REQUIRED],
    "cancel": [COMMENT],
    "reject_scrap": [COMMENT],
    "quote_charge": [Field("amount", _("Charge per unit (CNY)"), "decimal", required=True),
                     Field("expected_return_date", _("Expected return date"), "date")],
    "refuse_charge": [Field("scrap", _("Do not send it back: scrap it"), "checkbox")],
    "revise_charge": [Field("amount", _("New charge per unit (CNY)"), "decimal", required=True),
                      Field("expected_return_date", _("Expected return date"), "date"),
                      Field("reason", _("What the bench found"), "textarea", required=True)],
    "dispose": [DISPOSITION, *SALE],
    "redispose": [DISPOSITION, Field("reason", _("Why it changes"), "textarea", required=True), *SALE],
    "ship_back": [CARRIER, TRACKING],
    "settle_exchange": [Field("new_serial", _("New serial number"), required=True),
                        Field("carrier", _("Carrier")), Field("tracking_number", _("Tracking number"))],
    "ship_exchange_in_advance": [Field("line", _("Line"), required=True), Field("serials", _("Serial numbers"),
                                                                                "textarea", required=True),
                                 Field("carrier", _("Carrier")), Field("tracking_number", _("Tracking number"))],
    "settle_refund": [Field("line", _("Line"), required=True), Field("deduction", _("Deduction (CNY)"), "decimal"),
                      Field("deduction_reason", _("Reason for the deduction"))],
    "override_window": [Field("line", _("Line"), required=True), COMMENT_REQUIRED],
    "agree_return_date": [Field("date", _("Return date agreed with the customer"), "date", required=True)],
    "override_warranty": [Field("status", _("Warranty"), "select", required=True,
                                choices=(("in", _("In warranty")), ("out", _("Out of warranty")))),
                          Field("chargeable", _("Chargeable"), "checkbox"), COMMENT_REQUIRED],
}
# Actions done on their own pages (many inputs per unit): the case page links there. Other apps register
# theirs (repairs: the quote behind quote_charge).
OWN_PAGES = {"receive": "returns:receive", "inspect": "returns:inspect",
             "pass_final": "returns:final_inspection", "fail_final": "returns:final_inspection"}
# Case actions whose params are whole numbers or lists.
_INTS = {"line"}
_LISTS = {"serials"}


def page_for(action: str) -> str | None:
    """The url name of the page an action is done on, or None for an action taken on the case page."""
    return OWN_PAGES.get(action) or action_page(SUBJECT, action)


def params_from(post, action: str) -> tuple[dict, str]:
    """(params, comment) for an action from a submitted form; the service checks the values."""
    params, comment = {}, ""
    for field in FIELDS.get(action, []):
        if field.kind == "checkbox":
            params[field.name] = post.get(field.name) in ("on", "true", "1")
            continue
        raw = post.get(field.name, "").strip()
        if field.name == "comment":
            comment = raw
            continue
        if raw == "":
            continue
        if field.name in _INTS:
            params[field.name] = parsing.number_or_text(raw)
        elif field.name in _LISTS:
            params[field.name] = [s for s in raw.replace(",", "\n").split() if s]
        elif "." in field.name:  # a nested record: internal_sale.price -> {"internal_sale": {"price": ...}}
            outer, inner = field.name.split(".", 1)
            params.setdefault(outer, {})[inner] = raw
        else:
            params[field.name] = raw
    return params, comment


def required_missing(post, action: str) -> dict:
    """Required fields left empty, by name (shown beside the field, nothing is done)."""
    from django.utils.translation import gettext as _g

    return {field.name: [_g("This field is required.")] for field in FIELDS.get(action, [])
            if field.required and field.kind != "checkbox" and not post.get(field.name, "").strip()}


# Actions that cannot be undone: the page asks in a dialog before it sends them.
CONFIRM = {
    "reject": _("Reject this application? The customer is told, and the case ends here."),
    "cancel": _("Cancel this case? It cannot be reopened."),
    "close": _("Close this case? It cannot be reopened."),
    "refuse_charge": _("Refuse the charge? The unit is sent back unrepaired, or scrapped if you ticked it."),
    "approve_scrap": _("Approve scrapping these units? They leave the stock for good."),
    "reject_scrap": _("Reject the scrap application?"),
}


def confirm_text(action: str):
    return CONFIRM.get(action)
