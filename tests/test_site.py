"""The documentation site's generated parts: the API pages (docs/hooks/reference.py)
and the MathJax the site serves itself (docs/playground/build.py's build_mathjax).

The browser checks of the built site (formulas rendered offline, layouts at phone and
desktop widths) are in tests/test_browser.py, which builds the site once.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from autograd_lite import OPS, Value

ROOT = Path(__file__).resolve().parent.parent


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference = _load(ROOT / "docs" / "hooks" / "reference.py", "docs_reference")
build = _load(ROOT / "docs" / "playground" / "build.py", "docs_playground_build")


def test_every_value_method_built_from_an_op_row_is_on_the_api_page() -> None:
    # The Value page listed only backward and detach: exp, log, sqrt, tanh, ... are
    # built from op rows at import time, which mkdocstrings (reading source) misses.
    page = reference.module_page(Value.__module__)
    assert "## Operators and methods from the op table" in page
    for name, op in OPS.items():
        line = next((line for line in page.splitlines() if f"| `{name}` |" in line), None)
        assert line is not None, f"op row {name} is not on the page"
        for formula in op.formulas:
            assert f"`{formula}`" in line, (name, formula)
    for method in ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos"):
        assert f"`x.{method}()`" in page
    assert "`x / y` (`__truediv__`)" in page
    # Other modules' pages have no such table.
    assert "op table" not in reference.module_page("autograd_lite.ops").split(":::")[0]


def test_api_pages_walk_subpackages_and_skip_private_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The package becomes a tree (nn/, viz/, text/, ...): each module of it gets a page.
    package = tmp_path / "treepkg"
    for folder in (package, package / "nn", package / "_private"):
        folder.mkdir()
        (folder / "__init__.py").write_text('"""A package."""\n')
    (package / "nn" / "layers.py").write_text('"""Layers."""\n')
    (package / "nn" / "_hidden.py").write_text("")
    (package / "_private" / "inner.py").write_text("")
    (package / "core.py").write_text('"""Core."""\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(reference, "PACKAGE", "treepkg")
    try:
        assert reference.public_modules() == ["treepkg.core", "treepkg.nn", "treepkg.nn.layers"]
    finally:
        for name in [m for m in sys.modules if m.startswith("treepkg")]:
            del sys.modules[name]


def test_the_real_package_has_a_page_per_public_module() -> None:
    import pkgutil

    import autograd_lite

    found = {
        info.name
        for info in pkgutil.walk_packages(autograd_lite.__path__, prefix="autograd_lite.")
        if not any(part.startswith("_") for part in info.name.split("."))
    }
    assert set(reference.public_modules()) == found
    assert "autograd_lite.value" in found


def test_mathjax_is_copied_from_the_pinned_package(tmp_path: Path) -> None:
    if not (build.NODE_MODULES / "mathjax" / "package.json").is_file():
        pytest.skip("node_modules/mathjax is missing: run `npm ci` (package-lock.json)")
    target = build.build_mathjax(tmp_path)
    for name in ("MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js"):
        assert (target / name).is_file(), name
    assert list((target / "fonts" / "HTML-CSS" / "TeX" / "woff").glob("*.woff"))
    assert (target / "extensions" / "Safe.js").is_file()
    # mkdocs.yml's notebook pages load exactly this file, relative to notebooks/<name>/.
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert 'custom_mathjax_url: "../../mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"' in config
    assert "cdnjs" not in config
