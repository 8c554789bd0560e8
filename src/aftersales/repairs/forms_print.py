"""The data of the printed forms of a case's repair work (重工单, 售后物料申请单, 收费清单, 报废申请单), registered
on the return case (`registry.py`) and printed by the shell (`web/printing.py`).

Internal paper, staff only, except the quote, which the case's customer prints too. Each form reads the
case's records in a fixed number of queries, as plain rows.
"""

from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core.registry import PrintForm
from aftersales.masterdata.models import Part, ScrapClass
from aftersales.returns.forms_print import unit_identity
from aftersales.returns.models import ReturnCase, ReturnUnit, UnitState
from aftersales.web.printing import choice_labels, day, moment, person, provisional_mark, who

from .models import (Delay, DelayReason, FirstArticleCheck, MaterialRequest, MaterialRequestLine, OrderKind,
                     OrderState, OrderUnit, PartUse, Quote, QuoteState, RepairOrder, RepairRecord, RequestState,
                     ScrapApplication, ScrapState)
from .selectors import quote_rows, with_due_provisional


def rework_orders_data(case: ReturnCase) -> dict:
    """重工单: each rework order of the case with its units, first-article checks, repair records, parts and hours."""
    kinds, order_states, unit_states, delay_reasons = (choice_labels(OrderKind.choices), choice_labels(OrderState.choices),
                                                       choice_labels(UnitState.choices), choice_labels(DelayReason.choices))
    yes, no, passed, failed = _("Yes"), _("No"), _("Passed"), _("Failed")
    orders = list(with_due_provisional(RepairOrder.objects.filter(return_case=case)).order_by("id").values(
        "id", "number", "kind", "state", "method", "findings", "team", "is_batch", "first_article_unit_id",
        "first_article_unit__serial", "due_at", "due_provisional", "delay_working_days", "created_at", "closed_at", *who("created_by"),
        "plan__expected_finish", "plan__note", *who("plan__answered_by")))
    by_id = {}
    for order in orders:
        first = order["first_article_unit_id"]
        order.update(kind_label=kinds.get(order["kind"], order["kind"]),
                     state_label=order_states.get(order["state"], order["state"]),
                     batch_label=yes if order["is_batch"] else no,
                     first_article=unit_identity(order["first_article_unit__serial"], first) if first else "",
                     due=moment(order["due_at"]), created=moment(order["created_at"]),
                     due_mark=provisional_mark(order["due_at"]) if order["due_provisional"] else "",
                     closed=moment(order["closed_at"]),
                     planned_by=person(order, "created_by"), expected_finish=moment(order["plan__expected_finish"]),
                     plan_by=person(order, "plan__answered_by"),
                     units=[], checks=[], records=[], issued=[], delays=[], hours=Decimal("0"))
        by_id[order["id"]] = order
    units = {}  # (order, unit) -> row
    for order_id, unit_id, serial, model, state in (
            OrderUnit.objects.filter(order__return_case=case).order_by("order_id", "unit_id")
            .values_list("order_id", "unit_id", "unit__serial", "unit__product_model__code", "unit__state")):
        row = {"identity": unit_identity(serial, unit_id), "model": model, "state": unit_states.get(state, state),
               "records": 0, "hours": Decimal("0"), "parts": [],
               "first_article": unit_id == by_id[order_id]["first_article_unit_id"]}
        units[order_id, unit_id] = row
        by_id[order_id]["units"].append(row)
    for check in (FirstArticleCheck.objects.filter(order__return_case=case).order_by("id")
                  .values("order_id", "unit_id", "unit__serial", "passed", "notes", "checked_at", *who("checked_by"))):
        by_id[check["order_id"]]["checks"].append({
            "identity": unit_identity(check["unit__serial"], check["unit_id"]),
            "result": passed if check["passed"] else failed,
            "passed": check["passed"], "notes": check["notes"], "by": person(check, "checked_by"),
            "at": moment(check["checked_at"])})
    for record in (RepairRecord.objects.filter(order__return_case=case).order_by("id").values(
            "order_id", "unit_id", "unit__serial", "fault_found", "cause", "action", "labour_hours", "hardware_before",
            "hardware_after", "software_before", "software_after", "is_anomaly", "major_anomaly", "recorded_at",
            *who("technician"))):
        order = by_id[record["order_id"]]
        record.update(identity=unit_identity(record["unit__serial"], record["unit_id"]), by=person(record, "technician"),
                      at=moment(record["recorded_at"]),
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
                  .values("order_id", "reason", "explanation", "working_days", "due_after", *who("approved_by"))):
        by_id[delay["order_id"]]["delays"].append({
            "reason": delay_reasons.get(delay["reason"], delay["reason"]), "explanation": delay["explanation"],
            "working_days": delay["working_days"], "due_after": moment(delay["due_after"]),
            "approved_by": person(delay, "approved_by")})
    return {"orders": orders, "unit_count": len(units), "total_hours": sum((o["hours"] for o in orders), Decimal("0"))}


def material_requests_data(case: ReturnCase) -> dict:
    """售后物料申请单: the material requests of the case's orders, line by line, and who asked and decided."""
    states = choice_labels(RequestState.choices)
    requests = list(MaterialRequest.objects.filter(order__return_case=case).order_by("id").values(
        "id", "number", "state", "order__number", "requested_at", "decided_at", "received_at", "issued_at", "comment",
        *who("requested_by"), *who("decided_by")))
    by_id = {}
    for request in requests:
        request.update(state_label=states.get(request["state"], request["state"]),
                       requested_by=person(request, "requested_by"), decided_by=person(request, "decided_by"),
                       requested=moment(request["requested_at"]), decided=moment(request["decided_at"]),
                       received=moment(request["received_at"]), issued=moment(request["issued_at"]),
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
    transport, the total per unit and for its units, and the customer's answer. Which are in force is the
    selector's answer (`quote_rows`); superseded ones stay on the list, marked with the revision that replaced them."""
    states = choice_labels(QuoteState.choices)
    accepted, refused, waiting, not_answered = (_("Accepted"), _("Refused"), _("Waiting for the customer's answer"),
                                                _("Not answered"))
    quotes = quote_rows(case, "id", "revision", "state", "unit_ids", "lines", "parts_total", "labour_total",
                        "transport", "total_per_unit", "expected_return_date", "reason", "created_at", "answered_at",
                        *who("created_by"))
    wanted = {unit_id for quote in quotes for unit_id in quote["unit_ids"]}
    units = {unit_id: (serial, model, answer) for unit_id, serial, model, answer in (
        ReturnUnit.objects.filter(return_case=case, pk__in=wanted).order_by("id")
        .values_list("id", "serial", "product_model__code", "charge_answer"))} if wanted else {}
    revisions = {quote["revision"]: quote for quote in quotes}
    in_force = [quote for quote in quotes if quote["in_force"]]
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
        quote_units = []
        for unit_id in quote["unit_ids"]:
            serial, model, answer = units.get(unit_id, ("", "", {}))
            answer = answer or {}
            row = {"identity": unit_identity(serial, unit_id), "model": model, "answer": "", "answered": ""}
            if quote["in_force"] and "accepted" in answer:  # a unit's answer is to the quote in force
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
                     total=quote["total_per_unit"] * len(quote["unit_ids"]),
                     superseded=quote["state"] == QuoteState.SUPERSEDED,
                     replaced_by=replaced_by["revision"] if replaced_by else None,
                     answer=answer, answered=moment(quote["answered_at"]), quoted_by=person(quote, "created_by"),
                     quoted=moment(quote["created_at"]), expected=day(quote["expected_return_date"]))
    return {"quotes": quotes, "in_force": in_force,
            "total_in_force": sum((quote["total"] for quote in in_force), Decimal("0")) if in_force else None}


SCRAP_CLASSES = (ScrapClass.METAL, ScrapClass.PLASTIC, ScrapClass.PACKAGING, ScrapClass.WIRE, ScrapClass.OTHER)


def scrap_applications_data(case: ReturnCase) -> dict:
    """报废申请单: the case's scrap applications: units, parts, kilograms per scrap class, reason and decision."""
    states, classes = choice_labels(ScrapState.choices), choice_labels(ScrapClass.choices)
    applications = list(ScrapApplication.objects.filter(return_case=case).order_by("id").values(
        "id", "number", "state", "unit_ids", "parts", "weights_kg", "reason", "applied_at", "decided_at",
        *who("applied_by"), *who("decided_by")))
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
            units=[{"identity": unit_identity(units.get(unit_id, ("", ""))[0], unit_id),
                    "model": units.get(unit_id, ("", ""))[1]} for unit_id in application["unit_ids"]],
            part_rows=[{"part": line.get("part", ""), "name": names.get(line.get("part"), ""),
                        "quantity": line.get("quantity", "")}
                       for line in application["parts"] if isinstance(line, dict)],
            applied_by=person(application, "applied_by"), decided_by=person(application, "decided_by"),
            applied=moment(application["applied_at"]), decided=moment(application["decided_at"]))
    return {"applications": applications, "classes": [classes[c] for c in SCRAP_CLASSES],
            "weight_totals": [totals[c] if totals[c] else "" for c in SCRAP_CLASSES],
            "unit_count": sum(len(application["unit_ids"]) for application in applications)}


def _documents_held(case) -> dict[str, bool]:
    """Which of repair's documents the case has, asked in one query for its four forms (kept on the case
    object: the case page asks for each form in turn)."""
    held = case.__dict__.get("_repair_documents_held")
    if held is None:
        held = ReturnCase.objects.filter(pk=case.pk).values(
            quote=Exists(Quote.objects.filter(return_case=OuterRef("pk"))),
            order=Exists(RepairOrder.objects.filter(return_case=OuterRef("pk"))),
            request=Exists(MaterialRequest.objects.filter(order__return_case=OuterRef("pk"))),
            scrap=Exists(ScrapApplication.objects.filter(return_case=OuterRef("pk")))).first() or {}
        case.__dict__["_repair_documents_held"] = held
    return held


def _held(kind: str):
    return lambda case: bool(_documents_held(case).get(kind))


FORMS = [
    PrintForm("quote", "repairs/print/quote.html", "收费清单", "Quotation of Charges", quote_data,
              gettext_lazy("Quote"), order=50, available=_held("quote")),
    PrintForm("rework-orders", "repairs/print/rework_orders.html", "重工单", "Rework Order", rework_orders_data,
              gettext_lazy("Rework orders"), staff_only=True, order=60, available=_held("order")),
    PrintForm("material-requests", "repairs/print/material_requests.html", "售后物料申请单",
              "After-sales Material Request", material_requests_data, gettext_lazy("Material requests"),
              staff_only=True, order=70, available=_held("request")),
    PrintForm("scrap-applications", "repairs/print/scrap_applications.html", "报废申请单", "Scrap Application",
              scrap_applications_data, gettext_lazy("Scrap applications"), staff_only=True, order=80,
              available=_held("scrap")),
]
