"""Printable forms of a return case (退货单, 售后入库单, 客退品检验报告表, 返品处理通知单) as A4 pages,
or as PDF with `?format=pdf` (WeasyPrint, Noto Sans CJK embedded); and a sheet of QR labels for the
units in the company's warehouses.

Whoever may see a case may print its forms (customers their own cases only); labels are for staff.
A case can hold thousands of units: each form reads them in a fixed number of queries, as plain rows.
"""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from aftersales.masterdata.models import ProductModel
from aftersales.returns import selectors
from aftersales.returns.models import (DefectClass, Disposition, Inspection, Outcome, Reason, ReceivingDiscrepancy,
                                       Responsibility, ReturnCase, ReturnUnit, UnitState, WarrantyStatus)

from .context import user_roles

NOT_ARRIVED = (UnitState.EXPECTED, UnitState.MISSING)
# A4 label sheets of 3 × 8 labels, 70 × 37 mm (the common 24-up sheet); one sheet per printed page.
LABELS_PER_SHEET = 24
# A print run of a large case goes page by page: five sheets (120 labels) per page keep the page fast.
SHEETS_PER_PAGE = 5
# A fixed mask pattern: choosing the best of eight for each code costs ~2 ms a code; any mask scans.
QR_MASK = 4
QR_ERROR_LEVEL = "m"  # labels get scuffed in the warehouse: medium error correction


def _labels(choices) -> dict[str, str]:
    """A choices class as {value: label}, translated once per request (not once per row)."""
    return {value: str(label) for value, label in choices}


def _identity(serial: str, unit_id: int) -> str:
    """What a unit is called on paper: its serial, or its record id for a unit received by quantity."""
    return serial or f"#{unit_id}"


def _moment(value) -> str:
    # Formatted here rather than with |date in the template: a thousand rows render noticeably faster.
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _case_or_404(request, pk: int) -> ReturnCase:
    case = selectors.case_get(user=request.user, pk=pk)
    if case is None:
        raise Http404
    return case


# --- the data of each form (a fixed number of queries whatever the number of units) ---

UNIT_COLUMNS = ("id", "line_id", "line__line_no", "product_model_id", "product_model__code", "serial", "state",
                "is_extra", "warehouse__code", "warehouse__name", "received_at", "warranty_status", "warranty_until",
                "chargeable", "disposition", "charge_amount", "charge_answer", "exit")


def _unit_rows(case: ReturnCase, *, arrived_only: bool = False) -> list[dict]:
    units = ReturnUnit.objects.filter(return_case=case)
    if arrived_only:
        units = units.exclude(state__in=NOT_ARRIVED)
    rows = list(units.order_by("id").values(*UNIT_COLUMNS))
    for row in rows:
        row.update(identity=_identity(row["serial"], row["id"]), received=_moment(row["received_at"]),
                   warranty_until=row["warranty_until"].isoformat() if row["warranty_until"] else "")
    return rows


def return_note_data(case: ReturnCase) -> dict:
    """退货单: the note's lines as the customer gave them."""
    outcomes, reasons = _labels(Outcome.choices), _labels(Reason.choices)
    lines = [{
        "line": line.line_no, "part_no": line.product_model.code if line.product_model else "",
        "name": line.item_name, "quantity": line.quantity, "lot": line.production_lot,
        "reason": reasons.get(line.reason, line.reason), "defect": line.defect_description,
        "outcome": outcomes.get(line.requested_outcome, line.requested_outcome), "serials": " ".join(line.serials),
    } for line in case.lines.all()]
    return {"lines": lines, "total_quantity": sum(line["quantity"] for line in lines),
            "approvals": list(case.approvals.all())}


def receipt_data(case: ReturnCase) -> dict:
    """售后入库单: what arrived per line against the note, the units received and the differences."""
    units = _unit_rows(case)
    arrived, extra = Counter(), Counter()
    received = []
    for unit in units:
        if unit["state"] not in NOT_ARRIVED:
            arrived[unit["line_id"]] += 1
            extra[unit["line_id"]] += unit["is_extra"]
            received.append(unit)
    lines = list(case.lines.all())
    per_line = [{
        "line": line.line_no, "part_no": line.product_model.code if line.product_model else "",
        "name": line.item_name, "noted": line.quantity, "arrived": arrived[line.pk], "extra": extra[line.pk],
        # Not (yet) arrived: what the note lists that no unit has matched, whether by serial or by quantity.
        "short": max(line.quantity - (arrived[line.pk] - extra[line.pk]), 0),
    } for line in lines]
    discrepancies = list(case.discrepancies.all())
    model_codes = {line.product_model_id: line.product_model.code for line in lines if line.product_model}
    model_codes.update((unit["product_model_id"], unit["product_model__code"]) for unit in units)
    unknown = {d.product_model_id for d in discrepancies if d.product_model_id not in model_codes} - {None}
    if unknown:
        model_codes.update(ProductModel.objects.filter(pk__in=unknown).values_list("id", "code"))
    kinds = _labels(ReceivingDiscrepancy.Kind.choices)
    differences = [{"kind": kinds.get(d.kind, d.kind), "line": d.line.line_no if d.line else "",
                    "part_no": model_codes.get(d.product_model_id, ""), "serial": d.serial, "quantity": d.quantity,
                    "note": d.note} for d in discrepancies]
    received_at = [unit["received_at"] for unit in received if unit["received_at"]]
    return {"per_line": per_line, "received": received, "differences": differences,
            "totals": {"noted": sum(r["noted"] for r in per_line), "arrived": len(received),
                       "extra": sum(r["extra"] for r in per_line), "short": sum(r["short"] for r in per_line)},
            "first_received": min(received_at, default=None), "last_received": max(received_at, default=None)}


def inspection_report_data(case: ReturnCase) -> dict:
    """客退品检验报告表: the quality counts of the intake inspections, then one row per unit."""
    report = selectors.inspection_report(case)
    # The flags the report's rows leave out, from each unit's latest intake inspection (one query).
    flags = {unit_id: rest for unit_id, *rest in Inspection.objects.filter(unit__return_case=case, stage="intake")
             .order_by("unit_id", "id").values_list("unit_id", "human_damage", "warranty_label_broken",
                                                     "self_repaired_or_modified")}
    defect_classes, responsibilities = _labels(DefectClass.choices), _labels(Responsibility.choices)
    yes, no = _("Yes"), _("No")
    texts = (_("No fault found"), _("Human damage"), _("Warranty label broken"), _("Self-repaired or modified"))
    rows = []
    for row in report["units"]:
        found = (row["no_fault_found"], *flags.get(row["unit"], (False, False, False)))
        findings = [text for flag, text in zip(found, texts) if flag]
        rows.append({**row, "identity": _identity(row["serial"], row["unit"]), "at": _moment(row["at"])[:10],
                     "defect_class": defect_classes.get(row["defect_class"], row["defect_class"]),
                     "responsibility": responsibilities.get(row["responsibility"], row["responsibility"]),
                     "repairable": "" if row["repairable"] is None else (yes if row["repairable"] else no),
                     "findings": "; ".join(findings)})
    arrived = ReturnUnit.objects.filter(return_case=case).exclude(state__in=NOT_ARRIVED).count()
    return {
        "report": report, "rows": rows, "arrived": arrived,
        "by_defect_class": [(defect_classes.get(k, k) or _("Not given"), n) for k, n in
                            sorted(report["by_defect_class"].items())],
        "by_responsibility": [(responsibilities.get(k, k) or _("Not given"), n) for k, n in
                              sorted(report["by_responsibility"].items())],
        "by_grade": [(k or _("Not given"), n) for k, n in sorted(report["by_grade"].items())],
    }


def disposition_notice_data(case: ReturnCase) -> dict:
    """返品处理通知单: what becomes of each unit that arrived, its warranty and what it costs."""
    units = _unit_rows(case, arrived_only=True)
    dispositions, warranty, states = (_labels(Disposition.choices), _labels(WarrantyStatus.choices),
                                      _labels(UnitState.choices))
    yes, no, accepted, refused = _("Yes"), _("No"), _("Accepted"), _("Refused")
    for unit in units:
        answer = unit["charge_answer"] or {}
        unit.update(disposition_label=dispositions.get(unit["disposition"], ""),
                    warranty_label=warranty.get(unit["warranty_status"], unit["warranty_status"]),
                    state_label=states.get(unit["state"], unit["state"]),
                    chargeable_label=yes if unit["chargeable"] else no,
                    answer_label=(accepted if answer.get("accepted") else refused) if "accepted" in answer else "")
    charges = [unit["charge_amount"] for unit in units if unit["charge_amount"] is not None]
    return {"units": units, "total_charge": sum(charges, Decimal("0")) if charges else None,
            "undecided": sum(1 for unit in units if not unit["disposition"]),
            "by_disposition": sorted(Counter(u["disposition_label"] for u in units if u["disposition"]).items())}


@dataclass(frozen=True)
class PrintForm:
    template: str
    title_zh: str  # the form's Chinese name, printed as is whatever the page's language (DOMAIN.md "Forms")
    title_en: str  # its English name, printed beneath
    data: Callable[[ReturnCase], dict]


FORMS = {
    "return-note": PrintForm("web/print/return_note.html", "退货单", "Return Note", return_note_data),
    "receipt": PrintForm("web/print/receipt.html", "售后入库单", "After-sales Receipt", receipt_data),
    "inspection-report": PrintForm("web/print/inspection_report.html", "客退品检验报告表",
                                   "Inspection Report of Customer Returns", inspection_report_data),
    "disposition-notice": PrintForm("web/print/disposition_notice.html", "返品处理通知单",
                                    "Disposition Notice of Returned Goods", disposition_notice_data),
}


# --- PDF ---

def _pdf_response(html: str, filename: str) -> HttpResponse:
    # Imported here: WeasyPrint takes a while to import and only PDF requests need it.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Everything a form needs is inline; never let a page make the server fetch URLs or files.
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


def _render(request, template: str, context: dict, filename: str) -> HttpResponse:
    if request.GET.get("format") == "pdf":
        return _pdf_response(render_to_string(template, {**context, "pdf": True}, request), filename)
    return render(request, template, context)


# --- views ---

@login_required
def print_form(request, pk: int, form: str):
    spec = FORMS.get(form)
    if spec is None:
        raise Http404
    case = _case_or_404(request, pk)
    context = {
        "case": case, "form": form, "title_zh": spec.title_zh, "title_en": spec.title_en,
        "company_name": settings.COMPANY_NAME, "printed_at": timezone.localtime(), **spec.data(case),
    }
    return _render(request, spec.template, context, f"{case.number}-{form}")


def _qr_svg(content: str) -> str:
    qr = segno.make(content, error=QR_ERROR_LEVEL, micro=False, mask=QR_MASK)
    # No width/height: the label's CSS sizes the code through the viewBox.
    # segno's own markup: the content is encoded in the path, never written into the SVG as text.
    return mark_safe(qr.svg_inline(border=2, omitsize=True, svgclass="qr", lineclass=None))


@login_required
def labels(request, pk: int):
    """QR labels for the units in the company's warehouses: case number | serial | model code."""
    case = _case_or_404(request, pk)
    if "customer" in user_roles(request.user):
        raise Http404
    units = (ReturnUnit.objects.filter(return_case=case, warehouse__isnull=False).order_by("id")
             .values_list("id", "serial", "product_model__code", "warehouse__code"))
    per_page = LABELS_PER_SHEET * SHEETS_PER_PAGE
    page = Paginator(units, per_page).get_page(request.GET.get("page"))
    items = []
    for unit_id, serial, model_code, warehouse_code in page:
        identity = _identity(serial, unit_id)
        items.append({"serial": identity, "model": model_code, "warehouse": warehouse_code,
                      "qr": _qr_svg(f"{case.number}|{identity}|{model_code}")})
    sheets = [items[start:start + LABELS_PER_SHEET] for start in range(0, len(items), LABELS_PER_SHEET)]
    context = {"case": case, "sheets": sheets, "count": page.paginator.count, "page": page,
               "company_name": settings.COMPANY_NAME}
    return _render(request, "web/labels.html", context, f"{case.number}-labels")
