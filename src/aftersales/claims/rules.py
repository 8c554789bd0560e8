"""Pure rules of claims (no database)."""

from decimal import Decimal

from django.utils.translation import gettext as _


def recovery_problem(*, answer: str, claimed: Decimal, recovered: Decimal) -> str | None:
    """What is wrong with an amount recovered for the supplier's answer, or None: never more than claimed;
    nothing on a refusal; all of it on a full acceptance."""
    if recovered > claimed:
        return _("More than the amount claimed.")
    if answer == "refused" and recovered:
        return _("The supplier refused: nothing is recovered.")
    if answer == "accepted" and recovered != claimed:
        return _("Accepted in full: the amount recovered is the amount claimed.")
    return None


def company_responsible(responsibilities: set[str]) -> bool:
    """Compensation is agreed only where inspection found the company responsible for some unit."""
    return "company" in responsibilities
