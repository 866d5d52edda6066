"""The dependency rule, the one place it is written down.

Every module of the package sits in a layer; a module may import modules of its
own layer or of lower layers, never of a higher one, and no import cycle may
exist. Imports are read with ``ast`` from the source, wherever they stand: at
module level, inside a function, or under ``if TYPE_CHECKING``.

- The core (``ops``, ``value``, ``autodiff``) imports nothing else of the
  package, not even inside a function. UI code plugs into it through explicit
  hooks (``value._on_new_node``, ``autodiff._on_backward``).
- Explaining (``ledger``, ``questions``, ``anomaly``) reads the graph through the
  core and never imports drawing; drawing (``viz``) may use the ledger.
- Nothing imports ``cli`` except ``__main__``; no module imports the package
  ``__init__`` (it imports everything, so that would be a cycle).

Run ``python tests/test_architecture.py [PACKAGE_DIR]`` to print the import graph
and any cycle.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "autograd_lite"

#: Layer of every module, lowest first. A new module must be given a layer here.
LAYERS: dict[str, int] = {
    # the core: the op table, the Value node, the backward pass
    "ops": 0,
    "value": 0,
    "autodiff": 0,
    # private helpers shared by the modules above the core
    "_helpers": 1,
    # notation and tables: how nodes, numbers and rows are written
    "notation": 2,
    "tables": 2,
    # the library: built on the core, no UI
    "datasets": 3,
    "losses": 3,
    "optim": 3,
    "gradcheck": 3,
    "expression": 3,
    "jit": 3,
    "torch_bridge": 3,
    "nn": 3,
    "train": 4,
    # explaining: reads graphs, never draws
    "ledger": 5,
    "questions": 6,
    "anomaly": 6,
    # drawing
    "viz": 7,
    # the grader of learners' engines: runs them beside Value, draws the wrong node
    "exercises": 7,
    # the command line, then the package's public face
    "cli": 8,
    "__init__": 9,
    "__main__": 10,
}

#: The core: imports nothing of the package outside these modules.
CORE = {"ops", "value", "autodiff"}


def modules() -> list[str]:
    return sorted(path.stem for path in PACKAGE.glob("*.py"))


def imports_of(name: str) -> set[str]:
    """The package modules that module ``name`` imports, anywhere in its source."""
    found = imports_in((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
    found.discard(name)
    return found


def imports_in(source: str) -> set[str]:
    """The package modules ``source`` imports, at any depth.

    ``from autograd_lite import x`` counts as importing module ``x`` when ``x``
    is a module, else as importing the package ``__init__``.
    """
    tree = ast.parse(source)
    found: set[str] = set()
    names = set(modules())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "autograd_lite":
                    found.add(parts[1] if len(parts) > 1 else "__init__")
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the package
                target = ["autograd_lite", *(node.module or "").split(".")]
            else:
                target = (node.module or "").split(".")
            if target[0] != "autograd_lite":
                continue
            if len(target) > 1 and target[1]:
                found.add(target[1])
            else:
                for alias in node.names:
                    found.add(alias.name if alias.name in names else "__init__")
    return found


def graph() -> dict[str, set[str]]:
    return {name: imports_of(name) for name in modules()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work: list[tuple[str, list[str]]] = [(start, sorted(edges[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, pending = work[-1]
            if pending:
                nxt = pending.pop()
                if nxt not in edges:
                    continue
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(edges[nxt])))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_every_module_has_a_layer() -> None:
    missing = [name for name in modules() if name not in LAYERS]
    assert not missing, f"give these modules a layer in tests/test_architecture.py: {missing}"


def test_the_core_imports_nothing_else_of_the_package() -> None:
    for name in sorted(CORE & set(modules())):
        outside = imports_of(name) - CORE
        assert not outside, f"{name} is core and may import only {sorted(CORE)}: {outside}"


def test_dependencies_point_down_the_layers() -> None:
    edges = graph()
    wrong = [
        f"{name} (layer {LAYERS[name]}) imports {other} (layer {LAYERS[other]})"
        for name, targets in edges.items()
        for other in sorted(targets)
        if name in LAYERS and other in LAYERS and LAYERS[other] > LAYERS[name]
    ]
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_nothing_imports_cli_or_the_package_init() -> None:
    for name, targets in graph().items():
        if name != "__main__":
            assert "cli" not in targets, f"{name} imports cli; only __main__ may"
        assert "__init__" not in targets, f"{name} imports the package __init__"


def test_explaining_never_imports_drawing() -> None:
    for name in ("notation", "tables", "ledger", "questions", "anomaly"):
        assert "viz" not in imports_of(name), f"{name} imports viz"


def test_the_checker_sees_function_level_and_type_checking_imports() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from autograd_lite.viz import Graph\n"
        "def f():\n    from autograd_lite import explain, nn\n    import autograd_lite.cli\n"
        "    from . import ops\n"
    )
    assert imports_in(source) == {"viz", "__init__", "nn", "cli", "ops"}
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


if __name__ == "__main__":
    if len(sys.argv) > 1:  # another checkout's package folder, e.g. to compare
        PACKAGE = Path(sys.argv[1]).resolve()
    edges = graph()
    for module in sorted(edges, key=lambda m: (LAYERS.get(m, 99), m)):
        print(f"{module:14} layer {LAYERS.get(module, '?'):>2}  imports {sorted(edges[module])}")
    found = cycles(edges)
    print(f"import cycles: {found or 'none'}")
    sys.exit(1 if found else 0)
