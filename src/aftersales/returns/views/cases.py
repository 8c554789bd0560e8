"""The case list (search, filters, export) and the case page with its workflow actions."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.core import parsing
from aftersales.core.errors import AppError
from aftersales.core.registry import print_forms, subject_panels
from aftersales.core.roles import ROLE_LABELS, roles_of
from aftersales.masterdata.models import Customer
from aftersales.web.exports import xlsx_response
from aftersales.web.pages import ids_posted, page_errors

from .. import action_fields, selectors
from ..clocks import SUBJECT
from ..models import (Approval, CaseState, Channel, CustomerNotice, Disposition, Outcome, ReceivingDiscrepancy,
                      ReturnUnit, UnitExit, UnitState, VolumeClass, WarrantyStatus)
from ..services.actions import allowed_actions, apply_action
from ..workflow import ACTIONS, OTHER_EVENTS
from .common import case_or_404, warehouse_labels


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
    template = "returns/case_list.html#results" if request.htmx and not request.htmx.boosted else "returns/case_list.html"
    return render(request, template, context)


# --- the case page and its actions ---

def _print_forms(request) -> list:
    """The case's printed forms the user may print: the internal ones are for staff."""
    customer = "customer" in roles_of(request.user)
    return [form for form in print_forms(SUBJECT) if not (form.staff_only and customer)]


def _case_context(request, case, *, errors=None, failed_action=None) -> dict:
    data = selectors.case_detail_data(case, user=request.user)
    unit_actions, case_actions = [], []
    for entry in data["allowed_actions"]:
        entry = {**entry, "fields": action_fields.FIELDS.get(entry["action"], []),
                 "page": action_fields.page_for(entry["action"]),
                 "count": len(entry.get("unit_ids", []))}
        (unit_actions if entry["level"] == "unit" else case_actions).append(entry)
    counts = Counter(u["state"] for u in data["units"])
    return {"case": case, "data": data, "case_actions": case_actions, "unit_actions": unit_actions,
            "errors": errors or {}, "failed_action": failed_action, "unit_states": dict(UnitState.choices),
            "outcomes": dict(Outcome.choices), "warranty_labels": dict(WarrantyStatus.choices),
            "dispositions": dict(Disposition.choices), "exits": dict(UnitExit.choices),
            "state_counts": sorted(counts.items()),
            "timeline": selectors.timeline(case, user=request.user), "posted": request.POST if errors else {},
            "panels": subject_panels(SUBJECT, case, request), "print_forms": _print_forms(request),
            "action_labels": {name: spec.label for name, spec in ACTIONS.items()} | OTHER_EVENTS,
            "case_states": dict(CaseState.choices), "notice_labels": dict(CustomerNotice.Kind.choices),
            "role_labels": ROLE_LABELS, "approval_labels": dict(Approval.Kind.choices),
            "warehouse_labels": warehouse_labels(),
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
