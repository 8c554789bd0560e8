"""The return case's business rules as pure functions: no database, testable on their own.

Services gather the facts (dates, policies, counts) and store what these functions decide,
with the reasons, so the decision can be shown and, where allowed, overridden.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from aftersales.lib.months import add_months

from .models import Approval, CaseState, Channel, Outcome, Reason, UnitState, VolumeClass, WarrantyStatus

# --- warranty ---

REASON_MESSAGES = {
    "not_in_registry": _("The serial is not in the units registry: warranty cannot be decided from a shipped date."),
    "no_serial": _("No serial number: warranty cannot be decided from a shipped date."),
    "within_warranty": _("Within warranty until %(until)s (shipped %(shipped)s, %(months)s months)."),
    "warranty_expired": _("Warranty ended on %(until)s (shipped %(shipped)s, %(months)s months)."),
    "customer_extension": _("Includes the customer's warranty extension of %(months)s months."),
    "tampered": _("Warranty label broken, self-repaired or modified: out of warranty."),
    "human_damage": _("Human damage found at inspection: the work is chargeable."),
    "manager_override": _("Decided by %(user)s: %(comment)s"),
    "customer_request": _("The customer asked to change the product: the work is chargeable (返品处理管理规定 6.1.4)."),
}


@dataclass(frozen=True)
class WarrantyDecision:
    status: str
    until: date | None
    chargeable: bool
    reasons: list[dict] = field(default_factory=list)


def decide_warranty(
    *,
    shipped_date: date | None,
    has_serial: bool,
    model_warranty_months: int | None,
    default_warranty_months: int,
    extension_months: int,
    on: date,
    tampered: bool = False,
    human_damage: bool = False,
    void_on_tampering: bool = True,
    human_damage_charged: bool = True,
    customer_request: bool = False,
) -> WarrantyDecision:
    """In or out of warranty on `on`, and whether the work is charged, with the reasons."""
    reasons: list[dict] = []
    until = None
    if shipped_date is None:
        status = WarrantyStatus.UNKNOWN
        reasons.append({"code": "not_in_registry" if has_serial else "no_serial"})
    else:
        months = (model_warranty_months if model_warranty_months is not None else default_warranty_months)
        months += extension_months
        until = add_months(shipped_date, months) - timedelta(days=1)
        params = {"until": until.isoformat(), "shipped": shipped_date.isoformat(), "months": months}
        status = WarrantyStatus.IN if on <= until else WarrantyStatus.OUT
        reasons.append({"code": "within_warranty" if status == WarrantyStatus.IN else "warranty_expired", **params})
        if extension_months:
            reasons.append({"code": "customer_extension", "months": extension_months})
    if tampered and void_on_tampering:
        status = WarrantyStatus.OUT
        reasons.append({"code": "tampered"})
    chargeable = status == WarrantyStatus.OUT
    if human_damage and human_damage_charged:
        chargeable = True
        reasons.append({"code": "human_damage"})
    if customer_request:  # 返品处理管理规定 6.1.4: quoted again, like an expired warranty
        chargeable = True
        reasons.append({"code": "customer_request"})
    return WarrantyDecision(status=str(status), until=until, chargeable=chargeable, reasons=reasons)


def reason_text(reason: dict) -> str:
    message = REASON_MESSAGES.get(reason.get("code"), reason.get("code", ""))
    params = {key: value for key, value in reason.items() if key != "code"}
    return str(message) % params if params else str(message)


# --- return windows: how long after delivery a line may still be applied for ---

WINDOW_LABELS = {
    "ecommerce_no_reason_return": _("E-commerce no-reason return window"),
    "ecommerce_no_reason_exchange": _("E-commerce no-reason exchange window"),
    "apparel_application": _("Apparel return application window"),
}


def return_windows(*, channel: str, reason: str, requested_outcome: str, category: str, snapshot: dict) -> list[dict]:
    """The windows (policies) a line falls under: the e-commerce no-reason return or exchange window
    (calendar days, by channel) and the apparel application window (working days, by product category)."""
    found = []
    if channel == Channel.ECOMMERCE and reason == Reason.NO_REASON:
        if requested_outcome == Outcome.EXCHANGE:
            found.append({"window": "ecommerce_no_reason_exchange", "days": snapshot["ecommerce_no_reason_exchange_days"],
                          "working_days": False, "clause": "售后客返品管理流程 5.1.3"})
        else:
            found.append({"window": "ecommerce_no_reason_return", "days": snapshot["ecommerce_no_reason_return_days"],
                          "working_days": False, "clause": "售后客返品管理流程 5.1.2"})
    if category and category in snapshot["apparel_categories"]:
        found.append({"window": "apparel_application", "days": snapshot["apparel_return_application_working_days"],
                      "working_days": True, "clause": "服装返货流程 三.1"})
    return found


def decide_return_window(*, windows: list[dict], delivered_date: date | None, on: date, last_day) -> dict:
    """Is the line inside the windows it falls under on `on`? `last_day(window, delivered)` is the last
    day of a window (calendar days added, or the Nth working day after delivery). The window that ends
    first binds; an empty answer means no window applies."""
    if not windows:
        return {}
    if delivered_date is None:
        return {"applies": True, "within": None, **windows[0], "code": "no_delivery_date", "windows": windows}
    decided = [{**w, "deadline": (delivered_date + timedelta(days=w["days"]) if not w["working_days"] or not w["days"]
                                  else last_day(w, delivered_date)).isoformat()} for w in windows]
    binding = min(decided, key=lambda w: w["deadline"])
    within = on.isoformat() <= binding["deadline"]
    return {"applies": True, **binding, "within": within, "delivered": delivered_date.isoformat(),
            "code": "within_window" if within else "window_passed", "windows": decided}


def window_refusal(line_no: int, decision: dict) -> str:
    """Why a line is refused at submit, in words."""
    label = WINDOW_LABELS.get(decision.get("window"), decision.get("window", ""))
    unit = _("working days") if decision.get("working_days") else _("days")
    return str(_("Line %(line)s: the %(window)s (%(days)s %(unit)s from delivery on %(delivered)s) ended on "
                 "%(deadline)s.")) % {"line": line_no, "window": label, "days": decision.get("days"), "unit": unit,
                                      "delivered": decision.get("delivered"), "deadline": decision.get("deadline")}


def window_open(decision: dict) -> bool:
    """A line may be submitted: no window applies, it is inside, or a manager overrode it."""
    return not decision or decision.get("within") is not False or bool(decision.get("override"))


def desk_handles(*, channel: str, decisions: list[dict], reasons: list[str]) -> bool:
    """An e-commerce case whose every line is a no-reason line inside its window (not overridden) is the
    e-commerce desk's own business (自行办理退款): no further approval."""
    return (channel == Channel.ECOMMERCE and bool(reasons) and all(r == Reason.NO_REASON for r in reasons)
            and all(d.get("within") is True and not d.get("override") for d in decisions))


def desk_may_refund(*, channel: str, reason: str, outcome: str, window: dict) -> bool:
    """The e-commerce desk records the refund of its own no-reason return line applied for within its window
    (售后客返品管理流程 5.1.2: 电商自行办理退款); any other refund (a late line a manager allowed too) is finance's."""
    return (channel == Channel.ECOMMERCE and reason == Reason.NO_REASON and outcome == Outcome.REFUND
            and window.get("within") is True and not window.get("override"))


# --- volume class and approvals ---

def volume_class(*, quantities_by_model: dict, per_model_threshold: int, all_models_threshold: int) -> tuple[str, dict]:
    """Batch when one model reaches the per-model threshold or all models the total threshold
    (one customer, one day); sporadic otherwise."""
    total = sum(quantities_by_model.values())
    biggest = max(quantities_by_model.values(), default=0)
    batch = biggest >= per_model_threshold or total >= all_models_threshold
    detail = {"largest_model_quantity": biggest, "total_quantity": total,
              "per_model_threshold": per_model_threshold, "all_models_threshold": all_models_threshold}
    return (VolumeClass.BATCH if batch else VolumeClass.SPORADIC), detail


def required_approvals(*, volume: str, is_quality_incident: bool, has_whole_unit_replacement: bool,
                       desk_handles: bool = False) -> list[str]:
    if desk_handles and not is_quality_incident:
        return []
    kinds = [Approval.Kind.VP if volume == VolumeClass.BATCH else Approval.Kind.SERVICE]
    if is_quality_incident:
        kinds.append(Approval.Kind.GM)
    if has_whole_unit_replacement:
        kinds.append(Approval.Kind.RSM)
    return [str(kind) for kind in kinds]


def scope_covers(scope: str, wanted: set[str]) -> bool:
    """An approver's scope (a region; empty: all) covers every one wanted."""
    return not scope or wanted <= {scope}


def scope_covers_one(scope: str, present: set[str]) -> bool:
    """An approver's scope (a product line; empty: all) covers one of those present on a case."""
    return not scope or scope in present


# --- dispositions that change ---

# What the customer gets for a unit of a line it wants back (repair, exchange): the unit itself (repaired or
# as it came), a new unit, its money (the company keeps the unit) or nothing (the company keeps it). On a refund
# line the customer has its money.
CUSTOMER_GETS = {"repair": "unit", "refurbish": "unit", "return_as_is": "unit", "replace": "new_unit",
                 "scrap": "nothing", "teardown": "nothing", "supplier_claim": "nothing", "internal_sale": "nothing",
                 "resale": "nothing", "defective_stock": "nothing", "refund": "money"}
# What the customer gets when the company keeps the unit it wants back.
KEPT = ("nothing", "money")


def keeps_customers_unit(*, outcome: str, disposition: str) -> bool:
    """The company keeps a unit the customer wants back (for nothing, or refunding it)."""
    return outcome != Outcome.REFUND and CUSTOMER_GETS.get(disposition) in KEPT


def redisposal_terms(*, outcome: str, old: str, new: str) -> dict:
    """When quality changes a disposition: is the customer told (what it gets changes), and must it consent
    (售后客返品管理流程 5.2.6: it gets nothing back, or its money instead, where it was to get a unit)?"""
    if outcome == Outcome.REFUND:
        return {"notify": False, "consent": False}
    before, after = CUSTOMER_GETS.get(old, "unit"), CUSTOMER_GETS.get(new, "unit")
    return {"notify": before != after, "consent": after in KEPT and before not in KEPT}


def needs_replenishment(*, outcome: str, disposition: str) -> bool:
    """A unit not reworked but replaced by a new one out of finished goods (客退品处理流程: 不可重工 → 补货指令):
    planning replenishes the stock it took."""
    return outcome in (Outcome.REPAIR, Outcome.EXCHANGE) and disposition == "replace"


# --- return note completeness ---

NOTE_FIELDS = {
    "product_model": _("part no. (品号)"),
    "item_name": _("name (品名)"),
    "quantity": _("quantity"),
    "production_lot": _("production lot"),
    "defect_description": _("defect"),
}


def note_missing(lines: Iterable) -> list[dict]:
    """What each line of the return note lacks; an empty list means the note is complete."""
    missing = []
    for line in lines:
        absent = [name for name in NOTE_FIELDS
                  if not getattr(line, f"{name}_id" if name == "product_model" else name)]
        if absent:
            missing.append({"line": line.line_no, "missing": absent,
                            "labels": [str(NOTE_FIELDS[name]) for name in absent]})
    return missing


# --- the case follows its units ---

_UNIT_TO_CASE = [
    (UnitState.RECEIVED, CaseState.RECEIVED),
    (UnitState.INSPECTED, CaseState.INSPECTING),
    (UnitState.WAITING_APPROVAL, CaseState.DISPOSED),
    (UnitState.WAITING_CUSTOMER, CaseState.DISPOSED),
    (UnitState.DISPOSED, CaseState.DISPOSED),
    (UnitState.IN_WORK, CaseState.IN_WORK),
    (UnitState.FINAL_INSPECTION, CaseState.FINAL_INSPECTION),
    (UnitState.READY_TO_SHIP, CaseState.READY),
    (UnitState.READY_TO_SETTLE, CaseState.READY),
]
_RANK = {str(unit_state): rank for rank, (unit_state, _case) in enumerate(_UNIT_TO_CASE)}


def case_state_from_units(unit_states: Iterable[str], *, refunds_pending: bool = False) -> str:
    """After receiving: the case is where its least advanced unit is. All units done (or
    missing) and no refund pending: settled. A received unit beside inspected ones: inspecting."""
    states = {state for state in unit_states if state not in (UnitState.DONE, UnitState.MISSING)}
    if not states:
        return CaseState.READY if refunds_pending else CaseState.SETTLED
    lowest = min(states, key=lambda state: _RANK[state])
    if lowest == UnitState.RECEIVED and len(states) > 1:
        return CaseState.INSPECTING
    return str(_UNIT_TO_CASE[_RANK[lowest]][1])


# --- the channel an application comes by, from the kind of customer ---

CHANNEL_OF_CUSTOMER_KIND = {"dealer": "dealer", "agent": "dealer", "ecommerce": "ecommerce", "direct": "direct"}


def channel_for_customer(kind: str) -> str:
    """The channel preset on a new application for a customer of this kind (dealers and agents apply as
    dealers); the applicant may change it."""
    return CHANNEL_OF_CUSTOMER_KIND.get(kind, "dealer")


# --- final inspection by checklist (售后客返品管理流程 5.2.7) ---

_COMPLAINT_SEPARATORS = re.compile(r"[;；\n。]+")


def complaint_points(defect_description: str) -> list[str]:
    """The customer's complaint points, as the note states them (one per sentence or semicolon)."""
    return [point.strip() for point in _COMPLAINT_SEPARATORS.split(defect_description or "") if point.strip()]


def final_checklist(*, test_items: Iterable[tuple[str, str, str]], defect_description: str) -> list[dict]:
    """What a unit's final test checks: the model's test items (code, name, requirement), then each of the
    customer's complaint points, which are tested hardest and so are items of their own."""
    items = [{"code": code, "name": name, "requirement": requirement, "source": "model"}
             for code, name, requirement in test_items]
    items += [{"code": f"complaint-{n}", "name": point, "requirement": "", "source": "complaint"}
              for n, point in enumerate(complaint_points(defect_description), start=1)]
    return items


def final_results(checklist: list[dict], results: dict) -> tuple[list[dict], list[str], list[str]]:
    """The checklist with the results given (code -> {"passed", "value"}): (rows, codes without a result,
    codes failed). Results for codes not on the checklist are ignored by the caller's check first."""
    rows, missing, failed = [], [], []
    for item in checklist:
        result = results.get(item["code"])
        if result is None:
            missing.append(item["code"])
            continue
        rows.append({**item, "passed": result["passed"], "value": result.get("value", "")})
        if not result["passed"]:
            failed.append(item["code"])
    return rows, missing, failed
