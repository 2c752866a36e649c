"""The library's import graph: every module imports on its own, and no two modules import each other.

A cycle is found from the source (every ``import`` statement, those inside functions too), so an import
hidden in a function body to dodge a cycle at import time still counts.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dilconv_lib"


def module_name(path: Path) -> str:
    """``dilconv_lib/exercises/loops.py`` -> ``dilconv_lib.exercises.loops``; a package's ``__init__.py``: its name."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


# every module of the library, its sub-packages' too, and the packages themselves
SOURCES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
MODULES = sorted(SOURCES)


def imported_names(node: ast.AST, modules: set[str]) -> set[str]:
    """The modules of ``modules`` (or a package of them) that one import statement names."""
    found = set()
    if isinstance(node, ast.Import):
        found = {alias.name for alias in node.names}
    elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
        # `from dilconv_lib import naive` names a module; `from dilconv_lib import output_size` the package
        found = {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module for a in node.names}
    return found & modules


def imports_of(source: str, modules: set[str]) -> set[str]:
    """The modules of ``modules`` that ``source`` imports, anywhere in its body."""
    return {name for node in ast.walk(ast.parse(source)) for name in imported_names(node, modules)}


def imports_at_import_time(source: str, modules: set[str]) -> set[str]:
    """The modules of ``modules`` that importing ``source`` imports: not those in a function body, nor those
    under ``if TYPE_CHECKING:`` (for annotations only)."""
    found: set[str] = set()
    todo: list[ast.AST] = [ast.parse(source)]
    while todo:
        node = todo.pop()
        found |= imported_names(node, modules)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo += node.orelse
        elif not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            todo += ast.iter_child_nodes(node)
    return found


def import_graph() -> dict[str, set[str]]:
    return {name: imports_of(path.read_text(), set(MODULES)) for name, path in SOURCES.items()}


# what each module imports when it is imported (read once: the parametrisation below needs it)
IMPORT_TIME_GRAPH = {name: imports_at_import_time(path.read_text(), set(MODULES)) for name, path in SOURCES.items()}


def loaded_by_import(module: str) -> set[str]:
    """The library's modules that ``import module`` runs, as the source says: its packages first, then every
    import that runs at import time, and theirs."""
    graph = IMPORT_TIME_GRAPH
    todo, loaded = [module], set()
    while todo:
        name = todo.pop()
        if name not in loaded:
            loaded.add(name)
            parts = name.split(".")
            todo += [".".join(parts[:n]) for n in range(1, len(parts))] + sorted(graph[name])
    return loaded


def package_of(module: str) -> str:
    return module.rsplit(".", 1)[0]


# `import dilconv_lib.X` runs `import dilconv_lib` first: where that already loads X, importing X on its own is
# that same run, so only the modules their packages do not load need an interpreter of their own.
OWN_INTERPRETER = [m for m in MODULES if m == "dilconv_lib" or m not in loaded_by_import(package_of(m))]


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the directed graph as a list of nodes (first == last), or None."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" after

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for child in sorted(graph.get(node, ())):
            if state.get(child) == "open":
                return path[path.index(child) :] + [child]
            if child not in state and (cycle := visit(child, [*path, child])):
                return cycle
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start, [start])):
            return cycle
    return None


def test_the_package_has_modules() -> None:
    assert {"dilconv_lib.checks", "dilconv_lib.geometry", "dilconv_lib.naive", "dilconv_lib.exercises.loops"} <= set(
        MODULES
    )


def test_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_checks_and_i18n_are_leaves() -> None:
    """The argument checks import nothing else from the library but the translations their messages go through,
    and those import nothing from it: every module can use both."""
    graph = import_graph()
    assert graph["dilconv_lib.checks"] <= {"dilconv_lib.i18n"}
    assert graph["dilconv_lib.i18n"] == set()


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"b"}}) is None
    # a function-level import counts as an edge, and runs only when the function is called
    source = "import dilconv_lib.naive\ndef f():\n    from dilconv_lib.geometry import output_size\n"
    source += "if TYPE_CHECKING:\n    import dilconv_lib.vectorized\nelse:\n    import dilconv_lib.checks\n"
    modules = {"dilconv_lib.checks", "dilconv_lib.geometry", "dilconv_lib.naive", "dilconv_lib.vectorized"}
    assert imports_of(source, modules) == modules
    assert imports_at_import_time(source, modules) == {"dilconv_lib.checks", "dilconv_lib.naive"}


@pytest.mark.parametrize("module", OWN_INTERPRETER)
def test_imports_on_its_own(module: str) -> None:
    """``python -c "import dilconv_lib.X"`` in a fresh interpreter: no module relies on another being loaded first.

    It loads at least what the source says it does (:func:`loaded_by_import`), which is what lets a module that
    its package loads go without an interpreter of its own.
    """
    code = f"import sys, {module}; print(*sorted(m for m in sys.modules if m.startswith('dilconv_lib')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert loaded_by_import(module) <= set(done.stdout.split())


@pytest.mark.parametrize(
    "module", ["dilconv_lib", "dilconv_lib.exercises", "dilconv_lib.naive", "dilconv_lib.vectorized"]
)
def test_the_numpy_side_does_not_load_torch(module: str) -> None:
    """Notebooks 00-02 import these first: torch (about a second) loads only where a notebook uses it."""
    code = f"import sys, {module}; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0, f"{module} imports torch"
