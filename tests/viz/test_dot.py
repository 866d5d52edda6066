"""viz.dot: the DOT text and its rendering (SVG, PNG, files written whole), and the
messages when Graphviz or its Python package is missing."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

import autograd_lite.viz as viz
from autograd_lite.viz import Graph, draw, step_through
from tests.graphs import example

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's dot program is not installed (apt-get install graphviz)",
)


# -- rendering --------------------------------------------------------------------------


def test_dot_file_saving_always_works(tmp_path: Path) -> None:
    f, _, _ = example()
    graph = draw(f)
    path = graph.save(tmp_path / "graph.dot")
    assert Path(path).read_text(encoding="utf-8") == graph.source
    with pytest.raises(ValueError, match=r"\.dot, \.gv, \.svg, \.png or \.pdf"):
        graph.save(tmp_path / "graph.jpg")


def test_missing_dot_program_shows_source_and_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("graphviz", reason="the graphviz package is not installed")
    monkeypatch.setenv("PATH", str(tmp_path))  # hide the dot program
    f, _, _ = example()
    graph = draw(f)
    bundle = graph._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert "apt-get install graphviz" in bundle["text/html"]
    assert "brew install graphviz" in bundle["text/plain"]
    assert "digraph autograd {" in bundle["text/plain"]
    assert "&lt;b&gt;x&lt;/b&gt;" in bundle["text/html"]  # the DOT text, escaped
    assert graph._repr_svg_() is None
    graph.save(tmp_path / "ok.dot")
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        graph.save(tmp_path / "graph.png")
    page = step_through(f, widget=False)._repr_html_()
    assert "dot program is not installed" in page


def test_missing_graphviz_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)
    f, _, _ = example()
    graph = draw(f)
    with pytest.raises(ImportError, match=r"autograd-lite\[viz\]"):
        graph.pipe("svg")
    assert "autograd-lite[viz]" in graph._repr_mimebundle_()["text/plain"]


def _failing_replace(monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills up at the last step of a write: os.replace fails."""

    def replace(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", replace)


def test_a_failed_save_leaves_the_old_drawing_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The defect: save() opened the file for writing before the content was ready,
    # so a failure in between left it truncated.
    f, _, _ = example()
    graph = draw(f)
    old = b"the good drawing\n"
    for name in ("graph.dot", "graph.svg", "steps.html"):
        (tmp_path / name).write_bytes(old)
    monkeypatch.setattr(Graph, "pipe", lambda self, fmt="svg", dpi=None: b"<svg/>")
    _failing_replace(monkeypatch)
    with pytest.raises(OSError, match="No space left on device"):
        graph.save(tmp_path / "graph.dot")
    with pytest.raises(OSError, match=r"graph\.svg"):
        graph.save(tmp_path / "graph.svg")
    with pytest.raises(OSError, match=r"steps\.html"):
        step_through(f, widget=False).save(tmp_path / "steps.html")
    for name in ("graph.dot", "graph.svg", "steps.html"):
        assert (tmp_path / name).read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.dot", "graph.svg", "steps.html"]


def test_a_failed_render_leaves_the_old_picture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f, _, _ = example()
    (tmp_path / "graph.png").write_bytes(b"old png")

    def pipe(self: Graph, fmt: str = "svg", dpi: int | None = None) -> bytes:
        raise RuntimeError("cannot render PNG")

    monkeypatch.setattr(Graph, "pipe", pipe)
    with pytest.raises(RuntimeError):
        draw(f).save(tmp_path / "graph.png")
    assert (tmp_path / "graph.png").read_bytes() == b"old png"


def _installed(monkeypatch: pytest.MonkeyPatch, *, package: bool, dot: bool) -> None:
    """Pretend the graphviz package and the dot program are (not) installed."""
    if not package:
        monkeypatch.setitem(sys.modules, "graphviz", None)
    monkeypatch.setattr(viz.dot.shutil, "which", lambda name: "/usr/bin/dot" if dot else None)


def test_dot_installed_without_the_package_names_the_extra_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The defect: with dot installed and the graphviz package missing (Python 3.13),
    # the message said to install dot with apt-get; the fix is the viz extra.
    _installed(monkeypatch, package=False, dot=True)
    graph = draw(example()[0])
    with pytest.raises(ImportError) as info:
        graph.pipe("svg")
    for message in (str(info.value), graph._repr_mimebundle_()["text/plain"].splitlines()[0]):
        assert 'pip install "autograd-lite[viz]"' in message
        assert "apt-get" not in message
        assert "dot program" not in message


def test_the_package_without_dot_names_the_program_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("graphviz", reason="the graphviz package is not installed")
    monkeypatch.setenv("PATH", str(tmp_path))  # hide the dot program
    _installed(monkeypatch, package=True, dot=False)
    graph = draw(example()[0])
    with pytest.raises(RuntimeError) as info:
        graph.pipe("svg")
    for message in (str(info.value), graph._repr_mimebundle_()["text/plain"].splitlines()[0]):
        assert "apt-get install graphviz" in message
        assert "pip install" not in message


def test_neither_installed_names_both(monkeypatch: pytest.MonkeyPatch) -> None:
    _installed(monkeypatch, package=False, dot=False)
    graph = draw(example()[0])
    with pytest.raises(ImportError) as info:
        graph.pipe("png")
    hint = graph._repr_mimebundle_()["text/plain"].splitlines()[0]
    for message in (str(info.value), hint):
        assert 'pip install "autograd-lite[viz]"' in message
        assert "apt-get install graphviz" in message
    assert hint.startswith("The graphviz Python package and Graphviz's dot program are not")


@needs_dot
def test_renders_svg_png_and_pdf(tmp_path: Path) -> None:
    f, _, _ = example()
    f.backward()
    graph = draw(f)
    svg = graph._repr_svg_()
    assert svg is not None
    assert "<svg" in svg
    assert "grad 2.5839" in svg
    assert "image/svg+xml" in graph._repr_mimebundle_()
    assert graph.save(tmp_path / "g.svg").endswith("g.svg")
    graph.save(tmp_path / "g.png")
    graph.save(tmp_path / "big.png", dpi=192)
    graph.save(tmp_path / "g.pdf")
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "g.pdf").read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "big.png").stat().st_size > (tmp_path / "g.png").stat().st_size
    assert graph._html_picture().startswith("<svg")


def test_graph_repr_and_str() -> None:
    f, _, _ = example()
    graph = draw(f, title="t")
    assert str(graph) == graph.source
    assert repr(graph).startswith("<Graph: ")
    assert repr(graph).endswith(": t>")
    assert isinstance(graph, Graph)
