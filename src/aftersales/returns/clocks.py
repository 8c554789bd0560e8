"""The clocks of the return case: which of its steps are running, for whom, on which time limit.

After every action the case's wanted steps are worked out from its state and its units' states
and handed to the generic mechanism (deadlines.services.deadlines_sync), which starts, pauses,
resumes, re-times and meets them. The steps (policies in core/policies.py):

- first reply to the application (service, 24 hours on working days), from submission to the
  first decision of the round (approve, reject, return for correction);
- approval (service, or the manager when a VP/GM/RSM approval is what is left), while submitted;
- receiving after arrival (warehouse), from the start of receiving to the closed receipt;
- inspection (quality), while received units wait for inspection; disposition (quality), while
  inspected units wait for their disposition; the quote (service), while chargeable units wait for it;
- the customer's answer to a charge or a rework risk (the customer; escalates to service);
- final inspection (quality) while units wait for it; shipping back (warehouse) while units
  are ready to ship;
- the complaint handling cycle (service), from submission to settlement, by defect class:
  appearance one week, function two weeks (sporadic) or four (batch); function until the
  inspection says otherwise. It stands still while every open unit waits for the customer's answer.
"""

from collections import Counter

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from aftersales.deadlines.kinds import ClockKind, register
from aftersales.deadlines.services import Subject, Want, deadlines_cancel, deadlines_sync

from .models import CaseState as C
from .models import DefectClass, Inspection, ReturnUnit
from .models import UnitState as U
from .services.approvals import approvals_pending
from .workflow import AFTER_RECEIPT

SUBJECT = "return_case"
# Steps of the case that other apps clock (repairs: the rework order for disposed units); each takes the
# case and its unit-state counts and returns the kinds it wants running.
CLOCK_SOURCES: list = []


def register_clock_source(source) -> None:
    if source not in CLOCK_SOURCES:
        CLOCK_SOURCES.append(source)

PAUSE_FOR_CUSTOMER = "waiting for the customer's answer"


def _complaint_cycle_policies(facts: dict) -> list[str]:
    if facts.get("defect") == DefectClass.APPEARANCE:
        return ["appearance_complaint_cycle_days"]
    if facts.get("volume") == "batch":
        return ["function_complaint_cycle_max_days"]
    return ["function_complaint_cycle_min_days"]


CASE_KINDS = ("first_reply", "approval", "receiving", "inspection", "disposition", "quote", "customer_answer",
              "final_inspection", "ship_back", "complaint_cycle")

register(
    ClockKind("first_reply", _("First reply to the return application"), "service", "service_first_reply_hours"),
    ClockKind("approval", _("Approval of the return application"), "service", "approval_working_days"),
    ClockKind("receiving", _("Receiving after arrival"), "warehouse", "receiving_working_days"),
    ClockKind("inspection", _("Inspection of received units"), "quality", "inspection_working_days"),
    ClockKind("disposition", _("Disposition of inspected units"), "quality", "disposition_working_days"),
    ClockKind("quote", _("Quote to the customer"), "service", "quote_working_days"),
    ClockKind("customer_answer", _("Customer's answer (charge or rework risk)"), "customer",
              "customer_answer_working_days", escalate_to="service"),
    ClockKind("final_inspection", _("Final inspection after work"), "quality", "final_inspection_working_days"),
    ClockKind("ship_back", _("Shipping back"), "warehouse", "ship_back_working_days"),
    ClockKind("complaint_cycle", _("Complaint handling cycle"), "service",
              policies_for=_complaint_cycle_policies),
)

_CYCLE_STATES = {C.SUBMITTED, C.APPROVED, C.RECEIVING, *AFTER_RECEIPT}


def case_clocks_sync(case, *, actor=None, at=None) -> None:
    """Bring the case's clocks in line with its state (inside the action's transaction)."""
    if case.state == C.CANCELLED:
        deadlines_cancel(SUBJECT, case.pk, at=at)
        return
    subject = Subject(SUBJECT, case.pk, case.number, case.customer_id)
    deadlines_sync(subject, case_wanted(case), actor=actor, at=at)


def case_wanted(case) -> dict[str, Want]:
    wanted: dict[str, Want] = {}
    if case.state == C.SUBMITTED:
        pending = approvals_pending(case)
        role = "service" if not pending or "service" in pending else "manager"
        wanted["approval"] = Want(role=role)
        if not _decided_this_round(case):
            wanted["first_reply"] = Want()
    if case.state == C.RECEIVING:
        wanted["receiving"] = Want()
    states = Counter()
    if case.state in AFTER_RECEIPT:
        states = Counter(dict(ReturnUnit.objects.filter(return_case=case).values("state")
                              .annotate(n=Count("id")).values_list("state", "n")))
        for state, kind in ((U.RECEIVED, "inspection"), (U.INSPECTED, "disposition"),
                            (U.FINAL_INSPECTION, "final_inspection"), (U.READY_TO_SHIP, "ship_back")):
            if states[state]:
                wanted[kind] = Want()
    asked = 0
    if states[U.WAITING_CUSTOMER]:
        to_quote, asked = _waiting_for_customer(case)
        if to_quote:
            wanted["quote"] = Want()
        if asked:
            wanted["customer_answer"] = Want()
    for source in CLOCK_SOURCES:
        if case.state in AFTER_RECEIPT:
            wanted.update(source(case, states))
    if case.state in _CYCLE_STATES:
        open_units = sum(n for state, n in states.items() if state not in (U.DONE, U.MISSING))
        waiting = open_units and asked == open_units
        wanted["complaint_cycle"] = Want(facts={"defect": _defect(case), "volume": case.volume_class or "sporadic"},
                                         paused_because=PAUSE_FOR_CUSTOMER if waiting else "")
    return wanted


def _waiting_for_customer(case) -> tuple[int, int]:
    """Of the units waiting for the customer: how many service must still quote (chargeable, no amount
    yet, consent not outstanding), and how many the customer has been asked about (a charge quoted or
    consent requested)."""
    to_quote = asked = 0
    for chargeable, amount, needs_consent, consent in (ReturnUnit.objects.filter(
            return_case=case, state=U.WAITING_CUSTOMER).values_list("chargeable", "charge_amount", "needs_consent",
                                                                    "consent")):
        consent_open = needs_consent and not (consent or {}).get("given")
        if consent_open or amount is not None:
            asked += 1
        elif chargeable:
            to_quote += 1
    return to_quote, asked


def _decided_this_round(case) -> bool:
    return any(a.round == case.approval_round for a in case.approvals.all())


def _defect(case) -> str:
    if case.state not in AFTER_RECEIPT:
        return "unknown"
    classes = set(Inspection.objects.filter(unit__return_case=case, stage=Inspection.Stage.INTAKE)
                  .values_list("defect_class", flat=True).distinct())
    if DefectClass.FUNCTION in classes:
        return DefectClass.FUNCTION
    if DefectClass.APPEARANCE in classes:
        return DefectClass.APPEARANCE
    return "unknown"
