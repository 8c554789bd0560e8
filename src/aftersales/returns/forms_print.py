"""The data of the return case's printed forms (退货单, 售后入库单, 客退品检验报告表, 返品处理通知单) and of its
sheet of QR labels; the shell prints them (`web/printing.py`), the case's pages serve them (`views/printing.py`).

A case can hold thousands of units: each form reads them in a fixed number of queries, as plain rows of the
columns it prints, and gives each row's cells as printed (its template draws them with {% rows %}).
"""

from collections import Counter
from decimal import Decimal

from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core.registry import PrintForm
from aftersales.masterdata.models import ProductModel
from aftersales.web.printing import choice_labels, day, moment, moments, qr_svg

from .models import (CaseState, DefectClass, Department, Disposition, Inspection, Outcome, PackagingCondition, Reason, ReceivingDiscrepancy, Responsibility,
                     ReturnCase, ReturnUnit, UnitState, WarrantyStatus)
from .selectors import inspection_counts, latest_intake_inspections

NOT_ARRIVED = (UnitState.EXPECTED, UnitState.MISSING)
# A4 label sheets of 3 × 8 labels, 70 × 37 mm (the common 24-up sheet); one sheet per printed page.
LABELS_PER_SHEET = 24
# A print run of a large case goes page by page: two sheets (48 labels) per page keep the page under
# 150 ms (a QR code costs about 1.3 ms to make and draw, most of it in segno making it; docs/benchmarks.md).
SHEETS_PER_PAGE = 2


def unit_identity(serial: str, unit_id: int) -> str:
    """What a unit is called on paper: its serial, or its record id for a unit received by quantity."""
    return serial or f"#{unit_id}"


# --- the data of each form (a fixed number of queries whatever the number of units) ---

def _unit_rows(case: ReturnCase, columns: tuple[str, ...], *, arrived_only: bool = False) -> list[dict]:
    """The case's units in record order as rows of just these columns (a large case has thousands)."""
    units = ReturnUnit.objects.filter(return_case=case)
    if arrived_only:
        units = units.exclude(state__in=NOT_ARRIVED)
    return list(units.order_by("id").values(*columns))


def return_note_data(case: ReturnCase) -> dict:
    """退货单: the note's lines as the customer gave them."""
    outcomes, reasons = choice_labels(Outcome.choices), choice_labels(Reason.choices)
    lines = [{
        "line": line.line_no, "part_no": line.product_model.code if line.product_model else "",
        "name": line.item_name, "quantity": line.quantity, "lot": line.production_lot,
        "reason": reasons.get(line.reason, line.reason), "defect": line.defect_description,
        "outcome": outcomes.get(line.requested_outcome, line.requested_outcome), "serials": " ".join(line.serials),
    } for line in case.lines.all()]
    return {"lines": lines, "total_quantity": sum(line["quantity"] for line in lines),
            "approvals": list(case.approvals.all())}


RECEIPT_COLUMNS = ("id", "line_id", "line__line_no", "product_model_id", "product_model__code", "serial", "state",
                   "is_extra", "warehouse__code", "warehouse__name", "received_at")


def receipt_data(case: ReturnCase) -> dict:
    """售后入库单: what arrived per line against the note, the units received and the differences."""
    units = _unit_rows(case, RECEIPT_COLUMNS)
    arrived, extra = Counter(), Counter()
    received = []
    moment_text = moments()
    for unit in units:
        unit["identity"] = unit_identity(unit["serial"], unit["id"])
        if unit["state"] not in NOT_ARRIVED:
            arrived[unit["line_id"]] += 1
            extra[unit["line_id"]] += unit["is_extra"]
            # The cells of the units' table as printed.
            unit.update(received=moment_text(unit["received_at"]), extra_mark="✓" if unit["is_extra"] else "",
                        warehouse=f"{unit['warehouse__code'] or ''} {unit['warehouse__name'] or ''}")
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
    kinds = choice_labels(ReceivingDiscrepancy.Kind.choices)
    differences = [{"kind": kinds.get(d.kind, d.kind), "line": d.line.line_no if d.line else "",
                    "part_no": model_codes.get(d.product_model_id, ""), "serial": d.serial, "quantity": d.quantity,
                    "note": d.note} for d in discrepancies]
    received_at = [unit["received_at"] for unit in received if unit["received_at"]]
    identities = {unit["id"]: unit["identity"] for unit in units}
    line_nos = {line.pk: line.line_no for line in lines}
    return {"per_line": per_line, "received": received, "differences": differences,
            "checks": _receiving_checks(case, identities), "loose_accessories": [
                {**row, "line": line_nos.get(row["line_id"], "")} for row in case.loose_accessories.order_by("id")
                .values("name", "quantity", "parcel", "line_id")],
            "totals": {"noted": sum(r["noted"] for r in per_line), "arrived": len(received),
                       "extra": sum(r["extra"] for r in per_line), "short": sum(r["short"] for r in per_line)},
            "first_received": min(received_at, default=None), "last_received": max(received_at, default=None)}


def _receiving_checks(case: ReturnCase, identities: dict[int, str]) -> list[dict]:
    """The receiving checklist as recorded, per unit or parcel, each finding in words."""
    packaging = choice_labels(PackagingCondition.choices)
    yes, no = _("Yes"), _("No")

    def answer(value):
        return "" if value is None else (yes if value else no)

    return [{"what": identities.get(row["unit_id"], "") if row["unit_id"] else row["parcel"] or _("Parcel"),
             "contents_match": answer(row["contents_match"]), "outer_damage": answer(row["outer_damage"]),
             "wiring_cut": answer(row["wiring_cut"]), "non_genuine_parts": answer(row["non_genuine_parts"]),
             "accessories_complete": answer(row["accessories_complete"]),
             "packaging": packaging.get(row["packaging"], ""), "notes": row["notes"],
             "alarm": bool(row["outer_damage"] or row["wiring_cut"] or row["non_genuine_parts"]
                           or row["contents_match"] is False or row["accessories_complete"] is False)}
            for row in case.receiving_checks.order_by("id").values(
                "unit_id", "parcel", "contents_match", "outer_damage", "wiring_cut", "non_genuine_parts",
                "accessories_complete", "packaging", "notes")]


def inspection_report_data(case: ReturnCase) -> dict:
    """客退品检验报告表: the quality counts of the intake inspections, then one row per unit."""
    latest = latest_intake_inspections(case)
    report = inspection_counts(case, latest)
    defect_classes, responsibilities = choice_labels(DefectClass.choices), choice_labels(Responsibility.choices)
    departments = choice_labels(Department.choices)
    yes, no = _("Yes"), _("No")
    texts = (_("No fault found"), _("Human damage"), _("Warranty label broken"), _("Self-repaired or modified"))
    inspected_at = moments()
    # Units inspected in one batch share their findings: each distinct combination is worded once.
    responsibility_texts, findings_texts = {}, {}
    rows = []
    for row in latest:
        responsible = (row["responsibility"], row["responsible_department"])
        if responsible not in responsibility_texts:
            responsibility_texts[responsible] = " / ".join(filter(None, [
                responsibilities.get(responsible[0], responsible[0]), departments.get(responsible[1], "")]))
        found = (row["no_fault_found"], row["human_damage"], row["warranty_label_broken"],
                 row["self_repaired_or_modified"])
        if found not in findings_texts:
            findings_texts[found] = "; ".join(text for flag, text in zip(found, texts) if flag)
        rows.append({"identity": unit_identity(row["unit__serial"], row["unit_id"]),
                     "product_model": row["unit__product_model__code"],
                     "defect_class": defect_classes.get(row["defect_class"], row["defect_class"]),
                     "grade": row["grade"], "responsibility": responsibility_texts[responsible],
                     "repairable": "" if row["repairable"] is None else (yes if row["repairable"] else no),
                     "findings": findings_texts[found], "missing_accessories": row["missing_accessories"],
                     "notes": row["notes"], "inspector": row["inspected_by__username"],
                     "at": inspected_at(row["inspected_at"])[:10]})
    arrived = ReturnUnit.objects.filter(return_case=case).exclude(state__in=NOT_ARRIVED).count()
    return {
        "report": report, "rows": rows, "arrived": arrived,
        "by_defect_class": [(defect_classes.get(k, k) or _("Not given"), n) for k, n in
                            sorted(report["by_defect_class"].items())],
        "by_responsibility": [(responsibilities.get(k, k) or _("Not given"), n) for k, n in
                              sorted(report["by_responsibility"].items())],
        "by_department": [(departments.get(k, k), n) for k, n in sorted(report["by_department"].items()) if k],
        "by_grade": [(k or _("Not given"), n) for k, n in sorted(report["by_grade"].items())],
    }


def final_inspection_data(case: ReturnCase) -> dict:
    """产品检验报告 / 成品检验合格单: each unit's latest final inspection, item by item as tested."""
    latest = {}
    for row in (Inspection.objects.filter(unit__return_case=case, stage=Inspection.Stage.FINAL).order_by("unit_id", "id")
                .values("unit_id", "unit__serial", "unit__product_model__code", "unit__disposition", "passed",
                        "checklist", "notes", "inspected_by__username", "inspected_at")):
        latest[row["unit_id"]] = row
    dispositions = choice_labels(Disposition.choices)
    sources = {"model": _("Test item of the model"), "complaint": _("Customer's complaint point")}
    units = [{"identity": unit_identity(row["unit__serial"], unit_id), "product_model": row["unit__product_model__code"],
              "disposition": dispositions.get(row["unit__disposition"], ""), "passed": row["passed"],
              "notes": row["notes"], "inspector": row["inspected_by__username"], "at": moment(row["inspected_at"])[:16],
              "items": [{**item, "source_label": sources.get(item.get("source"), "")} for item in row["checklist"]]}
             for unit_id, row in latest.items()]
    return {"units": units, "passed": sum(1 for unit in units if unit["passed"])}


NOTICE_COLUMNS = ("id", "serial", "product_model__code", "line__line_no", "state", "warranty_status", "warranty_until",
                  "chargeable", "disposition", "charge_amount", "charge_answer")


def disposition_notice_data(case: ReturnCase) -> dict:
    """返品处理通知单: what becomes of each unit that arrived, its warranty and what it costs."""
    units = _unit_rows(case, NOTICE_COLUMNS, arrived_only=True)
    dispositions, warranty, states = (choice_labels(Disposition.choices), choice_labels(WarrantyStatus.choices),
                                      choice_labels(UnitState.choices))
    yes, no, accepted, refused = _("Yes"), _("No"), _("Accepted"), _("Refused")
    decided = Counter()
    for unit in units:
        answer = unit["charge_answer"] or {}
        disposition = dispositions.get(unit["disposition"], "")
        if unit["disposition"]:
            decided[disposition] += 1
        # The cells of the units' table as printed.
        unit.update(identity=unit_identity(unit["serial"], unit["id"]), disposition_label=disposition or "—",
                    warranty_label=warranty.get(unit["warranty_status"], unit["warranty_status"]),
                    warranty_until=day(unit["warranty_until"]), state_label=states.get(unit["state"], unit["state"]),
                    chargeable_label=yes if unit["chargeable"] else no,
                    charge="" if unit["charge_amount"] is None else unit["charge_amount"],
                    answer_label=(accepted if answer.get("accepted") else refused) if "accepted" in answer else "")
    charges = [unit["charge_amount"] for unit in units if unit["charge_amount"] is not None]
    return {"units": units, "total_charge": sum(charges, Decimal("0")) if charges else None,
            "undecided": sum(1 for unit in units if not unit["disposition"]), "by_disposition": sorted(decided.items())}


def labels_data(case: ReturnCase, page_number) -> dict:
    """QR labels for the units in the company's warehouses (case number | serial | model code), a page of sheets."""
    units = (ReturnUnit.objects.filter(return_case=case, warehouse__isnull=False).order_by("id")
             .values_list("id", "serial", "product_model__code", "warehouse__code"))
    page = Paginator(units, LABELS_PER_SHEET * SHEETS_PER_PAGE).get_page(page_number)
    items = []
    for unit_id, serial, model_code, warehouse_code in page:
        identity = unit_identity(serial, unit_id)
        items.append({"serial": identity, "model": model_code, "warehouse": warehouse_code,
                      "qr": qr_svg(f"{case.number}|{identity}|{model_code}")})
    sheets = [items[start:start + LABELS_PER_SHEET] for start in range(0, len(items), LABELS_PER_SHEET)]
    return {"sheets": sheets, "count": page.paginator.count, "page": page}


_S = CaseState
FINAL_TESTED_ON = {_S.IN_WORK, _S.FINAL_INSPECTION, _S.READY, _S.SETTLED, _S.CLOSED}
# The case states from which a form has something to show.
DISPOSED_ON = {_S.DISPOSED, _S.IN_WORK, _S.FINAL_INSPECTION, _S.READY, _S.SETTLED, _S.CLOSED}
INSPECTED_ON = DISPOSED_ON | {_S.INSPECTING}
RECEIVED_ON = INSPECTED_ON | {_S.RECEIVING, _S.RECEIVED}


def _reached(case, states) -> bool:
    return case.state in states


FORMS = [
    PrintForm("return-note", "returns/print/return_note.html", "退货单", "Return Note", return_note_data,
              gettext_lazy("Return note"), order=10),
    PrintForm("receipt", "returns/print/receipt.html", "售后入库单", "After-sales Receipt", receipt_data,
              gettext_lazy("After-sales receipt"), order=20, available=lambda case: _reached(case, RECEIVED_ON)),
    PrintForm("inspection-report", "returns/print/inspection_report.html", "客退品检验报告表",
              "Inspection Report of Customer Returns", inspection_report_data, gettext_lazy("Inspection report"),
              order=30, available=lambda case: _reached(case, INSPECTED_ON)),
    PrintForm("disposition-notice", "returns/print/disposition_notice.html", "返品处理通知单",
              "Disposition Notice of Returned Goods", disposition_notice_data, gettext_lazy("Disposition notice"),
              order=40, available=lambda case: _reached(case, DISPOSED_ON)),
    PrintForm("final-inspection", "returns/print/final_inspection.html", "产品检验报告 · 成品检验合格单",
              "Product Inspection Report", final_inspection_data, gettext_lazy("Final inspection report"),
              order=50, available=lambda case: _reached(case, FINAL_TESTED_ON)),
]
