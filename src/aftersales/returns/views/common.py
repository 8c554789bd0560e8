"""What the case's pages share."""

from django.http import Http404

from aftersales.masterdata.models import Warehouse, WarehouseKind

from .. import selectors
from ..models import ReturnCase


def case_or_404(request, pk: int) -> ReturnCase:
    """The case if the user may see it (a customer its own cases only); otherwise the page does not exist."""
    case = selectors.case_get(user=request.user, pk=pk)
    if case is None:
        raise Http404
    return case


def case_header_or_404(request, pk: int) -> ReturnCase:
    """The case row alone under the same rule, for a page that shows no more of it (a scanner's, the labels)."""
    case = selectors.case_header(user=request.user, pk=pk)
    if case is None:
        raise Http404
    return case


def warehouse_labels() -> dict:
    """Warehouse code -> the words for it (its kind, translated), for pages that show where a unit is."""
    kinds = dict(WarehouseKind.choices)
    return {code: kinds.get(kind, name) for code, name, kind in Warehouse.objects.values_list("code", "name", "kind")}
