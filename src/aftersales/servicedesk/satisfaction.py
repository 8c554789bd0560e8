"""Reads of the satisfaction statistics (满意度统计): the answered surveys of requests and return cases, filtered;
their averages per dimension overall, per month (of the answer), per technician (who handled what was asked
about) and per department; and the comments."""

from django.db.models import Avg, Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import InvalidInput
from aftersales.core.roles import ROLE_LABELS

from .models import Survey
from .rules import DIMENSIONS

GROUP_BY = {"month": "month", "technician": "handled_by__username", "department": "department"}
KINDS = ("request", "case")
DECIMALS = 2


def answered(*, params) -> object:
    """Answered surveys, newest answer first; `from`/`to` (answer dates), `department`, `technician` (username),
    `kind` (request or case)."""
    rows = Survey.objects.filter(answered_at__isnull=False).select_related(
        "request", "return_case", "customer", "handled_by", "complaint")
    for name, lookup in (("from", "answered_at__date__gte"), ("to", "answered_at__date__lte")):
        if params.get(name):
            rows = rows.filter(**{lookup: parsing.date_value(params[name], name)})
    if params.get("department"):
        rows = rows.filter(department=parsing.text(params["department"], "department", max_length=20))
    if params.get("technician"):
        rows = rows.filter(handled_by__username=parsing.text(params["technician"], "technician", max_length=150))
    kind = params.get("kind")
    if kind:
        if kind not in KINDS:
            raise InvalidInput(details={"kind": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(KINDS)}]})
        rows = rows.filter(request__isnull=kind == "case")
    return rows.order_by("-answered_at", "-id")


def _averages(values: dict) -> dict:
    return {name: round(values[name], DECIMALS) if values[name] is not None else None for name in DIMENSIONS}


def _measures(low_score: int) -> dict:
    low = Q()
    for name in DIMENSIONS:
        low |= Q(**{f"{name}__lte": low_score})
    return {"count": Count("id"), "low": Count("id", filter=low), **{name: Avg(name) for name in DIMENSIONS}}


def summary(rows, *, low_score: int) -> dict:
    """How many answered, how many not satisfied (any dimension at or below the low score), the averages."""
    values = rows.order_by().aggregate(**_measures(low_score))
    return {"count": values["count"], "low": values["low"], **_averages(values)}


def _label(by: str, key) -> str:
    if by == "department":
        return str(ROLE_LABELS.get(key, key)) if key else _("No department")
    if by == "technician":
        return key or _("Nobody named")
    return key


def groups(rows, by: str, *, low_score: int) -> list[dict]:
    """The averages per month (oldest first), per technician or per department (most answers first)."""
    if by not in GROUP_BY:
        raise InvalidInput(details={"by": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(GROUP_BY)}]})
    if by == "month":
        rows = rows.annotate(month=TruncMonth("answered_at"))
    order = ("key",) if by == "month" else ("-count", "key")
    counted = rows.order_by().values(key=F(GROUP_BY[by])).annotate(**_measures(low_score)).order_by(*order)
    out = []
    for row in counted:
        key = row["key"]
        key = key.strftime("%Y-%m") if hasattr(key, "strftime") else (key or "")
        out.append({"key": key, "label": _label(by, key), "count": row["count"], "low": row["low"],
                    **_averages(row)})
    return out


def survey_row(survey) -> dict:
    """One answered survey as the comments list and the export show it."""
    return {"id": survey.pk, "kind": "request" if survey.request_id else "case", "number": survey.subject_number,
            "customer": survey.customer.code, "customer_name": survey.customer.name,
            "technician": survey.handled_by.get_username() if survey.handled_by_id else None,
            "department": survey.department,
            "department_label": str(ROLE_LABELS.get(survey.department, survey.department)) if survey.department else "",
            "answered_at": survey.answered_at, **{name: getattr(survey, name) for name in DIMENSIONS},
            "comment": survey.comment, "followup": survey.followup, "followup_label": survey.get_followup_display(),
            "complaint": survey.complaint.number if survey.complaint_id else None}


def with_comments(rows):
    return rows.exclude(comment="")


def chart(months: list[dict]) -> dict:
    """The per-month chart's data (ECharts): the months and one series per dimension."""
    labels = {"response": _("Response"), "attitude": _("Attitude"), "fix_quality": _("Quality of the fix"),
              "overall": _("Overall")}
    return {"months": [row["key"] for row in months],
            "series": [{"name": str(labels[name]), "data": [row[name] for row in months]} for name in DIMENSIONS],
            "counts": [row["count"] for row in months], "count_label": _("Answers")}
