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
MODULES = sorted(f"dilconv_lib.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def imports_of(source: str, modules: set[str]) -> set[str]:
    """The modules of ``modules`` (or the package itself) that ``source`` imports, anywhere in its body."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            # `from dilconv_lib import naive` names a module; `from dilconv_lib import output_size` the package
            found |= {
                f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module for a in node.names
            }
    return {name for name in found if name in modules or name == "dilconv_lib"}


def import_graph() -> dict[str, set[str]]:
    modules = set(MODULES)
    graph = {name: imports_of((PACKAGE / f"{name.split('.')[1]}.py").read_text(), modules) for name in MODULES}
    graph["dilconv_lib"] = imports_of((PACKAGE / "__init__.py").read_text(), modules)
    return graph


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
    assert {"dilconv_lib.checks", "dilconv_lib.geometry", "dilconv_lib.naive"} <= set(MODULES)


def test_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_checks_is_a_leaf() -> None:
    """The argument checks import nothing else from the library, so that every module can use them."""
    assert import_graph()["dilconv_lib.checks"] == set()


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"b"}}) is None
    # a function-level import counts as an edge
    assert imports_of("def f():\n    from dilconv_lib.geometry import output_size\n", {"dilconv_lib.geometry"}) == {
        "dilconv_lib.geometry"
    }


@pytest.mark.parametrize("module", MODULES)
def test_imports_on_its_own(module: str) -> None:
    """``python -c "import dilconv_lib.X"`` in a fresh interpreter: no module relies on another being loaded first."""
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
