"""Graph drawing (autograd_lite.viz): deterministic DOT, edge labels with local
derivatives, the Σ marking of shared nodes, big-graph limits, rendering with and
without Graphviz's ``dot`` program, and the network picture.

DOT snapshots live in tests/snapshots/; regenerate them after an intended change
with ``AUTOGRAD_LITE_UPDATE_SNAPSHOTS=1 pytest tests/test_viz.py`` and review the
diff.
"""

from __future__ import annotations

import html
import math
import os
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import autograd_lite.viz as viz
from autograd_lite import Value, topological_order
from autograd_lite.text.ledger import explain
from autograd_lite.text.notation import format_number
from autograd_lite.viz import MAX_NODES, Graph, StepThrough, draw, draw_network, step_through, steps
from tests.graphs import COS2, example

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's dot program is not installed (apt-get install graphviz)",
)


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


# -- networks ---------------------------------------------------------------------------


class ToyNeuron:
    def __init__(self, w: Sequence[float], b: float, activation: str) -> None:
        self.w = [Value(v) for v in w]
        self.b = Value(b)
        self.activation = activation

    def __call__(self, x: Sequence[Value]) -> Value:
        z = self.b
        for wi, xi in zip(self.w, x):
            z = z + wi * xi
        return {"relu": z.relu, "sigmoid": z.sigmoid, "linear": lambda: z}[self.activation]()


class ToyLayer:
    def __init__(self, neurons: list[ToyNeuron]) -> None:
        self.neurons = neurons

    def __call__(self, x: Sequence[Value]) -> list[Value]:
        return [n(x) for n in self.neurons]


class ToyModel:
    """Anything with .layers[i].neurons[j].w/.b, as draw_network asks."""

    def __init__(self, layers: list[ToyLayer]) -> None:
        self.layers = layers

    def __call__(self, x: Sequence[float]) -> Value:
        values = [Value(v) for v in x]
        for layer in self.layers:
            values = layer(values)
        return values[0]


def toy_relu_model() -> ToyModel:
    return ToyModel([
        ToyLayer([
            ToyNeuron([1.0, -0.5], 0.1, "relu"),
            ToyNeuron([0.2, 0.3], -5.0, "relu"),  # dead on inputs in [0, 1]
            ToyNeuron([-2.0, 1.0], 1.5, "relu"),
        ]),
        ToyLayer([ToyNeuron([0.5, 1.5, -1.0], 0.2, "linear")]),
    ])  # fmt: skip


def test_snapshot_network() -> None:
    model = toy_relu_model()
    inputs = [[0.5, 0.25], [1.0, 0.0]]
    loss = sum(((model(x) - 1.0) ** 2 for x in inputs), Value(0.0))
    loss.backward()
    check_snapshot("network.dot", draw_network(model, inputs=inputs).source)


def test_network_edges_widths_colours_and_dead_relus() -> None:
    model = toy_relu_model()
    inputs = [[0.5, 0.25], [1.0, 0.0]]
    loss = sum(((model(x) - 1.0) ** 2 for x in inputs), Value(0.0))
    loss.backward()
    source = draw_network(model, inputs=inputs).source
    edges = re.findall(r"  (\w+) -> (\w+) \[color=\"(#\w+)\", penwidth=([\d.]+)", source)
    assert len(edges) == 2 * 3 + 3  # one edge per weight
    widths = {(a, b): float(w) for a, b, _, w in edges}
    assert widths[("i0", "n0_2")] == 5.0  # |w| = 2.0, the largest
    assert widths[("i0", "n0_0")] == pytest.approx(0.6 + 4.4 * 0.5)
    colours = {(a, b): c for a, b, c, _ in edges}
    weights = {(f"i{i}", f"n0_{j}"): w for j, n in enumerate(model.layers[0].neurons)
               for i, w in enumerate(n.w)}  # fmt: skip
    for key, w in weights.items():
        expected = "#b3261e" if w.grad > 0 else "#1f6feb" if w.grad < 0 else "#b8bec6"
        assert colours[key] == expected
    assert source.count("ReLU ✕") == 1
    assert re.search(r'n0_1 \[shape=circle, style="filled,dashed"', source)
    # Legend items are separated by no-break spaces: ordinary spaces next to a tag were
    # dropped by Graphviz ("grey: 0dashed grey: dead ReLU").
    legend = source.splitlines()[-2].split("label=", 1)[1]
    assert ">grey: 0</font>&#160;&#160;&#160;&#160;dashed grey: dead ReLU</font>>;" in legend
    assert " <" not in legend  # no ordinary space next to a tag
    assert "> " not in legend
    assert "dead ReLU" not in draw_network(model).source  # no inputs, no dead-ReLU entry
    assert source.count("taillabel=") == 9  # 9 weights: labelled by default
    assert "taillabel" not in draw_network(model, labels=False).source
    assert "ReLU ✕" not in draw_network(model).source  # no inputs: no verdict


def test_network_labels_by_default_only_where_they_fit() -> None:
    from autograd_lite.nn import MLP

    # 24 weights, but 8 edges fan out of each input: their labels would overlap.
    wide = MLP(2, [8, 1], activation="tanh", seed=0)
    assert "taillabel" not in draw_network(wide).source
    assert 'tooltip="w ' in draw_network(wide).source  # the numbers are still there
    assert draw_network(wide, labels=True).source.count("taillabel=") == 24
    assert draw_network(MLP(2, [4, 1], seed=0)).source.count("taillabel=") == 12
    assert "taillabel" not in draw_network(MLP(5, [2, 1], seed=0)).source  # 5 inputs


def test_network_errors() -> None:
    with pytest.raises(TypeError, match=r"has no \.layers"):
        draw_network(object())
    broken = toy_relu_model()
    broken.layers[1].neurons[0].w.pop()
    with pytest.raises(ValueError, match="do not take layer 0's 3 outputs"):
        draw_network(broken)
    with pytest.raises(ValueError, match="input_names"):
        draw_network(toy_relu_model(), input_names=["a"])
    with pytest.raises(ValueError, match="rankdir"):
        draw_network(toy_relu_model(), rankdir="sideways")


def test_network_inputs_as_one_sample_means_that_sample() -> None:
    # The defect: inputs=[0.5, -0.3] (one sample) gave "'float' object is not iterable".
    model = toy_relu_model()
    assert draw_network(model, inputs=[0.5, 0.25]).source == (
        draw_network(model, inputs=[[0.5, 0.25]]).source
    )
    assert "ReLU ✕" in draw_network(model, inputs=[0.5, 0.25]).source
    one_input = ToyModel([ToyLayer([ToyNeuron([1.0], -0.5, "relu")])])
    assert "ReLU ✕" in draw_network(one_input, inputs=[0.1, 0.2]).source  # one per sample
    assert "ReLU ✕" not in draw_network(one_input, inputs=[0.1, 0.9]).source


def test_network_inputs_of_the_wrong_shape_say_what_inputs_must_be() -> None:
    model = toy_relu_model()
    what = r"inputs= must be a list of samples, each a list of 2 numbers"
    with pytest.raises(ValueError, match=what + r".*flat list of 3 numbers"):
        draw_network(model, inputs=[0.5, 0.25, 1.0])
    with pytest.raises(ValueError, match=what + r".*inputs\[1\] is \[1.0\]"):
        draw_network(model, inputs=[[0.5, 0.25], [1.0]])
    with pytest.raises(ValueError, match=what + r".*inputs\[0\] is \['a', 'b'\]"):
        draw_network(model, inputs=[["a", "b"]])
    with pytest.raises(TypeError, match=what + r".*got float"):
        draw_network(model, inputs=0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=what + r".*inputs\[0\] is str"):
        draw_network(model, inputs=["ab"])


def test_network_refuses_more_weights_than_max_weights() -> None:
    from autograd_lite.nn import MLP

    model = MLP(40, [60, 1], seed=0)  # 2,460 weights
    with pytest.raises(ValueError, match=r"2,460 weights, more than max_weights=2,000.*None"):
        draw_network(model)
    assert draw_network(model, max_weights=None).source.count(" -> ") == 2_460
    with pytest.raises(ValueError, match="max_weights="):
        draw_network(toy_relu_model(), max_weights=0)


def test_network_from_nn_mlp_seed_003() -> None:
    nn = pytest.importorskip("autograd_lite.nn", reason="autograd_lite.nn not available")
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid")
    model.load_weights([([[0.15, 0.25], [0.20, 0.30]], [0.35, 0.35]), ([[0.40, 0.45]], [0.60])])
    yhat = model([0.1, 0.2])
    loss = -(1 - yhat).log()  # BCE with target 0
    loss.backward()
    source = draw_network(model, title="seed 003").source
    assert 'label=<<b>seed 003</b><br/><font point-size="9">edge width' in source  # title, legend
    assert "w 0.4" in source
    assert "grad 0.453" in source
    assert "grad 0.00721" in source
    assert source.count("label=<σ<br/>") == 3
    collapsed = draw(loss, collapse=model).source
    assert collapsed.count("layer 1 · neuron") == 2
    assert "0.4534" in collapsed
    assert "0.07213" in collapsed


def test_collapse_needs_the_model_of_this_graph() -> None:
    model = toy_relu_model()
    other = Value(1.0) * 2
    with pytest.raises(ValueError, match="none of the model's parameters"):
        draw(other, collapse=model)
    out = model([0.5, 0.25])
    out.label = "out"
    out.backward()
    source = draw(out, collapse=model).source
    assert source.count("<td>w1</td>") == 4  # one per neuron
    assert "<b>out</b>" in source


def test_collapse_can_name_parameters_by_their_own_labels() -> None:
    model = toy_relu_model()
    out = model([0.5, 0.25])
    out.backward()
    parameters = [v for layer in model.layers for n in layer.neurons for v in (*n.w, n.b)]
    for k, p in enumerate(parameters, 1):
        p.label = f"θ{k}"
    positional = draw(out, collapse=model).source
    named = draw(out, collapse=model, label_parameters=True).source
    assert "<td>w1</td>" in positional
    assert "<td>θ1</td>" not in positional
    assert "<td>w1</td>" not in named
    assert "<td>b</td>" not in named
    assert all(f"<td>θ{k}</td>" in named for k in range(1, len(parameters) + 1))


def unrolled() -> tuple[Value, dict[str, list[Value]]]:
    """Two steps of h = tanh(w*h + x), with each step's nodes grouped."""
    w = Value(0.5, label="w")
    h, steps = None, {}
    for t in (1, 2):
        x = Value(0.1 * t, label=f"x{t}")
        z = x if h is None else w * h + x
        h = z.tanh()
        h.label = f"h{t}"
        steps[f"step {t}"] = [x, h] if z is x else [x, z, z.parents[0], h]
    assert h is not None
    return h, steps


def test_clusters_box_each_group_and_lay_them_out_in_order() -> None:
    root, steps = unrolled()
    source = draw(root, rankdir="TB", clusters=steps).source
    assert source.count("subgraph cluster_") == 2
    assert 'subgraph cluster_0 { label="step 1"' in source
    assert 'label="step 2"' in source
    first, second = source.split("subgraph cluster_1")
    box_1 = first.split("subgraph cluster_0")[1]
    assert "h1" in box_1
    assert "x1" in box_1
    assert "x2" not in box_1
    box_2 = second.split("\n  }")[0]
    assert "x2" in box_2
    assert "x1" not in box_2
    # step 2's input is placed after step 1's last node (invisible edge), so boxes follow each other
    assert len(re.findall(r"-> v\d+ \[style=invis\];", source)) == 1
    assert draw(root).source.count("subgraph cluster_") == 0  # nothing changes without clusters


def test_clusters_are_checked() -> None:
    root, steps = unrolled()
    with pytest.raises(ValueError, match="not a node of root's graph"):
        draw(root, clusters={"stray": [Value(1.0)]})
    with pytest.raises(ValueError, match="in both"):
        draw(root, clusters={"a": steps["step 1"], "b": steps["step 1"]})
    with pytest.raises(TypeError, match="mapping"):
        draw(root, clusters=[steps["step 1"]])  # type: ignore[arg-type]


def test_draw_network_labels_what_the_composition_applies() -> None:
    # With batch norm the layers' neurons are linear and a ReLU module follows the
    # batch norm: the circles must say ReLU (they said "linear" when MLP applied the
    # activation itself), and the output layer stays linear.
    from autograd_lite.nn import MLP, BatchNorm, Layer, Sequential, Tanh

    def symbols(model: object) -> list[str]:
        return re.findall(r"label=<([^<]*)<br", draw_network(model).source)

    assert symbols(MLP(2, [3, 3, 1], batch_norm=True, seed=0)) == ["ReLU"] * 6 + ["linear"]
    assert symbols(MLP(2, [3, 1], activation="tanh", seed=0)) == ["tanh"] * 3 + ["linear"]
    built = Sequential(Layer(2, 2, "linear", seed=0), BatchNorm(2), Tanh(), Layer(2, 1, "linear"))
    assert symbols(built) == ["tanh", "tanh", "linear"]


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
