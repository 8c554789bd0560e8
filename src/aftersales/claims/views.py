"""Pages of claims: purchasing's supplier claims (list, claim with its steps, the printed 供应商索赔单) and
the compensations finance settles and managers approve."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.core.errors import AppError
from aftersales.core.roles import role_required
from aftersales.web.printing import render_form

from . import selectors, services
from .forms_print import supplier_claim_data
from .models import ClaimState, CompensationState

CLAIM_READERS, COMPENSATION_READERS = selectors.CLAIM_READERS, selectors.COMPENSATION_READERS


@role_required(*CLAIM_READERS)
def claim_list(request):
    state = request.GET.get("state") if request.GET.get("state") in ClaimState.values else None
    claims = selectors.claim_list(user=request.user, state=state)[:200]
    return render(request, "claims/list.html", {"claims": claims, "state": state, "states": ClaimState.choices})


@role_required(*CLAIM_READERS)
def claim_page(request, pk: int):
    claim = selectors.claim_get(user=request.user, pk=pk)
    return render(request, "claims/claim.html", {"claim": claim, "data": selectors.claim_detail(claim, request.user)})


def _step(request, act, then):
    """A step posted from a page: done, or its refusal shown beside the record."""
    try:
        act(actor=request.user, action=request.POST.get("action", ""), params=request.POST.dict())
    except AppError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Saved."))
    return then


@role_required("purchasing")
@require_POST
def claim_step(request, pk: int):
    return _step(request, lambda **kw: services.claim_act(claim_id=pk, **kw), redirect("claims:claim", pk=pk))


@role_required(*CLAIM_READERS)
def claim_print(request, pk: int):
    claim = selectors.claim_get(user=request.user, pk=pk)
    context = {"claim": claim, "number": claim.number, "form": "supplier-claim", "title_zh": "供应商索赔单",
               "title_en": _("Supplier claim"), "company_name": settings.COMPANY_NAME,
               "printed_at": timezone.localtime(), **supplier_claim_data(claim)}
    return render_form(request, "claims/print/supplier_claim.html", context, f"{claim.number}-supplier-claim")


@role_required(*COMPENSATION_READERS)
def compensation_list(request):
    state = request.GET.get("state") if request.GET.get("state") in CompensationState.values else None
    rows = [selectors.compensation_row(c, request.user)
            for c in selectors.compensation_list(user=request.user, state=state)[:200]]
    return render(request, "claims/compensations.html", {"rows": rows, "state": state,
                                                         "states": CompensationState.choices})


@role_required("manager", "finance")
@require_POST
def compensation_step(request, pk: int):
    return _step(request, lambda **kw: services.compensation_act(compensation_id=pk, **kw),
                 redirect("claims:compensation_list"))
