"""MkDocs hook: the API reference pages and the notebook pages, found, not listed.

The package's modules change (modules are split, new ones are added), and so do the
notebooks, so nothing here names them: at build time every public module of
``autograd_lite`` gets a page ``api/<module>.md`` rendered by mkdocstrings, the
names re-exported from ``autograd_lite.__all__`` get ``api/index.md``, and every
``notebooks/NN_*.ipynb`` is put in the navigation under "The notebooks". Modules are
found by walking the package tree (``pkgutil.walk_packages``), so a subpackage's
modules (``autograd_lite.nn.layers``) get pages too; a name with a part that starts
with ``_`` is private and gets none. A module that fails to import, or a docstring
that fails to render, fails ``mkdocs build --strict``.

``Value``'s operators and math methods are built from op-table rows at import time
(``exp = _unary_method(OPS["exp"], ...)``), which mkdocstrings, reading the source,
does not see as methods; the page of the module that defines ``Value`` gets a table
of them, one line per row with its local derivatives, made from the table itself.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path
from typing import Any

PACKAGE = "autograd_lite"
API_TITLE = "API reference"
NOTEBOOKS_TITLE = "The notebooks"


def public_modules() -> list[str]:
    """Dotted names of the package's public modules (no ``_private``, no ``__main__``)."""
    package = importlib.import_module(PACKAGE)
    names = []
    for info in pkgutil.walk_packages(package.__path__, prefix=PACKAGE + "."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        names.append(info.name)
    return sorted(names)


def public_names() -> list[tuple[str, str, str]]:
    """(name, link target, first sentence of its docstring) for each name that
    ``autograd_lite`` re-exports, modules and ``__version__`` aside. Classes and
    functions link to their own entry; other objects (the op table) to their module."""
    package = importlib.import_module(PACKAGE)
    modules = [importlib.import_module(name) for name in public_modules()]
    names = []
    for name in package.__all__:
        obj = getattr(package, name)
        if name.startswith("_") or type(obj).__name__ == "module":
            continue
        if callable(obj) or isinstance(obj, type):
            target = f"[{obj.__module__}.{name}]"
            doc = obj.__doc__ or ""
        else:
            homes = [m for m in modules if getattr(m, name, None) is obj]
            home = next((m for m in homes if name in getattr(m, "__all__", ())), homes[0])
            target = f"({home.__name__.split('.', 1)[1]}.md)"
            doc = home.__doc__ or ""
        first_paragraph = " ".join(doc.strip().split("\n\n")[0].split())
        names.append((name, target, first_paragraph))
    return names


def index_page() -> str:
    """Links, not copies: each name is documented once, on its module's page."""
    lines = [
        "# API reference",
        "",
        "Generated from the docstrings at build time. Each module has a page:",
        "",
        *(f"- [`{name}`]({name.split('.', 1)[1]}.md)" for name in public_modules()),
        "",
        f"## Re-exported from `{PACKAGE}`",
        "",
        f"`from {PACKAGE} import NAME` works for each of these:",
        "",
        "| name | what it is |",
        "|---|---|",
    ]
    for name, target, summary in public_names():
        escaped = summary.replace("|", "\\|")
        lines.append(f"| [`{name}`]{target} | {escaped} |")
    return "\n".join(lines) + "\n"


def module_page(module: str) -> str:
    page = f"# `{module}`\n\n::: {module}\n    options:\n      show_root_heading: false\n"
    value = getattr(importlib.import_module(PACKAGE), "Value", None)
    if value is not None and value.__module__ == module:
        page += "\n" + op_methods_section(value)
    return page


def op_methods(value_class: type) -> dict[str, list[str]]:
    """{op row name: the names of the ``value_class`` attributes built from that row}."""
    ops = importlib.import_module(f"{PACKAGE}.ops").OPS
    built: dict[str, list[str]] = {name: [] for name in ops}
    for attribute, obj in vars(value_class).items():
        row = str(getattr(obj, "__name__", ""))
        if callable(obj) and row in ops and (row == attribute or attribute.startswith("_")):
            built[row].append(attribute)
    return built


def _spelling(attribute: str, written: str) -> str:
    dunder = {
        "__add__": "x + y", "__radd__": "2 + x", "__sub__": "x - y", "__rsub__": "2 - x",
        "__mul__": "x * y", "__rmul__": "2 * x", "__truediv__": "x / y",
        "__rtruediv__": "2 / x", "__neg__": "-x", "__abs__": "abs(x)",
    }  # fmt: skip
    if attribute in dunder:
        return f"`{dunder[attribute]}` (`{attribute}`)"
    if attribute.startswith("_"):
        return f"`{written}` (both Values, through `__pow__`)"
    return f"`x.{attribute}()`"


def op_methods_section(value_class: type) -> str:
    """The Markdown table of the operators and methods built from op-table rows."""
    ops = importlib.import_module(f"{PACKAGE}.ops").OPS
    lines = [
        "## Operators and methods from the op table",
        "",
        "Each of these is one row of `autograd_lite.ops.OPS`: the method is built from the "
        "row at import time, and drawings and ledgers show the row's formula for each "
        "local derivative. `x ** c` (a number) and `c ** x` are rows too, reached through "
        "`__pow__` and `__rpow__`.",
        "",
        "| written | op row | computes | local derivative | defined for |",
        "|---|---|---|---|---|",
    ]
    letters = ("x", "y")
    for row, attributes in op_methods(value_class).items():
        op = ops[row]
        spelled = ", ".join(_spelling(a, op.describe()) for a in attributes)
        spelled = spelled or f"`{op.describe()}`"
        parents = letters[: op.arity]
        derivatives = "; ".join(
            f"∂/∂{parent} = `{formula}`" for parent, formula in zip(parents, op.formulas)
        )
        cells = (spelled, f"`{row}`", f"`{op.describe()}`", derivatives, op.domain or "everywhere")
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def notebook_title(path: Path) -> str:
    """The notebook's first ``# heading``, else its file name."""
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            for line in (source if isinstance(source, str) else "".join(source)).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def on_config(config: Any) -> Any:
    """Fill the API and notebook sections of the navigation."""
    api = [{"Overview": "api/index.md"}] + [
        {module.split(".", 1)[1]: f"api/{module.split('.', 1)[1]}.md"}
        for module in public_modules()
    ]
    notebooks_dir = Path(config["docs_dir"]) / "notebooks"
    notebooks = sorted(notebooks_dir.glob("[0-9]*.ipynb"))
    for entry in config["nav"]:
        if isinstance(entry, dict) and API_TITLE in entry:
            entry[API_TITLE] = api
        if isinstance(entry, dict) and NOTEBOOKS_TITLE in entry:
            entry[NOTEBOOKS_TITLE] = list(entry[NOTEBOOKS_TITLE] or []) + [
                {notebook_title(path): f"notebooks/{path.name}"} for path in notebooks
            ]
    return config


def on_files(files: Any, config: Any) -> Any:
    """Add the generated API pages to the site's files."""
    from mkdocs.structure.files import File

    files.append(File.generated(config, "api/index.md", content=index_page()))
    for module in public_modules():
        page = f"api/{module.split('.', 1)[1]}.md"
        files.append(File.generated(config, page, content=module_page(module)))
    return files
