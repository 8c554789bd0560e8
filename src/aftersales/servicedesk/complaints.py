"""Reads of the complaint file: the ledger (every complaint, its cause, how it was handled and the result),
filtered; and the frequency of causes (counts and cumulative shares, a Pareto) by cause, model, customer or
month."""

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import InvalidInput
from aftersales.core.permissions import scope_to_customer

from .models import Category, ServiceRequest

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
    for name, lookup in (("from", "created_at__date__gte"), ("to", "created_at__date__lte")):
        if params.get(name):
            rows = rows.filter(**{lookup: parsing.date_value(params[name], name)})
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
            "decision_label": last.get_kind_display() if last else None, "result": request.result, "state": request.state}


def pareto(rows, by: str) -> list[dict]:
    """Counts per key, most frequent first, with each key's share and the cumulative share (percent)."""
    if by not in PARETO_BY:
        raise InvalidInput(details={"by": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(PARETO_BY)}]})
    if by == "month":
        rows = rows.annotate(month=TruncMonth("created_at"))
    counted = list(rows.order_by().values(key=F(PARETO_BY[by])).annotate(count=Count("id")).order_by("-count", "key"))
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
