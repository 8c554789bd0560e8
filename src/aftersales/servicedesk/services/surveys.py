"""The satisfaction survey (满意度调查表) of a closing: sent when a request or a return case closes, answered once
in the portal or through a signed link that needs no login and expires.

A low score on a request's survey reopens the request (再次处理), or at the customer's choice raises a complaint
to the manager (进一步投诉). A closed return case cannot be reopened: a low score on its survey registers a
complaint request linked to the case, which the desk handles again and the manager is told of (escalated when
the customer chose to complain)."""

from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing, policies
from aftersales.core.errors import AppError, Conflict, InvalidInput, NotFound
from aftersales.returns.models import CaseEvent, CaseState

from .. import rules
from ..clocks import request_clocks_sync
from ..models import Category, Channel, Priority, RequestState, ServiceRequest, Survey
from ..notices import notify_case_survey, notify_customer, notify_manager
from .common import event_append, next_number
from .requests import _reopen_handler, act

SALT = "servicedesk.survey"
SECONDS_PER_DAY = 86400


def survey_token(survey: Survey) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(survey.pk))


def survey_from_token(token: str) -> Survey:
    """The survey a link names; an altered link is not found, an old one has expired (403)."""
    max_age = policies.value("survey_link_valid_days") * SECONDS_PER_DAY
    try:
        pk = signing.TimestampSigner(salt=SALT).unsign(str(token), max_age=max_age)
    except signing.SignatureExpired:
        raise AppError(code="survey_link_expired") from None
    except signing.BadSignature:
        raise NotFound(code="survey_link_invalid") from None
    survey = Survey.objects.select_related("request", "return_case").filter(pk=int(pk)).first()
    if survey is None:
        raise NotFound(code="survey_link_invalid")
    return survey


def _handled(user) -> dict:
    return {"handled_by": user, "department": rules.department_of(user.role_codes()) if user else ""}


def survey_send(request: ServiceRequest) -> Survey:
    """One survey per closing of a request, told to the customer with its link (in the caller's transaction)."""
    order = request.field_orders.exclude(technician=None).select_related("technician").order_by("-id").first()
    decision = request.decisions.select_related("decided_by").order_by("-id").first()
    handler = rules.survey_handler(technician=order.technician if order else None,
                                   decided_by=decision.decided_by if decision else None)
    closing = Survey.objects.filter(request=request).count() + 1
    survey = Survey.objects.create(request=request, customer_id=request.customer_id, closing=closing,
                                   **_handled(handler))
    notify_customer(request, "survey", "", token=survey_token(survey))
    return survey


def _case_actor(case, action: str):
    event = CaseEvent.objects.filter(return_case=case, action=action).exclude(actor=None).select_related(
        "actor").order_by("-id").first()
    return event.actor if event else None


def case_survey_send(case, *, closed_by=None) -> Survey | None:
    """The survey of a return case's closing, told to its customer with its link. A case the desk sent back to
    the factory is asked about with its request (the request's own closing sends that survey)."""
    if ServiceRequest.objects.filter(return_case=case).exists():
        return None
    handler = rules.survey_handler(repaired_by=_case_actor(case, "finish_work"),
                                   closed_by=closed_by if getattr(closed_by, "pk", None) else None)
    closing = Survey.objects.filter(return_case=case).count() + 1
    survey = Survey.objects.create(return_case=case, customer_id=case.customer_id, closing=closing,
                                   **_handled(handler))
    notify_case_survey(case, token=survey_token(survey))
    return survey


def case_closed(sender=None, *, case, action: str, actor=None, **kwargs) -> None:
    """returns' action_applied (inside the case's transaction): a case just closed sends its survey."""
    if action == "close" and case.state == CaseState.CLOSED:
        case_survey_send(case, closed_by=actor)


@dataclass
class SurveyActor:
    """The customer answering through a signed link: acts as its customer, signed in to nothing."""

    customer_id: int
    pk: None = None
    is_authenticated: bool = True


def _scores(body: dict) -> dict:
    errors, scores = {}, {}
    for name in rules.DIMENSIONS:
        try:
            scores[name] = parsing.whole_number(body.get(name), name, minimum=rules.SCORE_MIN, maximum=rules.SCORE_MAX)
        except InvalidInput as error:
            errors.update(error.details)
    if errors:
        raise InvalidInput(details=errors)
    return scores


@transaction.atomic
def survey_answer(*, actor, survey_id: int, **body) -> Survey:
    """The customer's answer, once; a low score (or "not satisfied") handles the request again or, if the
    customer chooses, complains to the manager; on a closed return case it raises a complaint request."""
    scores = _scores(body)
    comment = parsing.text(body.get("comment"), "comment", max_length=2000)
    followup = body.get("followup") or Survey.Followup.REOPEN
    if followup not in Survey.Followup.values:
        raise InvalidInput(details={"followup": [_("Choose one of: %(kinds)s.")
                                                 % {"kinds": ", ".join(Survey.Followup.values)}]})
    survey = Survey.objects.select_for_update().filter(pk=survey_id).first()
    customer_id = getattr(actor, "customer_id", None)
    if survey is None or (customer_id is not None and survey.customer_id != customer_id):
        raise NotFound()
    if survey.answered_at is not None:
        raise Conflict(code="survey_answered")
    low = rules.is_low(scores, low_score=policies.value("survey_low_score"))
    survey.answered_at, survey.comment = timezone.now(), comment
    survey.followup = followup if low else Survey.Followup.NONE
    for name, score in scores.items():
        setattr(survey, name, score)
    if survey.return_case_id:
        if low:
            survey.complaint = _case_complaint(survey, comment)
        survey.save()
        return survey
    survey.save()
    request = survey.request
    event_append(request=request, actor=actor, action="survey", changes={**scores, "followup": survey.followup})
    if survey.followup == Survey.Followup.REOPEN and request.state in (RequestState.RESOLVED, RequestState.CLOSED):
        reason = _("Not satisfied (survey): %(comment)s") % {"comment": comment or "-"}
        act(actor=SurveyActor(request.customer_id), request_id=request.pk, action="reopen",
            handler=_reopen_handler(reason))
    elif survey.followup == Survey.Followup.COMPLAIN:
        ServiceRequest.objects.filter(pk=request.pk).update(escalated_to_manager=True)
        event_append(request=request, actor=actor, action="complaint", changes={"comment": comment})
        notify_manager(request, "complaint", comment)
    return survey


def _case_complaint(survey: Survey, comment: str) -> ServiceRequest:
    """Not satisfied with a closed return case: a product complaint linked to the case, for the desk to handle
    again (its clocks run as any request's) and the manager to see; escalated when the customer complains."""
    case = survey.return_case
    line = case.lines.select_related("product_model").order_by("line_no").first()
    serials = line.serials if line is not None else []
    escalated = survey.followup == Survey.Followup.COMPLAIN
    description = _("Not satisfied with return case %(case)s (survey): %(comment)s") % {
        "case": case.number, "comment": comment or "-"}
    complaint = ServiceRequest.objects.create(
        number=next_number("SR"), channel=Channel.PORTAL, customer_id=case.customer_id,
        product_model=line.product_model if line is not None else None, serial=serials[0] if len(serials) == 1 else "",
        category=Category.PRODUCT_COMPLAINT, priority=Priority.HIGH, description=description[:5000],
        return_case=case, return_case_state=case.state, escalated_to_manager=escalated)
    event_append(request=complaint, actor=None, action="create",
                 changes={"channel": Channel.PORTAL, "category": Category.PRODUCT_COMPLAINT, "return_case": case.number,
                          "survey": survey.pk, "followup": survey.followup})
    request_clocks_sync(complaint)
    notify_manager(complaint, "case_complaint", comment)
    return complaint
