"""Who may give which approval of a case (DOMAIN.md stage 2; 售后客返品管理流程 5.1.1.1, 售后返退货产品流程描述
一.2-4): each kind names a role, and the people master data names for it (masterdata.Approver: the VP per
product line, the regional sales manager per region). Where nobody is named for a kind, its role gives it;
the customer's own regional sales manager, where set, is the one for that customer; where people are named but none for this case's product line or
region, the role gives it. One person gives one
kind of approval per case unless the policy allows more."""

from django.utils.translation import gettext_lazy as _

from aftersales.core import policies
from aftersales.masterdata.models import Approver

from .. import rules
from ..models import Approval

# The role each approval kind asks for (a named approver holds it too).
APPROVAL_ROLES = {
    Approval.Kind.SERVICE: {"service", "manager"},
    Approval.Kind.VP: {"manager"},
    Approval.Kind.GM: {"manager"},
    Approval.Kind.RSM: {"manager"},
}
# The manual's clause for each kind, for the approval matrix.
APPROVAL_CLAUSES = {
    Approval.Kind.SERVICE: "售后客返品管理流程 5.1.1.1",
    Approval.Kind.VP: "售后客返品管理流程 5.1.1.1",
    Approval.Kind.GM: "售后客返品管理流程 5.1.1.1; 售后返退货产品流程描述 一.3",
    Approval.Kind.RSM: "售后返退货产品流程描述 一.2",
}


def _given(case) -> list[Approval]:
    return [a for a in case.approvals.all() if a.round == case.approval_round and a.decision == Approval.Decision.APPROVED]


def approvals_given(case) -> set[str]:
    return {a.kind for a in _given(case)}


def approvals_pending(case) -> list[str]:
    given = approvals_given(case)
    return [kind for kind in case.required_approvals if kind not in given]


def _assignments(kind: str, cache: dict) -> list[dict]:
    if "approvers" not in cache:
        cache["approvers"] = list(Approver.objects.filter(is_active=True)
                                  .values("kind", "user_id", "product_line", "region"))
    return [row for row in cache["approvers"] if row["kind"] == kind]


def case_product_lines(case, cache: dict) -> set[str]:
    if "product_lines" not in cache:
        cache["product_lines"] = {line.product_model.category for line in case.lines.select_related("product_model")
                                  if line.product_model_id}
    return cache["product_lines"]


def may_give(kind: str, case, actor, roles: set[str], cache: dict | None = None) -> bool:
    cache = {} if cache is None else cache
    if not roles & APPROVAL_ROLES.get(kind, set()):
        return False
    if kind == Approval.Kind.RSM and case.customer.regional_sales_manager_id is not None:
        return case.customer.regional_sales_manager_id == actor.pk
    covering = [row for row in _assignments(kind, cache) if _covers(kind, row, case, cache)]
    if not covering:  # nobody named for this case's product line or region: the role gives it
        return True
    return any(row["user_id"] == actor.pk for row in covering)


def _covers(kind: str, row: dict, case, cache: dict) -> bool:
    if kind == Approval.Kind.RSM:
        return rules.scope_covers(row["region"], {case.customer.region})
    if kind == Approval.Kind.VP:
        return rules.scope_covers_one(row["product_line"], case_product_lines(case, cache))
    return True


def approvals_actor_may_give(case, actor, roles: set[str], cache: dict | None = None) -> list[str]:
    cache = {} if cache is None else cache
    return [kind for kind in approvals_pending(case) if may_give(kind, case, actor, roles, cache)]


def gave_another_kind(case, actor) -> str | None:
    """The kind this actor approved already on the case (this round), when the policy lets one person give
    one kind only; None otherwise."""
    if policies.value("approver_may_give_several_kinds"):
        return None
    return next((a.kind for a in _given(case) if a.decided_by_id == actor.pk), None)


WHEN_NEEDED = {
    Approval.Kind.SERVICE: _("Every sporadic return (零星客返)."),
    Approval.Kind.VP: _("A batch return (批量客返): one model or all models from one customer in one day past the "
                        "thresholds."),
    Approval.Kind.GM: _("A quality incident or a recall (质量事故、召回)."),
    Approval.Kind.RSM: _("A whole-unit replacement (整机换新) for a customer of the region."),
}


def approval_matrix() -> list[dict]:
    """Who gives which approval: per kind, when it is needed, the clause, the role and the people named."""
    from aftersales.core.roles import ROLE_LABELS

    named = list(Approver.objects.filter(is_active=True).select_related("user").order_by("kind", "product_line",
                                                                                          "region", "user__username"))
    return [{"kind": kind, "label": label, "when": WHEN_NEEDED[kind], "clause": APPROVAL_CLAUSES[kind],
             "roles": [ROLE_LABELS[code] for code in sorted(APPROVAL_ROLES[kind])],
             "people": [{"username": row.user.get_username(), "name": row.user.get_full_name(),
                         "product_line": row.product_line, "region": row.region} for row in named if row.kind == kind]}
            for kind, label in Approval.Kind.choices]
