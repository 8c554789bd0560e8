"""Reads of the service desk: the inbox's queues, one request whole (timeline, contacts, decision, survey),
the serial lookup of the quick registration, and what other apps' pages show of a request."""

import datetime

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.lookups import IsNull
from django.urls import reverse
from django.utils import timezone

from aftersales.core import policies
from aftersales.core.errors import NotFound
from aftersales.core.permissions import scope_to_customer
from aftersales.core.registry import subject_link
from aftersales.core.roles import require_roles, roles_of
from aftersales.deadlines.models import Deadline, DeadlineState
from aftersales.masterdata.models import ShippedUnit
from aftersales.returns.models import WarrantyStatus
from aftersales.returns.selectors import service_history
from aftersales.returns.services.warranty import warranty_for_registered_units

from . import rules
from .clocks import SUBJECT
from .models import (
    FAULT_CATEGORIES,
    Category,
    ConductRecord,
    Decision,
    Priority,
    RequestEvent,
    RequestPhoto,
    RequestState,
    ServiceRequest,
    Survey,
)
from .workflow import CONDUCT_ACTIONS, SERVICE_REQUEST, event_label

QUEUES = ("new", "unanswered", "overdue", "reopened", "open", "all")
OPEN_STATES = SERVICE_REQUEST.open_states
# Who reads a request whole (API, page, photos): the desk, the departments its decisions reach, its customer.
READERS = ("service", "manager", "quality", "technician", "engineering", "purchasing", "customer")
CONDUCT_READERS = {"service", "manager"}  # who a complaint about staff names and what the manager found


def _overdue_clocks():
    from aftersales.deadlines import services as deadlines  # its clock (tests move it)

    return Deadline.objects.filter(subject_type=SUBJECT, state=DeadlineState.OPEN, due_at__lt=deadlines.now())


def _overdue():
    """Whether a row's request has an overdue clock, probed per row listed: as a scalar subquery, since for
    EXISTS PostgreSQL would hash the subjects of every overdue clock first, however few rows a page lists."""
    return IsNull(Subquery(_overdue_clocks().filter(subject_id=OuterRef("pk")).order_by().values("pk")[:1]), False)


def _start_of_today():
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))


# A page of overdue requests is found one of two ways: matching the requests to the list of overdue clocks (its
# cost grows with the overdue clocks), or walking the requests newest first and probing each for an overdue clock
# until a page is full (its cost grows with the requests walked per overdue one: all of them when none is
# overdue). The walk is taken when the overdue are many enough to be met often: count² ≥ WALK_FACTOR × requests.
WALK_FACTOR = 50


def _walk_overdue(overdue_count: int | None) -> bool:
    if not overdue_count:
        return False
    latest = ServiceRequest.objects.order_by("-id").values_list("id", flat=True).first() or 0  # ≈ how many there are
    return overdue_count * overdue_count >= WALK_FACTOR * latest


def _queue(rows, queue: str, *, walk: bool = False):
    if queue in ("new", "unanswered"):
        rows = rows.filter(state=RequestState.REGISTERED)
        if queue == "new":  # registered on the local today or later, as a range the index serves
            rows = rows.filter(created_at__gte=_start_of_today())
    elif queue == "overdue" and walk:
        rows = rows.filter(state__in=OPEN_STATES).alias(is_overdue=_overdue()).filter(is_overdue=True)
    elif queue == "overdue":  # from the overdue clocks (an index range), not a probe per open request
        rows = rows.filter(state__in=OPEN_STATES, pk__in=_overdue_clocks().values("subject_id"))
    elif queue == "reopened":
        rows = rows.filter(state=RequestState.REOPENED)
    elif queue == "open":
        rows = rows.filter(state__in=OPEN_STATES)
    return rows


def request_list(*, user, queue: str = "open", customer_id: int | None = None, overdue_count: int | None = None):
    """A queue of the inbox, newest first: new (registered today or later, not answered), unanswered (no
    first reply), overdue (a running clock past due), reopened, open, all. `overdue_count`, staff's count of
    the overdue queue when the caller has it, chooses how the overdue queue is found."""
    walk = (queue == "overdue" and customer_id is None and getattr(user, "customer_id", None) is None
            and _walk_overdue(overdue_count))
    rows = _queue(scope_to_customer(ServiceRequest.objects.select_related("customer", "product_model"), user,
                                    "customer"), queue, walk=walk)
    if customer_id is not None:
        rows = rows.filter(customer_id=customer_id)
    return rows.annotate(overdue=_overdue()).order_by("-id")


def queue_count(*, user, queue: str) -> int:
    """How many requests `request_list` gives for the queue. Staff's overdue queue is counted on the overdue clocks
    alone, their subjects read from the clocks' index: a running clock belongs to a request in an open state
    (clocks.py brings them in line at every step), so the requests need not be read. A customer's count is
    joined to its own requests."""
    if queue == "overdue" and getattr(user, "is_authenticated", False) and getattr(user, "customer_id", None) is None:
        return _overdue_clocks().aggregate(count=Count("subject_id", distinct=True))["count"]
    return _queue(scope_to_customer(ServiceRequest.objects.all(), user, "customer"), queue).count()


def request_get(*, user, pk) -> ServiceRequest:
    from aftersales.core.parsing import id_or_none

    require_roles(user, *READERS)
    rows = scope_to_customer(ServiceRequest.objects.select_related(
        "customer", "product_model", "return_case", "repeat_of", "created_by", "cause", "staff_member",
        "conduct_record__person", "conduct_record__verified_by"), user, "customer")
    request = rows.prefetch_related("photos",
        Prefetch("events", queryset=RequestEvent.objects.select_related("actor")), "contacts__by",
        Prefetch("decisions", queryset=Decision.objects.select_related("decided_by")), "surveys", "field_orders__technician",
        "supplier_referrals", "quality_escalations", "parts_shipments").filter(pk=id_or_none(pk) or 0).first()
    if request is None:
        raise NotFound()
    return request


def _name(user) -> str | None:
    return user.get_username() if user is not None else None


def _label(choices, value) -> str:
    """A choice's label in the reader's language, as get_FOO_display gives it (which translates every choice of
    the field to find the one: three times a row)."""
    return str(choices(value).label) if value in choices.values else value


def request_row(request) -> dict:
    return {"id": request.pk, "number": request.number, "state": request.state,
            "state_label": _label(RequestState, request.state), "channel": request.channel,
            "category": request.category, "category_label": _label(Category, request.category),
            "priority": request.priority, "priority_label": _label(Priority, request.priority),
            "customer": request.customer.code, "customer_name": request.customer.name,
            "product_model": request.product_model.code if request.product_model else None,
            "serial": request.serial, "created_at": request.created_at, "reopen_count": request.reopen_count,
            "overdue": bool(getattr(request, "overdue", False))}


def photo_url(photo_id: int) -> str:
    """The one address of a request's photo, for pages and API clients alike (views.photo)."""
    return reverse("servicedesk:photo", args=[photo_id])


def photo_data(photo) -> dict:
    return {"id": photo.pk, "url": photo_url(photo.pk), "name": photo.original_name,
            "content_type": photo.content_type, "at": photo.uploaded_at}


def photo_get(*, user, pk) -> RequestPhoto | None:
    """A photo if the user may see its request (another customer's is not found)."""
    from aftersales.core.parsing import id_or_none

    if not roles_of(user) & set(READERS):
        return None
    rows = scope_to_customer(RequestPhoto.objects.all(), user, "request__customer")
    return rows.filter(pk=id_or_none(pk) or 0).first()


def _conduct_record(request) -> dict | None:
    record = getattr(request, "conduct_record", None) if request.conduct_verdict else None
    return conduct_record_row(record) if record is not None else None


def conduct_record_row(record) -> dict:
    return {"id": record.pk, "person": record.person.get_username(), "request": record.request.number,
            "request_id": record.request_id, "on": record.on, "finding": record.finding,
            "verified_by": record.verified_by.get_username(), "verified_at": record.verified_at}


def conduct_records(*, user, person: str | None = None):
    """Verified complaints about staff, newest first, for the service manager; `person` is a username."""
    require_roles(user, "manager")
    rows = ConductRecord.objects.select_related("person", "request", "verified_by").order_by("-id")
    if person:
        rows = rows.filter(person__username=person)
    return rows


def _timeline(request, *, staff: bool, conduct: bool) -> list[dict]:
    """The request's steps; a customer sees what happened, not who did it, and nothing of a verdict on staff;
    only the desk sees what a verdict found."""
    hidden = set() if staff or _repeat_of(request, staff=False) else {"repeat_of"}
    return [{"at": e.at, "actor": _name(e.actor) if staff else None, "action": e.action,
             "label": str(event_label(e.action)), "from_state": e.from_state, "to_state": e.to_state,
             "changes": {key: value for key, value in e.changes.items() if key not in hidden}
             if conduct or e.action not in CONDUCT_ACTIONS else {}}
            for e in request.events.all() if staff or e.action not in CONDUCT_ACTIONS]


def _repeat_of(request, *, staff: bool) -> str | None:
    """The same unit's earlier request; a customer is told of its own requests only (the unit may have been
    another customer's before)."""
    earlier = request.repeat_of
    if earlier is None or not staff and earlier.customer_id != request.customer_id:
        return None
    return earlier.number


def request_data(request, *, user) -> dict:
    staff = getattr(user, "customer_id", None) is None
    conduct = bool(roles_of(user) & CONDUCT_READERS)
    decisions = list(request.decisions.all())
    clocks = Deadline.objects.filter(subject_type=SUBJECT, subject_id=request.pk).order_by("id")
    return {
        **request_row(request),
        "contact_name": request.contact_name, "contact_phone": request.contact_phone,
        "description": request.description, "warranty_status": request.warranty_status,
        "warranty_label": str(WarrantyStatus(request.warranty_status).label) if request.warranty_status in WarrantyStatus.values
        else "",
        "repeat_of": _repeat_of(request, staff=staff), "result": request.result,
        "cause": request.cause.code if request.cause_id else None,
        "escalated_to_manager": request.escalated_to_manager, "answered_at": request.answered_at,
        "resolved_at": request.resolved_at, "closed_at": request.closed_at,
        "return_case": ({"id": request.return_case_id, "number": request.return_case.number,
                         "state": request.return_case_state} if request.return_case_id else None),
        "decision": ({"kind": decisions[-1].kind, "kind_label": decisions[-1].get_kind_display(), "solution": decisions[-1].solution, "round": decisions[-1].round,
                      "by": _name(decisions[-1].decided_by) if staff else None, "at": decisions[-1].decided_at}
                     if decisions else None),
        "field_orders": [{"number": o.number, "state": o.state, "state_label": o.get_state_display(),
                          "technician": _name(o.technician),
                          "technician_name": o.technician.get_full_name() or o.technician.get_username()
                          if o.technician else None, "planned_date": o.planned_date,
                          "url": (subject_link("field_order", o.pk) or {}).get("url")}
                         for o in request.field_orders.all()],
        "parts_shipments": [{"id": s.pk, "state": s.state, "carrier": s.carrier, "tracking": s.tracking,
                             "chargeable": s.chargeable, "lines": s.lines, "shipped_at": s.shipped_at}
                            for s in request.parts_shipments.all()],
        "supplier_referrals": [{"id": x.pk, "supplier": x.supplier, "state": x.state}
                               for x in request.supplier_referrals.all()] if staff else [],
        "quality_escalations": [{"id": x.pk, "state": x.state} for x in request.quality_escalations.all()]
        if staff else [],
        "surveys": [{"id": s.pk, "closing": s.closing, "answered": s.answered_at is not None,
                     "overall": s.overall} for s in request.surveys.all()],
        "contacts": [{"at": c.at, "by": _name(c.by), "channel": c.channel, "channel_label": c.get_channel_display(),
                      "inbound": c.inbound,
                      "content": c.content} for c in request.contacts.all()] if staff else [],
        "timeline": _timeline(request, staff=staff, conduct=conduct),
        "clocks": [{"kind": d.kind, "state": d.state, "due_at": d.due_at, "late": d.late} for d in clocks]
        if staff else [],
        "photos": [photo_data(p) for p in request.photos.all()],
        # A complaint about staff: who it names and the manager's verdict are the desk's (CONDUCT_READERS).
        "staff_member": _name(request.staff_member) if conduct else None,
        "conduct_verdict": request.conduct_verdict if conduct else "",
        "conduct_record": _conduct_record(request) if conduct else None,
        "allowed_actions": SERVICE_REQUEST.allowed(request, user),
    }


def serial_lookup(*, user, serial: str, category: str | None = None) -> dict:
    """What the desk sees as the serial is typed: the unit, its customer and warranty, the unit's service
    history (requests and return cases), and a repeat-repair warning (the same kind of fault within the
    policy's window)."""
    from .services.requests import repeat_found

    units = scope_to_customer(ShippedUnit.objects.select_related("product_model", "customer"), user, "customer")
    unit = units.filter(serial=serial).first()
    warranty = warranty_for_registered_units([unit])[0] if unit is not None and unit.customer else None
    requests = scope_to_customer(ServiceRequest.objects.filter(serial=serial), user, "customer").order_by("-id")
    cases = service_history(user=user, serial=serial)
    repeat = repeat_found(serial, category or FAULT_CATEGORIES[0]) if unit is not None or requests else None
    return {
        "serial": serial, "found": unit is not None,
        "product_model": unit.product_model.code if unit else None,
        "product_name": unit.product_model.name if unit else None,
        "customer": unit.customer.code if unit and unit.customer else None,
        "customer_name": unit.customer.name if unit and unit.customer else None,
        "shipped_date": unit.shipped_date if unit else None,
        "warranty_status": warranty.status if warranty else None,
        "warranty_until": warranty.until if warranty else None,
        "requests": [{"id": r.pk, "number": r.number, "category": r.category,
                      "category_label": r.get_category_display(), "state": r.state,
                      "state_label": r.get_state_display(), "created_at": r.created_at} for r in requests[:50]],
        "return_cases": [{"case": u.return_case.number, "state": u.return_case.state,
                          "state_label": u.return_case.get_state_display(), "disposition": u.disposition,
                          "disposition_label": u.get_disposition_display()} for u in cases[:50]],
        "repeat_warning": ({"number": repeat["number"], "window_days": policies.value("repeat_repair_window_days")}
                           if repeat else None),
    }


def survey_get(*, user, pk) -> Survey:
    from aftersales.core.parsing import id_or_none

    survey = scope_to_customer(Survey.objects.select_related("request", "return_case"), user, "customer").filter(
        pk=id_or_none(pk) or 0).first()
    if survey is None:
        raise NotFound()
    return survey


def surveys_waiting(*, user):
    """The customer's surveys not answered yet (of requests and of return cases), newest first."""
    return scope_to_customer(Survey.objects.select_related("request", "return_case"), user, "customer").filter(
        answered_at=None).order_by("-id")


def survey_data(survey) -> dict:
    return {"id": survey.pk, "request": survey.request.number if survey.request_id else None,
            "return_case": survey.return_case.number if survey.return_case_id else None,
            "closing": survey.closing, "answered": survey.answered_at is not None,
            **{name: getattr(survey, name) for name in rules.DIMENSIONS},
            "comment": survey.comment, "followup": survey.followup,
            "complaint": survey.complaint.number if survey.complaint_id else None}
