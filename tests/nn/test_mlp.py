"""nn.MLP: micrograd compatibility (parameter order, arithmetic order, weights),
initialisation and seeds, setting weights by hand, the float fast path and
``trace``, gradients and the PyTorch bridge, and the remedies inside an MLP."""

from __future__ import annotations

import math
import random
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Value
from autograd_lite.nn import (
    MLP,
    Layer,
    LayerTrace,
    Neuron,
)
from tests.nn.test_regularisation import random_batch

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


@given(st.lists(finite, min_size=2, max_size=2), st.integers(0, 3))
def test_forward_floats_by_layer_is_every_layers_graph_output(x: list[float], seed: int) -> None:
    model = MLP(2, [5, 4, 3], activation="relu", output_activation="sigmoid", seed=seed)
    layers = model.forward_floats_by_layer(x)
    assert layers == [[v.data for v in row.a] for row in model.trace(x)]  # bit for bit
    assert layers[-1] == model.forward_floats(x)
    assert [len(row) for row in layers] == [5, 4, 3]


def test_forward_floats_by_layer_refuses_what_it_cannot_follow() -> None:
    with pytest.raises(ValueError, match="takes a list of 2 numbers"):
        MLP(2, [3, 1], seed=0).forward_floats_by_layer([1.0])
    with pytest.raises(TypeError, match="input 0 is str"):
        MLP(2, [3, 1], seed=0).forward_floats_by_layer(["1", 2.0])
    with pytest.raises(ValueError, match="follows plain layers"):
        MLP(2, [3, 1], dropout=0.5, seed=0).forward_floats_by_layer([1.0, 2.0])


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
