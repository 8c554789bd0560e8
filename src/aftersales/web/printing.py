"""Printable forms of a return case (退货单, 售后入库单, 客退品检验报告表, 返品处理通知单) and of its
repair work (重工单, 售后物料申请单, 收费清单, 报废申请单) as A4 pages, or as PDF with `?format=pdf`
(WeasyPrint, Noto Sans CJK embedded); and a sheet of QR labels for the units in the company's warehouses.

Whoever may see a case may print its forms (customers their own cases only), except the internal ones
of the repair work (staff only; a customer prints the quote of its case); labels are for staff.
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

from aftersales.masterdata.models import Part, ProductModel, ScrapClass
from aftersales.repairs.selectors import with_due_provisional
from aftersales.repairs.models import (Delay, DelayReason, FirstArticleCheck, MaterialRequest, MaterialRequestLine,
                                       OrderKind, OrderState, OrderUnit, PartUse, Quote, QuoteState, RepairOrder,
                                       RepairRecord, RequestState, ScrapApplication, ScrapState)
from aftersales.returns import selectors
from aftersales.returns.models import (DefectClass, Disposition, Inspection, Outcome, Reason, ReceivingDiscrepancy,
                                       Responsibility, ReturnCase, ReturnUnit, UnitState, WarrantyStatus)

from aftersales.core.roles import roles_of
from .views import _case_or_404

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


def _provisional_mark(due_at) -> str:
    # On paper there is no hover title: the mark says why in full.
    return _("provisional: the official holiday schedule of %(year)s is not confirmed") % {
        "year": timezone.localtime(due_at).year}


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


# --- the repair work of a case (重工单, 售后物料申请单, 收费清单, 报废申请单) ---

def _who(relation: str) -> tuple[str, str, str]:
    """The columns naming a user in .values(): username, first and last name."""
    return f"{relation}__username", f"{relation}__first_name", f"{relation}__last_name"


def _person(row: dict, relation: str) -> str:
    """A user as on paper: the full name, else the username ("" for nobody)."""
    full = f"{row.get(f'{relation}__first_name') or ''} {row.get(f'{relation}__last_name') or ''}".strip()
    return full or row.get(f"{relation}__username") or ""


def _day(value) -> str:
    return value.isoformat() if value else ""


def rework_orders_data(case: ReturnCase) -> dict:
    """重工单: each rework order of the case with its units, first-article checks, repair records, parts and hours."""
    kinds, order_states, unit_states, delay_reasons = (_labels(OrderKind.choices), _labels(OrderState.choices),
                                                       _labels(UnitState.choices), _labels(DelayReason.choices))
    yes, no, passed, failed = _("Yes"), _("No"), _("Passed"), _("Failed")
    orders = list(with_due_provisional(RepairOrder.objects.filter(return_case=case)).order_by("id").values(
        "id", "number", "kind", "state", "method", "findings", "team", "is_batch", "first_article_unit_id",
        "first_article_unit__serial", "due_at", "due_provisional", "delay_working_days", "created_at", "closed_at", *_who("created_by"),
        "plan__expected_finish", "plan__note", *_who("plan__answered_by")))
    by_id = {}
    for order in orders:
        first = order["first_article_unit_id"]
        order.update(kind_label=kinds.get(order["kind"], order["kind"]),
                     state_label=order_states.get(order["state"], order["state"]),
                     batch_label=yes if order["is_batch"] else no,
                     first_article=_identity(order["first_article_unit__serial"], first) if first else "",
                     due=_moment(order["due_at"]), created=_moment(order["created_at"]),
                     due_mark=_provisional_mark(order["due_at"]) if order["due_provisional"] else "",
                     closed=_moment(order["closed_at"]),
                     planned_by=_person(order, "created_by"), expected_finish=_moment(order["plan__expected_finish"]),
                     plan_by=_person(order, "plan__answered_by"),
                     units=[], checks=[], records=[], issued=[], delays=[], hours=Decimal("0"))
        by_id[order["id"]] = order
    units = {}  # (order, unit) -> row
    for order_id, unit_id, serial, model, state in (
            OrderUnit.objects.filter(order__return_case=case).order_by("order_id", "unit_id")
            .values_list("order_id", "unit_id", "unit__serial", "unit__product_model__code", "unit__state")):
        row = {"identity": _identity(serial, unit_id), "model": model, "state": unit_states.get(state, state),
               "records": 0, "hours": Decimal("0"), "parts": [],
               "first_article": unit_id == by_id[order_id]["first_article_unit_id"]}
        units[order_id, unit_id] = row
        by_id[order_id]["units"].append(row)
    for check in (FirstArticleCheck.objects.filter(order__return_case=case).order_by("id")
                  .values("order_id", "unit_id", "unit__serial", "passed", "notes", "checked_at", *_who("checked_by"))):
        by_id[check["order_id"]]["checks"].append({
            "identity": _identity(check["unit__serial"], check["unit_id"]),
            "result": passed if check["passed"] else failed,
            "passed": check["passed"], "notes": check["notes"], "by": _person(check, "checked_by"),
            "at": _moment(check["checked_at"])})
    for record in (RepairRecord.objects.filter(order__return_case=case).order_by("id").values(
            "order_id", "unit_id", "unit__serial", "fault_found", "cause", "action", "labour_hours", "hardware_before",
            "hardware_after", "software_before", "software_after", "is_anomaly", "major_anomaly", "recorded_at",
            *_who("technician"))):
        order = by_id[record["order_id"]]
        record.update(identity=_identity(record["unit__serial"], record["unit_id"]), by=_person(record, "technician"),
                      at=_moment(record["recorded_at"]),
                      anomaly=(record["major_anomaly"] or yes) if record["is_anomaly"] else "")
        order["records"].append(record)
        order["hours"] += record["labour_hours"]
        unit = units.get((record["order_id"], record["unit_id"]))
        if unit is not None:
            unit["records"] += 1
            unit["hours"] += record["labour_hours"]
    for use in (PartUse.objects.filter(order__return_case=case).order_by("id")
                .values("order_id", "unit_id", "part__code", "part__name", "quantity")):
        part = {"code": use["part__code"], "name": use["part__name"], "quantity": use["quantity"]}
        if use["unit_id"] is None:  # material issued to the order (a material request), not yet on a unit
            by_id[use["order_id"]]["issued"].append(part)
        elif (use["order_id"], use["unit_id"]) in units:
            units[use["order_id"], use["unit_id"]]["parts"].append(part)
    for delay in (Delay.objects.filter(order__return_case=case).order_by("id")
                  .values("order_id", "reason", "explanation", "working_days", "due_after", *_who("approved_by"))):
        by_id[delay["order_id"]]["delays"].append({
            "reason": delay_reasons.get(delay["reason"], delay["reason"]), "explanation": delay["explanation"],
            "working_days": delay["working_days"], "due_after": _moment(delay["due_after"]),
            "approved_by": _person(delay, "approved_by")})
    return {"orders": orders, "unit_count": len(units), "total_hours": sum((o["hours"] for o in orders), Decimal("0"))}


def material_requests_data(case: ReturnCase) -> dict:
    """售后物料申请单: the material requests of the case's orders, line by line, and who asked and decided."""
    states = _labels(RequestState.choices)
    requests = list(MaterialRequest.objects.filter(order__return_case=case).order_by("id").values(
        "id", "number", "state", "order__number", "requested_at", "decided_at", "received_at", "issued_at", "comment",
        *_who("requested_by"), *_who("decided_by")))
    by_id = {}
    for request in requests:
        request.update(state_label=states.get(request["state"], request["state"]),
                       requested_by=_person(request, "requested_by"), decided_by=_person(request, "decided_by"),
                       requested=_moment(request["requested_at"]), decided=_moment(request["decided_at"]),
                       received=_moment(request["received_at"]), issued=_moment(request["issued_at"]),
                       lines=[], totals={"quantity": 0, "received": 0, "issued": 0})
        by_id[request["id"]] = request
    for line in (MaterialRequestLine.objects.filter(request__order__return_case=case).order_by("id")
                 .values("request_id", "part__code", "part__name", "quantity", "received", "issued")):
        request = by_id[line["request_id"]]
        request["lines"].append(line)
        for key in ("quantity", "received", "issued"):
            request["totals"][key] += line[key]
    return {"requests": requests}


def quote_data(case: ReturnCase) -> dict:
    """收费清单: the case's quotes by revision: parts at their price (never their cost), labour hours × rate,
    transport, the total per unit and for its units, and the customer's answer. Those in force are sent or
    accepted; superseded ones stay on the list, marked with the revision that replaced them."""
    states = _labels(QuoteState.choices)
    accepted, refused, waiting, not_answered = (_("Accepted"), _("Refused"), _("Waiting for the customer's answer"),
                                                _("Not answered"))
    quotes = list(Quote.objects.filter(return_case=case).order_by("revision", "id").values(
        "id", "revision", "state", "unit_ids", "lines", "parts_total", "labour_total", "transport", "total_per_unit",
        "expected_return_date", "reason", "created_at", "answered_at", *_who("created_by")))
    wanted = {unit_id for quote in quotes for unit_id in quote["unit_ids"]}
    units = {unit_id: (serial, model, answer) for unit_id, serial, model, answer in (
        ReturnUnit.objects.filter(return_case=case, pk__in=wanted).order_by("id")
        .values_list("id", "serial", "product_model__code", "charge_answer"))} if wanted else {}
    revisions = {quote["revision"]: quote for quote in quotes}
    in_force = [quote for quote in quotes if quote["state"] in (QuoteState.SENT, QuoteState.ACCEPTED)]
    for quote in quotes:
        parts, labour, transport = [], [], []
        for line in quote["lines"]:
            if line.get("kind") == "part":
                parts.append({"part": line.get("part", ""), "name": line.get("name", ""),
                              "quantity": line.get("quantity", ""), "unit_price": line.get("unit_price", ""),
                              "amount": line.get("amount", "")})
            elif line.get("kind") == "labour":
                labour.append({"hours": line.get("hours", ""), "rate": line.get("rate", ""),
                               "amount": line.get("amount", "")})
            elif line.get("kind") == "transport":
                transport.append({"amount": line.get("amount", "")})
        in_effect = quote["state"] in (QuoteState.SENT, QuoteState.ACCEPTED)
        quote_units = []
        for unit_id in quote["unit_ids"]:
            serial, model, answer = units.get(unit_id, ("", "", {}))
            answer = answer or {}
            row = {"identity": _identity(serial, unit_id), "model": model, "answer": "", "answered": ""}
            if in_effect and "accepted" in answer:  # a unit's answer is to the quote in force
                row.update(answer=accepted if answer.get("accepted") else refused,
                           answered=f"{answer.get('by', '')} {str(answer.get('at', ''))[:10]}".strip())
            quote_units.append(row)
        if quote["state"] == QuoteState.SUPERSEDED:
            # Only a quote in force is revised: one answered before its revision had been accepted.
            answer = accepted if quote["answered_at"] else not_answered
            replaced_by = revisions.get(quote["revision"] + 1)
        else:
            answer = {QuoteState.ACCEPTED: accepted, QuoteState.REFUSED: refused}.get(quote["state"], waiting)
            replaced_by = None
        quote.update(state_label=states.get(quote["state"], quote["state"]), parts=parts, labour=labour,
                     transport_lines=transport, units=quote_units, unit_count=len(quote["unit_ids"]),
                     total=quote["total_per_unit"] * len(quote["unit_ids"]), in_force=in_effect,
                     superseded=quote["state"] == QuoteState.SUPERSEDED,
                     replaced_by=replaced_by["revision"] if replaced_by else None,
                     answer=answer, answered=_moment(quote["answered_at"]), quoted_by=_person(quote, "created_by"),
                     quoted=_moment(quote["created_at"]), expected=_day(quote["expected_return_date"]))
    return {"quotes": quotes, "in_force": in_force,
            "total_in_force": sum((quote["total"] for quote in in_force), Decimal("0")) if in_force else None}


SCRAP_CLASSES = (ScrapClass.METAL, ScrapClass.PLASTIC, ScrapClass.PACKAGING, ScrapClass.WIRE, ScrapClass.OTHER)


def scrap_applications_data(case: ReturnCase) -> dict:
    """报废申请单: the case's scrap applications: units, parts, kilograms per scrap class, reason and decision."""
    states, classes = _labels(ScrapState.choices), _labels(ScrapClass.choices)
    applications = list(ScrapApplication.objects.filter(return_case=case).order_by("id").values(
        "id", "number", "state", "unit_ids", "parts", "weights_kg", "reason", "applied_at", "decided_at",
        *_who("applied_by"), *_who("decided_by")))
    unit_ids = {unit_id for application in applications for unit_id in application["unit_ids"]}
    units = {unit_id: (serial, model) for unit_id, serial, model in (
        ReturnUnit.objects.filter(return_case=case, pk__in=unit_ids)
        .values_list("id", "serial", "product_model__code"))} if unit_ids else {}
    codes = {line.get("part") for application in applications for line in application["parts"]
             if isinstance(line, dict)} - {None}
    names = dict(Part.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    totals = dict.fromkeys(SCRAP_CLASSES, Decimal("0"))
    for application in applications:
        weights = application["weights_kg"] or {}
        row_weights = []
        for scrap_class in SCRAP_CLASSES:
            value = weights.get(scrap_class)
            row_weights.append(value or "")
            if value:
                totals[scrap_class] += Decimal(str(value))
        application.update(
            state_label=states.get(application["state"], application["state"]), weights=row_weights,
            units=[{"identity": _identity(units.get(unit_id, ("", ""))[0], unit_id),
                    "model": units.get(unit_id, ("", ""))[1]} for unit_id in application["unit_ids"]],
            part_rows=[{"part": line.get("part", ""), "name": names.get(line.get("part"), ""),
                        "quantity": line.get("quantity", "")}
                       for line in application["parts"] if isinstance(line, dict)],
            applied_by=_person(application, "applied_by"), decided_by=_person(application, "decided_by"),
            applied=_moment(application["applied_at"]), decided=_moment(application["decided_at"]))
    return {"applications": applications, "classes": [classes[c] for c in SCRAP_CLASSES],
            "weight_totals": [totals[c] if totals[c] else "" for c in SCRAP_CLASSES],
            "unit_count": sum(len(application["unit_ids"]) for application in applications)}


@dataclass(frozen=True)
class PrintForm:
    template: str
    title_zh: str  # the form's Chinese name, printed as is whatever the page's language (DOMAIN.md "Forms")
    title_en: str  # its English name, printed beneath
    data: Callable[[ReturnCase], dict]
    staff_only: bool = False  # internal paper: not for the customer's portal (404 as for any case not its own)


FORMS = {
    "return-note": PrintForm("web/print/return_note.html", "退货单", "Return Note", return_note_data),
    "receipt": PrintForm("web/print/receipt.html", "售后入库单", "After-sales Receipt", receipt_data),
    "inspection-report": PrintForm("web/print/inspection_report.html", "客退品检验报告表",
                                   "Inspection Report of Customer Returns", inspection_report_data),
    "disposition-notice": PrintForm("web/print/disposition_notice.html", "返品处理通知单",
                                    "Disposition Notice of Returned Goods", disposition_notice_data),
    "rework-orders": PrintForm("web/print/rework_orders.html", "重工单", "Rework Order", rework_orders_data,
                               staff_only=True),
    "material-requests": PrintForm("web/print/material_requests.html", "售后物料申请单",
                                   "After-sales Material Request", material_requests_data, staff_only=True),
    "quote": PrintForm("web/print/quote.html", "收费清单", "Quotation of Charges", quote_data),
    "scrap-applications": PrintForm("web/print/scrap_applications.html", "报废申请单", "Scrap Application",
                                    scrap_applications_data, staff_only=True),
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
    if spec.staff_only and "customer" in roles_of(request.user):
        raise Http404
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
    if "customer" in roles_of(request.user):
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
