"""The pages: inbox, case list and search, the case page and its actions, new applications,
receiving by scanner, the quality and repair benches, notifications.

Views are thin: they read through the selectors and act through the services the API uses,
so a page can do exactly what the API allows and nothing else. Pages answer htmx requests with
the partial that changed (django-template-partials: `template.html#partial`).
"""

import re
from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.core import parsing
from aftersales.core.errors import AppError
from aftersales.core.registry import step_page, waiting_items
from aftersales.core.roles import ROLE_LABELS, STAFF_ROLE_CODES, roles_of
from aftersales.deadlines.selectors import deadline_data, queue, queue_counts
from aftersales.masterdata.models import Customer, ProductModel, ShippedUnit, Warehouse, WarehouseKind
from aftersales.notifications.models import Notification
from aftersales.notifications.services import render as render_notification
from aftersales.repairs.models import Quote
from aftersales.returns import selectors
from aftersales.returns.models import (Approval, CaseState, Channel, CustomerNotice, DefectClass, Disposition, Outcome,
                                       Reason, ReceivingDiscrepancy, Responsibility, ReturnCase, ReturnUnit, UnitExit,
                                       UnitState, VolumeClass, WarrantyStatus)
from aftersales.returns.services import cases as case_services
from aftersales.returns.services.actions import allowed_actions, apply_action
from aftersales.returns.services.attachments import attachment_add
from aftersales.returns.workflow import ACTIONS, OTHER_EVENTS

from . import actions as action_fields
from .exports import xlsx_response

INBOX_ITEMS = 50


def warehouse_labels() -> dict:
    """Warehouse code -> the words for it (its kind, translated), for pages that show where a unit is."""
    kinds = dict(WarehouseKind.choices)
    return {code: kinds.get(kind, name) for code, name, kind in Warehouse.objects.values_list("code", "name", "kind")}


def _error_details(error: AppError) -> dict:
    details = error.details if isinstance(error.details, dict) else {}
    return {key: value if isinstance(value, list) else [value] for key, value in details.items()}


def _case_or_404(request, pk: int) -> ReturnCase:
    case = selectors.case_get(user=request.user, pk=pk)
    if case is None:
        raise Http404
    return case


# --- inbox ---

@login_required
def inbox(request):
    """What waits for the user's roles now, soonest due first, with overdue and due-today counts."""
    roles = sorted(roles_of(request.user))
    customer_id = request.user.customer_id
    role = request.GET.get("role") if request.GET.get("role") in roles else (roles[0] if roles else None)
    at = timezone.now()
    if role and request.GET.get("export") == "xlsx":
        return xlsx_response(f"queue-{role}", [
            (_("Due"), "due_at"), (_("Step"), "label"), (_("Case"), "reference"), (_("Started at"), "started_at"),
            (_("Overdue"), "overdue"), (_("Provisional due date"), "provisional")],
            (_Row(deadline_data(d, at)) for d in queue(role, customer_id=customer_id).iterator(chunk_size=2000)))
    waiting = {r: waiting_items(r, request.user) for r in roles}
    summary = [{**queue_counts(r, customer_id=customer_id, at=at), "label": ROLE_LABELS[r],
                "waiting": len(waiting[r])} for r in roles]
    items = [deadline_data(d, at) for d in queue(role, customer_id=customer_id)[:INBOX_ITEMS]] if role else []
    for item in items:
        item["url"] = step_page(item)
    context = {"summary": summary, "role": role, "items": items, "waiting": waiting.get(role, [])}
    if "manager" in roles:
        # The manager's overview: what waits in every department, and how much of it is overdue.
        overview = [{**queue_counts(r, at=at), "label": str(ROLE_LABELS[r])} for r in STAFF_ROLE_CODES]
        context["overview"] = {"labels": [row["label"] for row in overview],
                               "overdue": [row["overdue"] for row in overview],
                               "on_time": [row["open"] - row["overdue"] for row in overview],
                               "legend": [str(_("Overdue")), str(_("On time"))]}
    if customer_id is not None:
        context["cases"] = selectors.case_list(user=request.user).order_by("-id")[:10]
        context["notices"] = Notification.objects.filter(recipient=request.user).order_by("-id")[:5]
    template = "web/inbox.html#items" if request.htmx and request.GET.get("role") else "web/inbox.html"
    return render(request, template, context)


class _Row(dict):
    """A dict read like an object by the XLSX export."""

    __getattr__ = dict.get


# --- case list, search, export ---

SORTS = {"number": "number", "-number": "-number", "created": "created_at", "-created": "-created_at",
         "submitted": "submitted_at", "-submitted": "-submitted_at", "state": "state", "customer": "customer__code"}


def _filtered_cases(request):
    cases = selectors.case_list(user=request.user)
    query = request.GET.get("q", "").strip()
    if query:
        cases = cases.filter(
            Q(number__icontains=query) | Q(customer_reference__icontains=query) | Q(customer__code__iexact=query)
            | Q(customer__name__icontains=query)
            | Q(pk__in=ReturnUnit.objects.filter(Q(serial=query) | Q(replacement_serial=query))
                .values("return_case_id")))
    for name in ("state", "channel", "volume_class"):
        if request.GET.get(name):
            cases = cases.filter(**{name: request.GET[name]})
    if request.GET.get("customer") and request.user.customer_id is None:
        cases = cases.filter(customer__code=request.GET["customer"])
    return cases.order_by(SORTS.get(request.GET.get("sort", ""), "-id"), "-id")


@login_required
def case_list(request):
    cases = _filtered_cases(request)
    if request.GET.get("export") == "xlsx":
        return xlsx_response("cases", [
            (_("Case number"), "number"), (_("Customer"), "customer.code"), (_("Customer name"), "customer.name"),
            (_("Channel"), "get_channel_display"), (_("Reference"), "customer_reference"),
            (_("State"), "get_state_display"), (_("Volume class"), "get_volume_class_display"),
            (_("Units"), "unit_count"), (_("Noted quantity"), "noted_quantity"), (_("Created at"), "created_at"),
            (_("Submitted at"), "submitted_at"), (_("Closed at"), "closed_at")], cases)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "query": query.urlencode(), "states": CaseState.choices, "channels": Channel.choices,
               "volumes": VolumeClass.choices, "sorts": SORTS, "current_sort": request.GET.get("sort", ""),
               "customers": Customer.objects.order_by("code").values_list("code", "name")
               if request.user.customer_id is None else ()}
    template = "web/case_list.html#results" if request.htmx and not request.htmx.boosted else "web/case_list.html"
    return render(request, template, context)


# --- the case page and its actions ---

def _case_context(request, case, *, errors=None, failed_action=None) -> dict:
    data = selectors.case_detail_data(case, user=request.user)
    unit_actions, case_actions = [], []
    for entry in data["allowed_actions"]:
        entry = {**entry, "fields": action_fields.FIELDS.get(entry["action"], []),
                 "page": action_fields.OWN_PAGES.get(entry["action"]),
                 "count": len(entry.get("unit_ids", []))}
        (unit_actions if entry["level"] == "unit" else case_actions).append(entry)
    counts = Counter(u["state"] for u in data["units"])
    return {"case": case, "data": data, "case_actions": case_actions, "unit_actions": unit_actions,
            "errors": errors or {}, "failed_action": failed_action, "unit_states": dict(UnitState.choices),
            "outcomes": dict(Outcome.choices), "warranty_labels": dict(WarrantyStatus.choices),
            "dispositions": dict(Disposition.choices), "exits": dict(UnitExit.choices),
            "state_counts": sorted(counts.items()),
            "timeline": selectors.timeline(case, user=request.user), "posted": request.POST if errors else {},
            "quotes": Quote.objects.filter(return_case=case).order_by("-id"),
            "action_labels": {name: spec.label for name, spec in ACTIONS.items()} | OTHER_EVENTS,
            "case_states": dict(CaseState.choices), "notice_labels": dict(CustomerNotice.Kind.choices),
            "role_labels": ROLE_LABELS, "approval_labels": dict(Approval.Kind.choices),
            "warehouse_labels": warehouse_labels(),
            "difference_labels": dict(ReceivingDiscrepancy.Kind.choices)}


@login_required
def case_detail(request, pk: int):
    case = _case_or_404(request, pk)
    return render(request, "web/case_detail.html", _case_context(request, case))


@login_required
@require_POST
def case_action(request, pk: int, action: str):
    """Take a workflow action from the case page; errors come back beside their fields."""
    case = _case_or_404(request, pk)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    errors = action_fields.required_missing(request.POST, action)
    if not errors:
        params, comment = action_fields.params_from(request.POST, action)
        unit_ids = _ids_posted(request.POST) or None
        if spec.level == "unit" and unit_ids is None:  # none ticked: every unit the action applies to
            allowed = {a["action"]: a for a in allowed_actions(case, request.user)}
            unit_ids = allowed.get(action, {}).get("unit_ids") or []
        version = request.POST.get("version")
        try:
            apply_action(actor=request.user, case_id=case.pk, action=action, params=params, unit_ids=unit_ids,
                         version=parsing.id_or_none(version), comment=comment)
        except AppError as error:
            errors = {"non_field": [str(error.message)], **_error_details(error)}
    if errors:
        case = _case_or_404(request, pk)
        context = _case_context(request, case, errors=errors, failed_action=action)
        if request.htmx:
            return render(request, "web/case_detail.html#case-body", context)
        return render(request, "web/case_detail.html", context, status=400)
    messages.success(request, _("Done: %(action)s.") % {"action": spec.label})
    if request.htmx:
        case = _case_or_404(request, pk)
        return render(request, "web/case_detail.html#case-body", _case_context(request, case))
    following = request.POST.get("next", "")
    if following and url_has_allowed_host_and_scheme(following, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return redirect(following)
    return redirect("web:case_detail", pk=pk)


# --- a new application ---

LINE_FIELDS = ("product_model", "item_name", "quantity", "serials", "production_lot", "requested_outcome", "reason",
               "defect_description")
MAX_LINES = 50
LINE_FIELD_NAME = re.compile(r"line-([0-9]{1,2})-[a-z_]+")


def _line_position(key) -> int | None:
    """The position of a line in an error's details ("0", "1", ...), or None for anything else."""
    text = str(key)
    return int(text) if text.isascii() and text.isdigit() and len(text) < 6 else None


def _ids_posted(post, name: str = "unit_ids") -> list[int]:
    """The ids ticked in a form; anything that cannot be an id is left out."""
    return [pk for pk in (parsing.id_or_none(raw) for raw in post.getlist(name)) if pk is not None]
MAX_PHOTOS = 10  # each up to the attachment limit (10 MB); checked before any is read


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


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request):
    roles = roles_of(request.user)
    if not roles & {"service", "customer"}:
        raise Http404
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
            refused_photo = None
            try:
                with transaction.atomic():  # the case, its photos and its submission, or nothing
                    typed = case_services.lines_from_codes(lines)
                    case = case_services.case_create(
                        actor=request.user, customer=customer, lines=typed, channel=channel,
                        customer_reference=request.POST.get("customer_reference", "").strip()[:80],
                        notes=request.POST.get("notes", "").strip())
                    for upload in request.FILES.getlist("photos"):
                        refused_photo = upload.name
                        attachment_add(actor=request.user, case_id=case.pk, upload=upload,
                                       description=upload.name[:200])
                    refused_photo = None
                    if request.POST.get("submit_now"):
                        apply_action(actor=request.user, case_id=case.pk, action="submit")
            except AppError as error:
                if refused_photo is not None:  # beside the photos field, naming the file
                    error.details = {"photos": [f"{refused_photo}: {error.message}"]}
                details = _error_details(error)
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
                return redirect("web:case_detail", pk=case.pk)
    rows = max(3, max((int(k.split("-")[1]) + 1 for k in request.POST
                       if LINE_FIELD_NAME.fullmatch(k)), default=0))
    line_rows = [{"i": i, "v": {name: request.POST.get(f"line-{i}-{name}", "") for name in LINE_FIELDS},
                  "e": line_errors.get(i, {})} for i in range(min(rows, MAX_LINES))]
    context = {
        "errors": errors, "posted": request.POST, "line_rows": line_rows,
        "models": ProductModel.objects.order_by("code").values_list("code", "name"),
        "customers": Customer.objects.order_by("code").values_list("code", "name")
        if request.user.customer_id is None else (),
        "channels": Channel.choices, "outcomes": Outcome.choices, "reasons": Reason.choices,
    }
    return render(request, "web/case_new.html", context, status=400 if errors or line_errors else 200)


@login_required
def serial_lookup(request):
    """The registered unit of a serial and its warranty decision today, as the user types."""
    from aftersales.core import policies
    from aftersales.returns import rules

    serial = request.GET.get("serial", "").strip() or next(
        (value.strip() for key, value in request.GET.items() if key.endswith("-serials") and value.strip()), "")
    serial = serial.replace(",", "\n").split()[-1] if serial else ""
    units = ShippedUnit.objects.select_related("product_model", "customer").filter(serial=serial)
    if request.user.customer_id is not None:
        units = units.filter(customer_id=request.user.customer_id)
    found = []
    values = policies.snapshot()
    for unit in units[:5]:
        decision = rules.decide_warranty(
            shipped_date=unit.shipped_date, has_serial=True, model_warranty_months=unit.product_model.warranty_months,
            default_warranty_months=values["warranty_months"], extension_months=unit.customer.warranty_extension_months
            if unit.customer else 0, on=timezone.localdate(), void_on_tampering=values["warranty_void_on_tampering"],
            human_damage_charged=values["human_damage_charged"])
        found.append({"unit": unit, "decision": decision, "status_label": WarrantyStatus(decision.status).label,
                      "reasons": [rules.reason_text(reason) for reason in decision.reasons]})
    return render(request, "web/serial_lookup.html", {"serial": serial, "found": found})


# --- receiving by scanner ---

RESULT_STYLES = {"received": "ok", "extra": "warn", "duplicate": "warn", "wrong_case": "bad", "refused": "bad",
                 "unknown_serial": "bad", "serial_on_open_case": "bad"}


def _receiving_counts(case) -> list[dict]:
    arrived = Counter(ReturnUnit.objects.filter(return_case=case).exclude(state__in=["expected", "missing"])
                      .values_list("line_id", flat=True))
    return [{"line": line.line_no, "item": line.item_name, "model": line.product_model.code if line.product_model
             else "", "noted": line.quantity, "arrived": arrived[line.pk]} for line in case.lines.all()]


@login_required
@require_http_methods(["GET", "POST"])
def receive(request, pk: int):
    case = _case_or_404(request, pk)
    if "warehouse" not in roles_of(request.user):
        raise Http404
    results, error = [], None
    if request.method == "POST":
        serial = request.POST.get("serial", "").strip()
        line, quantity = request.POST.get("line", "").strip(), request.POST.get("quantity", "").strip()
        if serial:
            items = [{"serial": serial}]
        elif parsing.id_or_none(line) and parsing.id_or_none(quantity):
            items = [{"line": int(line), "quantity": int(quantity)}]
        else:
            items = []
            error = _("Scan a serial number, or give a line and a quantity.")
        if items:
            try:
                done = apply_action(actor=request.user, case_id=case.pk, action="receive", params={"items": items})
                results = done.action_result.get("results", [])
            except AppError as exc:
                error = str(exc.message)
                details = _error_details(exc)
                if details:
                    error += " " + "; ".join(str(m) for messages_ in details.values() for m in messages_
                                             if isinstance(m, str))
        case = _case_or_404(request, pk)
    for result in results:
        result["style"] = RESULT_STYLES.get(result["result"], "bad")
    context = {"case": case, "results": results, "error": error, "counts": _receiving_counts(case),
               "scanned_at": timezone.localtime()}
    if request.htmx and request.method == "POST":
        return render(request, "web/receive.html#scan-result", context)
    return render(request, "web/receive.html", context)


@login_required
def receiving(request):
    """The warehouse's cases: approved (to start receiving) and receiving."""
    if "warehouse" not in roles_of(request.user):
        raise Http404
    cases = list(selectors.case_list(user=request.user).filter(
        state__in=[CaseState.APPROVED, CaseState.RECEIVING]).order_by("submitted_at", "id")[:500])
    for case in cases:
        case.waiting = case.noted_quantity
    return _bench(request, _("Receiving"), "web:receive", cases)


# --- benches ---

BENCH_COLUMNS = [(_("Case number"), "number"), (_("Customer"), "customer.name"), (_("State"), "get_state_display"),
                 (_("Units waiting"), "waiting"), (_("Submitted at"), "submitted_at")]


def _bench(request, title: str, link: str, cases: list, **extra):
    if request.GET.get("export") == "xlsx":
        return xlsx_response("bench", BENCH_COLUMNS, cases)
    return render(request, "web/bench.html", {"title": title, "link": link, "cases": cases, **extra})


def _cases_with_units(request, states: list[str]):
    counts = (ReturnUnit.objects.filter(state__in=states).values("return_case_id")
              .annotate(n=Count("id")).order_by())
    by_case = {row["return_case_id"]: row["n"] for row in counts}
    cases = list(selectors.case_list(user=request.user).filter(pk__in=list(by_case)[:500]).order_by("submitted_at"))
    for case in cases:
        case.waiting = by_case[case.pk]
    return cases


@login_required
def quality_bench(request):
    if "quality" not in roles_of(request.user):
        raise Http404
    return _bench(request, _("Quality bench"), "web:inspect",
                  _cases_with_units(request, [UnitState.RECEIVED, UnitState.INSPECTED]),
                  final=_cases_with_units(request, [UnitState.FINAL_INSPECTION]))


@login_required
def repair_bench(request):
    if "repair" not in roles_of(request.user):
        raise Http404
    return _bench(request, _("Repair bench"), "web:case_detail",
                  _cases_with_units(request, [UnitState.DISPOSED, UnitState.IN_WORK]))


def _options(choices) -> str:
    return format_html_join("", '<option value="{}">{}</option>', ((value, label) for value, label in choices))


INSPECTION_FLAGS = ("no_fault_found", "human_damage", "warranty_label_broken", "self_repaired_or_modified")


def _inspection_result(post) -> dict:
    result = {name: post[name] for name in ("defect_class", "responsibility", "grade", "notes") if post.get(name)}
    if post.get("repairable") in ("yes", "no"):
        result["repairable"] = post["repairable"] == "yes"
    for name in INSPECTION_FLAGS:
        result[name] = post.get(name) == "on"
    return result


@login_required
@require_http_methods(["GET", "POST"])
def inspect(request, pk: int):
    """Inspect many units at once: select them, give the result, override one unit's defect class;
    then decide the disposition of the inspected ones."""
    case = _case_or_404(request, pk)
    if not roles_of(request.user) & {"quality", "service"}:
        raise Http404
    errors = {}
    if request.method == "POST":
        action = "dispose" if request.POST.get("step") == "dispose" else "inspect"
        unit_ids = _ids_posted(request.POST)
        if not unit_ids:
            errors["unit_ids"] = [_("Select the units.")]
        params = {}
        if action == "inspect":
            params = {"result": _inspection_result(request.POST), "per_unit": {
                str(pk): {"defect_class": request.POST[f"defect_class-{pk}"]} for pk in unit_ids
                if request.POST.get(f"defect_class-{pk}")}}
        else:
            params = {"disposition": request.POST.get("disposition", ""), "per_unit": {
                str(pk): {"disposition": request.POST[f"disposition-{pk}"]} for pk in unit_ids
                if request.POST.get(f"disposition-{pk}")}}
        if not errors:
            try:
                apply_action(actor=request.user, case_id=case.pk, action=action, params=params, unit_ids=unit_ids)
            except AppError as error:
                errors = {"non_field": [str(error.message)], **_error_details(error)}
            else:
                messages.success(request, _("Done: %(action)s.") % {"action": ACTIONS[action].label})
                if not request.htmx:
                    return redirect("web:inspect", pk=pk)
        case = _case_or_404(request, pk)
    states = dict(UnitState.choices)
    units = [{**row, "state_label": states[row["state"]]} for row in
             ReturnUnit.objects.filter(return_case=case, state__in=[UnitState.RECEIVED, UnitState.INSPECTED])
             .order_by("id").values("id", "serial", "state", "product_model__code")[:2000]]
    context = {"case": case, "units": units, "errors": errors, "posted": request.POST if errors else {},
               "defect_classes": DefectClass.choices, "responsibilities": Responsibility.choices,
               "dispositions": Disposition.choices, "flags": INSPECTION_FLAGS,
               # The per-row selects repeat the same options: built once, not once per row.
               "defect_options": _options(DefectClass.choices), "disposition_options": _options(Disposition.choices)}
    if request.htmx:
        return render(request, "web/inspect.html#bench", context, status=200)
    return render(request, "web/inspect.html", context, status=400 if errors else 200)


# --- notifications ---

@login_required
def notifications(request):
    if request.method == "POST":
        Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
        return redirect("web:notifications")
    page = Paginator(Notification.objects.filter(recipient=request.user).order_by("-id"), 30).get_page(
        request.GET.get("page"))
    for notification in page:
        notification.subject, notification.body = render_notification(notification, request.LANGUAGE_CODE)
    return render(request, "web/notifications.html", {"page": page})


@require_POST
def set_language(request):
    """Django's language switch, remembered on the user too (notifications follow it)."""
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES) and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response
