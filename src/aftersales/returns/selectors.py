"""Reads of return cases: querysets with their joins decided, and the case detail as data."""

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from types import SimpleNamespace

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Sum, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from django.urls import reverse

from aftersales.core.permissions import scope_to_customer
from aftersales.core.renderers import local_moment_text
from aftersales.deadlines.selectors import subject_deadlines
from aftersales.lib.file_kinds import INLINE_CONTENT_TYPES
from aftersales.masterdata.models import ShippedUnit

from . import rules
from .models import Approval, Attachment, CaseEvent, Inspection, ReturnCase, ReturnLine, ReturnUnit, UnitState
from .services.actions import allowed_actions
from .services.approvals import approvals_pending


def _count_units():
    return Subquery(
        ReturnUnit.objects.filter(return_case=OuterRef("pk")).order_by().values("return_case")
        .annotate(n=Count("id")).values("n"),
        output_field=IntegerField(),
    )


def case_list(*, user):
    queryset = (ReturnCase.objects.select_related("customer")
                .annotate(unit_count=_count_units(),
                          noted_quantity=Subquery(
                              ReturnLine.objects.filter(return_case=OuterRef("pk")).order_by().values("return_case")
                              .annotate(q=Sum("quantity")).values("q"), output_field=IntegerField())))
    return scope_to_customer(queryset, user, "customer")


def case_get(*, user, pk: int) -> ReturnCase | None:
    queryset = scope_to_customer(ReturnCase.objects.all(), user, "customer").select_related(
        "customer", "created_by"
    ).prefetch_related(
        Prefetch("lines", queryset=ReturnLine.objects.select_related("product_model")),
        Prefetch("approvals", queryset=Approval.objects.select_related("decided_by")),
        "discrepancies__line", "notices", "attachments",
    )
    return queryset.filter(pk=pk).first()


def case_header(*, user, pk: int) -> ReturnCase | None:
    """The case row alone (number, state, version), for a page that shows no more of it: a scanner's."""
    return scope_to_customer(ReturnCase.objects.all(), user, "customer").filter(pk=pk).first()


RULE_FIELDS = ("id", "line_id", "state", "disposition", "needs_consent", "consent", "chargeable", "charge_answer",
               "charge_amount")  # what the counts and the actions' guards (workflow.UNIT_GUARDS) read of every unit
SHOWN_FIELDS = ("product_model__code", "warehouse__code", "serial", "in_registry", "is_extra", "exit", "warranty_status",
                "warranty_until", "warranty_reasons", "warranty_override", "replacement_serial", "carrier",
                "tracking_number", "shipped_unit__customer_id", "shipped_unit__customer__code")  # what a row shows


ANSWER_FIELDS = ("consent", "charge_answer")  # of RULE_FIELDS, the customer's answers: mostly none ({})


def _answer_read(text: str | None) -> dict:
    return {} if text in (None, "{}") else json.loads(text)


def case_units(case: ReturnCase) -> list[SimpleNamespace]:
    """A case's units as plain records (a large case has thousands: no model instances), with what the rules
    read; `units_shown` adds what their rows show. The answers come as text and only those given are decoded
    (most units have none: decoding every unit's two was a fifth of a large case page)."""
    plain = [name for name in RULE_FIELDS if name not in ANSWER_FIELDS]
    rows = ReturnUnit.objects.filter(return_case=case).order_by("id").values_list(
        *plain, *(Cast(name, TextField()) for name in ANSWER_FIELDS))
    width = len(plain)
    return [SimpleNamespace(**dict(zip(plain, row)),
                            **{name: _answer_read(text) for name, text in zip(ANSWER_FIELDS, row[width:])})
            for row in rows]


def units_shown(case: ReturnCase, units: list[SimpleNamespace], *, every: bool) -> list[SimpleNamespace]:
    """These units with SHOWN_FIELDS read (of the case's every unit, or of these few by their ids); a unit gone
    since the first read (a draft's line edited) is left out."""
    rows = ReturnUnit.objects.filter(return_case=case)
    if not every:
        rows = rows.filter(pk__in=[unit.id for unit in units])
    shown = {row.pop("id"): row for row in rows.values("id", *SHOWN_FIELDS)}
    kept = [unit for unit in units if unit.id in shown]
    for unit in kept:
        unit.__dict__.update(shown[unit.id])
    return kept


def _registered_elsewhere(case: ReturnCase) -> dict[int, list[dict]]:
    """line id -> the case's units the registry says were shipped to another customer (serial, that customer)."""
    found = defaultdict(list)
    for row in (ReturnUnit.objects.filter(return_case=case, shipped_unit__customer__isnull=False)
                .exclude(shipped_unit__customer=case.customer_id).order_by("id")
                .values("line_id", "serial", "shipped_unit__customer__code")):
        found[row["line_id"]].append({"serial": row["serial"], "customer": row["shipped_unit__customer__code"]})
    return found


def _reason_texts(reasons: list[dict], cache: dict) -> list[str]:
    # Units of one case mostly share their reasons: render each distinct set once per request.
    key = repr(reasons)
    if key not in cache:
        cache[key] = [rules.reason_text(reason) for reason in reasons]
    return cache[key]


def registered_elsewhere(unit, case: ReturnCase) -> str | None:
    """The code of the customer the registry says the unit was shipped to, when that is not the case's."""
    owner = getattr(unit, "shipped_unit__customer_id", None)
    if owner is None or owner == case.customer_id:
        return None
    return getattr(unit, "shipped_unit__customer__code", None)


def unit_data(unit, *, line_numbers: dict, reason_cache: dict, case: ReturnCase, for_customer: bool = False) -> dict:
    elsewhere = registered_elsewhere(unit, case)
    warranty = {"status": unit.warranty_status,
                "until": unit.warranty_until.isoformat() if unit.warranty_until else None,
                "chargeable": unit.chargeable,
                "reasons": _reason_texts(unit.warranty_reasons, reason_cache),
                "override": _answer(unit.warranty_override)}
    data = {
        "id": unit.id, "line": line_numbers[unit.line_id], "product_model": unit.product_model__code,
        "serial": unit.serial, "in_registry": unit.in_registry, "is_extra": unit.is_extra, "state": unit.state,
        "warehouse": unit.warehouse__code, "exit": unit.exit,
        "registered_to_other_customer": elsewhere, "warranty": warranty,
        "disposition": unit.disposition, "needs_consent": unit.needs_consent, "consent": _answer(unit.consent),
        "charge_amount": str(unit.charge_amount) if unit.charge_amount is not None else None,
        "charge_answer": _answer(unit.charge_answer), "replacement_serial": unit.replacement_serial,
        "carrier": unit.carrier, "tracking_number": unit.tracking_number,
    }
    if for_customer:
        _as_the_customer_sees_it(data, elsewhere)
    return data


def _answer(answer: dict) -> dict | None:
    """A customer's answer (or an override) as sent: its moment in TIME_ZONE's offset (older rows kept UTC)."""
    if not answer:
        return None
    return {**answer, "at": local_moment_text(answer["at"])} if "at" in answer else answer


def _without_names(answer):
    return {key: value for key, value in answer.items() if key != "by"} if answer else answer


def _as_the_customer_sees_it(unit: dict, elsewhere: str | None) -> None:
    """A customer learns nothing of a unit the registry says was shipped to someone else, and no
    staff names."""
    unit.pop("registered_to_other_customer")
    if elsewhere is not None:
        unit["in_registry"] = False
        unit["warranty"] = {"status": "unknown", "until": None, "chargeable": None,
                            "reasons": [str(SERIAL_TO_CHECK)], "override": None}
    else:
        unit["warranty"]["override"] = _without_names(unit["warranty"]["override"])
    unit["consent"], unit["charge_answer"] = _without_names(unit["consent"]), _without_names(unit["charge_answer"])


SERIAL_TO_CHECK = _("Service will check this serial number against the units shipped to you.")


def sees_as_customer(user) -> bool:
    return getattr(user, "customer_id", None) is not None


def customer_may_see_deadline(deadline: dict) -> bool:
    """The portal shows the customer's own steps, not the departments' internal ones."""
    return deadline["role"] == "customer"


def _window_seen(decision: dict, for_customer: bool) -> dict:
    """A line's return window with its end; a customer sees that a manager allowed it, not who."""
    if for_customer and decision.get("override"):
        return {**decision, "override": _without_names(decision["override"])}
    return decision


def case_detail_data(case: ReturnCase, *, user, unit_rows: Callable[[int], slice] | None = None) -> dict:
    """The case as this user may see it: one selector for the API and the pages, so what a customer
    learns (steps, names, other customers' units) is decided here only. `unit_rows` (the case page's page of
    its unit table, chosen from the number of units) limits `units` to those rows; the counts, the actions and
    the lines still cover every unit."""
    for_customer = sees_as_customer(user)
    units = case_units(case)
    by_state = defaultdict(list)
    for unit in units:
        by_state[unit.state].append(unit)
    lines = list(case.lines.all())
    shown = units_shown(case, units if unit_rows is None else units[unit_rows(len(units))], every=unit_rows is None)
    codes = {
        "line_numbers": {line.pk: line.line_no for line in lines},
        "reason_cache": {}, "case": case, "for_customer": for_customer,
    }
    shown = [unit_data(u, **codes) for u in shown]
    mismatched = {} if for_customer else _registered_elsewhere(case)
    deadlines = subject_deadlines("return_case", case.pk)
    if for_customer:
        deadlines = [d for d in deadlines if customer_may_see_deadline(d)]
    data = {
        "id": case.pk, "number": case.number, "version": case.version, "state": case.state,
        "state_display": case.get_state_display(),
        "customer": {"code": case.customer.code, "name": case.customer.name},
        "channel": case.channel, "customer_reference": case.customer_reference,
        "delivered_date": case.delivered_date.isoformat() if case.delivered_date else None,
        "agreed_return_date": case.agreed_return_date.isoformat() if case.agreed_return_date else None,
        "is_quality_incident": case.is_quality_incident, "notes": case.notes,
        "volume_class": case.volume_class, "volume_detail": case.volume_detail,
        "needs_quality_sorting": case.needs_quality_sorting,
        "required_approvals": case.required_approvals, "pending_approvals": approvals_pending(case),
        "created_by": case.created_by.get_username() if case.created_by else None,
        "created_at": case.created_at, "submitted_at": case.submitted_at, "closed_at": case.closed_at,
        "return_note_missing": rules.note_missing(lines),
        "lines": [{
            "line": line.line_no, "product_model": line.product_model.code if line.product_model else None,
            "item_name": line.item_name, "quantity": line.quantity, "production_lot": line.production_lot,
            "serials": line.serials, "requested_outcome": line.requested_outcome, "reason": line.reason,
            "defect_description": line.defect_description, "unit_price": str(line.unit_price),
            "window_decision": _window_seen(line.window_decision, for_customer), "exchanges_shipped": line.exchanges_shipped,
            "refund_amount": str(line.refund_amount) if line.refund_amount is not None else None,
            "refund_deduction": str(line.refund_deduction),
            **({} if for_customer else {"registered_to_other_customers": mismatched.get(line.pk, [])}),
        } for line in lines],
        "unit_counts": dict(Counter(u.state for u in units)),
        "units": shown,
        "approvals": [{"kind": a.kind, "decision": a.decision, "comment": a.comment,
                       "by": None if for_customer else a.decided_by.get_username(), "at": a.decided_at,
                       "round": a.round}
                      for a in case.approvals.all()],
        "discrepancies": [{"kind": d.kind, "line": d.line.line_no if d.line else None, "serial": d.serial,
                           "quantity": d.quantity, "note": d.note, "at": d.recorded_at}
                          for d in case.discrepancies.all()],
        "notices": [{"kind": n.kind, "content": n.content, "at": n.created_at} for n in case.notices.all()],
        "attachments": [attachment_data(a) for a in case.attachments.all()],
        "deadlines": deadlines,
        "allowed_actions": allowed_actions(case, user, by_state),
    }
    if for_customer:
        data["created_by"] = None
    return data


def timeline(case: ReturnCase, *, user) -> list[dict]:
    """The case's timeline as this user may see it: customers see what happened, not who did it."""
    return timeline_entries(timeline_events(case), user=user)


def timeline_events(case: ReturnCase):
    return CaseEvent.objects.filter(return_case=case).select_related("actor").order_by("id")


def timeline_entries(events, *, user) -> list[dict]:
    for_customer = sees_as_customer(user)
    return [{"id": e.id, "action": e.action, "by": None if for_customer or not e.actor else e.actor.get_username(),
             "at": e.at, "from_state": e.from_state, "to_state": e.to_state, "unit_count": len(e.unit_ids),
             "unit_ids": e.unit_ids, "unit_to_state": e.unit_to_state, "changes": e.changes, "comment": e.comment}
            for e in events]


def attachment_url(attachment_id: int) -> str:
    """The one address of an attachment's file, for pages and API clients alike (views/files.py)."""
    return reverse("returns:attachment", args=[attachment_id])


def attachment_data(attachment: Attachment) -> dict:
    return {"id": attachment.pk, "url": attachment_url(attachment.pk), "name": attachment.original_name,
            "content_type": attachment.content_type, "inline": attachment.content_type in INLINE_CONTENT_TYPES,
            "description": attachment.description, "line_id": attachment.line_id, "unit_id": attachment.unit_id,
            "at": attachment.uploaded_at}


def attachment_get(*, user, pk: int) -> Attachment | None:
    """The attachment if the user may see its case: the rule of case_get (another customer's case is
    not found), for users who may read cases at all."""
    if not user.has_perm("returns.view_returncase"):
        return None
    cases = scope_to_customer(ReturnCase.objects.all(), user, "customer")
    return Attachment.objects.filter(pk=pk, return_case__in=cases).first()


INTAKE_REPORT_COLUMNS = ("unit_id", "unit__serial", "unit__product_model__code", "defect_class", "grade",
                         "responsibility", "responsible_department", "repairable", "no_fault_found", "human_damage",
                         "warranty_label_broken", "self_repaired_or_modified", "notes", "missing_accessories",
                         "inspected_by__username", "inspected_at")


def latest_intake_inspections(case: ReturnCase) -> list[dict]:
    """Each unit's latest intake inspection, in unit order, as a row of values (one query; no model instances:
    a large case has thousands)."""
    rows = (Inspection.objects.filter(unit__return_case=case, stage=Inspection.Stage.INTAKE).order_by("unit_id", "id")
            .values(*INTAKE_REPORT_COLUMNS))
    return list({row["unit_id"]: row for row in rows}.values())


def inspection_counts(case: ReturnCase, latest: list[dict]) -> dict:
    """The intake inspections (latest_intake_inspections) counted the ways quality reports them."""
    count = lambda name: dict(Counter(row[name] or "" for row in latest))  # noqa: E731
    return {
        "case": case.number, "inspected_units": len(latest),
        "by_defect_class": count("defect_class"), "by_responsibility": count("responsibility"),
        "by_department": count("responsible_department"), "by_grade": count("grade"),
        "no_fault_found": sum(1 for row in latest if row["no_fault_found"]),
        "human_damage": sum(1 for row in latest if row["human_damage"]),
        "repairable": sum(1 for row in latest if row["repairable"]),
    }


def inspection_report(case: ReturnCase) -> dict:
    """客退品检验报告: the intake inspections of a case, counted the ways quality reports them, and unit by unit."""
    latest = latest_intake_inspections(case)
    return {**inspection_counts(case, latest), "units": [
        {"unit": row["unit_id"], "serial": row["unit__serial"], "product_model": row["unit__product_model__code"],
         "defect_class": row["defect_class"], "grade": row["grade"], "responsibility": row["responsibility"],
         "responsible_department": row["responsible_department"], "repairable": row["repairable"],
         "no_fault_found": row["no_fault_found"], "notes": row["notes"],
         "missing_accessories": row["missing_accessories"], "inspector": row["inspected_by__username"],
         "at": row["inspected_at"]} for row in latest]}


def final_checklist_units(case: ReturnCase):
    """The units of a case waiting for their final inspection, with line and model (for their checklists)."""
    return (ReturnUnit.objects.filter(return_case=case, state=UnitState.FINAL_INSPECTION)
            .select_related("line", "product_model").order_by("id"))


def final_checklist_entries(units) -> list[dict]:
    from .services.handlers.final import checklists_for

    units = list(units)
    checklists = checklists_for(units)
    return [{"unit": u.pk, "serial": u.serial, "product_model": u.product_model.code, "disposition": u.disposition,
             "items": checklists[u.pk]} for u in units]


def registered_units(*, user, serial: str):
    """The units of the registry under a serial that the user may see (a customer: those shipped to it),
    with their model and customer."""
    return scope_to_customer(ShippedUnit.objects.select_related("product_model", "customer").filter(serial=serial),
                             user, "customer")


def service_history(*, user, serial: str, product_model: str | None = None):
    """Every case, inspection, repair and exchange a serial has been through."""
    queryset = ReturnUnit.objects.filter(serial=serial) | ReturnUnit.objects.filter(replacement_serial=serial)
    if product_model:
        queryset = queryset.filter(product_model__code=product_model)
    queryset = scope_to_customer(queryset, user, "return_case__customer")
    return (queryset.select_related("return_case", "product_model", "line")
            .prefetch_related(Prefetch("inspections", queryset=Inspection.objects.select_related("inspected_by")))
            .order_by("id"))



def case_summaries(ids, *, user) -> dict[int, dict]:
    """What a row about each of these cases says (customer, customer's reference, models, noted quantity),
    for the cases the user may see: two queries, whatever the number of cases."""
    cases = scope_to_customer(ReturnCase.objects.select_related("customer"), user, "customer").filter(pk__in=ids)
    found = {case.pk: {"reference": case.number, "customer": case.customer.name,
                       "customer_reference": case.customer_reference, "state": case.state,
                       "state_label": case.get_state_display(), "models": [], "quantity": 0,
                       "url": reverse("returns:case_detail", args=[case.pk])}
             for case in cases.only("id", "number", "customer_reference", "state", "customer__name")}
    for case_id, code, name, quantity in (ReturnLine.objects.filter(return_case_id__in=list(found))
                                          .order_by("return_case_id", "line_no")
                                          .values_list("return_case_id", "product_model__code", "item_name",
                                                       "quantity")):
        summary = found[case_id]
        model = code or name
        if model and model not in summary["models"]:
            summary["models"].append(model)
        summary["quantity"] += quantity or 0
    return found


def unit_inspections(case: ReturnCase, unit_ids=None) -> dict[int, dict]:
    """Each unit's latest intake inspection (defect class, responsibility, grade, repairable), in one query;
    of the units `unit_ids` names, when it does."""
    rows = Inspection.objects.filter(unit__return_case=case, stage=Inspection.Stage.INTAKE)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=unit_ids)
    rows = (rows.order_by("unit_id", "id")
            .values("unit_id", "defect_class", "responsibility", "grade", "repairable", "no_fault_found",
                    "human_damage", "notes"))
    return {row["unit_id"]: row for row in rows}


def case_photos(case: ReturnCase) -> list[dict]:
    """The case's attachments shown as pictures (photos, re-encoded on upload), with the line and unit they
    belong to; the case's prefetched attachments when there are."""
    return [attachment_data(a) for a in case.attachments.all() if a.content_type in INLINE_CONTENT_TYPES]


def with_next_due(cases):
    """Cases with the soonest due moment of their running steps (next_due_at, next_due_provisional)."""
    from aftersales.deadlines.models import Deadline, DeadlineState

    steps = Deadline.objects.filter(subject_type="return_case", subject_id=OuterRef("pk"),
                                    state=DeadlineState.OPEN).order_by("due_at", "id")
    return cases.annotate(next_due_at=Subquery(steps.values("due_at")[:1]),
                          next_due_provisional=Subquery(steps.values("provisional")[:1]))


def registered_units_of(*, user, serials: list[str]):
    """registered_units for many serials at once (a column pasted from Excel): one query."""
    return scope_to_customer(ShippedUnit.objects.select_related("product_model", "customer")
                             .filter(serial__in=serials).order_by("serial", "id"), user, "customer")


def internal_sales():
    """Units sold inside the company at a discount (售后客退品处理规定 5.1.4.1), newest first: what finance books."""
    from .models import InternalSale

    return InternalSale.objects.select_related("return_case", "unit__product_model", "buyer_user",
                                               "recorded_by").order_by("-id")


def internal_sale_data(sale) -> dict:
    return {"id": sale.pk, "case": sale.return_case.number, "case_id": sale.return_case_id, "unit": sale.unit_id,
            "serial": sale.unit.serial, "product_model": sale.unit.product_model.code, "price": str(sale.price),
            "discount_percent": str(sale.discount_percent), "buyer_kind": sale.buyer_kind,
            "buyer": sale.buyer_user.get_username() if sale.buyer_user else sale.buyer_department,
            "sold_on": sale.sold_on, "recorded_by": sale.recorded_by.get_username(), "recorded_at": sale.recorded_at}


def replenishments(*, state: str | None = None):
    """Replenishment instructions (补货指令) for planning, the soonest due first."""
    from .models import Replenishment

    rows = Replenishment.objects.select_related("return_case__customer", "product_model", "created_by")
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("due_date", "id")


def replenishment_data(row) -> dict:
    return {"id": row.pk, "case": row.return_case.number, "case_id": row.return_case_id,
            "customer": row.return_case.customer.code, "product_model": row.product_model.code,
            "quantity": row.quantity, "unit_ids": row.unit_ids, "due_date": row.due_date, "reason": row.reason,
            "state": row.state, "created_by": row.created_by.get_username(), "created_at": row.created_at,
            "done_at": row.done_at}


def case_documents(case: ReturnCase, request) -> list[dict]:
    """The case's document flow as the apps above registered it (core/registry.py: related documents), in one
    shape: what the case came from (up) first, then what follows from it (down), each oldest first."""
    from aftersales.core.registry import related_documents

    rows = [{"kind": d["kind"], "kind_label": str(d.get("kind_label") or d["kind"]), "number": str(d["number"]),
             "state": d["state"], "state_label": str(d["state_label"]), "url": d["url"], "at": d.get("at"),
             "direction": d.get("direction", "down"), "parent": d.get("parent")}
            for d in related_documents("return_case", case, request)]
    return sorted(rows, key=lambda d: (d["direction"] != "up", d["at"] is None, d["at"] or 0))
