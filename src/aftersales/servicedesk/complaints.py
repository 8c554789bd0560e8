"""Reads of the complaint file: the ledger (every complaint, its cause, how it was handled and the result),
filtered; and the frequency of causes (counts and cumulative shares, a Pareto) by cause, model, customer or
month."""

from django.db.models import Count, Q
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
    # Registered on the day or after it / on the day or before it: local days, stored and indexed (created_on).
    if params.get("from"):
        rows = rows.filter(created_on__gte=parsing.date_value(params["from"], "from"))
    if params.get("to"):
        rows = rows.filter(created_on__lte=parsing.date_value(params["to"], "to"))
    return rows.order_by("-id")


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
    """Counts per local calendar month, summed from the counts per local day (created_on, which the database
    keeps and an index holds with the ledger's columns: no moment of a row is converted when counting)."""
    per_day = rows.order_by().values_list("created_on").annotate(count=Count("id")).values_list("created_on", "count")
    months: dict = {}
    for day, count in per_day:
        month = day.replace(day=1)
        months[month] = months.get(month, 0) + count
    return sorted(({"key": month, "count": count} for month, count in months.items()),
                  key=lambda row: (-row["count"], row["key"]))
