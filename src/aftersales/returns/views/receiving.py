"""Receiving by barcode scanner: each scan posts a serial (or a line and a quantity), the answer is the
scan's result line and the counts against the note, swapped out of band."""

from collections import Counter

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from aftersales.core import parsing
from aftersales.core.errors import AppError
from aftersales.core.roles import role_required
from aftersales.web.pages import error_details

from ..models import ReturnUnit, UnitState
from ..services.actions import apply_action
from .common import case_or_404

RESULT_STYLES = {"received": "ok", "extra": "warn", "duplicate": "warn", "wrong_case": "bad", "refused": "bad",
                 "unknown_serial": "bad", "serial_on_open_case": "bad"}


def _receiving_counts(case) -> list[dict]:
    arrived = Counter(ReturnUnit.objects.filter(return_case=case)
                      .exclude(state__in=[UnitState.EXPECTED, UnitState.MISSING]).values_list("line_id", flat=True))
    return [{"line": line.line_no, "item": line.item_name, "model": line.product_model.code if line.product_model
             else "", "noted": line.quantity, "arrived": arrived[line.pk]} for line in case.lines.all()]


@role_required("warehouse")
@require_http_methods(["GET", "POST"])
def receive(request, pk: int):
    case = case_or_404(request, pk)
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
                details = error_details(exc)
                if details:
                    error += " " + "; ".join(str(m) for messages_ in details.values() for m in messages_
                                             if isinstance(m, str))
        case = case_or_404(request, pk)
    for result in results:
        result["style"] = RESULT_STYLES.get(result["result"], "bad")
    context = {"case": case, "results": results, "error": error, "counts": _receiving_counts(case),
               "scanned_at": timezone.localtime()}
    if request.htmx and request.method == "POST":
        return render(request, "returns/receive.html#scan-result", context)
    return render(request, "returns/receive.html", context)
