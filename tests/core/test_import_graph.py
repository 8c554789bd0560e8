"""Imports run one way (STYLE.md): each app imports only the apps below it here, so no app imports a
higher one and no two apps import each other. The shell (web) and the shared services never import a
business app; `lib` has no Django in it. Imports inside functions count as much as those at the top."""

import ast
from collections import defaultdict
from pathlib import Path

from django.conf import settings

# Lowest first. `config` wires every app together and is left out.
LAYERS = ["lib", "core", "accounts", "masterdata", "workcalendar", "inventory", "notifications", "deadlines", "jobs",
          "web", "returns", "servicedesk", "repairs", "claims", "service", "field", "quality", "reports"]
PACKAGE = Path(settings.PACKAGE_DIR)


def _imports() -> dict[str, dict[str, set[str]]]:
    """app -> imported app -> the files that import it."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        app = relative.parts[0]
        if app not in LAYERS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level == 0:
                    names = [node.module or ""]
                else:
                    base = list(relative.parts[:-1])[:len(relative.parts) - node.level]
                    names = ["aftersales." + ".".join([*base, *([node.module] if node.module else [])])]
            for name in names:
                parts = name.split(".")
                if parts[0] == "django" and app == "lib":
                    found[app]["django"].add(str(relative))
                if parts[0] == "aftersales" and len(parts) > 1 and parts[1] != app and parts[1] in LAYERS:
                    found[app][parts[1]].add(str(relative))
    return found


def test_no_app_imports_a_higher_app():
    upward = {(app, imported): sorted(files) for app, targets in _imports().items()
              for imported, files in targets.items()
              if imported == "django" or LAYERS.index(imported) > LAYERS.index(app)}
    assert upward == {}, upward


def test_no_two_apps_import_each_other():
    graph = _imports()
    pairs = {tuple(sorted((a, b))) for a, targets in graph.items() for b in targets if a in graph.get(b, {})}
    assert pairs == set(), pairs
