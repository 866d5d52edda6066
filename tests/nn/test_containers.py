"""nn.Sequential and the activation modules (ReLU, Tanh, Sigmoid): a network
composed from parts, its parameters, names, batches and modes."""

from __future__ import annotations

import math
from typing import Any

import pytest

from autograd_lite import Value
from autograd_lite.nn import (
    MLP,
    BatchNorm,
    Dropout,
    Layer,
    ReLU,
    Residual,
    Sequential,
    Sigmoid,
    Tanh,
)

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
