"""The benches: the warehouse's cases to receive, quality's units to inspect and to check at final
inspection, repair's units to work; and the inspection page (many units at once, then their disposition)."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from aftersales.core.errors import AppError
from aftersales.core.roles import role_required
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
    return _bench(request, _("Receiving"), "returns:receive", cases)


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


def _inspection_result(post) -> dict:
    result = {name: post[name] for name in ("defect_class", "responsibility", "grade", "notes") if post.get(name)}
    if post.get("repairable") in ("yes", "no"):
        result["repairable"] = post["repairable"] == "yes"
    for name in INSPECTION_FLAGS:
        result[name] = post.get(name) == "on"
    return result


@role_required("quality", "service")
@require_http_methods(["GET", "POST"])
def inspect(request, pk: int):
    """Inspect many units at once: select them, give the result, override one unit's defect class;
    then decide the disposition of the inspected ones."""
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
                errors = page_errors(error)
            else:
                messages.success(request, _("Done: %(action)s.") % {"action": ACTIONS[action].label})
                if not request.htmx:
                    return redirect("returns:inspect", pk=pk)
        case = case_or_404(request, pk)
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
        return render(request, "returns/inspect.html#bench", context, status=200)
    return render(request, "returns/inspect.html", context, status=400 if errors else 200)
