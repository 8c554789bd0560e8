"""The approval matrix: who gives which approval of a return case, as managers read and print it."""

from django.shortcuts import render

from aftersales.core.roles import STAFF_ROLE_CODES, role_required

from ..services.approvals import approval_matrix as matrix_of


@role_required(*STAFF_ROLE_CODES)
def approval_matrix(request):
    return render(request, "returns/approval_matrix.html", {"matrix": matrix_of()})
