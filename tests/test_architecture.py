"""The shape of the package, the one place it is written down: its layers, its
import rules, its sizes and its names.

The engine sits at the top level (``ops``, ``value``, ``autodiff``, ``forward``,
``numerical``); everything around it is a package of small modules (``nn``,
``optim``, ``text``, ``viz``, ``compiled``, ``train``, ``expression``,
``exercises``, ``cli``). Every top-level module or package sits in a layer; a
module may import modules of its own layer or of lower layers, never of a higher
one, and no import cycle may exist between any two modules, inside a package or
across packages. Imports are read with ``ast`` from the source, wherever they
stand: at module level, inside a function, or under ``if TYPE_CHECKING``.

- The core (``ops``, ``value``, ``autodiff``) imports nothing else of the
  package, not even inside a function. UI code plugs into it through explicit
  hooks (``value._on_new_node``, ``autodiff._on_backward``).
- The text views (``text``) read the graph through the core and never import
  drawing; drawing (``viz``) may use the ledger.
- Nothing imports ``cli`` except ``__main__``; no module imports the package
  ``__init__`` (it imports everything, so that would be a cycle).
- Sizes: no module over 800 lines; no class over 250 lines of code (docstrings,
  comments and blank lines not counted: a class's documentation is not what makes
  it hard to hold in mind).
- Names: no module or package is named like a function the package exports
  (``autograd_lite.jit`` would then mean two things) or like a builtin.

Run ``python tests/test_architecture.py [PACKAGE_DIR]`` to print the import graph
and any cycle.
"""

from __future__ import annotations

import ast
import builtins
import importlib.metadata
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "autograd_lite"

#: Layer of every top-level module or package, lowest first. A new one must be
#: given a layer here; a package's modules share its layer.
LAYERS: dict[str, int] = {
    # the core: the op table, the Value node, the backward pass
    "ops": 0,
    "value": 0,
    "autodiff": 0,
    # the rest of the engine, and private helpers shared above the core
    "forward": 1,
    "dual": 1,
    "_helpers": 1,
    "_moved": 1,
    # the text views: notation, tables, ledger, questions, anomaly (read graphs, never draw)
    "text": 2,
    # the library: built on the engine, no UI
    "numerical": 3,
    "datasets": 3,
    "losses": 3,
    "optim": 3,
    "expression": 3,
    "compiled": 3,
    "torch_bridge": 3,
    "nn": 4,
    "train": 5,
    # drawing, and the grader of learners' engines (which draws the wrong node)
    "viz": 6,
    "exercises": 7,
    # the command line, then the package's public face
    "cli": 8,
    "__init__": 9,
    "__main__": 10,
}

#: The core: imports nothing of the package outside these modules.
CORE = {"ops", "value", "autodiff"}
#: The most lines a module may have, and the most lines of code a class may have.
MAX_MODULE_LINES = 800
MAX_CLASS_CODE_LINES = 250


def modules() -> list[str]:
    """Every module of the package, dotted from the package: ``ops``, ``nn``
    (``nn/__init__.py``), ``nn.mlp``; the package's own ``__init__`` is ``__init__``."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts.pop()
        names.append(".".join(parts))
    return names


def path_of(name: str) -> Path:
    if name == "__init__":
        return PACKAGE / "__init__.py"
    folder = PACKAGE.joinpath(*name.split("."))
    return folder / "__init__.py" if folder.is_dir() else folder.with_suffix(".py")


def component(name: str) -> str:
    """The top-level module or package a module belongs to (``nn.mlp`` -> ``nn``)."""
    return name.split(".")[0]


def imports_of(name: str) -> set[str]:
    """The package modules that module ``name`` imports, anywhere in its source."""
    package = name if path_of(name).name == "__init__.py" and name != "__init__" else ""
    if not package and "." in name:
        package = name.rsplit(".", 1)[0]
    found = imports_in(path_of(name).read_text(encoding="utf-8"), package)
    found.discard(name)
    return found


def imports_in(source: str, package: str = "") -> set[str]:
    """The package modules ``source`` imports, at any depth.

    ``from autograd_lite.nn import x`` counts as importing module ``nn.x`` when
    that is a module, else as importing ``nn`` (the package's ``__init__``);
    ``from autograd_lite import x`` likewise, with the package ``__init__`` for a
    name that is no module. Relative imports resolve against ``package`` (the
    dotted package the source is in, "" for the top level).
    """
    tree = ast.parse(source)
    found: set[str] = set()
    known = set(modules())

    def resolve(dotted: list[str], names: list[str]) -> None:
        base = ".".join(dotted)
        for alias in names:
            candidate = f"{base}.{alias}" if base else alias
            if candidate in known:
                found.add(candidate)
            else:
                found.add(base or "__init__")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "autograd_lite":
                    found.add(".".join(parts[1:]) or "__init__")
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the package
                here = package.split(".") if package else []
                here = here[: len(here) - (node.level - 1)] if node.level > 1 else here
                target = [*here, *(node.module or "").split(".")] if node.module else here
                resolve([t for t in target if t], [a.name for a in node.names])
                continue
            target = (node.module or "").split(".")
            if target[0] != "autograd_lite":
                continue
            resolve(target[1:], [a.name for a in node.names])
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


def code_lines(node: ast.AST, lines: list[str]) -> int:
    """Lines of ``node`` that hold code: docstrings, comments and blank lines aside."""
    docs: set[int] = set()
    for inner in ast.walk(node):
        body = getattr(inner, "body", None)
        if (
            isinstance(inner, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            docs.update(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    start, end = node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]
    return sum(
        1
        for number in range(start, end + 1)
        if number not in docs
        and lines[number - 1].strip()
        and not lines[number - 1].strip().startswith("#")
    )


# -- the layers ---------------------------------------------------------------------------


def test_every_module_has_a_layer() -> None:
    missing = sorted({component(name) for name in modules()} - set(LAYERS))
    assert not missing, f"give these modules a layer in tests/test_architecture.py: {missing}"


def test_the_core_imports_nothing_else_of_the_package() -> None:
    for name in sorted(CORE & set(modules())):
        outside = imports_of(name) - CORE
        assert not outside, f"{name} is core and may import only {sorted(CORE)}: {outside}"


def test_dependencies_point_down_the_layers() -> None:
    edges = graph()
    wrong = [
        f"{name} (layer {LAYERS[component(name)]}) imports {other} "
        f"(layer {LAYERS[component(other)]})"
        for name, targets in edges.items()
        for other in sorted(targets)
        if LAYERS.get(component(other), -1) > LAYERS.get(component(name), 99)
    ]
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_nothing_imports_cli_or_the_package_init() -> None:
    for name, targets in graph().items():
        if name != "__main__" and component(name) != "cli":
            assert not {t for t in targets if component(t) == "cli"}, (
                f"{name} imports cli; only __main__ may"
            )
        assert "__init__" not in targets, f"{name} imports the package __init__"


def test_the_text_views_never_import_drawing() -> None:
    for name in modules():
        if component(name) == "text":
            drawing = {t for t in imports_of(name) if component(t) == "viz"}
            assert not drawing, f"{name} imports {drawing}"


def test_a_package_init_imports_only_its_own_modules_and_lower_layers() -> None:
    # An __init__ re-exports its modules; importing a sibling package there would
    # hide a dependency the modules themselves should state.
    for name in modules():
        if path_of(name).name == "__init__.py" and name != "__init__":
            for other in imports_of(name):
                same = component(other) == component(name)
                assert same or LAYERS[component(other)] < LAYERS[component(name)], (
                    f"{name}/__init__.py imports {other}"
                )


def test_the_checker_sees_function_level_type_checking_and_relative_imports() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from autograd_lite.viz import Graph\n"
        "def f():\n    from autograd_lite import explain, nn\n    import autograd_lite.cli\n"
        "    from . import ops\n    from autograd_lite.nn import mlp, MLP\n"
        "    from autograd_lite.text.ledger import explain\n"
    )
    assert imports_in(source) == {"viz", "__init__", "nn", "cli", "ops", "nn.mlp", "text.ledger"}
    assert imports_in("from .mlp import MLP\nfrom .. import ops\n", "nn") == {"nn.mlp", "ops"}
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


# -- sizes and names ----------------------------------------------------------------------


def test_no_module_is_too_long_to_hold_in_mind() -> None:
    long = {}
    for name in modules():
        count = len(path_of(name).read_text(encoding="utf-8").splitlines())
        if count > MAX_MODULE_LINES:
            long[name] = count
    assert not long, f"split these modules (over {MAX_MODULE_LINES} lines): {long}"


def test_no_class_is_too_long_to_hold_in_mind() -> None:
    long = {}
    for name in modules():
        source = path_of(name).read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef):
                count = code_lines(node, lines)
                if count > MAX_CLASS_CODE_LINES:
                    long[f"{name}.{node.name}"] = count
    assert not long, f"split these classes (over {MAX_CLASS_CODE_LINES} lines of code): {long}"


def test_the_size_measures_count_what_they_say() -> None:
    source = (
        'class A:\n    """Doc.\n\n    More.\n    """\n\n    # why\n    x = 1\n\n'
        '    def f(self):\n        """Doc."""\n        return 2\n'
    )
    node = ast.parse(source).body[0]
    assert code_lines(node, source.splitlines()) == 4  # class A, x = 1, def f, return 2


def test_every_package_says_what_it_holds_and_what_it_may_import() -> None:
    for name in modules():
        if path_of(name).name == "__init__.py":
            doc = ast.get_docstring(ast.parse(path_of(name).read_text(encoding="utf-8")))
            assert doc, f"{path_of(name)} has no docstring"
            if name != "__init__":
                assert "import" in doc, f"{name}/__init__.py does not say what it may import"


def test_no_module_is_named_like_an_exported_function_or_a_builtin() -> None:
    # `import autograd_lite.jit as m` gave the function jit, not the module jit.py.
    import autograd_lite

    exported = {n for n in autograd_lite.__all__ if callable(getattr(autograd_lite, n))}
    exported |= {n for n in dir(builtins) if not n.startswith("_")}
    clashes = []
    for name in modules():
        base = name.rsplit(".", 1)[-1]
        package = (
            sys.modules.get(f"autograd_lite.{name.rsplit('.', 1)[0]}") if "." in name else None
        )
        siblings = set(getattr(package, "__all__", ())) if package is not None else set()
        if base in exported or base in siblings:
            clashes.append(name)
    assert not clashes, f"rename these modules, which share a name with a function: {clashes}"


def test_the_built_wheel_holds_every_module_of_the_tree(tmp_path: Path) -> None:
    # An editable install hides a subpackage the wheel leaves out (setuptools'
    # ``packages = ["autograd_lite"]`` took only the top folder).
    # Without isolation where a new enough setuptools is installed (no download); Python
    # 3.12+ venvs have none and 3.10's is older than pyproject.toml's setuptools>=68, so
    # pip then fetches one into an isolated build environment.
    isolation = ["--no-build-isolation"] if _setuptools_at_least(68) else []
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        held = {n for n in archive.namelist() if n.startswith("autograd_lite/")}
    expected = {path.relative_to(ROOT).as_posix() for path in PACKAGE.rglob("*.py")} | {
        "autograd_lite/py.typed"
    }
    assert expected - held == set(), f"the wheel leaves out {sorted(expected - held)}"


def _setuptools_at_least(major: int) -> bool:
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return False
    return int(version.split(".")[0]) >= major


if __name__ == "__main__":
    if len(sys.argv) > 1:  # another checkout's package folder, e.g. to compare
        PACKAGE = Path(sys.argv[1]).resolve()
    edges = graph()
    for module in sorted(edges, key=lambda m: (LAYERS.get(component(m), 99), m)):
        layer = LAYERS.get(component(module), "?")
        print(f"{module:24} layer {layer:>2}  imports {sorted(edges[module])}")
    found = cycles(edges)
    print(f"import cycles: {found or 'none'}")
    sys.exit(1 if found else 0)
