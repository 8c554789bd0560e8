"""The case list (search, filters, export) and the case page with its workflow actions."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.core import parsing
from aftersales.core.errors import AppError
from aftersales.core.registry import document_flow, print_forms, subject_panels
from aftersales.core.roles import ROLE_LABELS, roles_of
from aftersales.masterdata.models import Customer
from aftersales.web.exports import xlsx_response
from aftersales.web.pages import ids_posted, page_errors

from .. import action_fields, rules, selectors
from ..clocks import SUBJECT
from ..models import (Approval, CaseState, Channel, CustomerNotice, DefectClass, Disposition, Outcome,
                      ReceivingDiscrepancy, Responsibility, ReturnUnit, UnitExit, UnitState, VolumeClass,
                      WarrantyStatus)
from ..services.actions import allowed_actions, apply_action
from ..workflow import ACTIONS, OTHER_EVENTS
from .common import case_or_404, warehouse_labels


# --- case list, search, export ---

SORTS = {"number": "number", "-number": "-number", "created": "created_at", "-created": "-created_at",
         "submitted": "submitted_at", "-submitted": "-submitted_at", "state": "state", "customer": "customer__code"}


FILTERS = ("q", "state", "channel", "volume_class", "customer", "sort", "applied_from", "applied_to",
           "received_from", "received_to", "closed_from", "closed_to")
# Date ranges: the filter's name -> the moment of the case it reads.
DATE_RANGES = {"applied": "submitted_at", "received": None, "closed": "closed_at"}
REMEMBERED = "case_list_filters"  # in the session: the user's last filters, for the next visit


# What the approval notice asks the customer to enclose with the goods (policies enclose_*).
ENCLOSURE_LABELS = {"invoice": gettext_lazy("the invoice"), "return_note": gettext_lazy("the return note"),
                    "original_packaging": gettext_lazy("the original packaging")}


def _date_or_none(raw: str):
    try:
        return parsing.date_value(raw, "date") if raw else None
    except AppError:
        return None


def _filters(request) -> dict:
    """The filters in force: those in the address (then kept in the session, the user's for next time), or,
    when the address names none, those the user kept (the page puts them in the address); `?reset=1`
    forgets them."""
    if request.GET.get("reset"):
        request.session.pop(REMEMBERED, None)
        return {}
    if any(name in request.GET for name in FILTERS):
        given = {name: request.GET[name].strip() for name in FILTERS if request.GET.get(name, "").strip()}
        if request.session.get(REMEMBERED) != given:
            request.session[REMEMBERED] = given
        return given
    return dict(request.session.get(REMEMBERED, {}))


def _filtered_cases(request, filters: dict):
    cases = selectors.case_list(user=request.user)
    query = filters.get("q", "")
    if query:
        cases = cases.filter(
            Q(number__icontains=query) | Q(customer_reference__icontains=query) | Q(customer__code__iexact=query)
            | Q(customer__name__icontains=query)
            | Q(pk__in=ReturnUnit.objects.filter(Q(serial=query) | Q(replacement_serial=query))
                .values("return_case_id")))
    for name in ("state", "channel", "volume_class"):
        if filters.get(name):
            cases = cases.filter(**{name: filters[name]})
    if filters.get("customer") and request.user.customer_id is None:
        cases = cases.filter(customer__code=filters["customer"])
    for name, field in DATE_RANGES.items():
        start, end = _date_or_none(filters.get(f"{name}_from", "")), _date_or_none(filters.get(f"{name}_to", ""))
        if start is None and end is None:
            continue
        span = {**({"__date__gte": start} if start else {}), **({"__date__lte": end} if end else {})}
        if field is None:  # received: a unit of the case arrived in the range
            cases = cases.filter(pk__in=ReturnUnit.objects.filter(
                **{f"received_at{key}": value for key, value in span.items()}).values("return_case_id"))
        else:
            cases = cases.filter(**{f"{field}{key}": value for key, value in span.items()})
    return cases.order_by(SORTS.get(filters.get("sort", ""), "-id"), "-id")


@login_required
def case_list(request):
    filters = _filters(request)
    cases = selectors.with_next_due(_filtered_cases(request, filters))
    if request.GET.get("export") == "xlsx":
        return xlsx_response("cases", [
            (_("Case number"), "number"), (_("Customer"), "customer.code"), (_("Customer name"), "customer.name"),
            (_("Channel"), "get_channel_display"), (_("Reference"), "customer_reference"),
            (_("State"), "get_state_display"), (_("Volume class"), "get_volume_class_display"),
            (_("Units"), "unit_count"), (_("Noted quantity"), "noted_quantity"), (_("Created at"), "created_at"),
            (_("Submitted at"), "submitted_at"), (_("Closed at"), "closed_at"), (_("Next due"), "next_due_at")],
            cases)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    summaries = selectors.case_summaries([case.pk for case in page], user=request.user)
    for case in page:
        case.summary = summaries.get(case.pk, {})
        case.next_due = ({"due_at": case.next_due_at, "provisional": case.next_due_provisional, "state": "open",
                          "overdue": case.next_due_at <= timezone.now()} if case.next_due_at else None)
    query = QueryDict(mutable=True)
    query.update(filters)
    ranges = [{"name": name, "label": label, "from": filters.get(f"{name}_from", ""), "to": filters.get(f"{name}_to", "")}
              for name, label in (("applied", _("Applied")), ("received", _("Received")),
                                  ("closed", _("Closed")))]
    remembered = bool(filters) and not any(name in request.GET for name in FILTERS)
    context = {"page": page, "query": query.urlencode(), "filters": filters, "date_ranges": ranges,
               "remembered": remembered,
               "states": CaseState.choices,
               "channels": Channel.choices, "volumes": VolumeClass.choices, "sorts": SORTS,
               "current_sort": filters.get("sort", ""),
               "customers": Customer.objects.order_by("code").values_list("code", "name")
               if request.user.customer_id is None else ()}
    template = "returns/case_list.html#results" if request.htmx and not request.htmx.boosted else "returns/case_list.html"
    return render(request, template, context)


# --- the case page and its actions ---

def _print_forms(request, case) -> list:
    """The case's printed forms the user may print and that have something to show at the case's stage
    (no quote before a quote): the internal ones are for staff."""
    customer = "customer" in roles_of(request.user)
    return [form for form in print_forms(SUBJECT) if not (form.staff_only and customer)
            and (form.available is None or form.available(case))]


def collapsed_timeline(events: list[dict]) -> list[dict]:
    """The timeline with runs of the same unit action by the same person (one scan after another) shown as
    one entry: "Received 5 units", from the first to the last."""
    shown: list[dict] = []
    for event in events:
        last = shown[-1] if shown else None
        if (last is not None and event["unit_ids"] and last["unit_ids"] and event["action"] == last["action"]
                and event["by"] == last["by"] and event["from_state"] == event["to_state"] == last["to_state"]
                and not event["comment"] and not last["comment"]):
            last["unit_ids"] = last["unit_ids"] + event["unit_ids"]
            last["until"], last["times"] = event["at"], last["times"] + 1
            continue
        shown.append({**event, "until": None, "times": 1})
    return shown


UNIT_ROWS = 100  # units per page of the case page's table (the counts above it cover all)


def _unit_rows(units: list[dict], inspections: dict, warehouses: dict) -> None:
    """The words each unit's row shows, looked up once here rather than by filters in every cell (a case
    may have thousands of units)."""
    def words(choices) -> dict:
        return {value: str(label) for value, label in choices}

    states, warranty, dispositions = words(UnitState.choices), words(WarrantyStatus.choices), words(Disposition.choices)
    defects, responsibilities, exits = words(DefectClass.choices), words(Responsibility.choices), words(UnitExit.choices)
    for unit in units:
        found = inspections.get(unit["id"])
        unit["inspection"] = found
        unit["state_label"] = states.get(unit["state"], unit["state"])
        unit["warranty_label"] = warranty.get(unit["warranty"]["status"], "")
        unit["disposition_label"] = dispositions.get(unit["disposition"], "") if unit["disposition"] else ""
        unit["inspection_text"] = " · ".join(part for part in (
            defects.get(found["defect_class"], ""), responsibilities.get(found["responsibility"], ""), found["grade"],
            str(_("not repairable")) if found["repairable"] is False else "") if part) if found else ""
        unit["where"] = " · ".join(part for part in (warehouses.get(unit["warehouse"], "") if unit["warehouse"] else "",
                                                     exits.get(unit["exit"], "") if unit["exit"] else "") if part)


def _case_context(request, case, *, errors=None, failed_action=None) -> dict:
    paged = {}

    def unit_rows(count: int) -> slice:  # the page of the unit table asked for, once the units are counted
        paged["page"] = Paginator(range(count), UNIT_ROWS).get_page(request.GET.get("units_page"))
        shown = paged["page"].object_list
        return slice(shown.start, shown.stop)

    data = selectors.case_detail_data(case, user=request.user, unit_rows=unit_rows)
    unit_page = paged["page"]
    unit_actions, case_actions = [], []
    for entry in data["allowed_actions"]:
        entry = {**entry, "fields": action_fields.FIELDS.get(entry["action"], []),
                 "page": action_fields.page_for(entry["action"]),
                 "count": len(entry.get("unit_ids", []))}
        (unit_actions if entry["level"] == "unit" else case_actions).append(entry)
    for entry in case_actions + unit_actions:
        entry["confirm"] = action_fields.confirm_text(entry["action"])
    inspections = selectors.unit_inspections(case, [unit["id"] for unit in data["units"]])
    warehouses = {code: str(label) for code, label in warehouse_labels().items()}
    _unit_rows(data["units"], inspections, warehouses)
    open_steps = [d for d in data["deadlines"] if d["state"] == "open"]
    photos = [a for a in data["attachments"] if a["inline"]]
    models = []
    for line in data["lines"]:
        model = line["product_model"] or line["item_name"]
        if model and model not in models:
            models.append(model)
    flow = document_flow(SUBJECT, case, request)
    return {"case": case, "data": data, "case_actions": case_actions, "unit_actions": unit_actions,
            "inline_actions": any(not a["page"] and (a["fields"] or a["level"] == "unit")
                                  for a in case_actions + unit_actions),
            "unit_page": unit_page,
            "next_due": min(open_steps, key=lambda d: d["due_at"]) if open_steps else None,
            "models": models, "noted": sum(line["quantity"] or 0 for line in data["lines"]),
            "photos": photos, "files": [a for a in data["attachments"] if not a["inline"]],
            "documents": flow["down"], "upstream": flow["up"], "document_count": len(flow["down"]) + len(flow["up"]),
            "defect_labels": dict(DefectClass.choices), "responsibility_labels": dict(Responsibility.choices),
            "errors": errors or {}, "failed_action": failed_action, "unit_states": dict(UnitState.choices),
            "outcomes": dict(Outcome.choices), "warranty_labels": dict(WarrantyStatus.choices),
            "window_labels": {key: str(label) for key, label in rules.WINDOW_LABELS.items()},
            "dispositions": dict(Disposition.choices), "exits": dict(UnitExit.choices),
            "state_counts": sorted(data["unit_counts"].items()),
            "timeline": collapsed_timeline(selectors.timeline(case, user=request.user)),
            "posted": request.POST if errors else {},
            "panels": subject_panels(SUBJECT, case, request), "print_forms": _print_forms(request, case),
            "action_labels": {name: spec.label for name, spec in ACTIONS.items()} | OTHER_EVENTS,
            "case_states": dict(CaseState.choices), "notice_labels": dict(CustomerNotice.Kind.choices),
            "enclosure_labels": ENCLOSURE_LABELS,
            "role_labels": ROLE_LABELS, "approval_labels": dict(Approval.Kind.choices),
            "warehouse_labels": warehouses,
            "difference_labels": dict(ReceivingDiscrepancy.Kind.choices)}


@login_required
def case_detail(request, pk: int):
    case = case_or_404(request, pk)
    return render(request, "returns/case_detail.html", _case_context(request, case))


@login_required
@require_POST
def case_action(request, pk: int, action: str):
    """Take a workflow action from the case page; errors come back beside their fields."""
    case = case_or_404(request, pk)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    errors = action_fields.required_missing(request.POST, action)
    if not errors:
        params, comment = action_fields.params_from(request.POST, action)
        unit_ids = ids_posted(request.POST) or None
        if spec.level == "unit" and unit_ids is None:  # none ticked: every unit the action applies to
            allowed = {a["action"]: a for a in allowed_actions(case, request.user)}
            unit_ids = allowed.get(action, {}).get("unit_ids") or []
        version = request.POST.get("version")
        try:
            apply_action(actor=request.user, case_id=case.pk, action=action, params=params, unit_ids=unit_ids,
                         version=parsing.id_or_none(version), comment=comment)
        except AppError as error:
            errors = page_errors(error)
    if errors:
        case = case_or_404(request, pk)
        context = _case_context(request, case, errors=errors, failed_action=action)
        if request.htmx:
            return render(request, "returns/case_detail.html#case-body", context)
        return render(request, "returns/case_detail.html", context, status=400)
    messages.success(request, _("Done: %(action)s.") % {"action": spec.label})
    if request.htmx:
        case = case_or_404(request, pk)
        return render(request, "returns/case_detail.html#case-body", _case_context(request, case))
    following = request.POST.get("next", "")
    if following and url_has_allowed_host_and_scheme(following, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return redirect(following)
    return redirect("returns:case_detail", pk=pk)
