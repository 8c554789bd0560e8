"""The service desk's pure rules, without a database."""

import datetime as dt
import pathlib
import re

import aftersales
from aftersales.servicedesk import rules
from aftersales.servicedesk.workflow import SERVICE_REQUEST, event_label

ON = dt.date(2026, 11, 30)


def _entry(n, category, days_ago):
    return {"id": n, "number": f"SR-2026-{n:06d}", "category": category, "created_on": ON - dt.timedelta(days=days_ago)}


def test_a_repeat_repair_is_the_latest_same_kind_of_fault_within_the_window():
    history = [_entry(1, "repair", 100), _entry(2, "product_complaint", 30), _entry(3, "consultation", 1)]
    assert rules.repeat_of(history, category="repair", on=ON, window_days=90)["number"] == "SR-2026-000002"
    assert rules.repeat_of(history, category="parts", on=ON, window_days=20) is None
    assert rules.repeat_of(history, category="consultation", on=ON, window_days=90) is None  # not a fault
    assert rules.repeat_of([], category="repair", on=ON, window_days=90) is None
    assert rules.repeat_of(history, category="repair", on=ON, window_days=100)["number"] == "SR-2026-000002"


def test_resolution_time_is_by_priority_plus_on_site_time():
    assert rules.resolution_policies(category="repair", priority="urgent") == ["service_resolution_urgent_days"]
    assert rules.resolution_policies(category="installation", priority="low") == [
        "service_resolution_low_days", "service_resolution_on_site_extra_days"]


def test_low_scores_and_the_reopen_limit():
    scores = {"response": 5, "attitude": 5, "fix_quality": 2, "overall": 4}
    assert rules.is_low(scores, low_score=2) and not rules.is_low(scores, low_score=1)
    assert not rules.escalates(2, limit=2) and rules.escalates(3, limit=2)


def test_a_surveys_handler_and_their_department():
    assert rules.department_of({"service", "technician"}) == "technician"  # the field work is what was rated
    assert rules.department_of({"manager", "repair"}) == "repair"
    assert rules.department_of({"warehouse"}) == "" and rules.department_of(set()) == ""
    assert rules.survey_handler(technician="li", decided_by="wang") == "li"
    assert rules.survey_handler(decided_by="wang") == "wang"
    assert rules.survey_handler(repaired_by="zhao", closed_by="service") == "zhao"
    assert rules.survey_handler(closed_by="service") == "service" and rules.survey_handler() is None


def test_every_timeline_action_the_services_write_has_a_label():
    """A request's timeline shows each entry by its label, never by its code: every action written through
    event_append (in any app) and every step of the table has one."""
    source = pathlib.Path(aftersales.__file__).parent
    written = {match for path in source.rglob("*.py") if "migrations" not in path.parts
               for match in re.findall(r"event_append\(request=[^)]*?action=\"(\w+)\"", path.read_text("utf-8"),
                                       re.S)}
    assert {"create", "survey", "parts_shipped", "parts_quote_accepted"} <= written
    unlabelled = sorted(action for action in written | set(SERVICE_REQUEST.table)
                        if str(event_label(action)) == action)
    assert unlabelled == []
