"""Repair pages: planning's rework board, the order page (plan, start, first article, repair
records by scanner, delays, material requests, close), the quote sent to the portal, scrap
applications for approval, the repair daily report. They act through repairs.services."""

import datetime as dt

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.core import parsing
from aftersales.core.errors import AppError
from aftersales.core.roles import role_required, roles_of
from aftersales.masterdata.models import Part
from aftersales.returns.models import Disposition, ReturnUnit, UnitState
from aftersales.returns.views.common import case_or_404
from aftersales.web.exports import Row, xlsx_response
from aftersales.web.pages import ids_posted, page_errors

from . import selectors as repair_selectors
from . import services
from .models import (MAJOR_ANOMALY_LABELS, MaterialRequest, OrderKind, OrderState, OrderUnit, RepairOrder,
                     RequestState, ScrapApplication, ScrapState)

REPAIR_ROLES = ("planning", "repair", "quality", "engineering", "manager", "purchasing", "warehouse", "service")
PART_ROWS = 4


def _parts_from(post, prefix: str = "part") -> list[dict]:
    lines = []
    for index in range(PART_ROWS):
        code = post.get(f"{prefix}-{index}-code", "").strip()
        quantity = post.get(f"{prefix}-{index}-quantity", "").strip()
        if code or quantity:
            lines.append({"part": code, "quantity": parsing.number_or_text(quantity)})
    return lines


# --- the rework board ---

@role_required(*REPAIR_ROLES)
def board(request):
    """Open orders by due moment, and the units disposed for repair that wait for an order."""
    orders = repair_selectors.with_due_provisional(
        RepairOrder.objects.select_related("return_case").annotate(units=Count("order_units")))
    state = request.GET.get("state", "open")
    if state == "open":
        orders = orders.filter(state__in=[OrderState.PLANNED, OrderState.FIRST_ARTICLE, OrderState.IN_PROGRESS])
    elif state in OrderState.values:
        orders = orders.filter(state=state)
    orders = orders.order_by("due_at", "id")
    if request.GET.get("export") == "xlsx":
        return xlsx_response("rework-orders", [
            (_("Order number"), "number"), (_("Case"), "return_case.number"), (_("Kind"), "get_kind_display"),
            (_("State"), "get_state_display"), (_("Team"), "team"), (_("Units"), "units"), (_("Due"), "due_at"),
            (_("Provisional due date"), "due_provisional")],
            orders)
    on_open_order = OrderUnit.objects.filter(unit=OuterRef("pk"), order__state__in=[
        OrderState.PLANNED, OrderState.FIRST_ARTICLE, OrderState.IN_PROGRESS])
    waiting = (ReturnUnit.objects.filter(state=UnitState.DISPOSED, disposition__in=[Disposition.REPAIR,
                                                                                    Disposition.REFURBISH])
               .exclude(Exists(on_open_order)).values("return_case_id", "return_case__number")
               .annotate(n=Count("id")).order_by("return_case_id"))
    return render(request, "repairs/board.html", {
        "orders": orders[:300], "waiting": waiting[:200], "state": state, "states": OrderState.choices,
        "may_plan": "planning" in roles_of(request.user), "now": timezone.now()})


@role_required("planning")
@require_http_methods(["GET", "POST"])
def order_new(request, case_id: int):
    case = case_or_404(request, case_id)
    on_open_order = OrderUnit.objects.filter(unit=OuterRef("pk"), order__state__in=[
        OrderState.PLANNED, OrderState.FIRST_ARTICLE, OrderState.IN_PROGRESS])
    units = list(ReturnUnit.objects.filter(return_case=case, state=UnitState.DISPOSED, disposition__in=[
        Disposition.REPAIR, Disposition.REFURBISH]).exclude(Exists(on_open_order)).order_by("id")
        .values("id", "serial", "product_model__code", "disposition"))
    errors = {}
    if request.method == "POST":
        unit_ids = ids_posted(request.POST)
        try:
            order = services.order_open(actor=request.user, case_id=case.pk, unit_ids=unit_ids,
                                        kind=request.POST.get("kind", OrderKind.REPAIR),
                                        method=request.POST.get("method", ""), team=request.POST.get("team", ""),
                                        is_batch=request.POST.get("is_batch") == "on")
        except AppError as error:
            errors = page_errors(error)
        else:
            messages.success(request, _("Rework order %(number)s opened.") % {"number": order.number})
            return redirect("repairs:repair_order", pk=order.pk)
    return render(request, "repairs/order_new.html", {
        "case": case, "units": units, "errors": errors, "kinds": OrderKind.choices, "posted": request.POST},
        status=400 if errors else 200)


# --- the order page ---

def _to_record(order: RepairOrder, units: list[dict]) -> list[dict]:
    """The units of the order that a repair record may be made for now."""
    workable = {UnitState.IN_WORK} | ({UnitState.DISPOSED} if order.state == OrderState.IN_PROGRESS else set())
    return [u for u in units if u["state"] in workable and (
        order.state != OrderState.FIRST_ARTICLE or u["id"] == order.first_article_unit_id)]


def _order_context(request, order: RepairOrder, errors=None, failed=None) -> dict:
    data = repair_selectors.order_data(order, user=request.user)
    roles = roles_of(request.user)
    units = list(ReturnUnit.objects.filter(pk__in=data["unit_ids"]).order_by("id")
                 .values("id", "serial", "state", "product_model__code", "product_model__latest_hardware_revision",
                         "product_model__latest_software_revision"))
    states = dict(UnitState.choices)
    for unit in units:
        unit["state_label"] = states[unit["state"]]
    to_record = _to_record(order, units)
    first_article_ready = (order.state == OrderState.FIRST_ARTICLE and any(
        u["id"] == order.first_article_unit_id and u["state"] == UnitState.FINAL_INSPECTION for u in units))
    requests = list(order.material_requests.prefetch_related("lines__part").order_by("id"))
    return {
        "order": order, "data": data, "units": units, "to_record": to_record, "roles": roles,
        "errors": errors or {}, "failed": failed, "posted": request.POST if errors else {},
        "first_article_ready": first_article_ready, "requests": requests, "request_states": RequestState,
        "majors": MAJOR_ANOMALY_LABELS.items(), "part_rows": range(PART_ROWS),
        "parts": Part.objects.filter(is_active=True).order_by("code").values_list("code", "name"),
        "records": order.records.select_related("unit", "technician").order_by("-id")[:200],
        "open": order.state in (OrderState.PLANNED, OrderState.FIRST_ARTICLE, OrderState.IN_PROGRESS),
    }


def _order(pk: int) -> RepairOrder:
    orders = RepairOrder.objects.select_related("return_case", "first_article_unit", "plan__answered_by")
    order = (repair_selectors.with_due_provisional(orders)
             .prefetch_related("first_article_checks", "delays__approved_by").filter(pk=pk).first())
    if order is None:
        raise Http404
    return order


@role_required(*REPAIR_ROLES)
def order_page(request, pk: int):
    return render(request, "repairs/order.html", _order_context(request, _order(pk)))


STEPS = {
    "plan": lambda r, pk: services.order_plan(actor=r.user, order_id=pk, expected_finish=r.POST.get(
        "expected_finish", "").replace(" ", "T"), note=r.POST.get("note", "")),
    "findings": lambda r, pk: services.order_findings(actor=r.user, order_id=pk, findings=r.POST.get("findings", ""),
                                                      method=r.POST.get("method", "")),
    "start": lambda r, pk: services.order_start(actor=r.user, order_id=pk),
    "first_article": lambda r, pk: services.first_article_check(
        actor=r.user, order_id=pk, passed=r.POST.get("passed") == "yes", notes=r.POST.get("notes", "")),
    "record": lambda r, pk: services.records_add(actor=r.user, order_id=pk, records=_records_from(r, pk)),
    "delay": lambda r, pk: services.delay_add(
        actor=r.user, order_id=pk, reason=r.POST.get("reason", ""), explanation=r.POST.get("explanation", ""),
        working_days=parsing.number_or_text(r.POST.get("working_days", "")), notice=r.POST.get("notice", "")),
    "close": lambda r, pk: services.order_close(actor=r.user, order_id=pk),
    "request": lambda r, pk: services.material_request_create(actor=r.user, order_id=pk, lines=_parts_from(r.POST),
                                                              comment=r.POST.get("comment", ""),
                                                              need_by=r.POST.get("need_by", "").strip()),
}


def _records_from(request, pk: int) -> list[dict]:
    """One record (by the scanned serial or the chosen unit), or the same record for every unit to record."""
    post = request.POST
    record = {name: post.get(name, "") for name in ("fault_found", "cause", "action", "labour_hours",
                                                     "hardware_before", "hardware_after", "software_before",
                                                     "software_after", "major_anomaly")}
    record["labour_hours"] = record["labour_hours"] or "0"
    record["is_anomaly"] = post.get("is_anomaly") == "on"
    record["parts"] = _parts_from(post)
    order = _order(pk)
    if post.get("all_units") == "on":
        units = list(ReturnUnit.objects.filter(pk__in=OrderUnit.objects.filter(order=order).values("unit_id"))
                     .order_by("id").values("id", "state"))
        return [{**record, "unit": unit["id"]} for unit in _to_record(order, units)]
    serial = post.get("serial", "").strip()
    unit_id = post.get("unit", "")
    if serial:
        found = OrderUnit.objects.filter(order=order, unit__serial=serial).values_list("unit_id", flat=True).first()
        unit = found if found is not None else -1
    else:
        unit = parsing.id_or_none(unit_id) or -1
    return [{**record, "unit": unit}]


@role_required(*REPAIR_ROLES)
@require_POST
def order_step(request, pk: int, step: str):
    if step not in STEPS:
        raise Http404
    try:
        STEPS[step](request, pk)
    except AppError as error:
        context = _order_context(request, _order(pk), errors=page_errors(error), failed=step)
        template = "repairs/order.html#order-body" if request.htmx else "repairs/order.html"
        return render(request, template, context, status=200 if request.htmx else 400)
    messages.success(request, _("Saved."))
    if request.htmx:
        return render(request, "repairs/order.html#order-body", _order_context(request, _order(pk)))
    return redirect("repairs:repair_order", pk=pk)


@role_required(*REPAIR_ROLES)
@require_POST
def material_request_step(request, pk: int, step: str):
    calls = {
        "approve": lambda: services.material_request_decide(actor=request.user, request_id=pk, approve=True,
                                                            comment=request.POST.get("comment", "")),
        "refuse": lambda: services.material_request_decide(actor=request.user, request_id=pk, approve=False,
                                                           comment=request.POST.get("comment", "")),
        "receive": lambda: services.material_request_receive(actor=request.user, request_id=pk),
        "issue": lambda: services.material_request_issue(actor=request.user, request_id=pk),
    }
    if step not in calls:
        raise Http404
    found = MaterialRequest.objects.filter(pk=pk).values_list("order_id", flat=True).first()
    if found is None:
        raise Http404
    try:
        calls[step]()
    except AppError as error:
        context = _order_context(request, _order(found), errors=page_errors(error), failed=f"request-{pk}")
        return render(request, "repairs/order.html", context, status=400)
    messages.success(request, _("Saved."))
    return redirect("repairs:repair_order", pk=found)


# --- quotes ---

@role_required("service")
@require_http_methods(["GET", "POST"])
def quote_new(request, case_id: int):
    """Service sends the customer a quote (收费清单) for chargeable units waiting for it."""
    case = case_or_404(request, case_id)
    units = list(ReturnUnit.objects.filter(return_case=case, state=UnitState.WAITING_CUSTOMER, chargeable=True)
                 .order_by("id").values("id", "serial", "product_model__code", "charge_amount", "charge_answer"))
    units = [u for u in units if not u["charge_answer"]]
    errors = {}
    if request.method == "POST":
        unit_ids = ids_posted(request.POST) or [u["id"] for u in units]
        try:
            services.quote_send(actor=request.user, case_id=case.pk, unit_ids=unit_ids, parts=_parts_from(request.POST),
                                labour_hours=request.POST.get("labour_hours") or "0",
                                transport=request.POST.get("transport") or "0",
                                expected_return_date=request.POST.get("expected_return_date") or None)
        except AppError as error:
            errors = page_errors(error)
        else:
            messages.success(request, _("The quote was sent to the customer."))
            return redirect("returns:case_detail", pk=case.pk)
    return render(request, "repairs/quote_new.html", {
        "case": case, "units": units, "errors": errors, "posted": request.POST, "part_rows": range(PART_ROWS),
        "parts": Part.objects.filter(is_active=True).order_by("code").values_list("code", "name")},
        status=400 if errors else 200)


# --- scrap applications ---

@role_required("manager", "quality", "repair", "warehouse")
def scrap_list(request):
    applications = ScrapApplication.objects.select_related("return_case", "applied_by").order_by("-id")
    if request.GET.get("state", ScrapState.SUBMITTED) in ScrapState.values:
        applications = applications.filter(state=request.GET.get("state", ScrapState.SUBMITTED))
    applications = list(applications[:200])
    for application in applications:
        application.weights = repair_selectors.scrap_weights(application.weights_kg)
    return render(request, "repairs/scrap.html", {"applications": applications,
                                                      "may_decide": "manager" in roles_of(request.user),
                                                      "state": request.GET.get("state", ScrapState.SUBMITTED),
                                                      "states": ScrapState.choices})


@role_required("manager")
@require_POST
def scrap_decide(request, pk: int):
    try:
        services.scrap_decide(actor=request.user, application_id=pk, approve=request.POST.get("approve") == "yes",
                              comment=request.POST.get("comment", ""))
    except AppError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Saved."))
    return redirect("repairs:scrap_list")


# --- the repair daily report ---

@role_required(*REPAIR_ROLES)
def daily_report(request):
    raw = request.GET.get("date", "")
    try:
        day = parsing.date_value(raw, "date") if raw else timezone.localdate()
    except AppError as refused:
        day, error = timezone.localdate(), refused.details["date"][0]
    else:
        error = None
    report = repair_selectors.repair_daily_report(day, team=request.GET.get("team") or None)
    if request.GET.get("export") == "xlsx" and not error:
        rows = [Row({"team": team["team"], **anomaly}) for team in report["teams"] for anomaly in team["anomalies"]]
        return xlsx_response(f"repair-daily-{day.isoformat()}", [
            (_("Team"), "team"), (_("Order"), "order"), (_("Case"), "case"), (_("Serial number"), "serial"),
            (_("Model"), "model"), (_("Fault found"), "fault_found"), (_("Cause"), "cause"),
            (_("Action taken"), "action"), (_("Major anomaly"), "major"), (_("Technician"), "technician")], rows)
    return render(request, "repairs/daily.html", {
        "report": report, "day": day, "error": error, "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1), "majors": dict(MAJOR_ANOMALY_LABELS)})


# --- quotes for parts a service request sends out of warranty (on the request's page) ---

def _back_to_request(request, *, shipment_id, call):
    """Run `call()`; back to the service request's page, the refusal said there (another customer's: 404)."""
    from aftersales.core.permissions import scope_to_customer
    from aftersales.servicedesk.models import PartsShipment

    shipment = scope_to_customer(PartsShipment.objects.all(), request.user, "request__customer").filter(
        pk=shipment_id).first()
    if shipment is None:
        raise Http404
    try:
        call()
    except AppError as error:
        if error.status == 404:
            raise Http404 from None
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Saved."))
    return redirect("servicedesk:request", shipment.request_id)


@role_required("service")
@require_POST
def parts_quote_new(request, shipment_id: int):
    """Service quotes parts sent out of warranty (the parts at cost plus the markup, and the transport)."""
    return _back_to_request(request, shipment_id=shipment_id, call=lambda: services.parts_quote_send(
        actor=request.user, shipment_id=shipment_id, transport=request.POST.get("transport") or "0"))


@role_required("service", "customer")
@require_POST
def parts_quote_answer(request, pk: int):
    """The customer accepts or refuses the quote for its parts (service records an answer given on the phone)."""
    from .models import Quote

    quote = Quote.objects.filter(pk=pk, parts_shipment__isnull=False).only("parts_shipment_id").first()
    if quote is None:
        raise Http404
    return _back_to_request(request, shipment_id=quote.parts_shipment_id, call=lambda: services.parts_quote_answer(
        actor=request.user, quote_id=pk, accept=request.POST.get("accept") == "true"))
