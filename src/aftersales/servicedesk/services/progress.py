"""A request returned to the factory follows its return case: each action on the case (returns' action_applied
signal, inside the case's transaction) mirrors the case's state on the request and writes the timeline."""

from ..models import ServiceRequest
from .common import event_append


def case_progress(sender=None, *, case, action: str, actor=None, from_state=None, **kwargs) -> None:
    if from_state == case.state:  # a scan while receiving, a unit inspected: the case's state stays
        return
    for request in ServiceRequest.objects.filter(return_case_id=case.pk).exclude(return_case_state=case.state):
        request.return_case_state = case.state
        request.save(update_fields=["return_case_state"])
        event_append(request=request, actor=actor, action="case_progress",
                     changes={"case": case.number, "action": action, "case_state": case.state})
