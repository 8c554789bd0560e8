"""Who may give which approval of a case (DOMAIN.md stage 2)."""

from ..models import Approval


def approvals_given(case) -> set[str]:
    return {a.kind for a in case.approvals.all() if a.round == case.approval_round and a.decision == Approval.Decision.APPROVED}


def approvals_pending(case) -> list[str]:
    given = approvals_given(case)
    return [kind for kind in case.required_approvals if kind not in given]


def may_give(kind: str, case, actor, roles: set[str]) -> bool:
    if kind == Approval.Kind.SERVICE:
        return bool(roles & {"service", "manager"})
    if kind in (Approval.Kind.VP, Approval.Kind.GM):
        return "manager" in roles
    if kind == Approval.Kind.RSM:
        manager_id = case.customer.regional_sales_manager_id
        if manager_id is not None:
            return manager_id == actor.pk
        return "manager" in roles
    return False


def approvals_actor_may_give(case, actor, roles: set[str]) -> list[str]:
    return [kind for kind in approvals_pending(case) if may_give(kind, case, actor, roles)]
