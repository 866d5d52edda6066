"""nn: micrograd compatibility (parameter order, arithmetic order, weights),
initialisation and seeds, setting weights by hand, JSON checkpoints that leave
the model unchanged on error, the float fast path, and the PyTorch bridge;
train/eval modes and the remedies (Dropout, BatchNorm against torch's
BatchNorm1d, Residual) on their own and inside an MLP."""

from __future__ import annotations

import json
import math
import random
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Value, no_grad
from autograd_lite.nn import (
    MLP,
    BatchNorm,
    Dropout,
    Layer,
    LayerTrace,
    Module,
    Neuron,
    ReLU,
    Residual,
    Sequential,
    Sigmoid,
    Tanh,
)

SEED_003_WEIGHTS = [
    ([[0.15, 0.25], [0.20, 0.30]], [0.35, 0.35]),
    ([[0.40, 0.45]], [0.60]),
]

finite = st.floats(min_value=-5.0, max_value=5.0, allow_nan=False)


def micrograd_nn() -> ModuleType:
    return pytest.importorskip(
        "micrograd.nn", reason="micrograd is the reference: pip install micrograd"
    )


def values(model: Any) -> list[float]:
    return [p.data for p in model.parameters()]


# -- micrograd compatibility ------------------------------------------------------------


def test_global_seed_gives_micrograds_demo_weights_in_the_same_order() -> None:
    mg = micrograd_nn()
    random.seed(1337)
    theirs = mg.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])
    assert len(ours.parameters()) == len(theirs.parameters()) == 337
    assert values(ours) == [p.data for p in theirs.parameters()]


@given(st.lists(finite, min_size=3, max_size=3))
def test_forward_equals_micrograd_bit_for_bit_with_copied_weights(x: list[float]) -> None:
    mg = micrograd_nn()
    engine = pytest.importorskip("micrograd.engine")
    theirs = mg.MLP(3, [4, 4, 2])
    ours = MLP(3, [4, 4, 2], seed=0)
    ours.load_parameters([p.data for p in theirs.parameters()])
    expected = [v.data for v in theirs([engine.Value(v) for v in x])]
    assert [v.data for v in ours(x)] == expected  # exact: same ops in the same order


def test_neuron_sums_bias_first_then_each_product_in_order() -> None:
    n = Neuron(3, activation="linear")
    n.load_weights([1e16, 1.0, -1e16], 1.0)
    # (((b + w0x0) + w1x1) + w2x2): 1 + 1e16 loses the 1s; another order would not.
    assert n([1.0, 1.0, 1.0]).data == float(((1.0 + 1e16) + 1.0) + -1e16)
    out = n([1.0, 1.0, 1.0])
    assert out.op == "add"
    assert out.parents[1].op == "mul"


def test_one_neuron_hidden_layer_works_where_micrograd_breaks() -> None:
    model = MLP(2, [16, 1, 1], seed=3)
    out = model([0.5, -0.5])
    assert isinstance(out, Value)
    out.backward()
    assert any(p.grad != 0.0 for p in model.parameters())


def test_layer_always_returns_a_list_and_mlp_unwraps_one_output() -> None:
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), list)
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    out = MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(out, list)
    assert len(out) == 2


def test_activations_per_layer() -> None:
    model = MLP(1, [1, 1], activation="tanh", output_activation="sigmoid", seed=0)
    model.load_weights([([[2.0]], [0.0]), ([[1.0]], [0.5])])
    out = model([0.25])
    assert isinstance(out, Value)
    assert out.op == "sigmoid"
    assert out.parents[0].parents[1].parents[1].op == "tanh"
    assert out.data == pytest.approx(1 / (1 + math.exp(-(0.5 + math.tanh(0.5)))), abs=1e-15)
    relu = MLP(1, [1], output_activation="relu", seed=0)
    relu.load_weights([([[1.0]], [0.0])])
    assert relu([-3.0]).data == 0.0  # type: ignore[union-attr]


# -- parameters, names, init, seeds -----------------------------------------------------


def test_named_parameters_follow_parameters_order() -> None:
    model = MLP(2, [2, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
        "layers.0.neurons.1.w.1",
        "layers.0.neurons.1.b",
        "layers.1.neurons.0.w.0",
        "layers.1.neurons.0.w.1",
        "layers.1.neurons.0.b",
    ]
    assert [p for _, p in model.named_parameters()] == model.parameters()
    assert [p.label for p in model.parameters()] == names
    assert [name for name, _ in Neuron(2).named_parameters()] == ["w.0", "w.1", "b"]


def test_seed_makes_runs_identical_and_does_not_touch_global_random() -> None:
    random.seed(5)
    before = random.random()
    random.seed(5)
    a = MLP(3, [5, 2], seed=42)
    assert random.random() == before
    b = MLP(3, [5, 2], seed=42)
    c = MLP(3, [5, 2], seed=43)
    assert values(a) == values(b)
    assert values(a) != values(c)


@pytest.mark.parametrize(
    ("init", "limit"),
    [("uniform", 1.0), ("xavier", math.sqrt(6 / (30 + 10))), ("he", math.sqrt(6 / 30))],
)
def test_init_draws_weights_within_the_scheme_limit_and_zero_biases(
    init: str, limit: float
) -> None:
    layer = Layer(30, 10, init=init, seed=0)  # type: ignore[arg-type]
    weights = [w.data for n in layer.neurons for w in n.w]
    assert all(-limit <= w <= limit for w in weights)
    assert max(abs(w) for w in weights) > 0.9 * limit  # uses the whole range
    assert all(n.b.data == 0.0 for n in layer.neurons)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: MLP(2, [], seed=0), "layer_sizes is empty"),
        (lambda: MLP(2, [3, 0], seed=0), "positive int"),
        (lambda: MLP(0, [1], seed=0), "n_inputs"),
        (lambda: MLP(2, [1], activation="softplus"), "activation='softplus'"),
        (lambda: Neuron(2, init="normal"), "init='normal'"),  # type: ignore[arg-type]
    ],
)
def test_bad_construction_arguments(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_wrong_input_width_is_a_clear_error() -> None:
    model = MLP(3, [2, 1], seed=0)
    with pytest.raises(ValueError, match="takes 3 input"):
        model([1.0, 2.0])
    with pytest.raises(TypeError, match="list of 3 numbers"):
        model(1.0)  # type: ignore[arg-type]


def test_zero_grad() -> None:
    model = MLP(2, [3, 1], seed=0)
    out = model([1.0, -2.0])
    assert isinstance(out, Value)
    (out * out).backward()
    assert any(p.grad for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


# -- weights by hand ---------------------------------------------------------------------


def test_load_weights_sets_the_seed_003_network() -> None:
    model = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    model.load_weights(SEED_003_WEIGHTS)
    assert values(model) == [0.15, 0.25, 0.35, 0.20, 0.30, 0.35, 0.40, 0.45, 0.60]
    # the same by plain assignment of .data
    other = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=1)
    for p, v in zip(other.parameters(), values(model), strict=True):
        p.data = v
    assert other([0.1, 0.2]).data == model([0.1, 0.2]).data  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([([[0.1, 0.2]], [0.0]), ([[0.4, 0.45]], [0.6])], "expected 2 weight rows"),
        ([([[0.1], [0.2]], [0.0, 0.0]), ([[0.4, 0.45]], [0.6])], "expected 2 numbers"),
        ([([[0.1, 0.2], [0.3, 0.4]], [0.0]), ([[0.4, 0.45]], [0.6])], "biases"),
        ([([[0.1, 0.2], [0.3, 0.4]], [0.0, 0.0])], "2 layers, got 1"),
        ([([[0.1, 0.2], [0.3, math.nan]], [0.0, 0.0]), ([[0.4, 0.45]], [0.6])], "not finite"),
        ([([[0.1, 0.2], [0.3, "x"]], [0.0, 0.0]), ([[0.4, 0.45]], [0.6])], "real number"),
    ],
)
def test_load_weights_rejects_bad_shapes_and_values_without_changing_anything(
    weights: Any, message: str
) -> None:
    model = MLP(2, [2, 1], seed=0)
    before = values(model)
    with pytest.raises(ValueError, match=message):
        model.load_weights(weights)
    assert values(model) == before


# -- checkpoints ---------------------------------------------------------------------------


def test_state_dict_round_trip() -> None:
    a, b = MLP(2, [4, 3], seed=0), MLP(2, [4, 3], seed=1)
    b.load_state_dict(a.state_dict())
    assert values(b) == values(a)


def test_save_and_load_json_bit_for_bit(tmp_path: Any) -> None:
    a = MLP(2, [4, 1], activation="tanh", seed=0)
    path = tmp_path / "model.json"
    a.save(path)
    document = json.loads(path.read_text(encoding="utf-8"))  # plain JSON, never pickle
    assert document["model"]["layer_sizes"] == [4, 1]
    b = MLP(2, [4, 1], activation="tanh", seed=9)
    b.load(path)
    assert values(b) == values(a)


def _saved(tmp_path: Any, edit: Any) -> Any:
    path = tmp_path / "model.json"
    MLP(2, [2, 1], seed=0).save(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    edit(document)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _set_first(document: dict[str, Any], value: Any) -> None:
    document["parameters"]["layers.0.neurons.0.w.0"] = value


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["model"].update(layer_sizes=[3, 1]), "holds a MLP"),
        (lambda d: d["parameters"].pop("layers.1.neurons.0.b"), "missing"),
        (lambda d: d["parameters"].update(extra=1.0), "unexpected 'extra'"),
        (lambda d: _set_first(d, "0.5"), "real number"),
        (lambda d: _set_first(d, [0.5]), "real number"),
        (lambda d: _set_first(d, True), "real number"),
        (lambda d: _set_first(d, float("nan")), "not finite"),
        (lambda d: _set_first(d, float("inf")), "not finite"),
        (lambda d: d.update(format="other"), "not an autograd_lite checkpoint"),
        (lambda d: d.update(version=99), "version 99"),
    ],
)
def test_load_rejects_bad_files_and_leaves_the_model_unchanged(
    tmp_path: Any, edit: Any, message: str
) -> None:
    path = _saved(tmp_path, edit)
    model = MLP(2, [2, 1], seed=5)
    before = values(model)
    with pytest.raises(ValueError, match=message):
        model.load(path)
    assert values(model) == before


def test_load_rejects_non_json(tmp_path: Any) -> None:
    path = tmp_path / "model.json"
    path.write_bytes(b"\x80\x04not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        MLP(2, [1], seed=0).load(path)


def test_load_rejects_deeply_nested_json_with_a_value_error(tmp_path: Any) -> None:
    # A hostile file: 100,000 brackets deep makes the JSON decoder recurse too far.
    path = tmp_path / "model.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    model = MLP(2, [2, 1], seed=5)
    before = values(model)
    with pytest.raises(ValueError, match="nested far deeper"):
        model.load(path)
    assert values(model) == before


def test_load_state_dict_rejects_a_negative_running_variance() -> None:
    model = MLP(2, [3, 1], batch_norm=True, seed=0)
    state = model.state_dict()
    state["norms.0.running_var.1"] = -0.5
    state["layers.0.neurons.0.w.0"] = 123.0  # would change first: must not
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"'norms\.0\.running_var\.1' is -0\.5.*variance"):
        model.load_state_dict(state)
    assert model.state_dict() == before
    state["norms.0.running_var.1"] = 0.0  # zero is a valid variance (eps keeps it finite)
    model.load_state_dict(state)
    assert model.state_dict()["layers.0.neurons.0.w.0"] == 123.0


# -- trace and the float path ------------------------------------------------------------


def test_trace_gives_z_and_a_per_layer_in_the_graph() -> None:
    model = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    model.load_weights(SEED_003_WEIGHTS)
    rows = model.trace([0.1, 0.2])
    assert all(isinstance(row, LayerTrace) for row in rows)
    assert [v.data for v in rows[0].z] == pytest.approx([0.415, 0.430], abs=1e-15)
    assert rows[1].a[0].data == model([0.1, 0.2]).data  # type: ignore[union-attr]
    rows[1].a[0].backward()
    assert model.parameters()[0].grad != 0.0


@given(st.lists(finite, min_size=2, max_size=2), st.integers(0, 3))
def test_forward_floats_equals_the_value_forward_bit_for_bit(x: list[float], seed: int) -> None:
    model = MLP(2, [5, 4, 3], activation="tanh", output_activation="sigmoid", seed=seed)
    assert model.forward_floats(x) == [v.data for v in model(x)]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("x", "error", "message"),
    [
        (["1.5", 2.0], TypeError, "input 0 is str '1.5'"),
        ([1.0, True], TypeError, "input 1 is bool True"),
        ([None, 2.0], TypeError, "input 0 is NoneType None"),
        ([math.nan, 2.0], ValueError, "input 0: nan is not finite; inputs must be finite"),
        ([1.0, -math.inf], ValueError, "input 1: -inf is not finite"),
        ([10**400, 2.0], ValueError, "input 0: .* is too large for a float"),
    ],
)
def test_forward_floats_refuses_what_the_graph_path_refuses(
    x: list[Any], error: type[Exception], message: str
) -> None:
    # The defect: float(v) took "1.5" and True without a word, where model(x)
    # refuses them (and float(10**400) raised a bare OverflowError).
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(error, match=message):
        model.forward_floats(x)
    with pytest.raises((TypeError, ValueError)):
        model(x)


def test_forward_floats_takes_ints_and_a_values_number() -> None:
    model = MLP(2, [3, 1], seed=0)
    assert model.forward_floats([Value(1.0), 2]) == model.forward_floats([1.0, 2.0])


# -- gradients and the PyTorch bridge -----------------------------------------------------


def test_gradients_match_torch(torch: ModuleType) -> None:
    model = MLP(3, [4, 4, 2], activation="tanh", output_activation="sigmoid", seed=2)
    net = model.to_torch()
    x = [0.3, -1.2, 0.7]
    out = model(x)
    assert isinstance(out, list)
    (out[0] * 2.0 + out[1]).backward()
    t_out = net(torch.tensor([x]))[0]
    (t_out[0] * 2.0 + t_out[1]).backward()
    t_grads = [g for lin in net if hasattr(lin, "weight") for g in _flat_grads(lin)]
    assert [p.grad for p in model.parameters()] == pytest.approx(t_grads, abs=1e-12)


def _flat_grads(linear: Any) -> list[float]:
    rows = linear.weight.grad.tolist()
    biases = linear.bias.grad.tolist()
    return [v for row, b in zip(rows, biases, strict=True) for v in [*row, b]]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_to_torch_outputs_equal_to_1e_12(torch: ModuleType, activation: str) -> None:
    model = MLP(3, [6, 5, 2], activation=activation, seed=1)  # type: ignore[arg-type]
    net = model.to_torch()
    assert all(p.dtype == torch.float64 for p in net.parameters())
    rng = random.Random(0)
    for _ in range(20):
        x = [rng.uniform(-3, 3) for _ in range(3)]
        expected = net(torch.tensor([x], dtype=torch.float64))[0].tolist()
        assert [v.data for v in model(x)] == pytest.approx(expected, abs=1e-12)  # type: ignore[union-attr]


def test_from_torch_round_trip(torch: ModuleType) -> None:
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(2, 5),
        torch.nn.Tanh(),
        torch.nn.Linear(5, 3),
        torch.nn.Tanh(),
        torch.nn.Linear(3, 1),
        torch.nn.Sigmoid(),
    ).double()
    model = MLP.from_torch(net)
    assert model.config() == {
        "type": "MLP",
        "n_inputs": 2,
        "layer_sizes": [5, 3, 1],
        "activation": "tanh",
        "output_activation": "sigmoid",
    }
    x = [0.4, -0.9]
    assert model([0.4, -0.9]).data == pytest.approx(net(torch.tensor([x])).item(), abs=1e-12)  # type: ignore[union-attr]
    assert values(MLP.from_torch(model.to_torch())) == values(model)


def test_from_torch_rejects_what_an_mlp_cannot_hold(torch: ModuleType) -> None:
    nn = torch.nn
    with pytest.raises(ValueError, match="different activations"):
        MLP.from_torch(
            nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1))
        )
    with pytest.raises(ValueError, match="unsupported module LeakyReLU"):
        MLP.from_torch(nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(), nn.Linear(3, 1)))
    with pytest.raises(ValueError, match="every hidden layer or none"):
        MLP.from_torch(
            nn.Sequential(
                nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Linear(3, 3), nn.Linear(3, 1)
            ).double()
        )
    with pytest.raises(ValueError, match="one dropout probability"):
        MLP.from_torch(
            nn.Sequential(
                nn.Linear(2, 3), nn.Dropout(0.1), nn.Linear(3, 3), nn.Dropout(0.2), nn.Linear(3, 1)
            )
        )
    with pytest.raises(ValueError, match="output layer may have an activation only"):
        MLP.from_torch(nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1), nn.Dropout(0.1)))
    with pytest.raises(ValueError, match="Dropout must follow a Linear layer"):
        MLP.from_torch(nn.Sequential(nn.Dropout(0.1), nn.Linear(2, 1)))
    with pytest.raises(ValueError, match="BatchNorm1d must follow a Linear layer"):
        MLP.from_torch(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.BatchNorm1d(3)))
    with pytest.raises(ValueError, match="needs a bias"):
        MLP.from_torch(nn.Sequential(nn.Linear(2, 1, bias=False)))
    with pytest.raises(ValueError, match="feeds one with"):
        MLP.from_torch(nn.Sequential(nn.Linear(2, 3), nn.Linear(4, 1)))
    with pytest.raises(TypeError, match="Sequential"):
        MLP.from_torch(nn.Linear(2, 1))


def test_from_torch_accepts_what_to_torch_makes_with_batch_norm_and_dropout(
    torch: ModuleType,
) -> None:
    model = MLP(2, [4, 3, 1], activation="tanh", batch_norm=True, dropout=0.2, seed=3)
    model.forward_batch(random_batch(random.Random(1), 5, 2))  # move the running statistics
    for norm in model.norms:
        norm.load_parameters([0.5 + 0.1 * k for k in range(len(norm.parameters()))])
    model.eval()
    net = model.to_torch()
    back = MLP.from_torch(net)
    assert back.config() == model.config()
    assert back.state_dict() == model.state_dict()
    assert not back.training
    x = [0.3, -0.7]
    assert back(x).data == model(x).data  # type: ignore[union-attr]
    assert back(x).data == pytest.approx(net(torch.tensor([x])).item(), abs=1e-12)  # type: ignore[union-attr]
    # Non-default batch norm settings travel too, and the mode follows the Sequential.
    nn = torch.nn
    custom = nn.Sequential(
        nn.Linear(2, 3), nn.BatchNorm1d(3, eps=1e-3, momentum=0.2), nn.ReLU(), nn.Linear(3, 1)
    ).double()
    built = MLP.from_torch(custom)
    assert (built.norms[0].eps, built.norms[0].momentum, built.training) == (1e-3, 0.2, True)


# -- composition: Sequential and the activation modules -------------------------------------


def test_activation_modules_apply_their_op_to_every_input() -> None:
    x = [-1.5, 0.0, 2.0]
    assert [v.data for v in ReLU()(x)] == [Value(v).relu().data for v in x]
    assert [v.data for v in Tanh()(x)] == [math.tanh(v) for v in x]
    assert [v.data for v in Sigmoid()(x)] == [Value(v).sigmoid().data for v in x]
    assert ReLU().parameters() == []
    assert repr(Tanh()) == "Tanh()"
    with pytest.raises(TypeError, match="takes a list of numbers"):
        ReLU()(Value(1.0))  # type: ignore[arg-type]


def test_sequential_composes_parameters_buffers_modes_and_checkpoints(tmp_path: Any) -> None:
    net = Sequential(Layer(2, 3, "linear", seed=0), BatchNorm(3), ReLU(), Dropout(0.5, seed=1),
                     Layer(3, 1, "sigmoid", seed=2))  # fmt: skip
    assert len(net) == 5
    assert isinstance(net[1], BatchNorm)
    names = [name for name, _ in net.named_parameters()]
    assert names[:3] == ["0.neurons.0.w.0", "0.neurons.0.w.1", "0.neurons.0.b"]
    assert "1.gamma.0" in names
    assert names[-1] == "4.neurons.0.b"
    assert next(name for name, _ in net.named_buffers()) == "1.running_mean.0"
    X = [[0.0, 1.0], [2.0, -1.0], [1.0, 1.0]]
    assert len(net.forward_batch(X)) == 3  # training mode: batch statistics
    assert net[1].running_mean[0].data != 0.0  # type: ignore[attr-defined]
    # The composition computes exactly what its parts do, one after another.
    net.eval()
    assert not any(m.training for m in net.modules())
    rows: list[Any] = X
    for part in net:
        rows = part.forward_batch(rows)
    assert [o[0].data for o in net.forward_batch(X)] == [o[0].data for o in rows]
    assert net(X[0])[0].data == rows[0][0].data
    path = tmp_path / "net.json"
    net.save(path)
    twin = Sequential(Layer(2, 3, "linear", seed=7), BatchNorm(3), ReLU(), Dropout(0.5, seed=1),
                      Layer(3, 1, "sigmoid", seed=8))  # fmt: skip
    twin.load(path)
    assert twin.state_dict() == net.state_dict()
    with pytest.raises(ValueError, match="at least one module"):
        Sequential()
    with pytest.raises(TypeError, match="part 1 is function"):
        Sequential(Layer(2, 2), Value.relu)  # type: ignore[arg-type]


def test_mlp_is_built_from_the_composition() -> None:
    model = MLP(2, [3, 3, 1], activation="tanh", batch_norm=True, dropout=0.1, residual=True)
    first, second, output = model.net
    assert isinstance(first, Sequential)
    assert [type(m).__name__ for m in first] == ["Layer", "BatchNorm", "Tanh", "Dropout"]
    assert isinstance(second, Residual)
    assert isinstance(second.module, Sequential)
    assert output is model.layers[-1]
    assert first[0] is model.layers[0]
    assert first[1] is model.norms[0]
    assert first[3] is model.dropouts[0]
    # Parameters are the composition's, under the checkpoint names MLPs always had.
    assert {id(p) for p in model.parameters()} == {id(p) for p in model.net.parameters()}
    assert len(model.parameters()) == len(model.net.parameters())
    X = [[0.5, -1.0], [1.0, 2.0], [0.0, 0.3]]
    model.eval()
    assert [o.data for o in model.forward_batch(X)] == [  # type: ignore[union-attr]
        o[0].data for o in model.net.forward_batch(X)
    ]
    plain = MLP(2, [3, 1], seed=0)
    assert list(plain.net) == plain.layers  # nothing to add: the layers themselves


# -- train / eval modes --------------------------------------------------------------------


def test_train_and_eval_reach_every_module_and_return_the_model() -> None:
    model = MLP(2, [3, 3, 1], dropout=0.2, batch_norm=True, residual=True, seed=0)
    kinds = {type(m).__name__ for m in model.modules()}
    assert kinds == {
        "MLP", "Sequential", "Residual", "Layer", "Neuron", "BatchNorm", "ReLU", "Dropout"
    }  # fmt: skip
    assert all(m.training for m in model.modules())  # every module starts in training mode
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    assert model.train() is model
    assert all(m.training for m in model.modules())
    assert model.train(False) is model
    assert not model.training
    with pytest.raises(TypeError, match="True or False"):
        model.train("eval")  # type: ignore[arg-type]


# -- Dropout ---------------------------------------------------------------------------------


def test_dropout_is_the_identity_in_eval_mode() -> None:
    drop = Dropout(0.9, seed=0).eval()
    x = [Value(v) for v in (1.0, -2.0, 3.5)]
    out = drop(x)
    assert all(o is xi for o, xi in zip(out, x, strict=True))  # the same nodes: no graph added
    assert [v.data for v in drop([4.0, 5.0])] == [4.0, 5.0]


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_keeps_the_expected_activation_scale_in_training(p: float) -> None:
    n = 20_000
    x = [Value(1.5) for _ in range(n)]
    out = Dropout(p, seed=1)(x)
    dropped = sum(1 for v in out if v.data == 0.0)
    kept = {v.data for v in out if v.data != 0.0}
    assert kept == {1.5 * (1.0 / (1.0 - p))}  # survivors times 1/(1-p), as in PyTorch
    # Binomial(n, p): 5 standard deviations of the dropped fraction are below 0.018.
    assert abs(dropped / n - p) < 5 * math.sqrt(p * (1 - p) / n)
    assert sum(v.data for v in out) / n == pytest.approx(
        1.5, abs=5 * 1.5 * math.sqrt(p / (1 - p) / n)
    )


def test_dropout_gradient_is_the_mask() -> None:
    p = 0.25
    x = [Value(1.0) for _ in range(200)]
    out = Dropout(p, seed=3)(x)
    total = out[0]
    for v in out[1:]:
        total = total + v
    total.backward()
    for xi, o in zip(x, out, strict=True):
        assert xi.grad == (0.0 if o.data == 0.0 else 1.0 / (1.0 - p))


def test_dropout_is_seeded_and_leaves_global_random_alone() -> None:
    random.seed(11)
    expected = random.random()
    random.seed(11)
    masks = [[v.data for v in Dropout(0.5, seed=s)([1.0] * 50)] for s in (7, 7, 8)]
    assert random.random() == expected
    assert masks[0] == masks[1]
    assert masks[0] != masks[2]
    assert Dropout(0.0, seed=0)([2.0, 3.0])[1].data == 3.0  # p = 0 drops nothing


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5, math.nan, math.inf])
def test_dropout_probability_outside_0_1_is_a_value_error(p: float) -> None:
    with pytest.raises(ValueError, match=r"must be in \[0, 1\)"):
        Dropout(p)
    with pytest.raises(ValueError, match=r"MLP: dropout=.* must be in \[0, 1\)"):
        MLP(2, [3, 1], dropout=p)


def test_dropout_bad_types() -> None:
    with pytest.raises(TypeError, match="number in"):
        Dropout("0.5")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="number in"):
        Dropout(True)
    with pytest.raises(TypeError, match="seed must be an int"):
        Dropout(0.5, seed=None)  # type: ignore[arg-type]


# -- BatchNorm against torch.nn.BatchNorm1d --------------------------------------------------


def random_batch(rng: random.Random, n: int, features: int) -> list[list[float]]:
    return [[rng.uniform(-3.0, 3.0) for _ in range(features)] for _ in range(n)]


@pytest.mark.parametrize(("n", "features"), [(2, 1), (3, 2), (7, 3), (16, 4)])
def test_batch_norm_matches_torch_values_gradients_and_running_statistics(
    torch: ModuleType, n: int, features: int
) -> None:
    rng = random.Random(n * 10 + features)
    ours = BatchNorm(features, momentum=0.1, eps=1e-5)
    theirs = torch.nn.BatchNorm1d(features, momentum=0.1, eps=1e-5, dtype=torch.float64)
    gamma = [rng.uniform(0.5, 2.0) for _ in range(features)]
    beta = [rng.uniform(-1.0, 1.0) for _ in range(features)]
    ours.load_parameters(gamma + beta)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(gamma))
        theirs.bias.copy_(torch.tensor(beta))
    for _ in range(3):  # three training batches: the running averages move each time
        batch = random_batch(rng, n, features)
        weights = random_batch(rng, n, features)  # a loss sum(w * y) with random w
        x = [[Value(v) for v in row] for row in batch]
        y = ours.forward_batch(x)
        loss = sum((w * v for wr, yr in zip(weights, y) for w, v in zip(wr, yr)), Value(0.0))
        ours.zero_grad()
        loss.backward()
        tx = torch.tensor(batch, requires_grad=True)
        ty = theirs(tx)
        theirs.zero_grad()
        (ty * torch.tensor(weights)).sum().backward()
        assert [[v.data for v in row] for row in y] == nested_approx(ty.tolist())
        assert [[v.grad for v in row] for row in x] == nested_approx(tx.grad.tolist())
        assert [g.grad for g in ours.gamma] == pytest.approx(theirs.weight.grad.tolist(), abs=1e-12)
        assert [b.grad for b in ours.beta] == pytest.approx(theirs.bias.grad.tolist(), abs=1e-12)
        assert [m.data for m in ours.running_mean] == pytest.approx(
            theirs.running_mean.tolist(), abs=1e-12
        )
        assert [v.data for v in ours.running_var] == pytest.approx(
            theirs.running_var.tolist(), abs=1e-12
        )
    # evaluation: the running averages take the batch's place, one sample at a time
    ours.eval()
    theirs.eval()
    sample = random_batch(rng, 1, features)
    assert [v.data for v in ours(sample[0])] == pytest.approx(
        theirs(torch.tensor(sample)).tolist()[0], abs=1e-12
    )


def nested_approx(rows: list[list[float]]) -> list[Any]:
    return [pytest.approx(row, abs=1e-12) for row in rows]


def test_batch_norm_on_a_batch_of_one_in_training_mode_is_a_value_error() -> None:
    norm = BatchNorm(2)
    with pytest.raises(ValueError, match="needs at least 2 samples, got 1"):
        norm.forward_batch([[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"model.eval\(\)"):
        norm([1.0, 2.0])
    model = MLP(2, [3, 1], batch_norm=True, seed=0)
    with pytest.raises(ValueError, match="needs at least 2 samples"):
        model([1.0, 2.0])
    before = [v.data for _, v in norm.named_buffers()]
    model.eval()
    assert isinstance(model([1.0, 2.0]), Value)  # one sample is fine on running statistics
    assert len(norm.eval()([1.0, 2.0])) == 2
    assert [v.data for _, v in norm.named_buffers()] == before


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: BatchNorm(2).forward_batch([]), ValueError, "batch is empty"),
        (lambda: BatchNorm(2).forward_batch([[1.0, 2.0], [3.0]]), ValueError, "takes 2 input"),
        (lambda: BatchNorm(2).forward_batch([1.0, 2.0]), TypeError, "list of 2 numbers"),
        (lambda: BatchNorm(0), ValueError, "n_features must be a positive int"),
        (lambda: BatchNorm(2, momentum=1.5), ValueError, "momentum=1.5"),
        (lambda: BatchNorm(2, eps=0.0), ValueError, "eps=0.0"),
    ],
)
def test_batch_norm_bad_input(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_batch_norm_updates_running_statistics_under_no_grad_only_in_training() -> None:
    norm = BatchNorm(1)
    with no_grad():
        norm.forward_batch([[1.0], [3.0]])  # PyTorch also updates them under no_grad
    assert norm.running_mean[0].data == pytest.approx(0.2)
    norm.eval().forward_batch([[10.0], [30.0]])
    assert norm.running_mean[0].data == pytest.approx(0.2)


# -- Residual ---------------------------------------------------------------------------------


def test_residual_adds_the_input_and_passes_its_gradient_straight_through() -> None:
    layer = Layer(2, 2, activation="tanh", seed=0)
    block = Residual(layer)
    x = [Value(0.3), Value(-0.7)]
    out = block(x)
    inner = layer(x)
    assert [o.data for o in out] == [xi.data + fi.data for xi, fi in zip(x, inner, strict=True)]
    out[0].backward()
    # d(x0 + f0(x))/dx0 = 1 + w00 * tanh'(z0): the 1 is the skip connection's
    w = layer.neurons[0].w[0].data
    assert x[0].grad == pytest.approx(1.0 + w * (1.0 - inner[0].data ** 2), abs=1e-15)
    assert [name for name, _ in block.named_parameters()][:2] == [
        "module.neurons.0.w.0",
        "module.neurons.0.w.1",
    ]


class _Shrink(Module):
    """Any width in, one number out: a shape a skip connection cannot add."""

    def __call__(self, x: Any) -> list[Value]:
        return [Value(float(len(x)))]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return []


def test_residual_shape_check() -> None:
    with pytest.raises(ValueError, match="maps 3 inputs to 2 outputs"):
        Residual(Layer(3, 2))
    with pytest.raises(ValueError, match=r"returned 1 output\(s\) for 2 input\(s\)"):
        Residual(_Shrink())([1.0, 2.0])
    with pytest.raises(TypeError, match="expected a Module"):
        Residual(lambda x: x)  # type: ignore[arg-type]


def test_residual_around_batch_norm_gets_the_whole_batch() -> None:
    block = Residual(BatchNorm(1))
    out = block.forward_batch([[1.0], [3.0]])
    assert [row[0].data for row in out] == pytest.approx([1.0 - 1.0, 3.0 + 1.0], abs=1e-4)
    with pytest.raises(ValueError, match="at least 2 samples"):
        block([1.0])


# -- remedies inside an MLP ------------------------------------------------------------------


def layer_values(model: MLP) -> list[float]:
    return [p.data for layer in model.layers for p in layer.parameters()]


def test_remedies_do_not_change_the_weights_a_seed_gives() -> None:
    plain = MLP(2, [4, 4, 1], seed=5)
    for kwargs in ({"dropout": 0.3}, {"batch_norm": True}, {"residual": True}):
        assert layer_values(MLP(2, [4, 4, 1], seed=5, **kwargs)) == values(plain)


def test_dropout_mlp_in_eval_mode_equals_the_plain_mlp_bit_for_bit() -> None:
    plain = MLP(3, [5, 5, 2], activation="tanh", seed=2)
    dropped = MLP(3, [5, 5, 2], activation="tanh", seed=2, dropout=0.5)
    x = [0.2, -0.4, 0.9]
    assert [v.data for v in dropped.eval()(x)] == [v.data for v in plain(x)]  # type: ignore[union-attr]
    assert [v.data for v in dropped.train()(x)] != [v.data for v in plain(x)]  # type: ignore[union-attr]


def test_residual_mlp_adds_skips_around_equal_width_hidden_layers() -> None:
    model = MLP(2, [3, 3, 3, 1], activation="tanh", residual=True, seed=0)
    assert model.skips == [False, True, True]
    x = [0.5, -1.0]
    h = model.layers[0]([Value(v) for v in x])
    for layer in model.layers[1:3]:
        h = [a + b for a, b in zip(h, layer(h), strict=True)]
    expected = model.layers[3](h)[0].data
    assert model(x).data == expected  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="nothing a skip connection can add"):
        MLP(2, [3, 4, 1], residual=True)


def test_batch_norm_mlp_matches_torch_in_training_and_eval(torch: ModuleType) -> None:
    model = MLP(2, [4, 3, 1], activation="tanh", batch_norm=True, dropout=0.0, seed=4)
    rng = random.Random(0)
    for norm in model.norms:  # move gamma and beta away from 1 and 0
        norm.load_parameters([rng.uniform(0.5, 1.5) for _ in norm.parameters()])
    net = model.to_torch()
    assert [type(m).__name__ for m in net] == [
        "Linear", "BatchNorm1d", "Tanh", "Linear", "BatchNorm1d", "Tanh", "Linear",
    ]  # fmt: skip
    X = random_batch(rng, 6, 2)
    outputs = model.forward_batch(X)
    loss = sum(((o - 0.5) ** 2 for o in outputs), Value(0.0))  # type: ignore[operator]
    model.zero_grad()
    loss.backward()
    t_out = net(torch.tensor(X))
    ((t_out - 0.5) ** 2).sum().backward()
    assert [o.data for o in outputs] == pytest.approx(t_out[:, 0].tolist(), abs=1e-12)  # type: ignore[union-attr]
    t_grads: dict[str, list[float]] = {}
    for module in net:
        if isinstance(module, torch.nn.Linear):
            t_grads.setdefault("layers", []).extend(_flat_grads(module))
        elif isinstance(module, torch.nn.BatchNorm1d):
            t_grads["layers"].extend(module.weight.grad.tolist() + module.bias.grad.tolist())
    assert [p.grad for p in model.parameters()] == pytest.approx(t_grads["layers"], abs=1e-12)
    # running statistics and evaluation mode agree too
    model.eval()
    net.eval()
    x = [0.3, -0.8]
    assert model(x).data == pytest.approx(net(torch.tensor([x])).item(), abs=1e-12)  # type: ignore[union-attr]
    assert model.forward_floats(x) == [model(x).data]  # type: ignore[union-attr]


def test_remedy_mlp_parameters_buffers_and_checkpoints(tmp_path: Any) -> None:
    model = MLP(2, [2, 1], batch_norm=True, dropout=0.1, seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names == [
        "layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0", "layers.0.neurons.1.w.1", "layers.0.neurons.1.b",
        "norms.0.gamma.0", "norms.0.gamma.1", "norms.0.beta.0", "norms.0.beta.1",
        "layers.1.neurons.0.w.0", "layers.1.neurons.0.w.1", "layers.1.neurons.0.b",
    ]  # fmt: skip
    assert [p.label for p in model.parameters()] == names
    model.forward_batch([[0.0, 1.0], [2.0, 5.0], [1.0, -1.0]])  # moves the running statistics
    state = model.state_dict()
    assert state["norms.0.running_var.1"] != 1.0
    assert model.config()["batch_norm"] is True
    assert model.config()["dropout"] == 0.1
    path = tmp_path / "model.json"
    model.save(path)
    twin = MLP(2, [2, 1], batch_norm=True, dropout=0.1, seed=9)
    twin.load(path)
    assert twin.state_dict() == state
    with pytest.raises(ValueError, match="holds a MLP"):
        MLP(2, [2, 1], seed=0).load(path)
    assert "batch_norm" not in MLP(2, [2, 1], seed=0).config()  # plain checkpoints unchanged
    model.load_weights([([[1.0, 2.0], [3.0, 4.0]], [0.5, 0.5]), ([[1.0, 1.0]], [0.0])])
    assert layer_values(model)[:3] == [1.0, 2.0, 0.5]
    assert state["norms.0.gamma.0"] == model.state_dict()["norms.0.gamma.0"]


def test_remedy_mlp_trace_and_to_torch_refuse_what_they_cannot_show(torch: ModuleType) -> None:
    with pytest.raises(ValueError, match="trace\\(\\) follows plain layers"):
        MLP(2, [2, 1], dropout=0.5).trace([0.0, 0.0])
    with pytest.raises(ValueError, match="cannot hold skip connections"):
        MLP(2, [3, 3, 1], residual=True).to_torch()


def test_forward_batch_of_a_plain_mlp_is_one_call_per_sample() -> None:
    model = MLP(2, [3, 1], seed=0)
    X = [[0.1, 0.2], [0.5, -1.0]]
    assert [o.data for o in model.forward_batch(X)] == [model(x).data for x in X]  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="batch is empty"):
        model.forward_batch([])


def test_layer_grad_norms_show_each_layers_share() -> None:
    model = MLP(2, [3, 3, 1], activation="sigmoid", seed=0)
    out = model([0.5, -0.5])
    assert isinstance(out, Value)
    out.backward()
    norms = model.layer_grad_norms()
    expected = [math.sqrt(sum(p.grad**2 for p in layer.parameters())) for layer in model.layers]
    assert norms == expected
    assert len(norms) == 3
