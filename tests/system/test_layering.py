"""Apps depend downwards only (sync -> mapping -> connections -> tenancy): a lower app never imports a higher one,
not even inside a function. A lower app that must tell a higher one something sends a signal."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["tenancy", "connections", "mapping", "sync"]


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_the_scanner_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from mapping import tasks\n    import sync.engine\n")
    assert imported_apps(module) == {"mapping", "sync"}


@pytest.mark.parametrize("app", LAYERS[:-1])
def test_a_lower_app_imports_nothing_from_the_apps_above_it(app):
    above = set(LAYERS[LAYERS.index(app) + 1:])
    offenders = {str(path.relative_to(ROOT)): sorted(imported_apps(path) & above)
                 for path in (ROOT / app).rglob("*.py") if imported_apps(path) & above}
    assert offenders == {}
