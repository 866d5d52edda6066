"""viz.draw: the value graph (values, gradients, local derivatives, the Σ rows of
shared nodes), big graphs refused or cut before any layout, and tangents drawn
for forward mode."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

import pytest

import autograd_lite.viz as viz
from autograd_lite import Value, topological_order
from autograd_lite.text.notation import format_number
from autograd_lite.viz import MAX_NODES, draw, step_through, steps
from tests.graphs import COS2, example

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("AUTOGRAD_LITE_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}; create it with AUTOGRAD_LITE_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8")


def edge_labels(source: str) -> dict[tuple[str, str], list[str]]:
    """(tail, head) -> the lines of text of the edge's label."""
    result = {}
    for tail, head, label in re.findall(r"  (v\d+) -> (v\d+op) \[label=<(.*?)>(?:,|\];)", source):
        result[(tail, head)] = re.sub(r"</?font[^>]*>", "", label).split("<br/>")
    return result


def node_ids(source: str) -> dict[str, str]:
    """Node name (the bold cell) -> DOT id."""
    return {
        name: ident for ident, name in re.findall(r"  (v\d+) \[shape=plain.*?<b>(.*?)</b>", source)
    }


# -- the value graph --------------------------------------------------------------------


def test_snapshot_before_and_after_backward() -> None:
    f, _, _ = example()
    check_snapshot("f_forward.dot", draw(f).source)
    f.backward()
    check_snapshot("f_backward.dot", draw(f).source)


def test_dot_is_deterministic_and_numbered_topologically() -> None:
    first, second = example()[0], example()[0]
    assert draw(first).source == draw(second).source
    ids = set(re.findall(r"^  (v\d+) \[", draw(first).source, flags=re.M))
    assert ids == {f"v{k}" for k in range(5)}
    assert "id(" not in draw(first).source


def test_edge_labels_are_the_hand_computed_local_derivatives_and_flows() -> None:
    f, _, _ = example()
    f.backward()
    source = draw(f).source
    ids = node_ids(source)
    labels = edge_labels(source)
    x, y, xy, sinx, f_id = (ids[n] for n in ("x", "y", "x * y", "sin(x)", "f"))
    cos2 = f"{math.cos(2.0):.4f}"
    assert labels[(x, f"{xy}op")] == ["∂(x * y)/∂x = y = 3.0", "grad ← 3.0"]
    assert labels[(y, f"{xy}op")] == ["∂(x * y)/∂y = x = 2.0", "grad ← 2.0"]
    assert labels[(x, f"{sinx}op")] == [f"∂sin(x)/∂x = cos(x) = {cos2}", f"grad ← {cos2}"]
    assert labels[(xy, f"{f_id}op")] == ["∂f/∂(x * y) = 1.0", "grad ← 1.0"]
    assert labels[(sinx, f"{f_id}op")] == ["∂f/∂sin(x) = 1.0", "grad ← 1.0"]
    # Op nodes show the op table's symbols.
    assert f"{xy}op [shape=circle" in source
    assert re.search(rf'{xy}op \[.*label="×"', source)
    assert re.search(rf'{sinx}op \[.*label="sin"', source)


def test_before_backward_edges_show_only_local_derivatives() -> None:
    f, _, _ = example()
    source = draw(f).source
    assert "grad ←" not in source
    assert "Σ used 2×" in source


def test_the_sigma_node_is_x_and_lists_its_contributions() -> None:
    f, _x, _ = example()
    f.backward()
    source = draw(f).source
    sigma_lines = [line for line in source.splitlines() if "Σ" in line]
    assert len(sigma_lines) == 1
    assert sigma_lines[0].startswith(f"  {node_ids(source)['x']} [")
    assert "<b>x</b>" in sigma_lines[0]
    terms = re.search(r"Σ (.*?) = 2\.5839", sigma_lines[0])
    assert terms is not None
    assert sorted(terms.group(1).split(" + ")) == ["(-0.4161)", "3.0"]
    assert draw(f, flow=False).source.count("Σ used 2×") == 1


def test_sigma_says_per_pass_when_backward_ran_twice() -> None:
    f, x, _ = example()
    f.backward()
    with pytest.warns(UserWarning, match="without zeroing"):
        f.backward()
    source = draw(f).source
    assert "= 2.5839 per pass" in source
    assert f"grad {x.grad:.4f}" in source  # the box shows the accumulated gradient


def test_root_leaves_parameters_and_zero_gradients_look_different() -> None:
    w = Value(-1.0, label="w")
    x = Value(2.0, label="x")
    b = Value(0.5, label="b")
    h = (w * x).relu()
    out = h + b
    out.label = "out"
    out.backward()
    source = draw(out, parameters=[w, b]).source
    lines = {
        name: line for line in source.splitlines() for name in re.findall(r"<b>(.*?)</b>", line)
    }
    assert 'border="2"' in lines["out"]
    assert "#3b8a3e" in lines["out"]
    assert "#e8f1fc" in lines["x"]  # a leaf
    assert " param</font>" in lines["w"]
    assert "#fff3d6" in lines["w"]
    assert " param</font>" in lines["b"]
    assert " param</font>" not in lines["x"]
    # Zero gradients (behind the dead ReLU) are grey, others are ink.
    assert '<font color="#9aa1a9">grad 0.0</font>' in lines["w"]
    assert '<font color="#24292f">grad 1.0</font>' in lines["b"]


def test_top_to_bottom_and_bad_arguments() -> None:
    f, _, _ = example()
    assert "rankdir=TB" in draw(f, rankdir="TB").source
    with pytest.raises(ValueError, match="rankdir"):
        draw(f, rankdir="up")
    with pytest.raises(ValueError, match="precision"):
        draw(f, precision=0)
    with pytest.raises(TypeError, match="needs a Value"):
        draw(3.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="parameters="):
        draw(f, parameters=[1.0])  # type: ignore[list-item]
    assert "data 6.909297<" in draw(f, precision=6).source


def test_title_is_drawn_as_a_caption() -> None:
    f, _, _ = example()
    assert 'label="f = x*y + sin(x)"' in draw(f, title="f = x*y + sin(x)").source


# -- big graphs -------------------------------------------------------------------------


def chain(n: int) -> tuple[Value, list[Value]]:
    x = Value(0.5, label="x")
    nodes = [x]
    v = x
    for i in range(n):
        v = (v * 0.9 + 0.1).tanh()
        v.label = f"t{i}"
        nodes.append(v)
    return v, nodes


def test_draw_refuses_big_graphs_with_a_helpful_message() -> None:
    root, _ = chain(100)  # ~500 nodes
    with pytest.raises(ValueError, match="more than max_nodes=250") as info:
        draw(root)
    message = str(info.value)
    assert "around=node, radius=2" in message
    assert "collapse=model" in message
    assert MAX_NODES == 250
    assert draw(root, max_nodes=10_000).source.count("shape=plain") > MAX_NODES


def test_draw_refusal_names_the_count_and_max_nodes_none_lifts_it() -> None:
    root, _ = chain(100)
    with pytest.raises(ValueError, match="max_nodes=250") as info:
        draw(root)
    message = str(info.value)
    assert f"has {len(topological_order(root)):,} nodes" in message
    assert "max_nodes=None" in message
    assert draw(root, max_nodes=None).source.count("shape=plain") > MAX_NODES
    for bad in (0, -1, 2.5, "many"):
        with pytest.raises(ValueError, match="max_nodes="):
            draw(root, max_nodes=bad)


def test_draw_refuses_a_huge_graph_before_naming_or_laying_out_any_of_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The defect: draw() walked, named and explained the whole graph before its size
    # check; a refusal must only count (one pass) and build nothing of the drawing.
    root, _ = chain(2_000)
    for module in (viz.graphs, viz.stepthrough):
        for costly in ("node_names", "topological_order", "explain", "_Look"):
            if hasattr(module, costly):
                monkeypatch.setattr(module, costly, _forbidden(costly))
    with pytest.raises(ValueError, match="more than max_nodes=250"):
        draw(root)
    with pytest.raises(ValueError, match=r"steps: the graph has 10,001 nodes.*max_nodes=None"):
        next(steps(root))


def _forbidden(name: str) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"{name} was called before the size check")

    return call


def test_the_size_check_counts_no_further_than_the_limit() -> None:
    root, _ = chain(2_000)  # 10,001 nodes
    assert viz.graphs._count_up_to(root, 250) <= 252
    assert viz.graphs._count_up_to(root, math.inf) == len(topological_order(root))


def test_steps_refuse_big_graphs_and_max_nodes_none_lifts_it() -> None:
    root, _ = chain(60)  # ~300 nodes
    with pytest.raises(ValueError, match="more than max_nodes=250"):
        next(steps(root))
    first = next(steps(root, max_nodes=None))
    assert first.caption.startswith("step 1/")
    with pytest.raises(ValueError, match="max_nodes="):
        next(steps(root, max_nodes=0))


def test_around_draws_a_neighbourhood_with_stubs() -> None:
    root, nodes = chain(100)
    middle = nodes[50]
    source = draw(root, around=middle, radius=2).source
    names = re.findall(r"<b>(.*?)</b>", source)
    # middle is t49 (nodes[0] is x); two edges either way of it, constants included:
    assert sorted(names) == sorted([
        "t49", "(t48 * 0.9) + 0.1", "t48 * 0.9", "0.1", "t49 * 0.9", "0.9", "(t49 * 0.9) + 0.1",
    ])  # fmt: skip
    assert "more input" in source  # cut inputs end in a dashed stub
    assert "used by 1 more" in source  # so do cut users
    with pytest.raises(ValueError, match="must be a node of root's graph"):
        draw(root, around=Value(1.0))
    with pytest.raises(ValueError, match="radius"):
        draw(root, around=middle, radius=-1)


def test_nodes_draws_only_the_nodes_given_with_stubs_for_the_rest() -> None:
    # The paths from w to the loss: w * a, that + b, tanh of it, the loss; not a or b.
    w, a, b = Value(0.5, label="w"), Value(2.0, label="a"), Value(-1.0, label="b")
    wa = w * a
    z = wa + b
    h = z.tanh()
    h.label = "h"
    loss = h * h
    loss.label = "L"
    loss.backward()
    on_paths = [w, wa, z, h, loss]
    source = draw(loss, nodes=(n for n in on_paths)).source  # any iterable, read once
    assert sorted(re.findall(r"<b>(.*?)</b>", source)) == sorted(
        ["w", "w * a", "(w * a) + b", "h", "L"]
    )
    assert source.count("1 more input …") == 2  # a into w * a, b into the sum
    assert source == draw(loss, nodes=set(on_paths)).source
    # One frame per step along an edge between the nodes (not b's or a's), each
    # drawing only them; captions keep the whole backward pass's numbering.
    frames = list(steps(loss, nodes=iter(on_paths), caption_in_picture=False))
    every = [frame.caption for frame in steps(loss)]
    assert len(every) == 7
    assert [frame.caption for frame in frames] == [
        c for c in every if " to b;" not in c and " to a;" not in c
    ]
    assert [c.split(":")[0] for c in every if " to b;" in c or " to a;" in c] == [
        "step 5/7", "step 7/7"
    ]  # fmt: skip
    forward = list(steps(loss, mode="forward", tangents={w: 1.0}, nodes=on_paths))
    assert len(forward) == 5  # w -> w*a -> sum -> h -> L (twice: h * h)
    for frame in frames + forward:
        assert sorted(re.findall(r"<b>(.*?)</b>", frame.source)) == sorted(
            ["w", "w * a", "(w * a) + b", "h", "L"]
        )
    with pytest.raises(ValueError, match="is not a node of root's graph"):
        draw(loss, nodes=[w, Value(3.0)])
    with pytest.raises(TypeError, match="iterable of Values, got Value"):
        draw(loss, nodes=w)
    with pytest.raises(TypeError, match="takes Values, got float"):
        draw(loss, nodes=[w, 1.0])
    with pytest.raises(ValueError, match="nodes= or around=, not both"):
        draw(loss, nodes=on_paths, around=w)
    with pytest.raises(ValueError, match="holds 5 nodes, more than max_nodes=4"):
        draw(loss, nodes=on_paths, max_nodes=4)
    with pytest.raises(TypeError, match="iterable of Values, got int"):
        next(steps(loss, nodes=3))


# -- forward mode in drawings ----------------------------------------------------------------


def test_draw_with_tangents_shows_each_nodes_tangent_and_each_edges_flow() -> None:
    f, x, _ = example()
    source = draw(f, tangents={x: 1.0}).source
    assert "tangent 1.0" in source  # x
    assert "tangent 3.0" in source  # x * y
    assert f"tangent {format_number(3.0 + COS2)}" in source  # f
    edge = next(line for line in source.splitlines() if "∂(x * y)/∂x" in line)
    assert "tangent → 3.0" in edge  # along x -> x * y flows y * 1.0, not x's own tangent 1.0
    assert f"tangent → {format_number(COS2)}" in source
    assert "Σ 3.0 + (-0.4161) = 2.5839" in source  # f adds its two operands' shares
    assert ">grad " not in source
    assert "grad ←" not in source
    assert x.grad == 0.0


def test_draw_without_tangents_is_unchanged() -> None:
    f, _, _ = example()
    before = draw(f).source
    assert draw(f, tangents=None).source == before
    assert "tangent" not in before


def test_steps_play_forward_mode_one_frame_per_forward_ledger_row() -> None:
    f, x, _ = example()
    frames = list(steps(f, mode="forward", tangents={x: 1.0}))
    assert len(frames) == 5
    assert frames[0].caption.startswith("step 1/5: x carries tangent 1.0")
    assert "tangent ?" in frames[0].source  # f is not reached yet
    assert "tangent 3.0 + …" in frames[0].source  # x * y has one of its two shares
    assert "tangent ?" not in frames[-1].source
    page = step_through(f, mode="forward", tangents={x: 1.0}, widget=False)
    assert page.title == "forward sweep to f: 5 steps"


def test_steps_forward_mode_needs_tangents_and_tangents_need_forward_mode() -> None:
    f, x, _ = example()
    with pytest.raises(TypeError, match=r"mode='forward'\) needs tangents="):
        list(steps(f, mode="forward"))
    with pytest.raises(TypeError, match=r"plays forward mode: pass mode='forward'"):
        list(steps(f, tangents={x: 1.0}))
    with pytest.raises(ValueError, match=r"mode='sideways'"):
        list(steps(f, mode="sideways"))  # type: ignore[arg-type]
