"""Reads of field service: one order whole, the orders a person may see, the dispatch board, a technician's day,
the penalty ledger and its monthly summary, and each technician's figures for a month."""

import datetime as dt

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from aftersales.core import parsing
from aftersales.core.errors import InvalidInput, NotFound, PermissionDenied
from aftersales.core.permissions import scope_to_customer
from aftersales.core.roles import require_roles, roles_of

from .models import (ClaimKind, ClaimState, ExpenseClaim, ExpenseLine, Feedback, FieldOrder, FieldPhoto, OrderPart,
                     Penalty,
                     PenaltyState, TechnicianLeave, VanIssue, VisitPlan, WorkKind)
from .models import OrderState as S
from .services.van import van_balances
from .workflow import EXPENSE_CLAIM, FIELD_ORDER, PENALTY, event_label

READERS = ("service", "manager", "technician", "warehouse", "engineering", "customer")
HQ = {"service", "manager"}
OPEN = FIELD_ORDER.open_states


def _name(user) -> str | None:
    return (user.get_full_name() or user.get_username()) if user is not None else None


def orders_for(user):
    """The orders a person may read: headquarters, the warehouse and engineering (the visits' feedback) all, a
    technician their own, a customer its own."""
    held = require_roles(user, *READERS)
    rows = scope_to_customer(FieldOrder.objects.all(), user, "customer")
    if not held & (HQ | {"warehouse", "engineering"}) and "customer" not in held:
        rows = rows.filter(technician=user)
    return rows


def order_get(*, user, pk, acted: bool = False) -> FieldOrder:
    """One order the user may read; `acted`: the order a step the user just took changed (a technician who refused
    it is no longer on it, and still reads the answer)."""
    found = parsing.id_or_none(pk)
    rows = FieldOrder.objects.all() if acted else orders_for(user)
    order = (rows.select_related("customer", "product_model", "technician", "request", "repeat_of__technician",
                                             "call_confirmed_by")
             .filter(pk=found or 0).first())
    if order is None:
        raise NotFound()
    return order


def _late(order: FieldOrder, now: dt.datetime) -> bool:
    """Past the customer's time and not on site yet (or checked in late)."""
    if order.arrived_late:
        return True
    return bool(order.required_arrival and order.checked_in_at is None and order.state in OPEN
                and order.required_arrival < now)


CUSTOMER_HIDDEN = ("left_without_call", "arrived_late", "late", "repeat", "repeat_of", "contract_covered")


def customer_row(order: FieldOrder, now: dt.datetime) -> dict:
    """A row as the customer reads it: the visit, not the lateness or the repeat flag."""
    return {key: value for key, value in order_row(order, now).items() if key not in CUSTOMER_HIDDEN}


def order_row(order: FieldOrder, now: dt.datetime) -> dict:
    return {"id": order.pk, "number": order.number, "state": order.state, "state_label": order.get_state_display(),
            "work": order.work, "work_label": order.get_work_display(),
            "customer": order.customer.name if order.customer else None, "site_address": order.site_address,
            "product_model": order.product_model.code if order.product_model else None, "serial": order.serial,
            "technician": order.technician.get_username() if order.technician else None,
            "technician_name": _name(order.technician), "required_arrival": order.required_arrival,
            "planned_date": order.planned_date, "late": _late(order, now), "repeat": order.repeat_of_id is not None}


def order_data(order: FieldOrder, *, user) -> dict:
    """The order whole; the customer reads the visit, not the ledger or the timeline's notes."""
    now = timezone.now()
    customer_view = getattr(user, "customer_id", None) is not None
    report = getattr(order, "report", None)
    data = order_row(order, now) | {
        "request": order.request.number if order.request else None, "request_id": order.request_id,
        "contact_name": order.contact_name, "contact_phone": order.contact_phone, "description": order.description,
        "contract_covered": order.contract_covered, "dispatched_at": order.dispatched_at,
        "accepted_at": order.accepted_at, "checked_in_at": order.checked_in_at, "arrived_late": order.arrived_late,
        "call_confirmed_at": order.call_confirmed_at, "checked_out_at": order.checked_out_at,
        "left_without_call": order.left_without_call,
        "repeat_of": ({"number": order.repeat_of.number, "technician": _name(order.repeat_of.technician)}
                      if order.repeat_of else None),
        "report": _report_data(report) if report is not None else None,
        "planned_parts": [{"part": p.part.code, "name": p.part.name, "quantity": p.quantity}
                          for p in order.planned_parts.select_related("part")],
        "feedback": [feedback_row(f) for f in order.feedback.select_related("recorded_by", "answered_by", "order")],
        "photos": [photo_row(p) for p in order.photos.all()],
        "allowed_actions": [] if customer_view else FIELD_ORDER.allowed(order, user),
    }
    if customer_view:
        return {key: value for key, value in data.items() if key not in CUSTOMER_HIDDEN}
    data["check_in_position"] = ({"latitude": float(order.check_in_latitude),
                                  "longitude": float(order.check_in_longitude)}
                                 if order.check_in_latitude is not None else None)
    data["timeline"] = [{"action": e.action, "label": str(event_label(FIELD_ORDER, e.action)),
                         "by": _name(e.actor), "at": e.at, "from_state": e.from_state, "to_state": e.to_state,
                         "changes": e.changes} for e in order.events.select_related("actor")]
    data["penalties"] = [penalty_row(p) for p in order.penalties.select_related("technician")] if roles_of(
        user) & (HQ | {"technician"}) else []
    return data


def _report_data(report) -> dict:
    return {"fault_cause": report.fault_cause, "solution": report.solution,
            "hours": f"{report.hours:.1f}" if report.hours is not None else None,
            "customer_opinion": report.customer_opinion, "signed_by": report.signed_by,
            "signed": bool(report.signature), "trained_people": report.trained_people,
            "training_topics": report.training_topics, "submitted_at": report.submitted_at,
            "people": report.people,
            "days_on_site": f"{report.days_on_site:.1f}" if report.days_on_site is not None else None,
            "times_returned": report.times_returned,
            "parts": [{"part": line.part.code, "name": line.part.name, "quantity": line.quantity,
                       "serial": line.serial} for line in report.parts.select_related("part")]}


def order_list(*, user, params):
    rows = orders_for(user).select_related("customer", "product_model", "technician")
    state = params.get("state")
    if state:
        if state not in S.values:
            raise InvalidInput(details={"state": [_choose(S.values)]})
        rows = rows.filter(state=state)
    elif params.get("open") not in (None, ""):
        if params["open"] not in ("true", "false", "1", "0"):
            raise InvalidInput(details={"open": [_choose(("true", "false"))]})
        if params["open"] in ("true", "1"):
            rows = rows.filter(state__in=OPEN)
    if params.get("technician"):
        rows = rows.filter(technician__username=str(params["technician"])[:150])
    if params.get("request"):
        rows = rows.filter(request_id=parsing.record_id(params["request"], "request"))
    return rows.order_by("-id")


def _choose(values) -> str:
    from django.utils.translation import gettext as _

    return _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(values)}


def _day(value) -> dt.date:
    return parsing.date_value(value, "date") if value not in (None, "") else timezone.localdate()


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def _technicians():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True, groups__name="technician")


def board(*, user, params, page_size: int = 50) -> dict:
    """The dispatch board (服务总部): open orders, soonest required arrival first (a page, the late counted), and the
    technicians with the day's orders and whether they are available (leave, working day)."""
    require_roles(user, *HQ)
    from aftersales.workcalendar.calendar import calendar_load

    day, now = _day(params.get("date")), timezone.now()
    start, end = _bounds(day)
    open_orders = FieldOrder.objects.filter(state__in=OPEN)
    if params.get("state"):
        if params["state"] not in OPEN:
            raise InvalidInput(details={"state": [_choose(OPEN)]})
        open_orders = open_orders.filter(state=params["state"])
    counts = dict(open_orders.order_by().values_list("state").annotate(n=Count("id")))
    labels = dict(S.choices)
    late = open_orders.filter(Q(arrived_late=True) | Q(checked_in_at__isnull=True, required_arrival__lt=now)).count()
    page = parsing.record_id(params["page"], "page") if params.get("page") not in (None, "") else 1
    listed = list(open_orders.select_related("customer", "product_model", "technician")
                  .order_by(F("required_arrival").asc(nulls_last=True), "id")[(page - 1) * page_size:page * page_size])
    # The technicians' day and open orders, counted in one pass over the open orders and the day's (an index on
    # state and one on the day serve it), not per technician.
    on_day = Q(required_arrival__gte=start, required_arrival__lt=end) | Q(planned_date=day)
    per = {row["technician"]: row for row in FieldOrder.objects.filter(technician__isnull=False).filter(
        Q(state__in=OPEN) | on_day).order_by().values("technician").annotate(
        today=Count("id", filter=on_day & ~Q(state=S.CANCELLED)), open=Count("id", filter=Q(state__in=OPEN)))}
    technicians = _technicians().order_by("username")
    away = set(TechnicianLeave.objects.filter(first_day__lte=day, last_day__gte=day)
               .values_list("technician_id", flat=True))
    working = calendar_load().is_workday(day)
    return {"date": day, "working_day": working, "counts": {state: counts.get(state, 0) for state in OPEN},
            "count_rows": [{"state": state, "label": str(labels[state]), "count": counts.get(state, 0)}
                           for state in OPEN],
            "late": late, "page": page, "orders": [order_row(o, now) for o in listed],
            "technicians": [{"username": t.get_username(), "name": _name(t),
                             "today": per.get(t.pk, {}).get("today", 0), "open": per.get(t.pk, {}).get("open", 0),
                             "on_leave": t.pk in away, "available": working and t.pk not in away}
                            for t in technicians]}


def technician_day(*, user, params) -> dict:
    """My day (phone first): the orders of the day and those still open, soonest first, and the van stock."""
    require_roles(user, "technician")
    day, now = _day(params.get("date")), timezone.now()
    start, end = _bounds(day)
    rows = (FieldOrder.objects.filter(technician=user).filter(
        Q(state__in=OPEN) | Q(required_arrival__gte=start, required_arrival__lt=end) | Q(planned_date=day))
        .exclude(state=S.CANCELLED).select_related("customer", "product_model", "technician")
        .order_by(F("required_arrival").asc(nulls_last=True), "id"))
    return {"date": day, "orders": [order_row(o, now) | {"contact_name": o.contact_name,
                                                         "contact_phone": o.contact_phone} for o in rows],
            "van_stock": van_balances(user)}


def penalty_row(penalty: Penalty) -> dict:
    return {"id": penalty.pk, "technician": penalty.technician.get_username(),
            "technician_name": _name(penalty.technician), "rule": penalty.rule,
            "rule_label": penalty.get_rule_display(), "amount": f"{penalty.amount:.2f}", "sanction": penalty.sanction,
            "sanction_label": penalty.get_sanction_display() if penalty.sanction else "",
            "clause": penalty.clause, "order": penalty.order.number if penalty.order_id else None,
            "occurred_on": penalty.occurred_on, "description": penalty.description, "evidence": penalty.evidence,
            "state": penalty.state, "state_label": penalty.get_state_display(), "proposed": penalty.proposed_by_id is None,
            "contest_note": penalty.contest_note, "decision_note": penalty.decision_note}


def _month(value) -> tuple[dt.date, dt.date]:
    """'2026-12' → the month's first day and the next month's."""
    text = str(value or timezone.localdate().strftime("%Y-%m"))[:7]
    try:
        first = dt.date(int(text[:4]), int(text[5:7]), 1)
    except ValueError:
        from django.utils.translation import gettext as _

        raise InvalidInput(details={"month": [_("Enter a month such as 2026-12.")]}) from None
    parsing.date_value(first, "month")
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, following


def penalties_for(user):
    held = require_roles(user, "technician", *HQ)
    rows = Penalty.objects.select_related("technician", "order")
    return rows if held & HQ else rows.filter(technician=user)


def penalty_list(*, user, params):
    rows = penalties_for(user)
    if params.get("technician"):
        rows = rows.filter(technician__username=str(params["technician"])[:150])
    if params.get("state"):
        if params["state"] not in PenaltyState.values:
            raise InvalidInput(details={"state": [_choose(PenaltyState.values)]})
        rows = rows.filter(state=params["state"])
    if params.get("month"):
        first, following = _month(params["month"])
        rows = rows.filter(occurred_on__gte=first, occurred_on__lt=following)
    return rows.order_by("-occurred_on", "-id")


def _one(rows, pk):
    """The row of `rows` with this id (any text that is no id finds none), or 404."""
    found = rows.filter(pk=parsing.id_or_none(pk) or 0).first()
    if found is None:
        raise NotFound()
    return found


def penalty_get(*, user, pk) -> Penalty:
    return _one(penalties_for(user), pk)


def penalty_data(penalty: Penalty, *, user) -> dict:
    return penalty_row(penalty) | {
        "allowed_actions": PENALTY.allowed(penalty, user),
        "timeline": [{"action": e.action, "label": str(event_label(PENALTY, e.action)), "by": _name(e.actor),
                      "at": e.at, "from_state": e.from_state, "to_state": e.to_state, "changes": e.changes}
                     for e in penalty.events.select_related("actor")]}


def technician_figures(*, user, params) -> dict:
    """Per technician and month: orders done, response (dispatch → acceptance), on-time arrival, first-time fix,
    repeat repairs, report completeness, satisfaction, penalties. A technician reads their own line."""
    held = require_roles(user, "technician", *HQ)
    first, following = _month(params.get("month"))
    start, end = _bounds(first)[0], _bounds(following)[0]

    people = _technicians().order_by("username")
    if not held & HQ:
        people = people.filter(pk=user.pk)
    done = FieldOrder.objects.filter(state=S.DONE, checked_out_at__gte=start, checked_out_at__lt=end)
    per = {row["technician"]: row for row in done.values("technician").annotate(
        done=Count("id"),
        response=Avg(ExpressionWrapper(F("accepted_at") - F("dispatched_at"), output_field=DurationField())),
        timed=Count("id", filter=Q(arrived_late__isnull=False)), on_time=Count("id", filter=Q(arrived_late=False)),
        repairs=Count("id", filter=Q(work=WorkKind.REPAIR)),
        complete=Count("id", filter=Q(report__times_returned=0)))}
    repeated = dict(FieldOrder.objects.filter(repeat_of__isnull=False, created_at__gte=start, created_at__lt=end)
                    .values_list("repeat_of__technician").annotate(n=Count("id")))
    refixed = dict(done.filter(work=WorkKind.REPAIR, pk__in=FieldOrder.objects.filter(repeat_of__isnull=False)
                               .values("repeat_of")).values_list("technician").annotate(n=Count("id")))
    fined = {row["technician"]: row for row in Penalty.objects.filter(
        state=PenaltyState.CONFIRMED, occurred_on__gte=first, occurred_on__lt=following)
        .values("technician").annotate(n=Count("id"), total=Sum("amount"))}
    scores = _satisfaction(start, end)
    spent = dict(ExpenseLine.objects.filter(claim__kind=ClaimKind.CLAIM, claim__state=ClaimState.PAID,
                                            claim__paid_at__gte=start, claim__paid_at__lt=end, withheld=False)
                 .values_list("claim__technician").annotate(n=Sum("amount")))

    def share(part, whole):
        return f"{100 * part / whole:.1f}" if whole else None

    lines = []
    for person in people:
        row = per.get(person.pk, {})
        response = row.get("response")
        lines.append({
            "technician": person.get_username(), "name": _name(person), "orders_done": row.get("done", 0),
            "response_hours": f"{response.total_seconds() / 3600:.1f}" if response else None,
            "on_time_rate": share(row.get("on_time", 0), row.get("timed", 0)),
            "first_time_fix_rate": share(row.get("repairs", 0) - refixed.get(person.pk, 0), row.get("repairs", 0)),
            "repeat_repairs": repeated.get(person.pk, 0),
            "report_completeness": share(row.get("complete", 0), row.get("done", 0)),
            "satisfaction": scores.get(person.pk), "penalties": fined.get(person.pk, {}).get("n", 0),
            "penalty_total": f"{fined.get(person.pk, {}).get('total') or 0:.2f}",
            "expenses": f"{spent.get(person.pk) or 0:.2f}"})
    return {"month": first.strftime("%Y-%m"), "technicians": lines}


def _satisfaction(start, end) -> dict:
    from aftersales.servicedesk.models import Survey

    rows = (Survey.objects.filter(answered_at__gte=start, answered_at__lt=end, handled_by__isnull=False,
                                  overall__isnull=False).values_list("handled_by").annotate(score=Avg("overall")))
    return {person: f"{score:.2f}" for person, score in rows}


CLAIM_READERS = {"manager", "service", "finance"}


def claims_for(user):
    held = require_roles(user, "technician", *CLAIM_READERS)
    rows = ExpenseClaim.objects.select_related("technician", "advance")
    return rows if held & CLAIM_READERS else rows.filter(technician=user)


def claim_list(*, user, params):
    rows = claims_for(user)
    if params.get("state"):
        if params["state"] not in ClaimState.values:
            raise InvalidInput(details={"state": [_choose(ClaimState.values)]})
        rows = rows.filter(state=params["state"])
    if params.get("technician"):
        rows = rows.filter(technician__username=str(params["technician"])[:150])
    return rows.order_by("-id")


def claim_get(*, user, pk) -> ExpenseClaim:
    return _one(claims_for(user), pk)


def _money(value) -> str:
    return f"{value:.2f}"


def claim_row(claim: ExpenseClaim) -> dict:
    return {"id": claim.pk, "number": claim.number, "kind": claim.kind, "kind_label": claim.get_kind_display(),
            "technician": claim.technician.get_username(), "technician_name": _name(claim.technician),
            "trip_from": claim.trip_from, "trip_to": claim.trip_to, "state": claim.state,
            "state_label": claim.get_state_display()}


def claim_data(claim: ExpenseClaim, *, user) -> dict:
    from .services.expenses import claim_totals

    totals = claim_totals(claim)
    lines = list(claim.lines.all())
    return claim_row(claim) | {
        "places": claim.places, "advance": claim.advance.number if claim.advance_id else None,
        "orders": [o.number for o in claim.orders.order_by("id")],
        "lines": [{"category": line.category, "category_label": line.get_category_display(),
                   "amount": _money(line.amount), "place": line.place, "receipt_on": line.receipt_on,
                   "note": line.note, "place_mismatch": line.place_mismatch, "outside_trip": line.outside_trip,
                   "withheld": line.withheld} for line in lines],
        "flagged": any(line.place_mismatch or line.outside_trip for line in lines),
        **{key: _money(value) for key, value in totals.items()},
        "decision_note": claim.decision_note, "paid_at": claim.paid_at,
        "receipts": [photo_row(p) for p in claim.receipts.all()],
        "allowed_actions": EXPENSE_CLAIM.allowed(claim, user),
        "timeline": [{"action": e.action, "label": str(event_label(EXPENSE_CLAIM, e.action)), "by": _name(e.actor),
                      "at": e.at, "from_state": e.from_state, "to_state": e.to_state, "changes": e.changes}
                     for e in claim.events.select_related("actor")]}


def van_issue_list(*, user, params):
    held = require_roles(user, "technician", "warehouse", *HQ)
    rows = VanIssue.objects.select_related("technician", "order", "issued_by")
    if not held & ({"warehouse"} | HQ):
        rows = rows.filter(technician=user)
    elif params.get("technician"):
        rows = rows.filter(technician__username=str(params["technician"])[:150])
    return rows.order_by("-id")


def van_issue_row(issue: VanIssue) -> dict:
    from aftersales.inventory.models import StockMove

    lines = StockMove.objects.filter(reference=issue.number, kind="van_issue").order_by("id").values_list(
        "part__code", "quantity")
    return {"issue": issue.number, "technician": issue.technician.get_username(),
            "order": issue.order.number if issue.order_id else None, "carrier": issue.carrier,
            "tracking": issue.tracking, "issued_by": issue.issued_by.get_username(), "issued_at": issue.issued_at,
            "lines": [{"part": code, "quantity": quantity} for code, quantity in lines]}


def spare_parts_plan(*, user) -> dict:
    """What the open orders plan to take, part by part, against the raw material warehouse and the van stocks."""
    from aftersales.inventory.models import StockBalance
    from aftersales.inventory.services import warehouse_ids
    from aftersales.masterdata.models import WarehouseKind

    require_roles(user, "planning", "purchasing", "warehouse", *HQ)
    demand = {row["part"]: row for row in OrderPart.objects.filter(order__state__in=OPEN).values("part").annotate(
        n=Sum("quantity"), orders=Count("order", distinct=True))}
    raw = warehouse_ids().get(WarehouseKind.RAW_MATERIAL)
    balances = StockBalance.objects.filter(part_id__in=demand)
    stock = dict(balances.filter(warehouse_id=raw).values_list("part_id", "quantity"))
    vans = dict(balances.filter(warehouse__kind=WarehouseKind.VAN).order_by().values("part_id").annotate(
        n=Sum("quantity")).values_list("part_id", "n"))
    from aftersales.masterdata.models import Part

    names = {p.pk: p for p in Part.objects.filter(pk__in=demand)}
    rows = [{"part": names[pk].code, "name": names[pk].name, "demand": row["n"], "in_stock": stock.get(pk, 0),
             "in_vans": vans.get(pk, 0), "orders": row["orders"],
             "shortfall": max(row["n"] - stock.get(pk, 0) - vans.get(pk, 0), 0)} for pk, row in demand.items()]
    return {"parts": sorted(rows, key=lambda r: (-r["shortfall"], r["part"]))}


def visit_plan_row(plan: VisitPlan) -> dict:
    return {"id": plan.pk, "customer": plan.customer.code, "customer_name": plan.customer.name,
            "every_days": plan.every_days, "next_due": plan.next_due, "site_address": plan.site_address,
            "technician": plan.technician.get_username() if plan.technician_id else None, "note": plan.note,
            "is_active": plan.is_active}


def visit_plan_list(*, user):
    require_roles(user, *HQ)
    return VisitPlan.objects.select_related("customer", "technician").order_by("next_due", "id")


def feedback_row(item: Feedback) -> dict:
    return {"id": item.pk, "order": item.order.number, "topic": item.topic, "topic_label": item.get_topic_display(),
            "text": item.text, "recorded_by": _name(item.recorded_by), "recorded_at": item.recorded_at,
            "answer": item.answer, "answered_by": _name(item.answered_by), "answered_at": item.answered_at}


def feedback_list(*, user, params):
    require_roles(user, "engineering", "quality", *HQ)
    rows = Feedback.objects.select_related("order", "recorded_by", "answered_by")
    if params.get("open") in ("1", "true"):
        rows = rows.filter(answered_at__isnull=True)
    return rows.order_by("-id")


def photo_row(photo: FieldPhoto) -> dict:
    from django.urls import reverse

    return {"id": photo.pk, "kind": photo.kind, "kind_label": photo.get_kind_display(), "name": photo.original_name,
            "url": reverse("field:photo", args=[photo.pk]), "uploaded_at": photo.uploaded_at}


def photo_get(*, user, pk) -> FieldPhoto | None:
    """A photo to whoever may read its order or its claim (anyone else: None, a 404)."""
    photo = FieldPhoto.objects.filter(pk=parsing.id_or_none(pk) or 0).first()
    if photo is None:
        return None
    try:
        if photo.order_id is not None:
            order_get(user=user, pk=photo.order_id)
        else:
            claim_get(user=user, pk=photo.claim_id)
    except (NotFound, PermissionDenied):
        return None
    return photo
