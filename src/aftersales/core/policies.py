"""Company policies: every number the manuals name, typed, documented, stored, audited.

Code reads a policy with `policies.value("key")` (one indexed query) or takes
`policies.snapshot()` once for bulk work. The registry below is the one place a policy's
meaning, type, unit and default are written; the database holds the company's value.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .errors import InvalidInput, NotFound

INT, DECIMAL, BOOL, CHOICES = "int", "decimal", "bool", "choices"
MAX_CHOICES, MAX_CHOICE_LENGTH = 20, 10  # a scale of choices: a few short words (a grade is stored in 10 characters)


@dataclass(frozen=True)
class PolicyDefinition:
    key: str
    type: str
    default: Any
    unit: str
    label: Any
    description: Any
    source: str
    minimum: Any = 0
    maximum: Any = None


def _def(*args, **kwargs) -> PolicyDefinition:
    return PolicyDefinition(*args, **kwargs)


UNITS = {
    "months": _("months"),
    "days": _("days"),
    "working_days": _("working days"),
    "hours": _("hours"),
    "working_hours": _("working hours"),
    "pcs_per_day": _("pcs per day"),
    "units": pgettext_lazy("unit of measure", "units"),
    "day_of_month": _("day of the month"),
    "yuan": _("yuan (CNY)"),
    "year": _("year"),
    "percent": _("percent"),
    "yuan_per_hour": _("yuan per hour"),
    "hour_of_day": _("hour of the day"),
    "scale": _("scale"),
    "": "",
}

DEFINITIONS = [
    _def("warranty_months", INT, 12, "months", _("Warranty period"),
         _("Months of warranty from the shipped date when the product model sets none."),
         "返品处理管理规定 6.1.1", minimum=0, maximum=240),
    _def("warranty_void_on_tampering", BOOL, True, "", _("Tampering voids the warranty"),
         _("A broken warranty label, self-repair or modification puts the unit out of warranty."),
         "返品处理管理规定 6.1.2"),
    _def("human_damage_charged", BOOL, True, "", _("Human damage is charged"),
         _("Human damage found at inspection makes in-warranty work chargeable."),
         "售后客退品处理规定 5.1.1"),
    _def("ecommerce_no_reason_return_days", INT, 7, "days", _("E-commerce no-reason return window"),
         _("Days from delivery in which an e-commerce customer may return without a reason."),
         "售后客返品管理流程 5.1.2", minimum=0, maximum=365),
    _def("ecommerce_no_reason_exchange_days", INT, 15, "days", _("E-commerce no-reason exchange window"),
         _("Days from delivery in which an e-commerce customer may exchange without a reason."),
         "售后客返品管理流程 5.1.3", minimum=0, maximum=365),
    _def("apparel_return_application_working_days", INT, 7, "working_days", _("Apparel return application window"),
         _("Working days from receipt within which an apparel return must be applied for."),
         "服装返货流程", minimum=0, maximum=90),
    _def("apparel_categories", CHOICES, ("服装",), "scale", _("Apparel product categories"),
         _("Product categories (as the product models name them) whose returns are applied for within the apparel "
           "application window."),
         "服装返货流程 二", minimum=None),
    _def("approver_may_give_several_kinds", BOOL, False, "", _("One approver may give several approvals"),
         _("Whether one person may give two different approvals (for example the VP's and the regional sales "
           "manager's) on the same case."),
         "售后客返品管理流程 5.1.1.1"),
    _def("batch_threshold_per_model_per_day", INT, 50, "pcs_per_day", _("Batch return threshold, one model"),
         _("Pieces of one model from one customer in one day from which a return counts as a batch return."),
         "售后客返品管理流程 3.5, 3.6", minimum=1),
    _def("batch_threshold_all_models_per_day", INT, 100, "pcs_per_day", _("Batch return threshold, all models"),
         _("Pieces of all models from one customer in one day from which a return counts as a batch return."),
         "售后客返品管理流程 3.5, 3.6", minimum=1),
    _def("quality_sorting_threshold_units", INT, 20, "units", _("Quality leads sorting above"),
         _("Above this many units on a case, quality leads the sorting and issues an inspection report."),
         "售后客退品处理规定 5.1.3", minimum=0),
    _def("service_first_reply_hours", INT, 24, "hours", _("First reply to a service request"),
         _("Hours within which a service request or return application gets its first reply "
           "(counted on working days only)."),
         "售后服务管理规定 三.4", minimum=1),
    _def("enclose_invoice", BOOL, True, "", _("Customers enclose the invoice"),
         _("The approval notice asks the customer to send the goods with (a copy of) the invoice."),
         "售后返退货流程描述 一.3"),
    _def("enclose_return_note", BOOL, True, "", _("Customers enclose the return note"),
         _("The approval notice asks the customer to send the goods with the return note."), "售后返退货流程描述 一.3"),
    _def("enclose_original_packaging", BOOL, True, "", _("Customers use the original packaging"),
         _("The approval notice asks the customer to send the goods in their original packaging."),
         "售后返退货流程描述 一.3"),
    _def("rework_order_opening_working_days", INT, 1, "working_days", _("Rework order for disposed units"),
         _("Working days within which planning opens a rework order for units disposed for repair or rework."),
         "售后客返品管理流程 5.2.5", minimum=1),
    _def("material_request_decision_working_days", INT, 1, "working_days", _("Decision on a material request"),
         _("Working days within which purchasing approves or refuses a material request from repair."),
         "售后客返品管理流程 5.2.6", minimum=1),
    _def("repair_plan_reply_hours", INT, 8, "hours", _("Repair plan reply"),
         _("Hours within which repair answers a repair instruction with a plan (counted on working days only)."),
         "售后客返品管理流程 5.2.5", minimum=1),
    _def("appearance_complaint_cycle_days", INT, 5, "working_days", _("Appearance complaint handling cycle"),
         _("Working days to handle a complaint about appearance (one week)."),
         "客退品处理流程", minimum=1),
    _def("function_complaint_cycle_min_days", INT, 10, "working_days",
         _("Function complaint handling cycle, sporadic"),
         _("Working days to handle a complaint about function on a sporadic return (two weeks)."),
         "客退品处理流程", minimum=1),
    _def("function_complaint_cycle_max_days", INT, 20, "working_days", _("Function complaint handling cycle, batch"),
         _("Working days to handle a complaint about function on a batch return (four weeks)."),
         "客退品处理流程", minimum=1),
    _def("batch_repair_extra_hours", INT, 48, "hours", _("Batch repair extra time"),
         _("Hours added to the sporadic repair deadline for a batch."),
         "售后客返品管理流程 5.4.2", minimum=0),
    _def("repair_working_days", INT, 3, "working_days", _("Repair deadline, sporadic"),
         _("Working days from the rework order to the repaired units (sporadic; a batch adds the extra time)."),
         "售后客返品管理流程 5.4.2", minimum=1),
    _def("parts_markup_percent", INT, 20, "percent", _("Markup on parts"),
         _("Percent added to the parts' cost in a quote for chargeable work."),
         "售后客退品处理规定 5.1.1", minimum=0, maximum=500),
    _def("labour_rate_per_hour", DECIMAL, Decimal("50"), "yuan_per_hour", _("Labour rate"),
         _("Yuan per labour hour, for quotes and for the cost of repairs."),
         "售后客退品处理规定 5.1.1", minimum=0),
    _def("max_delay_working_days", INT, 15, "working_days", _("Longest delay"),
         _("Longest delay for missing material or technical reasons, with written notice."),
         "售后客返品管理流程 5.4.3", minimum=0),
    _def("working_hours_per_day", INT, 8, "hours", _("Working hours per day"),
         _("Working hours in one working day, for deadlines counted in working hours."),
         "售后服务管理规定", minimum=1, maximum=24),
    _def("working_day_start_hour", INT, 8, "hour_of_day", _("Working day starts at"),
         _("Hour at which the working hours of a working day begin."),
         "company practice", minimum=0, maximum=23),
    _def("calendar_confirmed_through_year", INT, 2026, "year", _("Calendar confirmed through"),
         _("Last year whose official holiday schedule (incl. adjusted working days) is in the calendar; "
           "deadlines in later years are provisional."),
         "国务院办公厅 节假日安排", minimum=2000, maximum=2100),
    _def("approval_working_days", INT, 1, "working_days", _("Approval of a return application"),
         _("Working days from submission within which the required approvals are given."),
         "company practice", minimum=1),
    _def("receiving_working_days", INT, 1, "working_days", _("Receiving after arrival"),
         _("Working days from the goods' arrival within which the warehouse closes the receipt."),
         "company practice", minimum=1),
    _def("inspection_working_days", INT, 2, "working_days", _("Inspection after receipt"),
         _("Working days from the receipt within which every received unit is inspected."),
         "company practice", minimum=1),
    _def("disposition_working_days", INT, 1, "working_days", _("Disposition after inspection"),
         _("Working days from the inspection within which quality decides the disposition."),
         "company practice", minimum=1),
    _def("replenishment_working_days", INT, 5, "working_days", _("Replenishment instruction due"),
         _("Working days from the disposition within which production replenishes a unit replaced because it "
           "is not reworked (补货指令)."),
         "客退品处理流程", minimum=1, maximum=90),
    _def("quote_working_days", INT, 1, "working_days", _("Quote for chargeable work"),
         _("Working days from the disposition within which service sends the customer the quote."),
         "售后客返品管理流程 5.2.6", minimum=1),
    _def("customer_answer_working_days", INT, 5, "working_days", _("Customer's answer to a charge or rework risk"),
         _("Working days within which the customer answers a quoted charge or a request for consent."),
         "售后客返品管理流程 5.2.6", minimum=1),
    _def("final_inspection_working_days", INT, 1, "working_days", _("Final inspection after work"),
         _("Working days from the end of work within which quality passes or fails the unit."),
         "company practice", minimum=1),
    _def("ship_back_working_days", INT, 2, "working_days", _("Shipping back"),
         _("Working days from ready to ship within which the unit leaves."),
         "company practice", minimum=1),
    _def("deadline_warning_hours", INT, 4, "hours", _("Warning before a due moment"),
         _("Hours before a step's due moment at which the responsible role is reminded."),
         "company practice", minimum=0),
    _def("escalation_grace_hours", INT, 24, "hours", _("Escalation grace"),
         _("Hours on working days past a step's due moment after which its manager is told."),
         "company practice", minimum=0),
    _def("monthly_statistics_due_day", INT, 4, "day_of_month", _("Monthly statistics due"),
         _("Day of the next month by which the monthly statistics are due."),
         "售后服务管理规定 五.6", minimum=1, maximum=28),
    _def("monthly_summary_day", INT, 5, "day_of_month", _("Monthly summary to departments"),
         _("Day of the next month on which the summary goes to the departments."),
         "售后服务管理规定 五.6", minimum=1, maximum=28),
    _def("inspection_grades", CHOICES, ("A", "B", "C"), "scale", _("Inspection grades"),
         _("The grades quality gives a returned unit at inspection, best first; the inspection refuses any other."),
         "售后客退品处理规定 5.1.3", minimum=None),
    _def("supplier_claim_send_working_days", INT, 3, "working_days", _("Supplier claim: sent within"),
         _("Working days within which purchasing sends a drafted supplier claim to the supplier."),
         "售后服务工作流程及管理规定 三.8", minimum=1),
    _def("supplier_claim_answer_working_days", INT, 10, "working_days", _("Supplier claim: answer within"),
         _("Working days within which the supplier answers a claim sent to it (purchasing follows it up)."),
         "售后服务工作流程及管理规定 三.8", minimum=1),
    _def("penalty_left_without_calling", DECIMAL, Decimal("50"), "yuan", _("Penalty: left site without calling HQ"),
         _("Technician penalty, each time, for leaving a site without calling headquarters."),
         "售后服务管理规定 四"),
    _def("penalty_late_on_site", DECIMAL, Decimal("50"), "yuan", _("Penalty: late on site"),
         _("Technician penalty, each time, for arriving on site later than agreed."),
         "售后服务管理规定 四"),
    _def("penalty_incomplete_report", DECIMAL, Decimal("20"), "yuan", _("Penalty: incomplete service report"),
         _("Technician penalty, each time, for an incomplete service report."),
         "售后服务管理规定 四"),
    _def("penalty_phone_off", DECIMAL, Decimal("10"), "yuan", _("Penalty: phone off 8:00-22:00"),
         _("Technician penalty, each time, for a phone switched off between 8:00 and 22:00."),
         "售后服务管理规定 四"),
    _def("penalty_ignored_dispatch", DECIMAL, Decimal("100"), "yuan", _("Penalty: ignored HQ dispatch"),
         _("Technician penalty, each time, for ignoring a dispatch from headquarters."),
         "售后服务管理规定 四"),
    _def("field_dispatch_accept_hours", INT, 2, "hours", _("Dispatch accepted within"),
         _("Hours (on working days) within which a technician accepts a dispatch from headquarters; one accepted "
           "later, reassigned meanwhile or refused without a reason is an ignored dispatch."),
         "售后服务管理规定 四", minimum=1, maximum=240),
    # --- the service desk (issue 14) ---
    _def("service_resolution_urgent_days", INT, 1, "working_days", _("Service request resolution, urgent"),
         _("Working days from registration within which an urgent service request is resolved."),
         "售后服务工作流程及管理规定", minimum=1),
    _def("service_resolution_high_days", INT, 3, "working_days", _("Service request resolution, high"),
         _("Working days from registration within which a high-priority service request is resolved."),
         "售后服务工作流程及管理规定", minimum=1),
    _def("service_resolution_normal_days", INT, 5, "working_days", _("Service request resolution, normal"),
         _("Working days from registration within which a normal service request is resolved."),
         "售后服务工作流程及管理规定", minimum=1),
    _def("service_resolution_low_days", INT, 10, "working_days", _("Service request resolution, low"),
         _("Working days from registration within which a low-priority service request is resolved."),
         "售后服务工作流程及管理规定", minimum=1),
    _def("service_resolution_on_site_extra_days", INT, 2, "working_days", _("Service request on-site extra time"),
         _("Working days added to the resolution time of installation and visit requests."),
         "售后服务工作流程及管理规定", minimum=0),
    _def("repeat_repair_window_days", INT, 90, "days", _("Repeat-repair window"),
         _("Days within which the same unit's second request for the same kind of fault is a repeat repair."),
         "售后服务工作流程及管理规定", minimum=1, maximum=3650),
    _def("service_reopen_limit", INT, 2, "", _("Reopenings before the manager"),
         _("A service request reopened more than this many times escalates to the manager."),
         "售后服务工作流程及管理规定", minimum=0, maximum=100),
    _def("parts_paid_before_shipping", BOOL, True, "", _("Charged parts are paid before they ship"),
         _("Parts sent out of warranty ship once the customer has accepted the quote and paid it in full "
           "(otherwise once the quote is accepted)."),
         "售后服务工作流程及管理制度 二.2"),
    _def("survey_link_valid_days", INT, 14, "days", _("Survey link validity"),
         _("Days a satisfaction survey's link (no login) stays valid."),
         "售后服务流程及管理制度", minimum=1, maximum=365),
    _def("survey_low_score", INT, 2, "", _("Low satisfaction score"),
         _("A survey scoring this or less (of 5) in any dimension is not satisfied: the request is handled "
           "again or the customer complains to the manager."),
         "售后服务流程及管理制度", minimum=1, maximum=4),
]

REGISTRY: dict[str, PolicyDefinition] = {d.key: d for d in DEFINITIONS}


def to_storage(definition: PolicyDefinition, value: Any):
    """Check a value against its definition; return what the database stores (JSON)."""
    if definition.type == BOOL:
        if isinstance(value, bool):
            return value
        raise InvalidInput(details={"value": [str(_("Must be true or false."))]})
    if definition.type == CHOICES:
        return _choices_storage(value)
    if definition.type == INT:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise InvalidInput(details={"value": [str(_("Must be a whole number."))]})
        try:
            number = int(value)
        except ValueError:
            raise InvalidInput(details={"value": [str(_("Must be a whole number."))]}) from None
    else:
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise InvalidInput(details={"value": [str(_("Must be a number."))]}) from None
        if not number.is_finite():
            raise InvalidInput(details={"value": [str(_("Must be a number."))]})
    if definition.minimum is not None and number < definition.minimum:
        raise InvalidInput(
            details={"value": [str(_("Must be at least %(minimum)s.") % {"minimum": definition.minimum})]}
        )
    if definition.maximum is not None and number > definition.maximum:
        raise InvalidInput(
            details={"value": [str(_("Must be at most %(maximum)s.") % {"maximum": definition.maximum})]}
        )
    return number if definition.type == INT else str(number)


def _choices_storage(value) -> list[str]:
    """A scale: 1 to MAX_CHOICES distinct words of at most MAX_CHOICE_LENGTH characters, in order."""
    if not isinstance(value, (list, tuple)) or not value or len(value) > MAX_CHOICES:
        raise InvalidInput(details={"value": [str(_("Give a list of 1 to %(n)s choices.") % {"n": MAX_CHOICES})]})
    words = [word.strip() if isinstance(word, str) else None for word in value]
    if any(not word or len(word) > MAX_CHOICE_LENGTH for word in words) or len(set(words)) != len(words):
        raise InvalidInput(details={"value": [str(_("Each choice is a different word of at most %(n)s characters.")
                                                  % {"n": MAX_CHOICE_LENGTH})]})
    return words


def from_storage(definition: PolicyDefinition, stored: Any):
    if definition.type == CHOICES:
        return tuple(stored)
    if definition.type == DECIMAL:
        return Decimal(str(stored))
    if definition.type == INT:
        return int(stored)
    return bool(stored)


def value(key: str):
    """The company's current value of one policy."""
    from .models import Policy

    definition = REGISTRY[key]
    stored = Policy.objects.filter(key=key).values_list("value", flat=True).first()
    return definition.default if stored is None else from_storage(definition, stored)


def snapshot() -> dict[str, Any]:
    """All policies in one query, for work that reads many of them."""
    from .models import Policy

    values = {key: d.default for key, d in REGISTRY.items()}
    for key, stored in Policy.objects.filter(key__in=REGISTRY).values_list("key", "value"):
        values[key] = from_storage(REGISTRY[key], stored)
    return values


def policies_sync(*, using: str = "default") -> int:
    """Create the rows of policies the database lacks, with their defaults; never overwrite."""
    from .models import Policy

    existing = set(Policy.objects.using(using).values_list("key", flat=True))
    missing = [d for d in DEFINITIONS if d.key not in existing]
    for definition in missing:
        Policy.objects.using(using).create(key=definition.key, value=to_storage(definition, definition.default))
    return len(missing)


@transaction.atomic
def policy_update(*, actor, key: str, new_value: Any, reason: str = ""):
    """Set a policy's value; the change is kept in its audit history with the actor and reason."""
    from .models import Policy

    definition = REGISTRY.get(key)
    if definition is None:
        raise NotFound()
    stored = to_storage(definition, new_value)
    policy, _created = Policy.objects.select_for_update().get_or_create(key=key, defaults={"value": stored})
    policy.value = stored
    policy._history_user = actor
    policy._change_reason = reason
    policy.save()
    return policy
