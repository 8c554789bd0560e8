"""Error codes live in one catalogue (core/errors.CODES), each with its status and message: every code
the source raises is in it, every code in it is documented in docs/api.md, and an error raised with a
code answers the catalogue's status whatever class raised it."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

from aftersales.core.errors import CODES, AppError, Conflict, InvalidInput

SOURCE = Path(settings.PACKAGE_DIR)
DOCS = SOURCE.parent.parent / "docs" / "api.md"


def _codes_in_source() -> set[str]:
    found = set()
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "code" and isinstance(node.value, ast.Constant):
                found.add(node.value.value)
            if (isinstance(node, ast.ClassDef) and any(getattr(base, "id", "").endswith(("Error", "Input", "Found",
                                                                                        "Denied", "Conflict"))
                                                       for base in node.bases)):
                for item in node.body:
                    if (isinstance(item, ast.Assign) and any(getattr(t, "id", "") == "code" for t in item.targets)
                            and isinstance(item.value, ast.Constant)):
                        found.add(item.value.value)
    return {code for code in found if isinstance(code, str)}


def test_every_code_raised_is_in_the_catalogue():
    missing = _codes_in_source() - set(CODES) - {"error"}
    assert missing == set(), sorted(missing)


def test_every_code_in_the_catalogue_is_documented_with_its_status():
    documented = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) > 3 and cells[1].startswith("`"):
            for code in re.findall(r"`([a-z_]+)`", cells[1]):
                documented[code] = cells[2]
    missing = set(CODES) - set(documented)
    assert missing == set(), sorted(missing)
    wrong = {code: (documented[code], entry.status) for code, entry in CODES.items()
             if str(entry.status) not in documented[code]}
    assert wrong == {}, wrong


@pytest.mark.parametrize("cls, code, status", [(InvalidInput, "serial_on_open_case", 409),
                                               (Conflict, "not_your_case", 404), (AppError, "invalid_state", 409)])
def test_the_code_decides_the_status(cls, code, status):
    assert cls(code=code).status == status
    assert str(cls(code=code).message) == str(CODES[code].message)
