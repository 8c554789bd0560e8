"""The shell (`web/`) never imports a business app: what it shows of one, the app registers
(core/registry.py). And imports run one way between business apps: returns never imports repairs."""

import ast
import re
from pathlib import Path

import aftersales

PACKAGE = Path(aftersales.__file__).parent
BUSINESS_APPS = ("returns", "repairs", "service", "field", "quality", "reports")


def _imported(path: Path) -> set[str]:
    """Every module a file imports, relative imports resolved against the file's package."""
    package = ["aftersales", *path.relative_to(PACKAGE).parent.parts]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _imports_of(app: str, wanted: tuple[str, ...]) -> list[str]:
    """The imports of `app`'s files that reach one of the `wanted` apps, as "file: module"."""
    return sorted(f"{path.relative_to(PACKAGE)}: {module}" for path in (PACKAGE / app).rglob("*.py")
                  for module in _imported(path) if module.split(".")[:1] == ["aftersales"]
                  and module.split(".")[1:2] and module.split(".")[1] in wanted)


def test_the_resolver_sees_relative_and_absolute_imports():
    here = PACKAGE / "repairs" / "views.py"
    assert {"aftersales.repairs.selectors", "aftersales.returns.models"} <= _imported(here)
    assert _imports_of("repairs", ("returns",))  # repairs, the higher app, does use returns


def test_the_shell_imports_no_business_app():
    assert _imports_of("web", BUSINESS_APPS) == []


def test_the_shell_templates_name_no_business_app_page_or_template():
    pattern = re.compile(r"""['"](%s)[:/]""" % "|".join(BUSINESS_APPS))
    found = [f"{path.relative_to(PACKAGE)}: {match.group(0)}" for path in (PACKAGE / "web").rglob("*.html")
             for match in pattern.finditer(path.read_text(encoding="utf-8"))]
    assert found == []


def test_returns_does_not_import_repairs():
    assert _imports_of("returns", ("repairs",)) == []
