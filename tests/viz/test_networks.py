"""viz.draw_network: a network neuron by neuron, weights as edges, one sample's
activations and dead neurons."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from autograd_lite import Value
from autograd_lite.viz import draw, draw_network
from tests.viz.test_graphs import check_snapshot

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
