"""Service desk pages: the inbox (new, unanswered, overdue, reopened), the quick registration (serial first,
its lookup as the serial is typed), the request page (timeline, contact log, the decision buttons), the
customer's portal pages (submit, follow, answer the survey; phone first) and the survey through its signed
link (no login). They act through servicedesk.services and read through its selectors."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from aftersales.core import parsing
from aftersales.core.errors import AppError
from aftersales.core.registry import print_form as registered_form
from aftersales.core.registry import subject_panels
from aftersales.core.roles import CUSTOMER, ROLE_LABELS, role_required, roles_of
from aftersales.masterdata.models import Customer
from aftersales.web.pages import page_errors
from aftersales.web.printing import render_form

from . import rules, selectors, services
from .clocks import SUBJECT
from .models import (
    Category,
    Channel,
    ComplaintCause,
    DecisionKind,
    Priority,
    RequestState,
    Survey,
)
from .services.requests import PHOTO_ROLES

DESK_ROLES = ("service", "manager")
PAGE_ROWS = 50
REGISTER_FIELDS = ("customer", "channel", "category", "priority", "product_model", "contact_name", "contact_phone",
                   "serial", "description", "staff_member")
DECIDE_FIELDS = ("solution", "carrier", "tracking", "technician", "planned_date", "site_address", "supplier", "part",
                 "problem")


@role_required(*DESK_ROLES)
def inbox(request):
    queue = request.GET.get("queue") or "unanswered"
    if queue not in selectors.QUEUES:
        queue = "unanswered"
    counts = {name: selectors.queue_count(user=request.user, queue=name)
              for name in ("new", "unanswered", "overdue", "reopened")}
    rows = [selectors.request_row(r) for r in
            selectors.request_list(user=request.user, queue=queue, overdue_count=counts["overdue"])[:PAGE_ROWS]]
    return render(request, "servicedesk/inbox.html", {"queue": queue, "rows": rows, "counts": counts,
                                                      "queues": queue_labels()})


def queue_labels():
    """The words of the inbox's tabs, in the reader's language."""
    return [("new", _("New")), ("unanswered", _("Unanswered")), ("overdue", _("Overdue")),
            ("reopened", _("Reopened")), ("open", _("Open")), ("all", _("All"))]


@role_required(*DESK_ROLES, CUSTOMER)
@require_http_methods(["GET", "POST"])
def register(request):
    customer_user = request.user.customer_id is not None
    errors = {}
    posted = {name: request.POST.get(name, "") for name in REGISTER_FIELDS}
    if request.method == "POST":
        try:
            created = services.request_register(actor=request.user, photos=request.FILES.getlist("photos"),
                                                **{k: v for k, v in posted.items() if v != "" or k == "description"})
        except AppError as error:
            errors = page_errors(error)
        else:
            messages.success(request, _("Service request %(number)s registered.") % {"number": created.number})
            return redirect("servicedesk:request", created.pk)
    lookup = None
    serial = request.GET.get("serial", "").strip()[:80]
    if serial:
        lookup = selectors.serial_lookup(user=request.user, serial=serial, category=request.GET.get("category"))
    context = {"errors": errors, "posted": posted, "lookup": lookup, "serial": serial or posted["serial"],
               "chosen_customer": posted["customer"] or (lookup or {}).get("customer") or "",
               "customer_user": customer_user, "channels": Channel.choices, "categories": Category.choices,
               "priorities": Priority.choices,
               "customers": [] if customer_user else list(Customer.objects.filter(is_active=True).order_by("code")
                                                          .values_list("code", "name")[:500])}
    if request.headers.get("HX-Request") and serial:
        return render(request, "servicedesk/_lookup.html", context)
    return render(request, "servicedesk/register.html", context)


@role_required(*DESK_ROLES, CUSTOMER, "technician", "quality", "engineering", "purchasing")
def request_page(request, pk: int, errors=None, failed=None):
    try:
        found = selectors.request_get(user=request.user, pk=pk)
    except AppError:
        raise Http404 from None
    data = selectors.request_data(found, user=request.user)
    return render(request, "servicedesk/request.html", {
        "panels": subject_panels(SUBJECT, found, request), "r": data, "errors": errors or {}, "failed": failed, "allowed": {a["action"] for a in data["allowed_actions"]},
        "may_ship": bool(roles_of(request.user) & {"service", "manager"}),
        "may_add_photos": found.state != RequestState.CLOSED and bool(
            roles_of(request.user) & PHOTO_ROLES),
        "channels": Channel.choices, "kinds": DecisionKind.choices, "is_customer": CUSTOMER in roles_of(request.user),
        "open_survey": next((s for s in found.surveys.all() if s.answered_at is None), None),
        "causes": ComplaintCause.objects.filter(is_active=True).order_by("code") if "classify" in {
            a["action"] for a in data["allowed_actions"]} else []})


STEPS = {
    "reply": lambda user, pk, post: services.request_reply(actor=user, request_id=pk, content=post.get("content"),
                                                           channel=post.get("channel") or None),
    "contact": lambda user, pk, post: services.contact_add(actor=user, request_id=pk, content=post.get("content"),
                                                           channel=post.get("channel") or None,
                                                           inbound=post.get("inbound") == "on"),
    "decide": lambda user, pk, post: services.request_decide(
        actor=user, request_id=pk, kind=post.get("kind"),
        parts=[{"part": post.get("part_code", ""), "quantity": parsing.number_or_text(post.get("part_quantity", ""))}]
        if post.get("kind") == DecisionKind.PARTS else None,
        **{name: post.get(name) for name in DECIDE_FIELDS if post.get(name)}),
    "resolve": lambda user, pk, post: services.request_resolve(actor=user, request_id=pk, result=post.get("result")),
    "close": lambda user, pk, post: services.request_close(actor=user, request_id=pk),
    "reopen": lambda user, pk, post: services.request_reopen(actor=user, request_id=pk, reason=post.get("reason")),
    "classify": lambda user, pk, post: services.request_classify(actor=user, request_id=pk, cause=post.get("cause")),
    "verify_complaint": lambda user, pk, post: services.complaint_verify(
        actor=user, request_id=pk, finding=post.get("finding"), staff_member=post.get("staff_member") or None),
    "reject_complaint": lambda user, pk, post: services.complaint_reject(actor=user, request_id=pk,
                                                                         finding=post.get("finding")),
}
# Steps on one of the request's parts shipments (its id posted as `shipment`).
SHIPMENT_STEPS = {
    "ship": lambda user, pk, post: services.parts_shipment_ship(
        actor=user, request_id=pk, shipment_id=post.get("shipment"), carrier=post.get("carrier"),
        tracking=post.get("tracking")),
}
STEPS.update(SHIPMENT_STEPS)
FILE_STEPS = {
    "photos": lambda user, pk, files: services.photos_add(actor=user, request_id=pk, uploads=files.getlist("photos")),
}


@login_required
@require_POST
def request_step(request, pk: int, step: str):
    if (step not in STEPS and step not in FILE_STEPS) or not roles_of(request.user):
        raise Http404
    try:
        if step in FILE_STEPS:
            FILE_STEPS[step](request.user, pk, request.FILES)
        else:
            STEPS[step](request.user, pk, request.POST)
    except AppError as error:
        if error.status == 404:
            raise Http404 from None
        response = request_page(request, pk, errors=page_errors(error), failed=step)
        response.status_code = 400 if error.status == 400 else 409 if error.status == 409 else 403
        return response
    messages.success(request, _("Saved."))
    return redirect("servicedesk:request", pk)


@require_safe
def photo(request, pk: int):
    """A request's photo, to whoever may see the request (another customer's: 404), never from /media/."""
    from aftersales.returns.views.files import verified_file

    def find(user):
        found = selectors.photo_get(user=user, pk=pk)
        return (found.file, found.content_type, found.original_name) if found is not None else None

    return verified_file(request, find)


@role_required(CUSTOMER)
def portal(request):
    rows = [selectors.request_row(r) for r in selectors.request_list(user=request.user, queue="all")[:PAGE_ROWS]]
    return render(request, "servicedesk/portal.html", {
        "rows": rows, "surveys": list(selectors.surveys_waiting(user=request.user)[:PAGE_ROWS])})


def _survey_page(request, survey, *, actor, action_url):
    errors = {}
    if request.method == "POST" and survey.answered_at is None:
        body = {name: parsing.number_or_text(request.POST.get(name, "")) for name in rules.DIMENSIONS}
        body.update(comment=request.POST.get("comment", ""), followup=request.POST.get("followup") or None)
        try:
            survey = services.survey_answer(actor=actor, survey_id=survey.pk, **body)
        except AppError as error:
            errors = page_errors(error)
    return render(request, "servicedesk/survey.html", {
        "survey": survey, "errors": errors, "action_url": action_url, "scores": range(5, 0, -1),
        "dimensions": [("response", _("Response")), ("attitude", _("Attitude")),
                       ("fix_quality", _("Quality of the fix")), ("overall", _("Overall"))],
        "followups": [(Survey.Followup.REOPEN, _("Handle it again")),
                      (Survey.Followup.COMPLAIN, _("Complain to the manager"))]},
        status=400 if errors else 200)


@role_required(CUSTOMER)
@require_http_methods(["GET", "POST"])
def survey_portal(request, pk: int):
    try:
        survey = selectors.survey_get(user=request.user, pk=pk)
    except AppError:
        raise Http404 from None
    return _survey_page(request, survey, actor=request.user, action_url=request.path)


@require_http_methods(["GET", "POST"])
def survey_link(request, token: str):
    """The survey through its signed link: no login (an SMS or WeChat message on a phone)."""
    try:
        survey = services.survey_from_token(token)
    except AppError as error:
        return render(request, "servicedesk/survey_refused.html", {"message": error.message},
                      status=error.status)
    return _survey_page(request, survey, actor=None, action_url=request.path)


@role_required(*DESK_ROLES, "quality", "engineering", "technician")
def print_form(request, pk: int, form: str):
    """The request's printed forms (internal paper: staff only), as an A4 page or PDF (`?format=pdf`)."""
    spec = registered_form(SUBJECT, form)
    if spec is None:
        raise Http404
    try:
        found = selectors.request_get(user=request.user, pk=pk)
    except AppError:
        raise Http404 from None
    context = {"request_obj": found, "number": found.number, "form": form, "title_zh": spec.title_zh,
               "title_en": spec.title_en, "company_name": settings.COMPANY_NAME, "printed_at": timezone.localtime(),
               **spec.data(found)}
    return render_form(request, spec.template, context, f"{found.number}-{form}")


@role_required("service", "quality", "engineering", "manager")
def complaint_ledger(request):
    """投诉履历台账: the complaints filtered, their frequency as a Pareto, the ledger as XLSX."""
    from aftersales.web.exports import Row, xlsx_response

    from . import complaints

    by = request.GET.get("by") if request.GET.get("by") in complaints.PARETO_BY else "cause"
    error, rows, pareto = None, [], []
    try:
        found = complaints.ledger(user=request.user, params=request.GET).prefetch_related("decisions")
        if request.GET.get("export") == "xlsx":
            return xlsx_response("complaints", [
                (_("Number"), "number"), (_("Registered at"), "created_at"), (_("Customer"), "customer_name"),
                (_("Product model"), "product_model"), (_("Serial number"), "serial"), (_("Cause"), "cause_name"),
                (_("Description"), "description"), (pgettext("service request", "Decision"), "decision_label"),
                (_("Result"), "result"), (_("State"), "state_label")], (Row(complaints.ledger_row(r)) for r in found))
        rows = [complaints.ledger_row(r) for r in found[:PAGE_ROWS]]
        pareto = complaints.pareto(found, by)
    except AppError as refused:
        error = str(refused.message)
    return render(request, "servicedesk/complaints.html", {
        "rows": rows, "pareto": pareto, "pareto_chart": complaints.pareto_chart(pareto), "by": by, "error": error, "params": request.GET,
        "causes": ComplaintCause.objects.filter(is_active=True).order_by("code"),
        "bys": [("cause", _("Cause")), ("model", _("Product model")), ("customer", _("Customer")),
                ("month", _("Month"))]})


@role_required("service", "manager")
def satisfaction_page(request):
    """满意度统计: the averages per dimension, per month (a chart), per technician and per department, the
    comments; the answered surveys as XLSX."""
    from aftersales.core import policies
    from aftersales.web.exports import Row, xlsx_response

    from . import satisfaction

    low_score = policies.value("survey_low_score")
    error, summary, months, technicians, departments, comments = None, None, [], [], [], []
    try:
        found = satisfaction.answered(params=request.GET)
        if request.GET.get("export") == "xlsx":
            return xlsx_response("satisfaction", [
                (_("Answered at"), "answered_at"), (_("Number"), "number"), (_("Customer"), "customer_name"),
                (_("Technician"), "technician"), (_("Department"), "department_label"), (_("Response"), "response"),
                (_("Attitude"), "attitude"), (_("Quality of the fix"), "fix_quality"), (_("Overall"), "overall"),
                (_("Comment"), "comment"), (_("Follow-up"), "followup_label"), (_("Complaint raised"), "complaint")],
                (Row(satisfaction.survey_row(s)) for s in found))
        summary = satisfaction.summary(found, low_score=low_score)
        months = satisfaction.groups(found, "month", low_score=low_score)
        technicians = satisfaction.groups(found, "technician", low_score=low_score)
        departments = satisfaction.groups(found, "department", low_score=low_score)
        comments = [satisfaction.survey_row(s) for s in satisfaction.with_comments(found)[:PAGE_ROWS]]
    except AppError as refused:
        error = str(refused.message)
    return render(request, "servicedesk/satisfaction.html", {
        "summary": summary, "months": months, "technicians": technicians, "departments": departments,
        "comments": comments, "chart": satisfaction.chart(months), "error": error, "params": request.GET,
        "low_score": low_score, "department_choices": [(code, ROLE_LABELS[code]) for code in rules.DEPARTMENTS],
        "kinds": [("request", _("Service requests")), ("case", _("Return cases"))],
        "dimensions": [("response", _("Response")), ("attitude", _("Attitude")),
                       ("fix_quality", _("Quality of the fix")), ("overall", _("Overall"))]})
