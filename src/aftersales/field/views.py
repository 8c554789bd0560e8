"""Field service pages: the dispatch board (headquarters), the technician's day and the order page (phone first:
check in, the report with the customer's signature drawn on the screen, kept on the phone while offline and sent
once), the penalty ledger and the printed service report. They act through field.services and read through its
selectors; the report is saved through the API (session and CSRF) so that a resend is answered once."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.core import parsing
from aftersales.core.errors import AppError
from aftersales.core.registry import print_form as registered_form
from aftersales.core.roles import role_required, roles_of
from aftersales.masterdata.models import Customer
from aftersales.web.pages import page_errors
from aftersales.web.printing import render_form

from . import selectors, services
from .clocks import SUBJECT
from .models import ClaimKind, ExpenseCategory, FeedbackTopic, PenaltyRule, Sanction, WorkKind
from .services.van import van_balances
from .workflow import EXPENSE_CLAIM, FIELD_ORDER

HQ = ("service", "manager")


def field_labels() -> dict:
    """What a page calls the fields an error names."""
    return {"fault_cause": _("Fault cause"), "solution": _("Solution"), "hours": _("Hours on site"),
            "customer_opinion": _("Customer's opinion"), "signed_by": _("Signed by"),
            "signature": _("Customer's signature"), "parts": _("Parts replaced"),
            "trained_people": _("People trained"), "training_topics": _("Training topics"),
            "reason": _("Reason"), "technician": _("Technician"), "latitude": _("Latitude"),
            "longitude": _("Longitude"), "note": _("Note"), "rule": _("Rule"), "amount": _("Amount"),
            "description": _("What happened"), "evidence": _("Evidence"), "occurred_on": _("Date"),
            "order": _("Field service order"), "sanction": _("Sanction"), "month": _("Month"), "date": _("Day"),
            "kind": _("Kind"), "trip_from": _("Trip from"), "trip_to": _("Trip to"), "places": _("Places of the trip"),
            "orders": _("Field service orders"), "lines": _("Receipts"), "advance": _("Advance"),
            "topic": _("Topic"), "text": _("What the customer said"), "answer": _("Answer"),
            "people": _("People sent"), "days_on_site": _("Days on site"), "photos": _("Photos")}


def _refusal(error: AppError) -> str:
    """A refused step in one message: what was refused and why, field by field."""
    labels = field_labels()
    return " ".join([str(error.message), *[f"{labels.get(key, key)}：{' '.join(msgs)}" for key, msgs in
                                            page_errors(error).items() if key != "non_field"]])


def _error_rows(errors: dict) -> list:
    labels = field_labels()
    return [(labels.get(key, key), messages_) for key, messages_ in errors.items() if key != "non_field"]
ORDER_READERS = (*HQ, "technician", "warehouse", "engineering")


@role_required(*HQ)
def board(request):
    try:
        data = selectors.board(user=request.user, params=request.GET)
    except AppError as error:
        messages.error(request, error.message)
        return redirect("field:board")
    # Any technician not on leave that day may be sent (the order's own day may be another).
    return render(request, "field/board.html", {
        "b": data, "available": [t for t in data["technicians"] if not t["on_leave"]],
        "works": [c for c in WorkKind.choices if c[0] != WorkKind.REPAIR] + [
            c for c in WorkKind.choices if c[0] == WorkKind.REPAIR],
        "customers": list(Customer.objects.filter(is_active=True).order_by("code").values_list("code", "name")[:500])})


@role_required(*HQ)
@require_POST
def open_order(request):
    """Headquarters opens a direct order from the board (installation, training, a visit, an inspection)."""
    body = {key: request.POST.get(key, "") for key in ("work", "customer", "site_address", "contact_name",
                                                        "contact_phone", "required_arrival", "technician",
                                                        "description")}
    body["contract_covered"] = request.POST.get("contract_covered") == "true"
    try:
        order = services.field_order_open(actor=request.user, body=body)
    except AppError as error:
        messages.error(request, _refusal(error))
        return redirect("field:board")
    messages.success(request, _("%(number)s opened.") % {"number": order.number})
    return redirect("field:order", order.pk)


@role_required(*ORDER_READERS)
def signature(request, pk: int):
    """The customer's signature as drawn, for the order's readers (the page shows it after a reload)."""
    try:
        found = selectors.order_get(user=request.user, pk=pk)
    except AppError:
        raise Http404 from None
    report = getattr(found, "report", None)
    if report is None or not report.signature:
        raise Http404
    response = HttpResponse(bytes(report.signature), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@role_required("technician")
def day(request):
    try:
        data = selectors.technician_day(user=request.user, params=request.GET)
    except AppError as error:
        messages.error(request, error.message)
        return redirect("field:day")
    return render(request, "field/day.html", {"d": data})


def _order_page(request, pk: int, errors=None, failed=None, status=200):
    try:
        found = selectors.order_get(user=request.user, pk=pk)
    except AppError:
        raise Http404 from None
    data = selectors.order_data(found, user=request.user)
    held = roles_of(request.user)
    allowed = {a["action"] for a in data["allowed_actions"]}
    editing = "technician" in held and found.technician_id == request.user.pk and found.state in (
        "accepted", "on_site")
    technicians = [t for t in selectors.board(user=request.user, params={})["technicians"]] if "assign" in allowed \
        else []
    may_answer = bool(held & {"engineering", "manager"})
    may_feedback = editing or (found.technician_id == request.user.pk and found.state == "reported")
    return render(request, "field/order.html", {
        "may_answer": may_answer, "may_feedback": may_feedback and found.work == "visit",
        "may_photo": found.technician_id == request.user.pk and found.state in ("accepted", "on_site", "reported"),
        "report_labels": {key: str(label) for key, label in field_labels().items()},
        "van_stock": van_balances(request.user) if editing else [],
        "topics": FeedbackTopic.choices,
        "o": data, "allowed": allowed, "errors": errors or {}, "error_rows": _error_rows(errors or {}),
        "failed": failed, "editing": editing,
        "technicians": technicians, "printable": data["report"] is not None and not held.isdisjoint(ORDER_READERS)},
        status=status)


@role_required(*ORDER_READERS)
def order_page(request, pk: int):
    return _order_page(request, pk)


@role_required(*ORDER_READERS)
@require_POST
def order_step(request, pk: int, step: str):
    if step not in services.ORDER_STEPS:
        raise Http404
    try:
        order = services.order_step(actor=request.user, order_id=pk, action=step, body=request.POST)
    except AppError as error:
        if error.status == 404:
            raise Http404 from None
        return _order_page(request, pk, errors=page_errors(error), failed=step, status=error.status)
    messages.success(request, _("%(number)s: %(step)s done.") % {
        "number": order.number, "step": FIELD_ORDER.spec(step).label})
    if step == "refuse":
        return redirect("field:day")
    return redirect("field:order", order.pk)


PENALTY_STEPS = {"contest": services.penalty_contest, "confirm": services.penalty_confirm,
                 "withdraw": services.penalty_withdraw}


@role_required("technician", *HQ)
@require_http_methods(["GET", "POST"])
def penalties(request):
    errors, posted = {}, {}
    if request.method == "POST":
        posted = request.POST
        try:
            services.penalty_record(actor=request.user, **{key: request.POST.get(key) for key in (
                "technician", "rule", "amount", "sanction", "occurred_on", "description", "evidence", "order")})
        except AppError as error:
            errors = page_errors(error)
        else:
            messages.success(request, _("Penalty recorded."))
            return redirect("field:penalties")
    try:
        rows = [selectors.penalty_data(p, user=request.user) for p in
                selectors.penalty_list(user=request.user, params=request.GET)[:100]]
    except AppError as error:
        errors, rows = page_errors(error), []
    return render(request, "field/penalties.html", {
        "rows": rows, "errors": errors, "error_rows": _error_rows(errors), "posted": posted,
        "may_record": "manager" in roles_of(request.user), "may_filter": bool(roles_of(request.user) & set(HQ)),
        "rules": PenaltyRule.choices, "sanctions": [c for c in Sanction.choices if c[0]],
        "month": request.GET.get("month", ""), "technician": request.GET.get("technician", "")},
        status=400 if errors else 200)


@role_required("technician", *HQ)
@require_POST
def penalty_step(request, pk: int, step: str):
    action = PENALTY_STEPS.get(step)
    if action is None:
        raise Http404
    try:
        selectors.penalty_get(user=request.user, pk=pk)
        action(actor=request.user, penalty_id=pk, note=request.POST.get("note"))
    except AppError as error:
        if error.status == 404:
            raise Http404 from None
        messages.error(request, _refusal(error))
    else:
        messages.success(request, _("Penalty updated."))
    return redirect("field:penalties")


@role_required(*ORDER_READERS)
def print_form(request, pk: int, form: str):
    """The order's printed service report (售后服务报告单), as an A4 page or PDF (`?format=pdf`)."""
    spec = registered_form(SUBJECT, form)
    if spec is None:
        raise Http404
    try:
        found = selectors.order_get(user=request.user, pk=pk)
    except AppError:
        raise Http404 from None
    if spec.available is not None and not spec.available(found):
        raise Http404
    context = {"order": found, "number": found.number, "form": form, "title_zh": spec.title_zh,
               "title_en": spec.title_en, "company_name": settings.COMPANY_NAME, "printed_at": timezone.localtime(),
               **spec.data(found)}
    return render_form(request, spec.template, context, f"{found.number}-{form}")


CLAIM_STEPS = ("submit", "approve", "reject", "pay")


@role_required("technician", "manager", "service", "finance")
@require_http_methods(["GET", "POST"])
def expenses(request):
    """Advances and travel expense claims: the technician drafts one (receipts as lines), the service manager
    approves or rejects it, finance pays; flagged receipts are marked."""
    errors, posted = {}, {}
    if request.method == "POST":
        posted = request.POST
        body = {"kind": request.POST.get("kind"), "trip_from": request.POST.get("trip_from"),
                "trip_to": request.POST.get("trip_to"), "places": request.POST.get("places", ""),
                "amount": request.POST.get("amount"), "advance": request.POST.get("advance") or None,
                "orders": [n.strip() for n in request.POST.get("orders", "").replace("，", ",").split(",")
                           if n.strip()],
                "lines": [{"category": c, "amount": a, "place": p, "receipt_on": d} for c, a, p, d in zip(
                    request.POST.getlist("category"), request.POST.getlist("line_amount"),
                    request.POST.getlist("place"), request.POST.getlist("receipt_on"), strict=False) if a.strip()]}
        try:
            claim = services.claim_create(actor=request.user, body=body)
        except AppError as error:
            errors = page_errors(error)
        else:
            messages.success(request, _("%(number)s drafted: submit it when it is complete.") % {
                "number": claim.number})
            return redirect("field:expenses")
    rows = [selectors.claim_data(c, user=request.user) for c in
            selectors.claim_list(user=request.user, params={})[:100]]
    return render(request, "field/expenses.html", {
        "rows": rows, "errors": errors, "error_rows": _error_rows(errors), "posted": posted,
        "may_draft": "technician" in roles_of(request.user), "categories": ExpenseCategory.choices,
        "kinds": ClaimKind.choices}, status=400 if errors else 200)


@role_required("technician", "manager", "service", "finance")
@require_POST
def expense_step(request, pk: int, step: str):
    if step not in CLAIM_STEPS:
        raise Http404
    try:
        selectors.claim_get(user=request.user, pk=pk)
        claim = services.claim_step(actor=request.user, claim_id=pk, action=step, note=request.POST.get("note"))
    except AppError as error:
        if error.status == 404:
            raise Http404 from None
        messages.error(request, _refusal(error))
    else:
        messages.success(request, _("%(number)s: %(step)s done.") % {
            "number": claim.number, "step": EXPENSE_CLAIM.spec(step).label})
    return redirect("field:expenses")


@role_required("technician", "engineering", "manager")
@require_POST
def feedback_step(request, pk: int, step: str):
    """Record the customer's feedback on a visit (the technician), or answer it (engineering)."""
    try:
        if step == "add":
            services.feedback_add(actor=request.user, order_id=pk, topic=request.POST.get("topic"),
                                  text=request.POST.get("text"))
        elif step == "answer":
            item = selectors.feedback_list(user=request.user, params={}).filter(
                pk=parsing.id_or_none(request.POST.get("feedback")) or 0, order_id=pk).first()
            if item is None:
                raise Http404
            services.feedback_answer(actor=request.user, feedback_id=item.pk, answer=request.POST.get("answer"))
        else:
            raise Http404
    except AppError as error:
        if error.status == 404:
            raise Http404 from None
        messages.error(request, _refusal(error))
    else:
        messages.success(request, _("Feedback recorded.") if step == "add" else _("Answer recorded."))
    return redirect("field:order", pk)


@role_required(*ORDER_READERS, "finance")
def photo(request, pk: int):
    """A photo of the work or a receipt, to the readers of its order or claim, never from /media/."""
    from aftersales.returns.views.files import verified_file

    def find(user):
        found = selectors.photo_get(user=user, pk=pk)
        return (found.file, found.content_type, found.original_name) if found is not None else None

    return verified_file(request, find)


@role_required("technician")
@require_POST
def photos_add(request, pk: int, record: str):
    """Photos from the phone: of the work on an order (`record` order), of receipts on a claim (`record` claim)."""
    try:
        if record == "order":
            services.order_photos_add(actor=request.user, order_id=pk, kind=request.POST.get("kind"),
                                      uploads=request.FILES.getlist("photos"))
        elif record == "claim":
            services.claim_receipts_add(actor=request.user, claim_id=pk, uploads=request.FILES.getlist("photos"))
        else:
            raise Http404
    except AppError as error:
        if error.status == 404:
            raise Http404 from None
        messages.error(request, _refusal(error))
    else:
        messages.success(request, _("Photos added."))
    return redirect("field:order", pk) if record == "order" else redirect("field:expenses")
