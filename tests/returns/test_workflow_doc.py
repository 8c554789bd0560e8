from pathlib import Path

from django.conf import settings

from aftersales.returns.docs import workflow_markdown
from aftersales.returns.services.handlers import HANDLERS
from aftersales.returns.workflow import ACTIONS, GUARD_MESSAGES


def test_docs_workflow_md_is_generated_from_the_table():
    doc = Path(settings.PACKAGE_DIR).parent.parent / "docs" / "workflow.md"
    assert doc.read_text(encoding="utf-8") == workflow_markdown(), "run `aftersales workflow_doc`"


def test_every_action_has_a_handler_and_every_guard_a_message():
    assert set(HANDLERS) == set(ACTIONS)
    codes = set()
    for action in ACTIONS.values():
        assert action.roles, action.name
        for guard in action.guards:
            codes.add(guard.__name__)
    assert GUARD_MESSAGES  # each guard returns one of these codes; tests assert on them
