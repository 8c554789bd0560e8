"""A new return application (by service for a customer, or by the customer in the portal), and the serial
lookup that shows, as a serial is typed, the registered unit and the warranty it would get today."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from aftersales.core import parsing
from aftersales.core.errors import AppError
from aftersales.core.roles import role_required
from aftersales.masterdata.models import Customer, ProductModel
from aftersales.web.pages import error_details

from .. import rules
from ..models import Channel, Outcome, Reason, WarrantyStatus
from ..selectors import registered_units_of
from ..services.cases import application_create
from ..services.warranty import warranty_for_registered_units

LINE_FIELDS = ("product_model", "item_name", "quantity", "serials", "production_lot", "requested_outcome", "reason",
               "defect_description")
MAX_LINES = 50
LINE_FIELD_NAME = re.compile(r"line-([0-9]{1,2})-[a-z_]+")
MAX_PHOTOS = 10  # each up to the attachment limit (10 MB); checked before any is read
LOOKUP_UNITS = 5  # a serial registered more than once (a data error) shows its first few
LOOKUP_SERIALS = 100  # serials pasted at once (a column from Excel) looked up together


def _line_position(key) -> int | None:
    """The position of a line in an error's details ("0", "1", ...), or None for anything else."""
    text = str(key)
    return int(text) if text.isascii() and text.isdigit() and len(text) < 6 else None


def _lines_from_post(post) -> list[dict]:
    """Lines typed in the form (line-N-field); empty lines are skipped."""
    lines = []
    for index in range(MAX_LINES):
        raw = {name: post.get(f"line-{index}-{name}", "").strip() for name in LINE_FIELDS}
        if not any(raw[name] for name in ("product_model", "item_name", "quantity", "serials", "defect_description")):
            continue
        line = {**{name: value for name, value in raw.items() if value or name not in ("requested_outcome", "reason")},
                "serials": [s for s in raw["serials"].replace(",", "\n").split() if s], "_index": index}
        if raw["quantity"]:
            try:
                line["quantity"] = parsing.whole_number(raw["quantity"], "quantity")
            except AppError:
                line["quantity"], line["_bad_quantity"] = None, True
        else:
            line["quantity"] = 0
        lines.append(line)
    return lines


@role_required("service", "customer")
@require_http_methods(["GET", "POST"])
def case_new(request):
    errors, line_errors = {}, {}
    if request.method == "POST":
        lines = _lines_from_post(request.POST)
        for line in lines:
            if line.pop("_bad_quantity", False):
                line_errors.setdefault(line["_index"], {})["quantity"] = [_("Enter a whole number.")]
        if not lines:
            errors["lines"] = [_("Add at least one line.")]
        customer = None
        if request.user.customer_id is None:
            customer = Customer.objects.filter(code=request.POST.get("customer", "")).first()
            if customer is None:
                errors["customer"] = [_("Choose a customer.")]
        channel = request.POST.get("channel") or Channel.DEALER
        if channel not in Channel.values:
            errors["channel"] = [_("Choose a channel.")]
        if len(request.FILES.getlist("photos")) > MAX_PHOTOS:
            errors["photos"] = [_("At most %(count)s photos per application.") % {"count": MAX_PHOTOS}]
        if not errors and not line_errors:
            indexes = [line.pop("_index") for line in lines]
            try:
                case = application_create(
                    actor=request.user, customer=customer, lines=lines, photos=request.FILES.getlist("photos"),
                    submit=bool(request.POST.get("submit_now")), channel=channel,
                    customer_reference=request.POST.get("customer_reference", "").strip()[:80],
                    notes=request.POST.get("notes", "").strip())
            except AppError as error:
                details = error_details(error)
                for key, value in (details.pop("lines", [{}])[0] if isinstance(details.get("lines"), list)
                                   else details.pop("lines", {})).items():
                    position = _line_position(key)
                    if position is not None and position < len(indexes):
                        line_errors[indexes[position]] = value
                errors.update(details or ({} if line_errors else {"non_field": [str(error.message)]}))
                for line, index in zip(lines, indexes):
                    line["_index"] = index
            else:
                messages.success(request, _("Return %(number)s saved.") % {"number": case.number})
                return redirect("returns:case_detail", pk=case.pk)
    rows = max(3, max((int(k.split("-")[1]) + 1 for k in request.POST
                       if LINE_FIELD_NAME.fullmatch(k)), default=0))
    line_rows = [{"i": i, "v": {name: request.POST.get(f"line-{i}-{name}", "") for name in LINE_FIELDS},
                  "e": line_errors.get(i, {})} for i in range(min(rows, MAX_LINES))]
    own = request.user.customer if request.user.customer_id is not None else None
    context = {
        "errors": errors, "posted": request.POST, "line_rows": line_rows,
        "models": ProductModel.objects.order_by("code").values_list("code", "name"),
        "customers": [(code, name, rules.channel_for_customer(kind)) for code, name, kind in
                      Customer.objects.order_by("code").values_list("code", "name", "kind")] if own is None else (),
        "channel": request.POST.get("channel") or (rules.channel_for_customer(own.kind) if own else ""),
        "channels": Channel.choices, "outcomes": Outcome.choices, "reasons": Reason.choices,
        "note_fields": rules.NOTE_FIELDS, "max_lines": MAX_LINES,
    }
    return render(request, "returns/case_new.html", context, status=400 if errors or line_errors else 200)


@login_required
def serial_lookup(request):
    """The registered unit of each serial typed or pasted (one per line, up to LOOKUP_SERIALS) and the
    warranty decision it would get today, as the user types; one query for all of them."""
    typed = request.GET.get("serial", "").strip() or next(
        (value.strip() for key, value in request.GET.items() if key.endswith("-serials") and value.strip()), "")
    serials = list(dict.fromkeys(typed.replace(",", "\n").split()))[:LOOKUP_SERIALS]
    units = list(registered_units_of(user=request.user, serials=serials))
    decisions = dict(zip((unit.pk for unit in units), warranty_for_registered_units(units)))
    by_serial: dict[str, list] = {}
    for unit in units:
        if len(by_serial.setdefault(unit.serial, [])) < LOOKUP_UNITS:
            decision = decisions[unit.pk]
            by_serial[unit.serial].append({
                "unit": unit, "decision": decision, "status_label": WarrantyStatus(decision.status).label,
                "reasons": [rules.reason_text(reason) for reason in decision.reasons]})
    looked_up = [{"serial": serial, "found": by_serial.get(serial, [])} for serial in serials]
    return render(request, "returns/serial_lookup.html", {"looked_up": looked_up})
