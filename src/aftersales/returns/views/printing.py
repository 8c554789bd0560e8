"""A case's printed forms, those of returns and those other apps register for it (repairs' rework orders,
quote, ...), as A4 pages or PDF; and its sheet of QR labels. Whoever may see a case may print its forms
(customers their own cases only), except the internal ones (staff only); labels are for staff."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils import timezone

from aftersales.core.registry import print_form as registered_form
from aftersales.core.roles import roles_of
from aftersales.web.printing import render_form

from ..clocks import SUBJECT
from ..forms_print import labels_data
from .common import case_header_or_404, case_or_404


@login_required
def print_form(request, pk: int, form: str):
    spec = registered_form(SUBJECT, form)
    if spec is None:
        raise Http404
    case = case_or_404(request, pk)
    if spec.staff_only and "customer" in roles_of(request.user):
        raise Http404
    context = {
        "case": case, "number": case.number, "form": form, "title_zh": spec.title_zh, "title_en": spec.title_en,
        "company_name": settings.COMPANY_NAME, "printed_at": timezone.localtime(), **spec.data(case),
    }
    return render_form(request, spec.template, context, f"{case.number}-{form}")


@login_required
def labels(request, pk: int):
    """QR labels for the units in the company's warehouses: case number | serial | model code."""
    case = case_header_or_404(request, pk)  # the labels show its number alone
    if "customer" in roles_of(request.user):
        raise Http404
    context = {"case": case, "company_name": settings.COMPANY_NAME, **labels_data(case, request.GET.get("page"))}
    return render_form(request, "returns/labels.html", context, f"{case.number}-labels")
