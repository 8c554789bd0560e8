"""Tests as a model too: helpers come from tests/conftest.py, tests/flows.py, tests/files.py and the other
helper modules, never from another test module (a test module's helpers would change with its tests)."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent


def test_no_test_module_imports_another_test_module():
    found = []
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                last = node.module.split(".")[-1]
                if last.startswith("test_"):
                    found.append(f"{path.relative_to(TESTS)}: {node.module}")
    assert found == [], found
