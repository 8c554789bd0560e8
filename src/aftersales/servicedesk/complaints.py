"""Reads of the complaint file: the ledger (every complaint, its cause, how it was handled and the result),
filtered; and the frequency of causes (counts and cumulative shares, a Pareto) by cause, model, customer or
month."""

import datetime

from django.db.models import Case, Count, Max, Min, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import InvalidInput
from aftersales.core.permissions import scope_to_customer
from aftersales.masterdata.models import Customer, ProductModel

from .models import Category, ComplaintCause, ServiceRequest

COMPLAINTS = (Category.PRODUCT_COMPLAINT, Category.STAFF_COMPLAINT)
PARETO_BY = {"cause": "cause__name", "model": "product_model__code", "customer": "customer__name", "month": "month"}


def ledger(*, user, params) -> object:
    """Complaints (the complaint categories, or any request whose cause is classified), newest first."""
    rows = scope_to_customer(ServiceRequest.objects.select_related("customer", "product_model", "cause"), user,
                             "customer").filter(Q(category__in=COMPLAINTS) | Q(cause__isnull=False))
    filters = {"category": "category", "state": "state", "customer": "customer__code", "model": "product_model__code"}
    for name, lookup in filters.items():
        value = params.get(name)
        if value:
            rows = rows.filter(**{lookup: parsing.text(value, name, max_length=40)})
    if params.get("cause"):
        code = parsing.text(params["cause"], "cause", max_length=40)
        rows = rows.filter(Q(cause__code=code) | Q(cause__parent__code=code))
    # Registered on the day or after it / on the day or before it, as ranges of moments (an index serves them,
    # where a local date of every row would be computed first).
    if params.get("from"):
        rows = rows.filter(created_at__gte=_day_start(parsing.date_value(params["from"], "from")))
    if params.get("to"):
        rows = rows.filter(created_at__lt=_day_start(parsing.date_value(params["to"], "to") + datetime.timedelta(1)))
    return rows.order_by("-id")


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def ledger_row(request) -> dict:
    decision = request.decisions.all()
    last = list(decision)[-1] if decision else None
    return {"id": request.pk, "number": request.number, "created_at": request.created_at,
            "category": request.category, "customer": request.customer.code, "customer_name": request.customer.name,
            "product_model": request.product_model.code if request.product_model else None,
            "serial": request.serial, "cause": request.cause.code if request.cause_id else None,
            "cause_name": request.cause.name if request.cause_id else None, "description": request.description,
            "decision": last.kind if last else None,
            "decision_label": last.get_kind_display() if last else None, "result": request.result, "state": request.state,
            "state_label": request.get_state_display()}


def pareto(rows, by: str) -> list[dict]:
    """Counts per key, most frequent first, with each key's share and the cumulative share (percent)."""
    if by not in PARETO_BY:
        raise InvalidInput(details={"by": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(PARETO_BY)}]})
    counted = _counted_by_month(rows) if by == "month" else _counted_by_id(rows, by)
    total = sum(row["count"] for row in counted) or 1
    running, out = 0, []
    for row in counted:
        running += row["count"]
        key = row["key"]
        key = key.strftime("%Y-%m") if hasattr(key, "strftime") else (key if key is not None else "")
        out.append({"key": key, "count": row["count"], "share": round(100 * row["count"] / total, 1),
                    "cumulative": round(100 * running / total, 1)})
    return out


def pareto_chart(rows: list[dict]) -> dict:
    """The Pareto chart's data (ECharts): the keys most frequent first, their counts, the cumulative percent."""
    return {"keys": [row["key"] or "—" for row in rows], "counts": [row["count"] for row in rows],
            "cumulative": [row["cumulative"] for row in rows], "count_label": _("Count"),
            "cumulative_label": _("Cumulative %")}


# The key's column on the request, and where its label is: counted per id on the request's own row (an index
# the database reads alone), then summed per label, as grouping by the joined label would count them.
BY_ID = {"cause": ("cause_id", ComplaintCause, "name"), "model": ("product_model_id", ProductModel, "code"),
         "customer": ("customer_id", Customer, "name")}


def _counted_by_id(rows, by: str) -> list[dict]:
    column, model, label = BY_ID[by]
    per_id = list(rows.order_by().values_list(column).annotate(count=Count("id")).values_list(column, "count"))
    labels = dict(model.objects.filter(pk__in=[pk for pk, _count in per_id if pk is not None])
                  .values_list("pk", label))
    counts: dict = {}
    for pk, count in per_id:
        key = labels.get(pk) if pk is not None else None
        counts[key] = counts.get(key, 0) + count
    # Most frequent first, then by key; no key (nothing classified) first among equals, as SQLite orders NULL.
    return sorted(({"key": key, "count": count} for key, count in counts.items()),
                  key=lambda row: (-row["count"], row["key"] is not None, row["key"] or ""))


def _counted_by_month(rows) -> list[dict]:
    """Counts per local calendar month: each row's month found by comparing its moment with the months' starts
    (a few comparisons per row, where truncating every moment to its local month costs far more on SQLite)."""
    bounds = ServiceRequest.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    if bounds["first"] is None:
        return []
    starts = [_month_start(timezone.localtime(bounds["first"]).date())]
    while starts[-1] <= bounds["last"]:
        starts.append(_month_start((starts[-1].date() + datetime.timedelta(days=32)).replace(day=1)))
    counted = rows.order_by().values(month=_month_of(starts, 0, len(starts) - 1)).annotate(count=Count("id"))
    return sorted(({"key": starts[row["month"]], "count": row["count"]} for row in counted),
                  key=lambda row: (-row["count"], row["key"]))


def _month_start(day: datetime.date) -> datetime.datetime:
    return _day_start(day.replace(day=1))


def _month_of(starts: list, low: int, high: int):
    """The index i in [low, high) with starts[i] <= created_at < starts[i + 1], as a binary search in SQL."""
    if high - low == 1:
        return Value(low)
    middle = (low + high) // 2
    return Case(When(created_at__lt=starts[middle], then=_month_of(starts, low, middle)),
                default=_month_of(starts, middle, high))
