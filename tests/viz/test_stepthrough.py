"""viz.steps and step_through: the backward pass one ledger row at a time."""

from __future__ import annotations

import html
import shutil
import sys

import pytest

from autograd_lite import Value
from autograd_lite.text.ledger import explain
from autograd_lite.text.notation import format_number
from autograd_lite.viz import StepThrough, draw, step_through, steps
from tests.graphs import example

# -- step-through -----------------------------------------------------------------------


def test_steps_one_drawing_per_ledger_row() -> None:
    f, x, y = example()
    frames = list(steps(f))
    ledger = explain(f)
    assert len(frames) == len(ledger) == 5
    for frame, row in zip(frames, ledger):
        assert frame.caption.startswith(f"step {row.step}/5: ")
        assert row.sentence() in frame.caption
    assert "grad ?" in frames[0].source  # unknown gradients
    assert "grad ?" not in frames[-1].source
    assert "#e36209" in frames[0].source  # the current node is highlighted
    assert x.grad == y.grad == 0.0  # nothing was changed


def test_steps_show_a_partial_sum_at_a_shared_node() -> None:
    f, x, _ = example()
    ledger = explain(f)
    first = ledger.contributions(x)[0]
    frames = list(steps(f))
    assert f"grad {format_number(first.after)} + …" in frames[first.step - 1].source


def test_steps_caption_is_drawn_unless_the_page_shows_it() -> None:
    f, _, _ = example()
    for inside, outside in zip(steps(f), steps(f, caption_in_picture=False)):
        assert inside.caption == outside.caption
        assert "labelloc=t" in inside.source
        assert inside.caption in inside.source
        assert "labelloc" not in outside.source
        assert inside.caption not in outside.source


def test_step_through_shows_each_caption_once() -> None:
    pytest.importorskip("graphviz", reason="graphviz not installed")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed")
    f, _, _ = example()
    page = step_through(f, widget=False).to_html()
    for frame in steps(f):
        # html.escape and Graphviz's SVG text escape the caption the same way here
        assert page.count(html.escape(frame.caption, quote=False)) == 1, frame.caption


def test_steps_rejects_unknown_options() -> None:
    f, _, _ = example()
    with pytest.raises(TypeError, match="unexpected options"):
        next(steps(f, colour="red"))


def test_step_through_html_works_without_javascript(tmp_path: object) -> None:
    f, _, _ = example()
    widget = step_through(f, widget=False)
    assert isinstance(widget, StepThrough)
    page = widget._repr_html_()
    assert "<script" not in page
    assert page.count('type="radio"') == 5
    assert page.count("◀ previous") == page.count("next ▶") == 5
    assert page.count("<svg") == 5 or "dot program is not installed" in page
    path = f"{tmp_path}/steps.html"
    widget.save(path)
    with open(path, encoding="utf-8") as handle:
        assert handle.read().startswith("<!DOCTYPE html>")


def test_step_through_uses_ipywidgets_when_installed() -> None:
    pytest.importorskip("ipywidgets", reason="ipywidgets not installed")
    f, _, _ = example()
    box = step_through(f)
    assert type(box).__name__ == "VBox"
    assert len(box.frames) == 5
    box.move(1)
    caption = box.children[1].value
    assert "step 2/5" in caption
    box.move(10)
    assert "step 5/5" in box.children[1].value


def test_step_through_falls_back_to_html_without_ipywidgets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    f, _, _ = example()
    assert isinstance(step_through(f), StepThrough)
    with pytest.raises(ImportError, match=r"autograd-lite\[notebook\]"):
        step_through(f, widget=True)


def test_highlight_marks_every_edge_from_parent_into_node_and_only_those() -> None:
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    z = x * x + y
    product = z.parents[0]
    marked = draw(z, highlight=[(x, product)]).source
    assert marked.count("penwidth=2.5") == 2  # x * x has two edges from x
    assert draw(z).source.count("penwidth=2.5") == 0
    with pytest.raises(ValueError, match="not an edge"):
        draw(z, highlight=[(y, product)])
    with pytest.raises(TypeError, match=r"\(parent, node\) pairs"):
        draw(z, highlight=[x])  # type: ignore[list-item]
