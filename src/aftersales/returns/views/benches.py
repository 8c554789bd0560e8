"""The benches: the warehouse's cases to receive, quality's units to inspect and to check at final
inspection, repair's units to work; and the inspection page (many units at once, then their disposition)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods

from aftersales.core import policies
from aftersales.core.errors import AppError
from aftersales.core.roles import role_required
from aftersales.lib.file_kinds import INLINE_CONTENT_TYPES
from aftersales.web.exports import xlsx_response
from aftersales.web.pages import ids_posted, page_errors

from .. import selectors
from ..models import CaseState, DefectClass, Disposition, Responsibility, ReturnUnit, UnitState
from ..services.actions import apply_action
from ..workflow import ACTIONS
from .common import case_or_404

BENCH_COLUMNS = [(_("Case number"), "number"), (_("Customer"), "customer.name"), (_("State"), "get_state_display"),
                 (_("Units waiting"), "waiting"), (_("Submitted at"), "submitted_at")]


def _bench(request, title: str, link: str, cases: list, **extra):
    if request.GET.get("export") == "xlsx":
        return xlsx_response("bench", BENCH_COLUMNS, cases)
    return render(request, "returns/bench.html", {"title": title, "link": link, "cases": cases, **extra})


def _cases_with_units(request, states: list[str]):
    counts = (ReturnUnit.objects.filter(state__in=states).values("return_case_id")
              .annotate(n=Count("id")).order_by())
    by_case = {row["return_case_id"]: row["n"] for row in counts}
    cases = list(selectors.case_list(user=request.user).filter(pk__in=list(by_case)[:500]).order_by("submitted_at"))
    for case in cases:
        case.waiting = by_case[case.pk]
    return cases


@role_required("warehouse")
def receiving(request):
    """The warehouse's cases: approved (to start receiving) and receiving."""
    cases = list(selectors.case_list(user=request.user).filter(
        state__in=[CaseState.APPROVED, CaseState.RECEIVING]).order_by("submitted_at", "id")[:500])
    for case in cases:
        case.waiting = case.noted_quantity
    return _bench(request, pgettext("menu", "Receiving"), "returns:receive", cases)


@role_required("quality")
def quality_bench(request):
    return _bench(request, _("Quality bench"), "returns:inspect",
                  _cases_with_units(request, [UnitState.RECEIVED, UnitState.INSPECTED]),
                  final=_cases_with_units(request, [UnitState.FINAL_INSPECTION]))


@role_required("repair")
def repair_bench(request):
    return _bench(request, _("Repair bench"), "returns:case_detail",
                  _cases_with_units(request, [UnitState.DISPOSED, UnitState.IN_WORK]))


def _options(choices) -> str:
    return format_html_join("", '<option value="{}">{}</option>', ((value, label) for value, label in choices))


INSPECTION_FLAGS = ("no_fault_found", "human_damage", "warranty_label_broken", "self_repaired_or_modified")
ROW_FLAGS = ("no_fault_found", "human_damage")  # the flags a bench row has boxes for; the rest apply to the selection
ROW_FIELDS = ("defect_class", "responsibility", "grade")
BENCH_ROWS = 100  # units per page of the bench: a batch is inspected a hundred at a time


def _inspection_result(post) -> dict:
    result = {name: post[name] for name in ("defect_class", "responsibility", "grade", "notes") if post.get(name)}
    if post.get("repairable") in ("yes", "no"):
        result["repairable"] = post["repairable"] == "yes"
    for name in INSPECTION_FLAGS:
        result[name] = post.get(name) == "on"
    return result


def _row_result(post, pk: int) -> dict:
    """What a bench row says of its own unit (its inline fields), over the result for the selection."""
    values = {name: post[f"{name}-{pk}"] for name in ROW_FIELDS if post.get(f"{name}-{pk}")}
    if post.get(f"repairable-{pk}") in ("yes", "no"):
        values["repairable"] = post[f"repairable-{pk}"] == "yes"
    values.update({name: True for name in ROW_FLAGS if post.get(f"{name}-{pk}") == "on"})
    return values


def _bench_units(case, page):
    """A page of the units on the bench (received or inspected), each with the customer's complaint (its
    line's defect), the photos of its line or its own, and its inspection so far; four queries."""
    states = dict(UnitState.choices)
    lines = {line.pk: line for line in case.lines.all()}
    photos = [a for a in case.attachments.all() if a.content_type in INLINE_CONTENT_TYPES
              and (a.unit_id is not None or a.line_id is not None)]
    pages = Paginator(ReturnUnit.objects.filter(return_case=case, state__in=[UnitState.RECEIVED, UnitState.INSPECTED])
                      .order_by("id").values("id", "serial", "state", "line_id", "product_model__code"), BENCH_ROWS)
    shown = pages.get_page(page)
    units = list(shown)
    inspected = selectors.unit_inspections(case) if any(u["state"] == UnitState.INSPECTED for u in units) else {}
    for unit in units:
        line = lines.get(unit["line_id"])
        unit["state_label"] = states[unit["state"]]
        unit["complaint"] = line.defect_description if line else ""
        unit["photos"] = [{"url": selectors.attachment_url(a.pk), "name": a.description or a.original_name}
                          for a in photos if a.unit_id == unit["id"] or (a.unit_id is None and a.line_id == unit["line_id"])]
        unit["inspection"] = inspected.get(unit["id"], {})
    return units, shown


@role_required("quality", "service")
@require_http_methods(["GET", "POST"])
def inspect(request, pk: int):
    """The inspection bench: one row per unit with the customer's complaint and photos, inline fields for
    its result; a result given for the selected rows; then the disposition of the inspected ones. When no
    unit is left on the case's bench, back to quality's bench with a message."""
    case = case_or_404(request, pk)
    errors = {}
    if request.method == "POST":
        action = "dispose" if request.POST.get("step") == "dispose" else "inspect"
        unit_ids = ids_posted(request.POST)
        if not unit_ids:
            errors["unit_ids"] = [_("Select the units.")]
        params = {}
        if action == "inspect":
            params = {"result": _inspection_result(request.POST), "per_unit": {
                str(pk): found for pk in unit_ids if (found := _row_result(request.POST, pk))}}
        else:
            params = {"disposition": request.POST.get("disposition", ""), "per_unit": {
                str(pk): {"disposition": request.POST[f"disposition-{pk}"]} for pk in unit_ids
                if request.POST.get(f"disposition-{pk}")}}
        if not errors:
            try:
                apply_action(actor=request.user, case_id=case.pk, action=action, params=params, unit_ids=unit_ids)
            except AppError as error:
                errors = page_errors(error)
            else:
                messages.success(request, _("Done: %(action)s.") % {"action": ACTIONS[action].label})
                if not ReturnUnit.objects.filter(return_case=case, state__in=[UnitState.RECEIVED,
                                                                              UnitState.INSPECTED]).exists():
                    messages.info(request, _("Every unit of %(number)s is inspected and disposed: on to the next case.")
                                  % {"number": case.number})
                    if request.htmx:
                        return HttpResponse(status=204, headers={"HX-Redirect": reverse("returns:quality_bench")})
                    return redirect("returns:quality_bench")
                if not request.htmx:
                    return redirect("returns:inspect", pk=pk)
        case = case_or_404(request, pk)
    grades = policies.value("inspection_grades")
    case_photos = [{"url": selectors.attachment_url(a.pk), "name": a.description or a.original_name}
                   for a in case.attachments.all() if a.content_type in INLINE_CONTENT_TYPES
                   and a.unit_id is None and a.line_id is None]
    units, shown = _bench_units(case, request.POST.get("page") or request.GET.get("page"))
    context = {"case": case, "units": units, "shown": shown, "case_photos": case_photos, "errors": errors, "posted": request.POST if errors else {},
               "defect_classes": DefectClass.choices, "responsibilities": Responsibility.choices,
               "dispositions": Disposition.choices, "flags": INSPECTION_FLAGS, "grades": grades,
               # The per-row selects repeat the same options: built once, not once per row.
               "defect_options": _options(DefectClass.choices),
               "responsibility_options": _options(Responsibility.choices),
               "grade_options": _options((grade, grade) for grade in grades),
               "disposition_options": _options(Disposition.choices)}
    if request.htmx:
        return render(request, "returns/inspect.html#bench", context, status=200)
    return render(request, "returns/inspect.html", context, status=400 if errors else 200)


FINAL_ROWS = 50  # units per page of the final inspection: each shows its whole checklist


def _final_results(post, unit_id: int, checklist: list[dict]) -> dict:
    """The results typed for one unit: code -> {passed, value}; an item left at "—" is not sent (the service
    then names it as missing)."""
    results = {}
    for item in checklist:
        verdict = post.get(f"result-{unit_id}-{item['code']}", "")
        if verdict in ("pass", "fail"):
            results[item["code"]] = {"passed": verdict == "pass",
                                     "value": post.get(f"value-{unit_id}-{item['code']}", "").strip()}
    return results


@role_required("quality")
@require_http_methods(["GET", "POST"])
def final_inspection(request, pk: int):
    """Final inspection by checklist (售后客返品管理流程 5.2.7): one card per unit waiting for it, with its model's
    test items and the customer's complaint points, a result per item; the selected units pass or fail."""
    from ..services.handlers.final import checklists_for

    case = case_or_404(request, pk)
    errors = {}
    if request.method == "POST":
        action = "fail_final" if request.POST.get("step") == "fail" else "pass_final"
        unit_ids = ids_posted(request.POST)
        if not unit_ids:
            errors["unit_ids"] = [_("Select the units.")]
        else:
            units = list(selectors.final_checklist_units(case).filter(pk__in=unit_ids))
            checklists = checklists_for(units)
            params = {"notes": request.POST.get("notes", ""), "per_unit": {
                str(u.pk): {"results": _final_results(request.POST, u.pk, checklists[u.pk])} for u in units}}
            try:
                apply_action(actor=request.user, case_id=case.pk, action=action, params=params, unit_ids=unit_ids)
            except AppError as error:
                errors = page_errors(error)
            else:
                messages.success(request, _("Done: %(action)s.") % {"action": ACTIONS[action].label})
                if not ReturnUnit.objects.filter(return_case=case, state=UnitState.FINAL_INSPECTION).exists():
                    return redirect("returns:case_detail", pk=pk)
                return redirect("returns:final_inspection", pk=pk)
        case = case_or_404(request, pk)
    shown = Paginator(selectors.final_checklist_units(case), FINAL_ROWS).get_page(
        request.POST.get("page") or request.GET.get("page"))
    units = selectors.final_checklist_entries(shown)
    for unit in units:
        for item in unit["items"]:
            item["verdict"] = request.POST.get(f"result-{unit['unit']}-{item['code']}", "") if errors else ""
            item["value"] = request.POST.get(f"value-{unit['unit']}-{item['code']}", "") if errors else ""
    context = {"case": case, "units": units, "shown": shown, "errors": errors,
               "selected": set(ids_posted(request.POST)) if errors else set()}
    return render(request, "returns/final_inspection.html", context, status=400 if errors else 200)
