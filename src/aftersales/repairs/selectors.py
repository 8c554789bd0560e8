"""Reads of repair: an order whole, and what a case cost (what is charged, what is absorbed)."""

from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from aftersales.core import policies
from aftersales.deadlines.models import Deadline

from .clocks import SUBJECT
from django.utils.translation import gettext_lazy as _

from .models import OrderUnit, PartUse, Quote, QuoteState, RepairOrder, RepairRecord

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def _outsourcing(case) -> Decimal:
    """The case's share of outsourced refurbishment: each returned order's cost split by the quantity
    of parts that came from this case's torn-down units."""
    from .models import RefurbishState, TeardownPart

    share = ZERO
    rows = TeardownPart.objects.filter(refurbish_order__state=RefurbishState.RETURNED).values_list(
        "refurbish_order_id", "refurbish_order__cost", "unit__return_case_id", "quantity")
    orders: dict[int, dict] = {}
    for order_id, cost, case_id, quantity in rows.filter(refurbish_order__in=TeardownPart.objects.filter(
            unit__return_case=case).values("refurbish_order")):
        entry = orders.setdefault(order_id, {"cost": cost, "all": 0, "ours": 0})
        entry["all"] += quantity
        entry["ours"] += quantity if case_id == case.pk else 0
    for entry in orders.values():
        share += entry["cost"] * entry["ours"] / entry["all"]
    return share.quantize(CENT)


def with_due_provisional(orders: QuerySet) -> QuerySet:
    """Orders with `due_provisional`: their own clock's due moment falls in a year whose official schedule
    is not confirmed (the clock's flag, so the order reads as its step does in the queues)."""
    clock = Deadline.objects.filter(subject_type=SUBJECT, subject_id=OuterRef("pk"), kind=SUBJECT).order_by("-id")
    return orders.annotate(due_provisional=Coalesce(Subquery(clock.values("provisional")[:1]), Value(False)))


def quote_in_force(state: str) -> bool:
    """A quote in force: sent and waiting for the customer's answer, or accepted. The units' answers are
    to it and it is the one revised; a refused quote is answered, a superseded one replaced."""
    return state in (QuoteState.SENT, QuoteState.ACCEPTED)


def quote_rows(case, *columns: str) -> list[dict]:
    """The case's quotes by revision, as rows of `columns` (and `state`), each saying whether it is in force."""
    rows = list(Quote.objects.filter(return_case=case).order_by("revision", "id")
                .values(*dict.fromkeys(("state", *columns))))
    for row in rows:
        row["in_force"] = quote_in_force(row["state"])
    return rows


def quote_list(case) -> QuerySet:
    """The case's quotes for its page, the latest first."""
    return Quote.objects.filter(return_case=case).order_by("-id")


def order_data(order: RepairOrder, *, user=None) -> dict:
    """An order whole, with the steps `user` may take on it now (from its table); `order` comes through
    `with_due_provisional`."""
    from .workflow import REWORK_ORDER

    plan = getattr(order, "plan", None) if hasattr(order, "plan") else None
    return {
        "id": order.pk, "number": order.number, "case": order.return_case.number, "case_id": order.return_case_id,
        "kind": order.kind, "state": order.state, "state_display": order.get_state_display(),
        "method": order.method, "findings": order.findings, "team": order.team, "is_batch": order.is_batch,
        "first_article_unit": order.first_article_unit_id, "due_at": order.due_at,
        "due_provisional": order.due_provisional,
        "delay_working_days": order.delay_working_days, "version": order.version,
        "unit_ids": list(order.order_units.order_by("unit_id").values_list("unit_id", flat=True)),
        "plan": {"expected_finish": plan.expected_finish, "note": plan.note, "beyond_due": plan.beyond_due,
                 "by": plan.answered_by.get_username()} if plan else None,
        "first_article_checks": [{"unit": c.unit_id, "passed": c.passed, "notes": c.notes, "at": c.checked_at}
                                 for c in order.first_article_checks.all()],
        "records": order.records.count(),
        "delays": [{"reason": d.reason, "working_days": d.working_days, "notice": d.notice,
                    "approved_by": d.approved_by.get_username() if d.approved_by else None,
                    "due_before": d.due_before, "due_after": d.due_after} for d in order.delays.all()],
        "material_requests": [{"id": r.pk, "number": r.number, "state": r.state}
                              for r in order.material_requests.all()],
        "allowed_actions": REWORK_ORDER.allowed(order, user) if user is not None else [],
    }


def case_cost(case) -> dict:
    """Parts at cost, labour hours × rate, transport and what the customer was charged; the
    rest is absorbed (warranty). Per unit where the parts and hours belong to a unit."""
    rate = policies.value("labour_rate_per_hour")
    amount = ExpressionWrapper(F("quantity") * F("unit_cost"), output_field=DecimalField(max_digits=20, decimal_places=2))
    uses = PartUse.objects.filter(order__return_case=case, from_issue=False)
    parts = (uses.aggregate(total=Sum(amount))["total"] or ZERO).quantize(CENT)
    by_unit: dict[int, dict] = {}
    for unit_id, total in uses.filter(unit__isnull=False).values("unit_id").annotate(total=Sum(amount)).values_list(
            "unit_id", "total"):
        by_unit.setdefault(unit_id, {"parts": ZERO, "labour_hours": Decimal("0")})["parts"] = total.quantize(CENT)
    hours = Decimal("0")
    for unit_id, unit_hours in RepairRecord.objects.filter(order__return_case=case).values("unit_id").annotate(
            hours=Sum("labour_hours")).values_list("unit_id", "hours"):
        by_unit.setdefault(unit_id, {"parts": ZERO, "labour_hours": Decimal("0")})["labour_hours"] = unit_hours.quantize(CENT)
        hours += unit_hours
    labour = (hours * rate).quantize(Decimal("0.01"))
    hours = hours.quantize(CENT)
    transport, charged = ZERO, ZERO
    for quote in Quote.objects.filter(return_case=case, state=QuoteState.ACCEPTED):
        transport += quote.transport * len(quote.unit_ids)
        charged += quote.total_per_unit * len(quote.unit_ids)
    outsourcing = _outsourcing(case)
    total = parts + labour + transport + outsourcing
    return {
        "parts": parts, "labour_hours": hours, "labour_rate": rate, "labour": labour, "transport": transport,
        "outsourcing": outsourcing, "total": total, "charged": charged, "absorbed": max(total - charged, ZERO),
        "units": [{"unit": unit_id, "parts": data["parts"], "labour_hours": data["labour_hours"],
                   "labour": (data["labour_hours"] * rate).quantize(Decimal("0.01"))}
                  for unit_id, data in sorted(by_unit.items())],
    }


def repair_daily_report(day, *, team: str | None = None) -> dict:
    """维修日报表: per team, what was repaired that day, hours, parts, anomalies (with the units'
    photos) and major anomalies (design, process, incoming material, workmanship)."""
    import datetime as dt

    from django.utils import timezone

    from aftersales.returns.models import Attachment
    from aftersales.returns.selectors import attachment_url

    start = dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())
    records = (RepairRecord.objects.filter(recorded_at__gte=start, recorded_at__lt=start + dt.timedelta(days=1))
               .select_related("order", "unit__product_model", "technician", "order__return_case")
               .order_by("order__team", "id"))
    if team:
        records = records.filter(order__team=team)
    records = list(records)
    photos: dict[int, list[str]] = {}
    anomaly_units = {r.unit_id for r in records if r.is_anomaly}
    for unit_id, attachment_id in (Attachment.objects.filter(unit_id__in=anomaly_units).order_by("id")
                                   .values_list("unit_id", "id")):
        photos.setdefault(unit_id, []).append(attachment_url(attachment_id))
    parts = defaultdict_sum(PartUse.objects.filter(unit_id__in={r.unit_id for r in records},
                                                   order_id__in={r.order_id for r in records})
                            .values_list("unit_id", "part__code", "quantity"))
    teams: dict[str, dict] = {}
    for r in records:
        row = teams.setdefault(r.order.team or "", {"team": r.order.team or "", "repaired": set(),
                                                      "labour_hours": Decimal("0"), "anomalies": [],
                                                      "major_anomalies": [], "orders": set()})
        row["repaired"].add(r.unit_id)  # units, not records: a reworked first article is one unit
        row["labour_hours"] += r.labour_hours
        row["orders"].add(r.order.number)
        if r.is_anomaly:
            entry = {"order": r.order.number, "case": r.order.return_case.number, "unit": r.unit_id,
                     "serial": r.unit.serial, "model": r.unit.product_model.code, "fault_found": r.fault_found,
                     "cause": r.cause, "action": r.action, "major": r.major_anomaly,
                     "technician": r.technician.get_username(), "parts": parts.get(r.unit_id, {}),
                     "photos": photos.get(r.unit_id, [])}
            row["anomalies"].append(entry)
            if r.major_anomaly:
                row["major_anomalies"].append(entry)
    for row in teams.values():
        row["orders"] = sorted(row["orders"])
        row["repaired"] = len(row["repaired"])
    return {"date": day, "teams": sorted(teams.values(), key=lambda row: row["team"]),
            "repaired": len({r.unit_id for r in records}), "records": len(records),
            "labour_hours": sum((r.labour_hours for r in records), Decimal("0"))}


def defaultdict_sum(rows) -> dict:
    """unit id -> {part code: quantity} from (unit_id, code, quantity) rows."""
    result: dict[int, dict] = {}
    for unit_id, code, quantity in rows:
        result.setdefault(unit_id, {}).setdefault(code, 0)
        result[unit_id][code] += quantity
    return result


def fees_due():
    """Accepted quotes not paid in full: what finance collects."""
    rows = []
    for quote in Quote.objects.filter(state=QuoteState.ACCEPTED).select_related(
            "return_case__customer", "parts_shipment__request__customer").order_by("id"):
        due = quote.amount_due - quote.paid_amount
        if due > 0:
            case, shipment = quote.return_case, quote.parts_shipment
            rows.append({"quote": quote.pk, "case": case.number if case else None, "case_id": quote.return_case_id,
                         "service_request": shipment.request.number if shipment else None,
                         "customer": (case or shipment.request).customer.code, "units": len(quote.unit_ids),
                         "amount_due": quote.amount_due, "paid": quote.paid_amount, "outstanding": due,
                         "accepted_at": quote.answered_at})
    return rows


def repair_data(start, end) -> list[dict]:
    """Repair data per order for a period (records made from `start` to `end`, dates inclusive):
    progress, labour hours, material consumption at cost."""
    import datetime as dt

    from django.db.models import Count
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    records = (RepairRecord.objects.filter(recorded_at__gte=since, recorded_at__lt=until).values("order_id")
               .annotate(records=Count("id"), hours=Sum("labour_hours")))
    by_order = {row["order_id"]: row for row in records}
    amount = ExpressionWrapper(F("quantity") * F("unit_cost"), output_field=DecimalField(max_digits=20, decimal_places=2))
    parts = dict(PartUse.objects.filter(order_id__in=by_order, from_issue=False, at__gte=since, at__lt=until)
                 .values("order_id").annotate(total=Sum(amount)).values_list("order_id", "total"))
    orders = RepairOrder.objects.filter(pk__in=by_order).select_related("return_case").annotate(
        units=Count("order_units", distinct=True))
    return [{"order": o.number, "case": o.return_case.number, "team": o.team, "state": o.state, "units": o.units,
             "recorded": by_order[o.pk]["records"], "labour_hours": (by_order[o.pk]["hours"] or ZERO).quantize(CENT),
             "parts_cost": (parts.get(o.pk) or ZERO).quantize(CENT)} for o in orders.order_by("number")]


def case_documents(case) -> list[dict]:
    """The documents that follow from a return case (下查): its rework orders and their material requests,
    its quotes and its scrap applications, each with its number, state and page; five queries."""
    from django.urls import reverse

    from .models import MaterialRequest, OrderState, QuoteState, RequestState, ScrapApplication, ScrapState

    orders = {o.pk: o for o in RepairOrder.objects.filter(return_case=case).only("id", "number", "state", "created_at")}
    documents = [{"kind": "repair_order", "kind_label": _("Rework order"), "number": o.number, "state": o.state,
                  "state_label": OrderState(o.state).label, "url": reverse("repairs:repair_order", args=[o.pk]),
                  "at": o.created_at, "parent": None} for o in orders.values()]
    for request in MaterialRequest.objects.filter(order_id__in=list(orders)).only(
            "id", "number", "state", "order_id", "requested_at"):
        documents.append({"kind": "material_request", "kind_label": _("Material request"), "number": request.number,
                          "state": request.state, "state_label": RequestState(request.state).label,
                          "url": reverse("repairs:repair_order", args=[request.order_id]),
                          "at": request.requested_at, "parent": orders[request.order_id].number})
    for quote in Quote.objects.filter(return_case=case).only("id", "revision", "state", "created_at"):
        documents.append({"kind": "quote", "kind_label": _("Quote"), "number": str(_("Revision %(n)s")) % {"n": quote.revision},
                          "state": quote.state, "state_label": QuoteState(quote.state).label,
                          "url": reverse("returns:print_form", args=[case.pk, "quote"]), "at": quote.created_at,
                          "parent": None})
    for application in ScrapApplication.objects.filter(return_case=case).only("id", "number", "state",
                                                                               "applied_at"):
        documents.append({"kind": "scrap_application", "kind_label": _("Scrap application"),
                          "number": application.number, "state": application.state,
                          "state_label": ScrapState(application.state).label,
                          "url": reverse("repairs:scrap_list") + f"?state={application.state}",
                          "at": application.applied_at, "parent": None})
    return documents


def order_summaries(ids) -> dict[int, dict]:
    """What an inbox row says of each rework order: its case (the row is grouped under it), the case's
    customer, the models and the number of units; two queries."""
    from django.urls import reverse

    orders = RepairOrder.objects.filter(pk__in=ids).select_related("return_case__customer").annotate(
        units=Count("order_units"))
    found = {}
    for order in orders:
        case = order.return_case
        found[order.pk] = {"reference": order.number, "customer": case.customer.name,
                           "customer_reference": case.customer_reference, "models": [], "quantity": order.units,
                           "url": reverse("repairs:repair_order", args=[order.pk]),
                           "group": ("return_case", case.pk, case.number)}
    models = (OrderUnit.objects.filter(order_id__in=list(found)).values_list("order_id", "unit__product_model__code")
              .distinct().order_by("order_id", "unit__product_model__code"))
    for order_id, code in models:
        found[order_id]["models"].append(code)
    return found


def scrap_weights(weights_kg: dict | None) -> list[dict]:
    """An application's kilograms per scrap class, as a page shows them: the class's label in the reader's
    language, the kilograms without trailing zeros (12.500 reads 12.5), in the classes' order."""
    from aftersales.masterdata.models import ScrapClass

    weights = weights_kg or {}
    return [{"scrap_class": code, "label": label, "kg": format(Decimal(str(weights[code])).normalize(), "f")}
            for code, label in ScrapClass.choices if weights.get(code)]

