"""Receiving by barcode scanner: each scan posts a serial (or a line and a quantity), the answer is the
scan's result line and the counts against the note, swapped out of band."""

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from aftersales.core import parsing
from aftersales.core.errors import AppError, NotFound
from aftersales.core.roles import role_required
from aftersales.web.pages import error_details

from ..models import PackagingCondition, ReturnLine, UnitState
from ..services.actions import apply_action
from .common import case_header_or_404

RESULT_STYLES = {"received": "ok", "extra": "warn", "duplicate": "warn", "wrong_case": "bad", "refused": "bad",
                 "unknown_serial": "bad", "serial_on_open_case": "bad"}


def _receiving_counts(case) -> list[dict]:
    """Each line of the note with what has arrived of it, counted by the database in the one read."""
    arrived = Count("units", filter=~Q(units__state__in=[UnitState.EXPECTED, UnitState.MISSING]))
    rows = (ReturnLine.objects.filter(return_case=case).order_by("line_no")
            .values_list("line_no", "item_name", "product_model__code", "quantity").annotate(arrived=arrived))
    return [{"line": line_no, "item": item, "model": model or "", "noted": noted, "arrived": n}
            for line_no, item, model, noted, n in rows]


CHECK_BOXES = ("outer_damage", "wiring_cut", "non_genuine_parts")
CHECK_ANSWERS = ("contents_match", "accessories_complete")  # "yes", "no" or not checked


def _check_from(post) -> dict | None:
    """The receiving checklist ticked on the page, or None when nothing of it was filled in."""
    check = {name: True for name in CHECK_BOXES if post.get(name) in ("on", "true", "1")}
    for name in CHECK_ANSWERS:
        if post.get(name) in ("yes", "no"):
            check[name] = post.get(name) == "yes"
    for name in ("packaging", "parcel", "notes"):
        if post.get(f"check_{name}", "").strip():
            check[name] = post.get(f"check_{name}").strip()
    return check or None


@role_required("warehouse")
@require_http_methods(["GET", "POST"])
def receive(request, pk: int):
    # A scan is applied on the case read (locked, under the same rule) by the action: no read before it.
    case = case_header_or_404(request, pk) if request.method != "POST" else None
    results, error, recorded = [], None, {}
    if request.method == "POST":
        serial = request.POST.get("serial", "").strip()
        line, quantity = request.POST.get("line", "").strip(), request.POST.get("quantity", "").strip()
        check = _check_from(request.POST)
        accessory = request.POST.get("accessory", "").strip()
        params = {}
        if accessory:
            params["accessories"] = [{"name": accessory, "quantity": request.POST.get("accessory_quantity") or 1,
                                      "parcel": request.POST.get("check_parcel", "")}]
        if serial:
            params["items"] = [{"serial": serial, **({"check": check} if check else {})}]
        elif parsing.id_or_none(line) and parsing.id_or_none(quantity):
            params["items"] = [{"line": int(line), "quantity": int(quantity), **({"check": check} if check else {})}]
        elif check or accessory:  # the parcel's checklist, or accessories that came loose
            params["parcel_check"] = check
        else:
            error = _("Scan a serial number, or give a line and a quantity.")
            case = case_header_or_404(request, pk)
        if params:
            try:
                done = apply_action(actor=request.user, case_id=pk, action="receive", params=params)
                results = done.action_result.get("results", [])
                recorded = {key: done.action_result[key] for key in ("checks", "accessories")
                            if done.action_result.get(key)}
                case = done  # the case as the scan left it: no second read
            except NotFound:
                raise Http404 from None
            except AppError as exc:
                error = str(exc.message)
                details = error_details(exc)
                if details:
                    error += " " + "; ".join(str(m) for messages_ in details.values() for m in messages_
                                             if isinstance(m, str))
                case = case_header_or_404(request, pk)
    for result in results:
        result["style"] = RESULT_STYLES.get(result["result"], "bad")
    context = {"case": case, "results": results, "error": error, "recorded": recorded,
               "packaging_choices": PackagingCondition.choices, "counts": _receiving_counts(case),
               "scanned_at": timezone.localtime()}
    if request.htmx and request.method == "POST":
        return render(request, "returns/receive.html#scan-result", context)
    return render(request, "returns/receive.html", context)
