"""Pure rules of the service desk: no database, testable alone."""

import datetime as dt

from .models import FAULT_CATEGORIES, ON_SITE_CATEGORIES

SCORE_MIN, SCORE_MAX = 1, 5
DIMENSIONS = ("response", "attitude", "fix_quality", "overall")


def repeat_of(history: list[dict], *, category: str, on: dt.date, window_days: int) -> dict | None:
    """The same unit's latest earlier request for the same kind of fault within the window, or None.
    `history`: the unit's requests as {"id", "number", "category", "created_on"}, any order."""
    if category not in FAULT_CATEGORIES:
        return None
    since = on - dt.timedelta(days=window_days)
    same = [entry for entry in history if entry["category"] in FAULT_CATEGORIES and since <= entry["created_on"] <= on]
    return max(same, key=lambda entry: (entry["created_on"], entry["id"]), default=None)


def resolution_policies(*, category: str, priority: str) -> list[str]:
    """The policies whose working days add up to the resolution time: by priority, plus on-site time."""
    keys = [f"service_resolution_{priority}_days"]
    if category in ON_SITE_CATEGORIES:
        keys.append("service_resolution_on_site_extra_days")
    return keys


def is_low(scores: dict, *, low_score: int) -> bool:
    """A survey is unsatisfied when any dimension scores at or below the low score."""
    return any(scores[name] <= low_score for name in DIMENSIONS)


def escalates(reopen_count: int, *, limit: int) -> bool:
    """Reopened more than the policy's number of times: the manager takes it up."""
    return reopen_count > limit


def parts_chargeable(warranty_status: str) -> bool:
    """Parts are free in warranty (无偿...更换相应零配件) and charged otherwise, an unknown warranty included
    (售后服务工作流程及管理制度 二.1-2)."""
    return warranty_status != "in"


# The department a survey's handler is counted in: the first of these roles they hold.
DEPARTMENTS = ("technician", "repair", "service", "quality", "engineering", "manager")


def department_of(role_codes) -> str:
    """The department a handler's survey counts for: field technician, repair, service..., or "" for none."""
    held = set(role_codes)
    return next((code for code in DEPARTMENTS if code in held), "")


def survey_handler(*, technician=None, decided_by=None, repaired_by=None, closed_by=None):
    """Who handled what a survey asks about: the technician sent on site, else who decided how to help (a
    request); the repairer, else who closed it (a return case)."""
    return technician or decided_by or repaired_by or closed_by
