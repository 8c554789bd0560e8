"""The satisfaction survey (满意度调查表) of a closing: sent on closing, answered once in the portal or through
a signed link that needs no login and expires. A low score reopens the request, or at the customer's choice
raises a complaint to the manager (进一步投诉)."""

from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing, policies
from aftersales.core.errors import AppError, Conflict, InvalidInput, NotFound

from .. import rules
from ..models import RequestState, ServiceRequest, Survey
from ..notices import notify_customer, notify_manager
from .common import event_append
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
    survey = Survey.objects.select_related("request__customer").filter(pk=int(pk)).first()
    if survey is None:
        raise NotFound(code="survey_link_invalid")
    return survey


def survey_send(request: ServiceRequest) -> Survey:
    """One survey per closing, told to the customer with its link (in the caller's transaction)."""
    closing = Survey.objects.filter(request=request).count() + 1
    survey = Survey.objects.create(request=request, closing=closing)
    notify_customer(request, "survey", "", token=survey_token(survey))
    return survey


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
    customer chooses, complains to the manager."""
    scores = _scores(body)
    comment = parsing.text(body.get("comment"), "comment", max_length=2000)
    followup = body.get("followup") or Survey.Followup.REOPEN
    if followup not in Survey.Followup.values:
        raise InvalidInput(details={"followup": [_("Choose one of: %(kinds)s.")
                                                 % {"kinds": ", ".join(Survey.Followup.values)}]})
    survey = Survey.objects.select_for_update().filter(pk=survey_id).first()
    customer_id = getattr(actor, "customer_id", None)
    if survey is None or (customer_id is not None and survey.request.customer_id != customer_id):
        raise NotFound()
    if survey.answered_at is not None:
        raise Conflict(code="survey_answered")
    low = rules.is_low(scores, low_score=policies.value("survey_low_score"))
    survey.answered_at, survey.comment = timezone.now(), comment
    survey.followup = followup if low else Survey.Followup.NONE
    for name, score in scores.items():
        setattr(survey, name, score)
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
