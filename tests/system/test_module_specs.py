"""A module is a `ModuleSpec` the triggers understand (issue 13, CONVENTIONS "Layout lessons"): what differs between
modules is a field of the spec, never a branch on a module's name in shared code, and every trigger offers the
same one ordered tuple of modules."""

import ast
from pathlib import Path

from sync.engine.modules import MODULE_ORDER, MODULES

ROOT = Path(__file__).resolve().parents[2]
NAMES = set(MODULES)
# The orchestration every module goes through: runs, routing, services, the triggers, their forms and views, resync.
SHARED = [
    "sync/runs.py", "sync/services.py", "sync/forms_triggers.py", "sync/views_triggers.py", "sync/contacts_sync.py",
    "sync/routing.py",
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "sync" / "triggers").glob("*.py")),
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "audit").glob("*.py")),
]
# Where the contacts module may be named: its spec, and the label, field and mapping tables of each module.
NAMING_CONTACTS = {
    "sync/engine/modules.py", "sync/models.py", "sync/context.py", "audit/models.py",
    "mapping/defaults.py", "mapping/registry.py", "mapping/catalogue.py",
    "sync/engine/refusals.py",  # which field a provider refusal names, per module
}


def _names(node) -> set[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        found = set()
        for element in node.elts:
            names = _names(element)
            if names is None:
                return None
            found |= names
        return found
    return None


def module_branches(source: str, names=NAMES) -> list[str]:
    """Comparisons of something called a module (module, run.module, spec.key, …) with module names."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        parts = [node.left, *node.comparators]
        for index, part in enumerate(parts):
            literal = _names(part)
            others = [ast.unparse(other) for i, other in enumerate(parts) if i != index]
            if literal and literal & names and any("module" in o or o.endswith(".key") for o in others):
                found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def _docstrings(tree) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _python(app: str):
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


def test_the_scanner_sees_branches_on_module_names():
    code = ('if module != "contacts": pass\nif run.module in ("accounts", "invoices"): pass\n'
            'if spec.key == "products": pass\nif mode == "contacts": pass\n')
    assert [line.split(":")[0] for line in module_branches(code)] == ["1", "2", "3"]


def test_shared_code_never_branches_on_a_module_name():
    offenders = {path: found for path in SHARED if (found := module_branches((ROOT / path).read_text()))}
    assert offenders == {}


def test_nothing_in_sync_audit_or_mapping_branches_on_contacts():
    offenders = {}
    for app in ("sync", "audit", "mapping"):
        for path in _python(app):
            found = module_branches(path.read_text(), names={"contacts"})
            if found:
                offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}


def test_contacts_is_named_only_by_its_spec_and_the_label_tables():
    named = set()
    for app in ("sync", "audit", "mapping"):
        for path in _python(app):
            tree = ast.parse(path.read_text())
            docstrings = _docstrings(tree)
            if any(isinstance(node, ast.Constant) and node.value == "contacts" and id(node) not in docstrings
                   for node in ast.walk(tree)):
                named.add(str(path.relative_to(ROOT)))
    assert named <= NAMING_CONTACTS, named - NAMING_CONTACTS


def test_one_ordered_tuple_of_modules_everywhere():
    import sync.engine.modules as engine_modules
    from audit.resync import RESYNC_MODULES
    from sync.forms_triggers import MODULE_CHOICES
    from sync.models import MODULE_LABELS, SYNCED_MODULES

    assert MODULE_ORDER == ("accounts", "contacts", "products", "invoices")
    assert not hasattr(engine_modules, "ENGINE_MODULES") and not hasattr(engine_modules, "LIVE_MODULES")
    assert SYNCED_MODULES == MODULE_ORDER and tuple(MODULE_LABELS) == MODULE_ORDER
    assert tuple(key for key, _label in MODULE_CHOICES) == MODULE_ORDER
    assert tuple(RESYNC_MODULES) == MODULE_ORDER
    for position, module in enumerate(MODULE_ORDER):  # dependency order
        module_spec = MODULES[module]
        assert all(MODULE_ORDER.index(d) < position for d in module_spec.depends_on)
        assert module_spec.nested_in is None or module_spec.nested_in in module_spec.depends_on
