"""docs/workflow.md, generated from the workflow table (never edited by hand)."""

from django.utils import translation

from . import rules
from .models import CaseState, UnitState
from .workflow import ACTIONS, CASE, GUARD_MESSAGES, UNIT, case_states_for


def _guard_names(action) -> str:
    return ", ".join(f"`{guard.__name__}`" for guard in action.guards) or "—"


def _diagram(level: str, states_enum) -> list[str]:
    lines = ["```mermaid", "stateDiagram-v2"]
    for action in ACTIONS.values():
        if action.level != level:
            continue
        for source in action.sources:
            for target in action.targets:
                if target != source:  # actions that keep the state are in the table below
                    lines.append(f"    {source} --> {target}: {action.name}")
    if level == CASE:
        # After the receipt the case follows its least advanced unit.
        chain = ["received", "inspecting", "disposed", "in_work", "final_inspection", "ready", "settled"]
        lines += [f"    {a} --> {b}: (units)" for a, b in zip(chain, chain[1:])]
    lines.append("```")
    return lines


def workflow_markdown() -> str:
    with translation.override("en"):
        out = [
            "# The return case workflow",
            "",
            "Generated from `src/aftersales/returns/workflow.py` by `aftersales workflow_doc`; do not edit.",
            "A test fails when this file and the table disagree.",
            "",
            "A case moves through application, approval and receiving by **case actions**. From the",
            "closed receipt on, its **units** move one by one (or in bulk), and the case state follows",
            "its least advanced unit (`rules.case_state_from_units`): all units done and refunds",
            "recorded makes it `settled`, and service closes it.",
            "",
            "## Case states",
            "",
            *_diagram(CASE, CaseState),
            "",
            "Unit actions are taken while the case is in one of: "
            + ", ".join(f"`{s}`" for s in case_states_for(ACTIONS["inspect"])) + ".",
            "",
            "## Unit states",
            "",
            *_diagram(UNIT, UnitState),
            "",
            "## The table",
            "",
            "| action | level | from | to | roles | guards |",
            "|---|---|---|---|---|---|",
        ]
        for action in ACTIONS.values():
            out.append(
                f"| `{action.name}` ({action.label}) | {action.level} | "
                + ", ".join(f"`{s}`" for s in action.sources) + " | "
                + (", ".join(f"`{t}`" for t in action.targets) or "(same)") + " | "
                + ", ".join(sorted(action.roles)) + f" | {_guard_names(action)} |"
            )
        out += ["", "## Guards", "", "| guard code | meaning |", "|---|---|"]
        out += [f"| `{code}` | {message} |" for code, message in GUARD_MESSAGES.items()]
        out += ["", "## States", "", "| case state | meaning |", "|---|---|"]
        out += [f"| `{value}` | {label} |" for value, label in CaseState.choices]
        out += ["", "| unit state | meaning |", "|---|---|"]
        out += [f"| `{value}` | {label} |" for value, label in UnitState.choices]
        out += ["", "## Rules", "",
                "| rule | where | policy |", "|---|---|---|",
                "| Warranty: shipped date + model's warranty months (or the policy default) + the extension of the "
                "customer the registry says the unit was shipped to (not the applicant's); tampering voids it; human "
                "damage makes work chargeable; a serial not in the registry is flagged `unknown`, not refused | "
                "`rules.decide_warranty`, `services/warranty.py` | `warranty_months`, "
                "`warranty_void_on_tampering`, `human_damage_charged` |",
                "| One physical unit on one open case: a serial expected or held on another open case is refused at "
                "submit (`serial_on_open_case`) and at the scan (result `serial_on_open_case`, recorded unmatched); "
                "a partial unique index on (model, serial) of units not done or missing holds it under races | "
                "`handlers/application.submit`, `handlers/receiving.receive`, `ReturnUnit` constraint | |",
                "| Return windows from the delivery date: e-commerce no-reason return (calendar days) and exchange "
                "(calendar days) by channel, the apparel application window (working days) by product category; "
                "the window that ends first binds. A line outside its window is refused at submit "
                "(`return_window_passed`) unless a manager allowed it with a comment (`override_window`, kept on "
                "the line and in the timeline); no delivery date, no submit. An e-commerce case whose lines are all "
                "no-reason lines inside their windows is the e-commerce desk's own: no approval, approved at submit "
                "| `rules.return_windows`, `rules.decide_return_window`, `rules.desk_handles`, `services/windows.py` "
                "| `ecommerce_no_reason_return_days`, `ecommerce_no_reason_exchange_days`, "
                "`apparel_return_application_working_days`, `apparel_categories` |",
                "| Volume class: batch when one model, or all models, from one customer in one day reach the "
                "thresholds | `rules.volume_class` | `batch_threshold_per_model_per_day`, "
                "`batch_threshold_all_models_per_day` |",
                "| Approvals: sporadic by service, batch by the VP of the product line, quality incident by the "
                "general manager, whole-unit replacement by the sales manager of the customer's region; who they are "
                "is master data (`masterdata.Approver`, the role alone where nobody is named); one person gives one "
                "kind per case (`one_approval_per_person`); none for an e-commerce no-reason case inside its "
                "windows | `rules.required_approvals`, `services/approvals.py` | `approver_may_give_several_kinds` |",
                "| A disposition changes until the work is finished (`redispose`, with a reason): the customer is "
                "told when what it gets changes (its unit, a new one, its money, nothing) and consents when the "
                "company would keep a unit it was to get back; teardown, supplier claim, internal sale and a refund "
                "instead (`refund`, repair and exchange lines) fit every line (with that consent on repair and "
                "exchange lines); an internal sale records price, discount, buyer and date; units no longer repaired "
                "leave their rework order (an order left empty is cancelled, its material released: "
                "`repairs/services/orders.orders_follow_redisposal`); a unit leaving for its supplier is claimed for "
                "(`claims/services.supplier_claims_draft`: the case's open draft for the supplier, or a new one) "
                "| `rules.redisposal_terms`, `rules.keeps_customers_unit`, `handlers/units.redispose`, "
                "`handlers/sales.py` | |",
                "| The customer's request to change the product (reason `change`) is chargeable like an expired "
                "warranty | `rules.decide_warranty` | |",
                "| A unit replaced because it is not reworked: a replenishment instruction (补货指令) to planning with "
                "the quantity and due date | `rules.needs_replenishment`, `handlers/sales.replenishments_for` | "
                "`replenishment_working_days` |",
                "| Return note complete (part no., name, quantity, lot, defect) before receiving | "
                "`rules.note_missing` | |",
                "| Quality leads the sorting above the threshold and for batch cases | `handlers/application.submit`, "
                "`handlers/receiving.close_receipt` | `quality_sorting_threshold_units` |",
                "| Dispositions allowed per requested outcome; an extra unit (not on the note) may always go back "
                "as is, and on a refund line only that | `handlers/units.dispositions_allowed` | |",
                "| Refund = unit price × the announced units taken back (any disposition but return as is); it waits "
                "until every unit of the line is decided (`refund_units_undecided`); on a repair or exchange line, unit "
                "price × the units refunded instead (they leave into defective stock). Finance records it; the "
                "e-commerce desk that of its no-reason line applied for within its window (自行办理退款; otherwise "
                "`desk_refund_not_allowed`) | `handlers/settlement.settle_refund`, `rules.desk_may_refund` | |",
                "| Work on a batch: through its rework order, the first article first; the rest waits for the passed "
                "first-article check on every endpoint (`first_article_pending`, `batch_work_needs_order`) | "
                "`WORK_GATES` (registered by `repairs/gates.py`) | |",
                "", "Note completeness fields: " + ", ".join(f"`{k}` ({v})" for k, v in rules.NOTE_FIELDS.items()),
                ""]
        out += _clocks()
    return "\n".join(out)


def _clocks() -> list[str]:
    """The clocked steps (returns/clocks.py) with their owners and time limits."""
    from aftersales.core.policies import REGISTRY
    from aftersales.deadlines.kinds import KINDS

    from . import clocks

    def limit(kind) -> str:
        if kind.policies_for is None:
            keys = [kind.policy]
        else:
            keys = sorted({key for facts in ({"defect": "appearance"}, {"volume": "sporadic"}, {"volume": "batch"})
                           for key in kind.policies_for(facts)})
        return ", ".join(f"`{key}` ({REGISTRY[key].default} {REGISTRY[key].unit.replace('_', ' ')})" for key in keys)

    out = ["## Clocked steps", "",
           (clocks.__doc__ or "").strip().split("\n\n")[0].replace("\n", " "), "",
           "| step | owner | escalates to | time limit (policy, default) |", "|---|---|---|---|"]
    out += [f"| `{kind.key}` ({kind.label}) | {kind.role} | {kind.escalate_to} | {limit(kind)} |"
            for kind in KINDS.values() if kind.key in clocks.CASE_KINDS]
    out += ["", "Working days and hours on working days run on the day clock (24 hours of each working day); "
            "working hours on the office clock (`working_day_start_hour`, `working_hours_per_day`). A step waiting "
            "for the customer stands still (recorded as a pause). See docs/architecture.md, \"Time limits\".", ""]
    return out
