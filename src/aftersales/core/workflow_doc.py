"""docs/workflow.md: every state machine documented from its own table (never edited by hand).

The return case contributes its own section (registered: its states follow its units, its rules and
clocks); every Machine of core/workflow.py is documented the same way: its states, a diagram, the
table (action, from, to, roles, guards)."""

from django.utils import translation

from .registry import DOC_SECTIONS
from .workflow import MACHINES, Machine


def _guards(spec) -> str:
    return ", ".join(f"`{guard.__name__}`" for guard in spec.guards) or "—"


def machine_markdown(machine: Machine) -> list[str]:
    app = machine.model._meta.app_label
    out = [f"# The {machine.title} (`{machine.key}`)", "",
           f"Generated from `src/aftersales/{app}/workflow.py`. Every change of its state goes through "
           "`Machine.apply` (core/workflow.py): row locked, table, roles and guards checked, the state and a "
           "history row (`core.StateChange`) written in one transaction.", "",
           "```mermaid", "stateDiagram-v2"]
    for spec in machine.transitions:
        for source in spec.sources:
            for target in spec.targets:
                if target != source:
                    out.append(f"    {source} --> {target}: {spec.name}")
    out += ["```", "", "| action | from | to | roles | guards |", "|---|---|---|---|---|"]
    for spec in machine.transitions:
        out.append(f"| `{spec.name}` ({spec.label}) | " + ", ".join(f"`{s}`" for s in spec.sources) + " | "
                   + (", ".join(f"`{t}`" for t in spec.targets) or "(same)") + " | "
                   + ", ".join(sorted(spec.roles)) + f" | {_guards(spec)} |")
    out += ["", "| state | meaning | open |", "|---|---|---|"]
    out += [f"| `{value}` | {label} | {'yes' if value in machine.open_states else 'no'} |"
            for value, label in machine.states.choices]
    return out + [""]


def workflows_markdown() -> str:
    with translation.override("en"):
        parts = [section() for _order, section in sorted(DOC_SECTIONS, key=lambda item: item[0])]
        for machine in sorted(MACHINES.values(), key=lambda m: m.key):
            parts.append("\n".join(machine_markdown(machine)))
    return "\n".join(parts)
