"""The return case's rules, pure: no database."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from aftersales.returns import rules


def warranty(**overrides):
    args = dict(shipped_date=date(2025, 3, 15), has_serial=True, model_warranty_months=12, default_warranty_months=12,
                extension_months=0, on=date(2026, 3, 14))
    return rules.decide_warranty(**{**args, **overrides})


def test_in_warranty_until_the_day_before_the_anniversary():
    decision = warranty()
    assert (decision.status, decision.until, decision.chargeable) == ("in", date(2026, 3, 14), False)
    assert decision.reasons[0]["code"] == "within_warranty"


def test_out_of_warranty_the_day_after():
    decision = warranty(on=date(2026, 3, 15))
    assert (decision.status, decision.chargeable) == ("out", True)
    assert decision.reasons[0]["code"] == "warranty_expired"


def test_customer_extension_and_model_months_add_up():
    decision = warranty(model_warranty_months=18, extension_months=6, on=date(2027, 3, 14))
    assert decision.status == "in"
    assert decision.until == date(2027, 3, 14)
    assert {"code": "customer_extension", "months": 6} in decision.reasons


def test_policy_default_when_the_model_sets_none():
    assert warranty(model_warranty_months=None, default_warranty_months=24, on=date(2027, 1, 1)).status == "in"


def test_month_end_shipments():
    assert warranty(shipped_date=date(2025, 1, 31), model_warranty_months=1, on=date(2025, 2, 27)).until == date(2025, 2, 27)


def test_tampering_voids_the_warranty_unless_the_policy_says_otherwise():
    assert warranty(tampered=True).status == "out"
    assert warranty(tampered=True, void_on_tampering=False).status == "in"


def test_human_damage_in_warranty_is_chargeable():
    decision = warranty(human_damage=True)
    assert (decision.status, decision.chargeable) == ("in", True)
    assert not warranty(human_damage=True, human_damage_charged=False).chargeable


def test_unknown_serial_is_flagged_not_refused():
    decision = warranty(shipped_date=None)
    assert decision.status == "unknown"
    assert decision.reasons == [{"code": "not_in_registry"}]
    assert warranty(shipped_date=None, has_serial=False).reasons == [{"code": "no_serial"}]


def test_reason_text_is_readable():
    assert "2026-03-14" in rules.reason_text(warranty().reasons[0])


WINDOW_POLICIES = {"ecommerce_no_reason_return_days": 7, "ecommerce_no_reason_exchange_days": 15,
                   "apparel_return_application_working_days": 7, "apparel_categories": ("服装",)}


def _window(*, channel="ecommerce", reason="no_reason", outcome="refund", category="电热水器", delivered, on,
            last_day=None):
    windows = rules.return_windows(channel=channel, reason=reason, requested_outcome=outcome, category=category,
                                   snapshot=WINDOW_POLICIES)
    return rules.decide_return_window(windows=windows, delivered_date=delivered, on=on, last_day=last_day)


@pytest.mark.parametrize("outcome,delivered,on,within", [
    ("refund", date(2026, 11, 1), date(2026, 11, 8), True),
    ("refund", date(2026, 11, 1), date(2026, 11, 9), False),
    ("exchange", date(2026, 11, 1), date(2026, 11, 16), True),
    ("exchange", date(2026, 11, 1), date(2026, 11, 17), False),
])
def test_ecommerce_no_reason_windows(outcome, delivered, on, within):
    decision = _window(outcome=outcome, delivered=delivered, on=on)
    assert decision["within"] is within
    assert rules.window_open(decision) is within
    assert rules.window_open({**decision, "override": {"comment": "x"}})


def test_windows_apply_only_to_ecommerce_no_reason_returns():
    args = dict(delivered=date(2020, 1, 1), on=date(2026, 1, 1))
    assert _window(channel="dealer", **args) == {}
    assert _window(reason="quality", **args) == {}
    no_date = _window(**{**args, "delivered": None})
    assert no_date["within"] is None


def test_apparel_window_in_working_days_and_the_earliest_end_binds():
    def last_day(window, delivered):  # a calendar with weekends only
        day, counted = delivered, 0
        while counted < window["days"]:
            day += timedelta(days=1)
            counted += day.weekday() < 5
        return day

    decision = _window(channel="dealer", reason="quality", category="服装", delivered=date(2026, 11, 6),
                       on=date(2026, 11, 17), last_day=last_day)  # a Friday: 7 working days end on Tuesday 17
    assert (decision["window"], decision["deadline"], decision["within"]) == ("apparel_application", "2026-11-17", True)
    both = _window(category="服装", delivered=date(2026, 11, 6), on=date(2026, 11, 14), last_day=last_day)
    assert (both["window"], both["within"], len(both["windows"])) == ("ecommerce_no_reason_return", False, 2)
    assert "2026-11-13" in rules.window_refusal(1, both)


def test_desk_handles_only_ecommerce_no_reason_lines_inside_their_windows():
    inside, late = {"within": True}, {"within": False, "override": {"comment": "x"}}
    assert rules.desk_handles(channel="ecommerce", decisions=[inside], reasons=["no_reason"])
    assert not rules.desk_handles(channel="ecommerce", decisions=[inside, late], reasons=["no_reason"] * 2)
    assert not rules.desk_handles(channel="ecommerce", decisions=[inside, {}], reasons=["no_reason", "quality"])
    assert not rules.desk_handles(channel="dealer", decisions=[inside], reasons=["no_reason"])
    assert rules.required_approvals(volume="batch", is_quality_incident=False, has_whole_unit_replacement=True,
                                    desk_handles=True) == []


@pytest.mark.parametrize("quantities,expected", [
    ({1: 49}, "sporadic"), ({1: 50}, "batch"), ({1: 49, 2: 49}, "sporadic"), ({1: 49, 2: 49, 3: 2}, "batch"),
])
def test_volume_class(quantities, expected):
    volume, detail = rules.volume_class(quantities_by_model=quantities, per_model_threshold=50, all_models_threshold=100)
    assert volume == expected
    assert detail["total_quantity"] == sum(quantities.values())


def test_required_approvals():
    assert rules.required_approvals(volume="sporadic", is_quality_incident=False, has_whole_unit_replacement=False) == ["service"]
    assert rules.required_approvals(volume="batch", is_quality_incident=True, has_whole_unit_replacement=True) == ["vp", "gm", "rsm"]


@dataclass
class Line:
    line_no: int
    product_model_id: int | None = 1
    item_name: str = "电热水器"
    quantity: int = 1
    production_lot: str = "260101-1"
    defect_description: str = "不加热"


def test_note_missing_lists_each_line_and_field():
    assert rules.note_missing([Line(1)]) == []
    missing = rules.note_missing([Line(1), Line(2, product_model_id=None, production_lot="", defect_description="")])
    assert missing[0]["line"] == 2
    assert missing[0]["missing"] == ["product_model", "production_lot", "defect_description"]


@pytest.mark.parametrize("states,expected", [
    (["received", "received"], "received"),
    (["received", "inspected"], "inspecting"),
    (["inspected", "disposed"], "inspecting"),
    (["waiting_customer", "in_work"], "disposed"),
    (["in_work", "final_inspection", "done"], "in_work"),
    (["final_inspection", "ready_to_ship"], "final_inspection"),
    (["ready_to_ship", "ready_to_settle", "done", "missing"], "ready"),
    (["done", "missing"], "settled"),
])
def test_case_follows_its_least_advanced_unit(states, expected):
    assert rules.case_state_from_units(states) == expected


def test_a_pending_refund_keeps_the_case_ready():
    assert rules.case_state_from_units(["done"], refunds_pending=True) == "ready"


# --- a refund instead of the unit wanted back; the e-commerce desk's own refunds ---

@pytest.mark.parametrize("old,new,notify,consent", [
    ("repair", "refund", True, True),  # the customer gets its money instead of its unit: it consents
    ("replace", "refund", True, True),
    ("scrap", "refund", True, False),  # money instead of nothing: told, not asked
    ("refund", "repair", True, False),
    ("refund", "teardown", True, False),
])
def test_a_refund_instead_of_the_unit_needs_the_customers_consent(old, new, notify, consent):
    assert rules.redisposal_terms(outcome="repair", old=old, new=new) == {"notify": notify, "consent": consent}
    assert rules.keeps_customers_unit(outcome="exchange", disposition="refund")
    assert not rules.keeps_customers_unit(outcome="refund", disposition="refund")


WITHIN = {"within": True, "deadline": "2026-12-05"}


@pytest.mark.parametrize("channel,reason,outcome,window,allowed", [
    ("ecommerce", "no_reason", "refund", WITHIN, True),
    ("ecommerce", "no_reason", "refund", {"within": False}, False),  # late
    ("ecommerce", "no_reason", "refund", {**WITHIN, "within": False, "override": {"by": "manager"}}, False),
    ("ecommerce", "no_reason", "refund", {}, False),  # no window decided
    ("ecommerce", "quality", "refund", WITHIN, False),
    ("ecommerce", "no_reason", "exchange", WITHIN, False),
    ("dealer", "no_reason", "refund", WITHIN, False),
])
def test_the_ecommerce_desk_refunds_its_no_reason_returns_within_their_window(channel, reason, outcome, window,
                                                                              allowed):
    assert rules.desk_may_refund(channel=channel, reason=reason, outcome=outcome, window=window) is allowed
