"""Field service's rules, pure (no database): lateness, what a complete report holds, the penalty a rule carries."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from .models import PenaltyRule, WorkKind

# The fixed-amount rules and the policy holding each amount (售后服务管理规定 四).
PENALTY_POLICIES = {
    PenaltyRule.LATE_ON_SITE: "penalty_late_on_site",
    PenaltyRule.LEFT_WITHOUT_CALLING: "penalty_left_without_calling",
    PenaltyRule.INCOMPLETE_REPORT: "penalty_incomplete_report",
    PenaltyRule.PHONE_OFF: "penalty_phone_off",
    PenaltyRule.IGNORED_DISPATCH: "penalty_ignored_dispatch",
}
CLAUSE = "售后服务管理规定 四"

LATITUDE, LONGITUDE = 90, 180


def arrived_late(checked_in_at: dt.datetime, required_arrival: dt.datetime | None) -> bool | None:
    """Late against the time the customer set; None when no time was set."""
    if required_arrival is None:
        return None
    return checked_in_at > required_arrival


def report_missing(*, work: str, fault_cause: str, solution: str, hours, signed_by: str, has_signature: bool,
                   customer_opinion: str, trained_people: list, training_topics: str,
                   days_on_site=None) -> dict[str, list]:
    """The fields a report still lacks before it can be submitted, each with the reason."""
    missing: dict[str, list] = {}

    def need(field: str, present, reason) -> None:
        if not present:
            missing[field] = [reason]

    if work in (WorkKind.REPAIR, WorkKind.INSPECTION):
        need("fault_cause", fault_cause.strip(), _("Say what caused the fault (the report's 故障原因)."))
    need("solution", solution.strip(), _("Say what was done on site (处理方法)."))
    need("hours", hours is not None and hours > 0, _("Give the hours spent on site."))
    need("customer_opinion", customer_opinion.strip(), _("Write down the customer's opinion (客户意见)."))
    need("signed_by", signed_by.strip(), _("The name of the customer's person who signs."))
    need("signature", has_signature, _("The customer signs the report on the phone."))
    if work == WorkKind.INSTALLATION:
        need("days_on_site", days_on_site is not None and days_on_site > 0,
             _("Give the days on site: the statistics count person-days."))
    if work == WorkKind.TRAINING or (work == WorkKind.INSTALLATION and trained_people):
        need("trained_people", trained_people, _("List the customer's staff trained."))
        need("training_topics", training_topics.strip(), _("Say what the training covered."))
    return missing


def repeat_window_start(today: dt.date, window_days: int) -> dt.date:
    return today - dt.timedelta(days=window_days)


def place_matches(place: str, sites: list[str]) -> bool:
    """A receipt's place matches the trip when a site of it names the place or the place names the site's town
    (出差的票据与出差地应相符): "上海" on a trip to "上海市浦东新区张江路 100 号" matches; no place given, nothing to check."""
    place = place.strip().removesuffix("市")
    if not place:
        return True
    return any(place in site or (site.strip() and site.strip().removesuffix("市") in place) for site in sites)


def trip_sites(order_addresses: list[str], places: str) -> list[str]:
    """The places a trip went to: its orders' sites and the towns named on the claim (、, comma or space apart)."""
    named = [p for p in places.replace("，", ",").replace("、", ",").replace(" ", ",").split(",") if p.strip()]
    return [a for a in order_addresses if a] + named
