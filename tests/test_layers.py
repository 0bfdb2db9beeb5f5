"""The package's layers (ARCHITECTURE.md), read from the source with `ast`: every import,
function-level ones included.

    book (0) < core (1) < xlsx | xlbook | documents | create (2) < jobs | excel (3) < api (4) < cli_common (5) < cli_documents (6) < cli (7)

A module imports only from a lower layer or from its own subpackage; the adapters of layer 2
never import each other (jobs and excel combine them); book and core import no compiled-only
or file-format package; no import circle; no underscore name taken from another module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "acctbook"
LAYERS = {"book": 0, "core": 1, "xlsx": 2, "xlbook": 2, "documents": 2, "create": 2, "mail": 2,
          "importing": 3,
          "jobs": 3, "excel": 3, "history": 3, "upgrading": 3, "calendars": 3, "briefs": 3,
          "campaigning": 3, "teams": 3, "parallel": 3, "api": 4, "cli_help": 4,
          "cli_output": 4, "cli_common": 5, "cli_documents": 6, "cli_meeting": 6, "cli_team": 6,
          "cli_outreach": 6, "cli": 7, "__main__": 8}
# Packages the pure layers must not need: they run in xlwings Lite (Pyodide) and in tests alone.
NOT_IN_PURE = {"python_calamine", "lxml", "xlsxwriter", "docxtpl", "docx", "xlwings", "openpyxl",
               "matplotlib", "fastexcel", "pyarrow"}
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60


def modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of the package."""
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        parts = path.relative_to(PKG.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports(path: Path, name: str) -> list[tuple[str, list[str], int]]:
    """(module imported, names taken from it, line) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            out.append((base, [a.name for a in node.names], node.lineno))
    return out


def internal_targets(mods: dict[str, Path], base: str, names: list[str]) -> list[str]:
    """The package modules an import statement reaches (`from acctbook.core import plan` is
    acctbook.core.plan; `from acctbook.core.plan import x` is acctbook.core.plan)."""
    if not base.startswith("acctbook"):
        return []
    subs = [f"{base}.{n}" for n in names if f"{base}.{n}" in mods]
    return subs or ([base] if base in mods else [])


def layer(module: str) -> tuple[int, str] | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None                     # acctbook/__init__.py: the lazy facade
    return LAYERS[parts[1]], parts[1]


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: {t for base, names, _ in imports(path, name)
                   for t in internal_targets(mods, base, names)} - {name}
            for name, path in mods.items()}


def test_every_module_has_a_layer():
    for name in modules():
        parts = name.split(".")
        assert len(parts) == 1 or parts[1] in LAYERS, f"{name}: add it to ARCHITECTURE.md's layers"


def test_imports_only_go_down_or_stay_in_their_subpackage():
    wrong = []
    for name, targets in graph().items():
        mine = layer(name)
        if mine is None:
            continue
        for t in targets:
            theirs = layer(t)
            if theirs is None or theirs[1] == mine[1]:
                continue
            if theirs[0] >= mine[0]:
                wrong.append(f"{name} imports {t}")
    assert wrong == []


def test_the_pure_layers_need_no_file_format_package():
    for name, path in modules().items():
        if layer(name) is None or layer(name)[0] > 1:
            continue
        used = {base.split(".")[0] for base, _n, _l in imports(path, name)}
        assert not used & NOT_IN_PURE, f"{name} imports {used & NOT_IN_PURE}"


def test_no_import_circle():
    g = graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for m in sorted(g.get(n, ())):
            if state.get(m) == 1:
                pytest.fail("import circle: " + " -> ".join(stack[stack.index(m):] + [m]))
            if m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(g):
        if n not in state:
            visit(n)


def test_no_private_name_from_another_module():
    mods = modules()
    wrong = []
    for name, path in mods.items():
        aliases = {}
        for base, names, line in imports(path, name):
            if not base.startswith("acctbook"):
                continue
            wrong += [f"{path.name}:{line} takes {n} from {base}" for n in names
                      if n.startswith("_") and n != "__version__"]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("acctbook"):
                for a in node.names:
                    if f"{node.module}.{a.name}" in mods:
                        aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and node.attr.startswith("_")):
                wrong.append(f"{path.name}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert wrong == []


def test_nothing_inside_the_package_imports_the_api():
    users = sorted(n for n, targets in graph().items()
                   if "acctbook.api" in targets and n != "acctbook"
                   and not n.startswith("acctbook.cli"))           # the command line
    assert users == []


def test_small_modules_and_functions():
    """No module over 600 lines, no function over 60: a module holds one job."""
    long_modules, long_functions = [], []
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_MODULE_LINES:
            long_modules.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions.append(f"{name}.{node.name}: {length} lines")
    assert long_modules == [] and long_functions == []
