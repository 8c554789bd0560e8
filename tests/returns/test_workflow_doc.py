import ast
import inspect
import textwrap
from pathlib import Path

from django.conf import settings

from aftersales.core.errors import CODES
from aftersales.core.workflow import MACHINES
from aftersales.core.workflow_doc import workflows_markdown
from aftersales.returns.models import CaseState, UnitState
from aftersales.returns.services.handlers import HANDLERS
from aftersales.returns.workflow import ACTIONS, CASE, GUARD_MESSAGES, WORK_GATES, case_states_for


def test_docs_workflow_md_is_generated_from_every_table():
    doc = Path(settings.PACKAGE_DIR).parent.parent / "docs" / "workflow.md"
    assert doc.read_text(encoding="utf-8") == workflows_markdown(), "run `aftersales workflow_doc`"
    for machine in MACHINES.values():
        assert f"(`{machine.key}`)" in doc.read_text(encoding="utf-8"), machine.key


def _codes_returned(function) -> set[str]:
    """The string literals a guard returns (its error codes), read from its source."""
    def outcomes(node) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return outcomes(node.body) | outcomes(node.orelse)
        return set()

    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    return {code for node in ast.walk(tree) if isinstance(node, ast.Return) and node.value is not None
            for code in outcomes(node.value)}


def test_every_action_has_a_handler_roles_and_states_that_exist():
    assert set(HANDLERS) == set(ACTIONS)
    for spec in ACTIONS.values():
        assert spec.roles, spec.name
        states = CaseState.values if spec.level == CASE else UnitState.values
        assert set(spec.sources) <= set(states) and set(spec.targets) <= set(states), spec.name
        assert set(case_states_for(spec)) <= set(CaseState.values), spec.name


def test_every_code_a_guard_returns_has_a_message_and_a_status():
    guards = {guard for spec in ACTIONS.values() for guard in spec.guards} | set(WORK_GATES)
    for machine in MACHINES.values():
        guards |= {guard for spec in machine.transitions for guard in spec.guards}
    returned = set()
    for guard in guards:
        found = set(getattr(guard, "codes", ())) or _codes_returned(guard)
        if guard.__name__ == "work_gates_pass":
            continue  # it returns what the registered gates return (checked as gates here)
        assert found, f"{guard.__name__} returns no code"
        returned |= found
    assert returned - set(GUARD_MESSAGES) - {
        code for machine in MACHINES.values() for code in machine.messages} == set()
    assert returned <= set(CODES), returned - set(CODES)


def test_every_machine_table_names_states_of_its_model_and_roles():
    for machine in MACHINES.values():
        for spec in machine.transitions:
            assert spec.roles, (machine.key, spec.name)
            assert set(spec.sources) | set(spec.targets) <= set(machine.states.values), (machine.key, spec.name)
        assert machine.open_states, machine.key
